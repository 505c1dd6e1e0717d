"""The figures of a survey's public results: one pass over the responses that count, through the
dashboard's own summaries, for the whole survey and for each value of its `by` field (each station);
then plain data with every small group kept out (suppression.py), also where a difference between the
whole survey and the stations shown would give one away.

The data is the same for the page, the JSON and every language: labels are the survey's own texts in
each of its languages; interface words ("Other", the smileys' words) are added when a page is drawn.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import Text, cast, literal, select
from sqlalchemy.orm import Session

from app.models import Response
from app.research.filters import Filters
from app.research.formatting import natural_key
from app.research.summaries import Summary, summaries_for
from app.results import suppression
from app.surveys.models import OTHER, Survey

BATCH = 2000
WHOLE = ""  # the group of every counted response: the whole survey
QUOTES_SHOWN = 20  # approved quotes per group, newest first


@dataclass
class Tally:
    """One group's counted responses, and its summaries of the questions the results list."""

    responses: int = 0
    summaries: dict[str, Summary] = field(default_factory=dict)


def counted(survey: Survey, tz: ZoneInfo) -> list:
    """SQL conditions selecting the responses public results count: complete, neither demo nor preview
    (test) responses, sent on the results' `from` day or later."""
    return Filters(demo=False, test=False, date_from=survey.results.from_).conditions(survey.id, tz)


def tally(session: Session, survey: Survey, tz: ZoneInfo) -> tuple[Tally, dict[str, Tally]]:
    """Count the listed questions' answers for the whole survey and per value of `by`, in one pass."""
    listed, by = survey.results.questions, survey.results.by
    whole, groups = _tally(survey), {}
    group_column = Response.hidden[by].as_string() if by else literal(None)
    query = (
        select(cast(Response.answers, Text), group_column)
        .where(*counted(survey, tz))
        .execution_options(yield_per=BATCH)
    )
    for answers, group in session.connection().execute(query):
        answers = (orjson.loads(answers) if isinstance(answers, str) else answers) or {}
        targets = [whole]
        if group:
            targets.append(groups.get(group) or groups.setdefault(group, _tally(survey)))
        for target in targets:
            target.responses += 1
        for question_id in listed:
            value = answers.get(question_id)
            if value is not None:
                for target in targets:
                    _count(target.summaries[question_id], value)
    return whole, groups


def _tally(survey: Survey) -> Tally:
    listed = survey.results.questions
    summaries = {s.question.id: s for s in summaries_for(survey) if s.question.id in listed}
    return Tally(summaries={question_id: summaries[question_id] for question_id in listed})


def _count(summary: Summary, value: Any) -> None:
    if not summary.counted:
        summary.add(value, None)  # "Other" texts have keys of their own, never read here
        return
    try:
        summary.counts[value] += 1
    except TypeError:  # an answer of another shape (an older version): counted as text, never shown
        summary.counts[str(value)] += 1


# ----------------------------------------------------------------------------- one table of figures

SHARES, TICKS, MEAN = "shares", "ticks", "mean"


@dataclass
class Part:
    """One table of a question: its choices (or one matrix row's), how many chose each, and which of
    them are hidden. SHARES add up to 100 %; TICKS (multiple choice) each stand alone; MEAN is a number
    question's mean only."""

    kind: str
    values: list = field(default_factory=list)
    labels: list = field(default_factory=list)  # survey texts, or None ("Other", a rating's scores)
    counts: list[int] = field(default_factory=list)
    answered: int = 0
    scale: bool = False  # the values are numbers on a scale, so the mean means something
    given_mean: float | None = None  # MEAN: the summary's
    hidden: set[int] = field(default_factory=set)
    suppressed: bool = False  # too few answered: nothing of it is shown
    mean_hidden: bool = False

    @property
    def mean(self) -> float | None:
        """The mean of the values chosen, when they form a scale and nothing hides it."""
        if self.hidden or self.mean_hidden:
            return None
        if self.kind == MEAN:
            return self.given_mean
        numbers = [(v, n) for v, n in zip(self.values, self.counts, strict=True) if _number(v)]
        total = sum(n for _, n in numbers)
        return sum(v * n for v, n in numbers) / total if self.scale and total else None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scale(values: list) -> bool:
    """Choices numbered as a scale: whole numbers, at least three, rising in the order listed."""
    return len(values) >= 3 and all(_number(v) for v in values) and values == sorted(set(values))


def parts_of(survey: Survey, summary: Summary) -> dict[str | None, Part]:
    """The tables of one question's summary: one, or one per matrix row (by row id)."""
    question = summary.question
    choices = survey.choices(question)
    values, labels = [c.value for c in choices], [c.label for c in choices]
    if getattr(question, "other", False):
        values, labels = [*values, OTHER], [*labels, None]
    kind = summary.kind
    if kind == "matrix":
        rows = summary.rows
        return {row.id: _part(SHARES, values, labels, rows.get(row.id, Counter())) for row in question.rows}
    if kind == "number":
        return {None: Part(MEAN, answered=summary.n, given_mean=summary.mean, scale=True)}
    if kind == "rating":
        low, high = question.bounds
        return {None: _part(SHARES, list(range(low, high + 1)), [None] * (high - low + 1), summary.counts)}
    if kind == "multiple":
        part = _part(TICKS, values, labels, summary.counts)
        part.answered = summary.answered
        return {None: part}
    return {None: _part(SHARES, values, labels, summary.counts)}


def _part(kind: str, values: list, labels: list, counts: Counter) -> Part:
    found = [counts.get(v, 0) for v in values]
    scale = _scale(values) or all(label is None for label in labels)  # a rating's scores are a scale
    return Part(kind, values, labels, found, answered=sum(found), scale=scale)


def suppress(part: Part, min_group: int, forced: set[int] = frozenset()) -> Part:
    """Mark what of one table may not be shown (changes `part`, returns it)."""
    if part.answered < min_group:
        part.suppressed = True
    elif part.kind == SHARES:
        part.hidden = suppression.hidden_cells(part.counts, min_group, forced)
    elif part.kind == TICKS:
        part.hidden = suppression.hidden_ticks(part.counts, part.answered, min_group) | set(forced)
    return part


# ----------------------------------------------------------------------------- groups


@dataclass
class Figures:
    """One group's questions, table by table ((question id, row id or None) -> Part), marked."""

    responses: int
    parts: dict[tuple[str, str | None], Part]
    answered: dict[str, int]  # per question: responses that answered it (a matrix: any row)


def figures_of(survey: Survey, tally_: Tally, forced: dict | None = None, dim: set | None = None) -> Figures:
    """A group's tables with its small groups marked: below min_group, `forced` cells (hidden because a
    difference with other groups gives them away) and the means in `dim`."""
    min_group = survey.results.min_group
    parts, answered = {}, {}
    for question_id, summary in tally_.summaries.items():
        answered[question_id] = summary.n if summary.counted else summary.answered
        whole_question = answered[question_id] < min_group
        for row, part in parts_of(survey, summary).items():
            key = (question_id, row)
            suppress(part, min_group, (forced or {}).get(key, set()))
            part.suppressed = part.suppressed or whole_question
            part.mean_hidden = key in (dim or ())
            parts[key] = part
    return Figures(tally_.responses, parts, answered)


def left_over(whole: Figures, shown: list[Figures], min_group: int) -> tuple[dict, set]:
    """What the whole survey must hide because it, minus the groups shown, would single out a few: the
    cells (by table) whose left-over count is a small group, and the means of tables whose left-over
    answers are a small group. Cells a shown group hides cannot be worked out, so they need nothing."""
    forced: dict[tuple, set[int]] = {}
    dim: set[tuple] = set()
    if not shown:
        return forced, dim
    for key, part in whole.parts.items():
        others = [group.parts[key] for group in shown]
        if part.suppressed or any(other.suppressed for other in others):
            continue
        answered = part.answered - sum(other.answered for other in others)
        if suppression.small(answered, min_group):
            dim.add(key)
        for index, count in enumerate(part.counts):
            if any(index in other.hidden for other in others):
                continue
            left = count - sum(other.counts[index] for other in others)
            if suppression.small(left, min_group) or (
                part.kind == TICKS and suppression.small(answered - left, min_group)
            ):
                forced.setdefault(key, set()).add(index)
    return forced, dim


def public_figures(
    survey: Survey, whole: Tally, groups: dict[str, Tally], quotes: list, computed_at: datetime
) -> dict[str, dict]:
    """The data of every group residents may see: WHOLE, and each station with enough answers.

    `quotes` are the approved ones as (group, question id, text, language), newest first. A group not
    in the result (too few answers, or hidden so that another cannot be worked out) shows `hidden_group`.
    """
    results = survey.results
    if whole.responses < results.min_group:
        return {WHOLE: hidden_group(survey, None)}
    counts = {value: tally_.responses for value, tally_ in groups.items()}
    hidden = suppression.hidden_groups(counts, whole.responses, results.min_group) if results.by else set()
    shown = {
        value: figures_of(survey, groups[value]) for value in sorted(set(groups) - hidden, key=natural_key)
    }
    forced, dim = left_over(figures_of(survey, whole), list(shown.values()), results.min_group)
    data = {
        value: _group(survey, value, figures, [q for q in quotes if q[0] == value], computed_at)
        for value, figures in shown.items()
    }
    data[WHOLE] = _group(survey, None, figures_of(survey, whole, forced, dim), quotes, computed_at)
    if results.by:
        data[WHOLE]["groups"] = [{"value": value, "responses": f.responses} for value, f in shown.items()]
        data[WHOLE]["groups_not_shown"] = bool(hidden)
    return data


def hidden_group(survey: Survey, value: str | None) -> dict:
    """What a group with too few answers (or none, or not known) shows: that it is hidden, no figures."""
    return {**_head(survey, value), "suppressed": True}


def _head(survey: Survey, value: str | None) -> dict:
    results = survey.results
    return {
        "survey": survey.id,
        "title": texts(survey, survey.title),
        "languages": list(survey.languages),
        "by": results.by,
        "group": None if value is None else {"field": results.by, "value": value},
        "min_group": results.min_group,
        "counted_from": results.from_.isoformat() if results.from_ else None,
    }


def texts(survey: Survey, text: Any) -> dict[str, str] | None:
    """A survey text in each of its languages (None for none)."""
    return None if text is None else {lang: survey.text(text, lang) for lang in survey.languages}


def _group(survey: Survey, value: str | None, figures: Figures, quotes: list, computed_at: datetime) -> dict:
    return {
        **_head(survey, value),
        "suppressed": False,
        "responses": figures.responses,
        "computed_at": computed_at.isoformat().replace("+00:00", "Z"),
        "questions": [_question(survey, question_id, figures) for question_id in survey.results.questions],
        "quotes": [
            {"question": question_id, "text": text, "language": language}
            for _group_value, question_id, text, language in quotes[:QUOTES_SHOWN]
        ],
    }


def _question(survey: Survey, question_id: str, figures: Figures) -> dict:
    question = survey.question(question_id)
    head = {"id": question.id, "type": question.type, "label": texts(survey, question.label)}
    if question.type == "rating":
        head["scale"] = question.scale
    if figures.answered[question_id] < survey.results.min_group:
        return {**head, "suppressed": True}
    if question.type == "matrix":
        rows = []
        for row in question.rows:
            part = figures.parts[(question_id, row.id)]
            row_head = {"id": row.id, "label": texts(survey, row.label)}
            rows.append(
                {**row_head, "suppressed": True} if part.suppressed else {**row_head, **_table(survey, part)}
            )
        return {**head, "answered": figures.answered[question_id], "rows": rows}
    part = figures.parts[(question_id, None)]
    return {**head, "suppressed": True} if part.suppressed else {**head, **_table(survey, part)}


def _table(survey: Survey, part: Part) -> dict:
    table: dict[str, Any] = {"answered": part.answered}
    if part.kind != TICKS:
        mean = part.mean
        table["mean"] = None if mean is None else round(mean, 2)
    if part.kind == MEAN:
        return table
    choices = []
    for index, (value, label, count) in enumerate(zip(part.values, part.labels, part.counts, strict=True)):
        choice = {"value": value, "label": texts(survey, label)}
        if index in part.hidden:
            choice["suppressed"] = True
        else:
            choice.update(count=count, share=round(count / part.answered, 4) if part.answered else 0)
        choices.append(choice)
    table["choices"] = choices
    return table
