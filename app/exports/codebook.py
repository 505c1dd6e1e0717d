"""What every export column means (the codebook), conditions in words, and the About facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale, gettext, ngettext

from app.exports.rows import OTHER_LABELS, neutralise
from app.exports.table import Column, Table
from app.surveys.models import OTHER, AllOf, AnyOf, NotOf, Survey

APP_NAME = "Lyssna"
# Bump with changes to the export layout, so a file says which layout it follows.
EXPORT_LAYOUT_VERSION = "1"

FIXED_TEXTS = {
    "response_id": "Random id of the response (not linked to any person)",
    "survey_version": "Number of the survey definition the response was answered on (see About)",
    "status": "complete (submitted) or in_progress (started, not submitted)",
    "started_at": "When the resident started (local time, {tz})",
    "submitted_at": "When the resident submitted (local time, {tz}); empty if not submitted",
    "duration_seconds": "Seconds from start to submission",
    "language": "Language the resident answered in",
}
TYPE_NAMES = {"fixed": "response", "hidden": "hidden field", "participant": "participant code"}
OPERATOR_WORDS = {
    "equals": "is",
    "not_equals": "is not",
    "in": "is one of",
    "not_in": "is none of",
    "gt": "is more than",
    "gte": "is at least",
    "lt": "is less than",
    "lte": "is at most",
    "contains": "includes",
}
CODEBOOK_HEADER = ("name", "question", "type", "page", "values", "condition", "required")


@dataclass(frozen=True)
class CodebookEntry:
    """One codebook row: what a column holds."""

    name: str
    question: str
    type: str
    page: str
    values: tuple[tuple[Any, str], ...]
    condition: str
    required: str

    @property
    def values_text(self) -> str:
        """The value codes and their labels in one line: '1 = Yes; 0 = No'."""
        return "; ".join(f"{code} = {label}" for code, label in self.values)

    def cells(self) -> list[str]:
        """The entry as text cells, in CODEBOOK_HEADER order (neutralised)."""
        return [
            neutralise(x)
            for x in (
                self.name,
                self.question,
                self.type,
                self.page,
                self.values_text,
                self.condition,
                self.required,
            )
        ]


def condition_text(cond: Any, survey: Survey, lang: str) -> str:
    """A show_if condition as readable text, e.g. 'satisfaction is at most 2 or station is one of 12, 13'."""
    if cond is None:
        return ""
    if isinstance(cond, (AllOf, AnyOf)):
        parts, word = (cond.all_, " and ") if isinstance(cond, AllOf) else (cond.any_, " or ")
        return word.join(_grouped(c, survey, lang) for c in parts)
    if isinstance(cond, NotOf):
        return f"not {_grouped(cond.not_, survey, lang)}"
    if cond.hidden is not None:
        subject, question = f"hidden field {cond.hidden}", None
    else:
        subject, question = cond.question, survey.question(cond.question)
    if cond.operator == "answered":
        return f"{subject} is {'answered' if cond.value else 'not answered'}"
    values = cond.value if isinstance(cond.value, list) else [cond.value]
    shown = ", ".join(_value_words(v, question, survey, lang) for v in values)
    return f"{subject} {OPERATOR_WORDS[cond.operator]} {shown}"


def _grouped(cond: Any, survey: Survey, lang: str) -> str:
    text = condition_text(cond, survey, lang)
    return f"({text})" if isinstance(cond, (AllOf, AnyOf)) else text


def _value_words(value: Any, question: Any, survey: Survey, lang: str) -> str:
    """A compared value, with its choice label where the question has choices."""
    if question is not None:
        for choice in survey.choices(question):
            if choice.value == value:
                return f"{value} ({survey.text(choice.label, lang)})"
    return str(value)


def _condition(column: Column, lang: str) -> str:
    """The page's and the question's conditions together, in words."""
    survey = column.survey
    parts = [
        condition_text(column.page.show_if, survey, lang),
        condition_text(column.question.show_if, survey, lang),
    ]
    parts = [p for p in parts if p]
    if len(parts) == 2:
        return f"({parts[0]}) and ({parts[1]})"
    return parts[0] if parts else ""


def codebook(table: Table) -> list[CodebookEntry]:
    """One entry per column of the table, in column order."""
    return [_entry(table, column) for column in table.columns]


def _entry(table: Table, column: Column) -> CodebookEntry:
    lang = table.lang
    if column.question is None:
        if column.source == "fixed":
            text = FIXED_TEXTS[column.name].format(tz=table.timezone.key)
        elif column.source == "hidden":
            text = f"Hidden field '{column.qid}', taken from the survey link (e.g. the QR code)"
        else:
            text = "Participant code the resident answered with"
        values = ()
        if column.name == "status":
            values = (("complete", "submitted"), ("in_progress", "started, not submitted"))
        return CodebookEntry(column.name, text, TYPE_NAMES[column.source], "", values, "", "")
    survey, question = column.survey, column.question
    text = survey.text(question.label, lang)
    page = column.page.id + (f" ({survey.text(column.page.title, lang)})" if column.page.title else "")
    values: tuple = ()
    choices = {c.value: survey.text(c.label, lang) for c in column.choices}
    if column.source == "flag":
        text += f" [{choices.get(column.part, column.part)}]"
        values = ((1, "chosen"), (0, "not chosen"))
    elif column.source == "rank":
        text += f" [{choices.get(column.part, column.part)}]"
        values = ((1, "ranked first"), (len(column.choices), "ranked last"))
    elif column.source == "row":
        row = next((r for r in question.rows if r.id == column.part), None)
        text += f" [{survey.text(row.label, lang) if row else column.part}]"
        values = tuple(choices.items())
    elif column.source == "other":
        text += f" [{OTHER_LABELS.get(lang, OTHER_LABELS['en'])}: text]"
    elif question.type == "single_choice":
        values = tuple(choices.items())
        if getattr(question, "other", False):
            values += ((OTHER, OTHER_LABELS.get(lang, OTHER_LABELS["en"])),)
    elif question.type == "rating":
        low, high = question.bounds
        values = ((low, "lowest"), (high, "highest"))
    kind = question.type + (
        {"flag": " (0/1)", "rank": " (rank)", "other": " (other text)"}.get(column.source, "")
    )
    required = "yes" if question.required else "no"
    if question.required and question.type == "matrix":
        required = "yes (every row)"
    return CodebookEntry(column.name, text, kind, page, values, _condition(column, lang), required)


SMILEY_WORDS = (
    "Very dissatisfied",
    "Dissatisfied",
    "Neither satisfied nor dissatisfied",
    "Satisfied",
    "Very satisfied",
)


def scale_labels(question: Any, lang: str) -> dict[int, str]:
    """The value labels of a rating scale in `lang`, worded as residents saw them: the smileys' words,
    "3 stars", and the two ends of the 0-10 recommendation score."""
    with force_locale(lang):
        if question.scale == "smiley5":
            return {n: gettext(word) for n, word in enumerate(SMILEY_WORDS, start=1)}
        if question.scale == "nps":
            return {0: gettext("Not at all likely"), 10: gettext("Extremely likely")}
        return {n: ngettext("%(num)s star", "%(num)s stars", n) for n in range(1, 6)}


def about(table: Table, app_version: str, rows: int | None = None) -> list[tuple[str, str]]:
    """The facts of the About sheet: survey, versions, filters, rows, demo data, when and how made."""
    options, survey = table.options, table.survey
    versions = "; ".join(
        f"{v.number}: first seen {v.first_seen.astimezone(table.timezone):%Y-%m-%d %H:%M}, {v.rows} row(s)"
        + (" (current)" if i == 0 else "")
        for i, v in enumerate(table.versions)
        if v.number
    )
    filters = [f"status: {'complete and in_progress' if options.include_partial else 'complete only'}"]
    if options.submitted_from:
        filters.append(f"submitted from {options.submitted_from.isoformat()}")
    if options.submitted_to:
        filters.append(f"submitted to {options.submitted_to.isoformat()} (inclusive)")
    filters += [f"hidden field {name} = {value}" for name, value in options.where]
    if options.language:
        filters.append(f"answered in {options.language}")
    if not options.include_demo:
        filters.append("demo data left out")
    demo = "none"
    if table.demo_rows:
        demo = (
            f"{table.demo_rows} of {table.total} rows are DEMO DATA made by `flask demo seed`, "
            "not real answers"
        )
    facts = [
        ("survey", survey.id),
        ("title", table.label(survey.title)),
        ("pilot", survey.pilot or ""),
        ("wave", survey.wave or ""),
        ("versions", versions or "none"),
        ("filters", "; ".join(filters)),
        ("rows", str(table.total if rows is None else rows)),
        ("demo data", demo),
        ("test responses", "never exported"),
        ("values", "labels" if options.values == "labels" else "codes (see Codebook)"),
        ("language of labels", table.lang),
        ("time zone", table.timezone.key),
        ("made at", f"{table.made_at.astimezone(table.timezone):%Y-%m-%d %H:%M:%S}"),
        ("made by", f"{APP_NAME} {app_version}, export layout {EXPORT_LAYOUT_VERSION}"),
        (
            "texts",
            "a text that begins with =, +, -, @, a tab or a carriage return is written with a "
            "leading ' so that no spreadsheet runs it as a formula",
        ),
    ]
    return [(key, neutralise(value)) for key, value in facts]
