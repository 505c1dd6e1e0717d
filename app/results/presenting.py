"""How one group's results read on the page, in the page's language: labels (the survey's texts, and the
interface's words for "Other" and the smileys), numbers in the language's way, and each table's chart.
Everything shown comes from the same data as the JSON (figures.py), so the two always agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_decimal, format_number, format_percent
from flask_babel import gettext as _

from app.exports.codebook import scale_labels
from app.languages.fallback import plain
from app.languages.interface import interface_text
from app.results.charts import Chart, chart
from app.surveys.models import OTHER, Survey


@dataclass
class Line:
    """One row of a table: an answer, how many gave it and their share; or that too few did."""

    value: Any
    label: str
    count: str | None = None  # None: hidden
    share: str | None = None


@dataclass
class Table:
    """One question's figures (or one matrix row's), with its chart."""

    id: str  # the table's element id: q-<question>, or q-<question>-<row>
    title: str
    answered: str
    mean: str | None = None
    scale: tuple[Any, Any] | None = None  # the lowest and highest value, for "on a scale from 1 to 5"
    several: bool = False  # multiple choice: shares add up to more than 100 %
    lines: list[Line] = field(default_factory=list)
    chart: Chart | None = None
    suppressed: bool = False


@dataclass
class Shown:
    """One question as the page shows it: its tables (one, or one per matrix row)."""

    id: str
    label: str
    type: str
    suppressed: bool = False
    tables: list[Table] = field(default_factory=list)


def count(number: int) -> str:
    """A count, as the page's language writes numbers."""
    return format_number(number)


def mean(number: float) -> str:
    """A mean with one decimal, as the page's language writes it."""
    return format_decimal(number, format="#,##0.0")


def shares(number: float) -> str:
    """A share (0 to 1) as a whole percentage, as the page's language writes it."""
    return format_percent(number)


def questions(survey: Survey, data: dict, lang: str, rtl: bool) -> list[Shown]:
    """Every listed question of a group's data, ready to draw."""
    return [_question(survey, entry, lang, rtl) for entry in data.get("questions", [])]


def _text(texts: dict | None, survey: Survey, lang: str) -> str:
    if not texts:
        return ""
    return texts.get(lang) or texts.get(survey.default_language) or next(iter(texts.values()))


def _question(survey: Survey, entry: dict, lang: str, rtl: bool) -> Shown:
    question = survey.question(entry["id"])
    shown = Shown(
        entry["id"], _text(entry["label"], survey, lang), entry["type"], entry.get("suppressed", False)
    )
    if shown.suppressed:
        return shown
    if entry["type"] == "matrix":
        for row in entry["rows"]:
            title = _text(row["label"], survey, lang)
            if row.get("suppressed"):
                shown.tables.append(Table(f"q-{entry['id']}-{row['id']}", title, "", suppressed=True))
            else:
                shown.tables.append(
                    _table(survey, question, row, f"q-{entry['id']}-{row['id']}", title, lang, rtl)
                )
        return shown
    shown.tables.append(_table(survey, question, entry, f"q-{entry['id']}", shown.label, lang, rtl))
    return shown


def _table(
    survey: Survey, question: Any, part: dict, table_id: str, title: str, lang: str, rtl: bool
) -> Table:
    table = Table(table_id, title, count(part["answered"]), several=question.type == "multiple_choice")
    if part.get("mean") is not None:
        table.mean = mean(part["mean"])
        values = [c["value"] for c in part.get("choices", [])]
        table.scale = (values[0], values[-1]) if values else None  # a number question has no scale
    words = scale_labels(question, lang) if question.type == "rating" else {}
    for choice in part.get("choices", []):
        label = _answer_label(survey, question, choice, words, lang)
        if choice.get("suppressed"):
            table.lines.append(Line(choice["value"], label))
        else:
            table.lines.append(Line(choice["value"], label, count(choice["count"]), shares(choice["share"])))
    if table.lines:
        # Inside SVG no element may mark a text's language (an HTML span would end the drawing): plain.
        too_few = plain(_("too few answers"))
        share_of = {c["value"]: c.get("share") for c in part["choices"]}
        bars = [
            (plain(line.label), None if line.count is None else share_of[line.value], line.share or too_few)
            for line in table.lines
        ]
        table.chart = chart(bars, rtl)
    return table


def _answer_label(survey: Survey, question: Any, choice: dict, words: dict, lang: str) -> str:
    """An answer in words: the choice's label, "Other", a smiley's or stars' words, a score (0 to 10)."""
    value = choice["value"]
    if choice["label"]:
        return _text(choice["label"], survey, lang)
    if value == OTHER:
        return interface_text(survey, "other", lang)
    if value not in words:
        return str(value)
    return f"{value} – {words[value]}" if question.scale == "nps" else words[value]
