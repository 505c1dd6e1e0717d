"""Shape a survey's responses into the export layout: the columns, then the rows streamed in batches."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import Response, SurveyVersion
from app.surveys.loader import content_hash, survey_from_json
from app.surveys.models import FIXED_COLUMNS, OTHER, Choice, Page, Survey
from app.surveys.registry import current_registry

# A text starting with one of these is a formula (or the start of one) to a spreadsheet.
DANGEROUS_FIRST = frozenset("=+-@\t\r")
BATCH_SIZE = 2000
# The label of the "Other, please specify" choice that `other: true` adds.
OTHER_LABELS = {"sv": "Annat", "en": "Other", "ar": "أخرى"}

Progress = Callable[[int, int], None]


class ExportError(Exception):
    """An export that cannot be made as asked; the message tells the researcher what to do."""


def neutralise(text: str) -> str:
    """Prefix a text that a spreadsheet would evaluate (=, +, -, @, tab, CR) with a `'`."""
    if text and text[0] in DANGEROUS_FIRST:
        return "'" + text
    return text


@dataclass(frozen=True)
class ExportOptions:
    """What the researcher asked for: values, label language, filters."""

    values: Literal["codes", "labels"] = "codes"
    lang: str | None = None  # language of labels and codebook; None: the survey's default
    submitted_from: date | None = None  # local dates, inclusive
    submitted_to: date | None = None
    where: tuple[tuple[str, str], ...] = ()  # hidden-field values, e.g. (("station", "12"),)
    language: str | None = None  # only responses answered in this language
    include_partial: bool = False
    include_demo: bool = True
    sep: str = ","  # csv only
    codebook: bool = False  # csv only: also write <name>-codebook.csv


@dataclass(frozen=True)
class Column:
    """One export column: where its value comes from and what it means."""

    name: str
    source: str  # fixed, hidden, participant, answer, flag, rank, row, other
    kind: str  # text, integer, number, date, datetime, choice, flag, rank
    qid: str | None = None
    part: Any = None  # the choice value (flag, rank) or the matrix row id (row)
    survey: Survey | None = None  # the definition the column's texts come from
    page: Page | None = None
    question: Any = None
    choices: tuple[Choice, ...] = ()  # the value labels (choice, row) across versions


@dataclass
class VersionInfo:
    """A stored definition that has responses in the export."""

    id: int
    number: int  # 1 for the survey's first stored version
    survey: Survey
    first_seen: datetime
    rows: int = 0


@dataclass
class Table:
    """The columns of an export and a way to stream its rows; made by `build_table`."""

    survey: Survey
    options: ExportOptions
    lang: str
    columns: list[Column]
    versions: list[VersionInfo]
    total: int
    demo_rows: int
    timezone: ZoneInfo
    made_at: datetime
    _session: Session = field(repr=False)
    _conditions: list = field(repr=False, default_factory=list)
    _max_id: int = 0

    @property
    def names(self) -> list[str]:
        """The column names in order."""
        return [c.name for c in self.columns]

    def label(self, text: Any) -> str:
        """A definition text in the export's language."""
        return self.survey.text(text, self.lang)

    def batches(self, progress: Progress | None = None) -> Iterator[list]:
        """The matching responses as row tuples, in batches (keyset paging on the id)."""
        r = Response
        query = (
            select(
                r.id,
                r.public_id,
                r.version_id,
                r.status,
                r.started_at,
                r.submitted_at,
                r.language,
                r.hidden,
                r.answers,
                r.participant_code,
            )
            .where(*self._conditions, r.id <= self._max_id)
            .order_by(r.id)
            .limit(BATCH_SIZE)
        )
        last, done = 0, 0
        while True:
            batch = self._session.execute(query.where(r.id > last)).all()
            if not batch:
                break
            last = batch[-1][0]
            done += len(batch)
            yield batch
            if progress is not None:
                progress(done, self.total)

    def rows(self, progress: Progress | None = None) -> Iterator[list]:
        """Every row as a list of values (None, int, float, str, date, naive local datetime)."""
        shapers = {v.id: _row_shaper(self, v) for v in self.versions}
        for batch in self.batches(progress):
            for record in batch:
                yield shapers[record[2]](record)

    def records(self, progress: Progress | None = None) -> Iterator[dict]:
        """Every response as a dict with its answers keyed by question id (for JSON)."""
        shapers = {v.id: _record_shaper(self, v) for v in self.versions}
        for batch in self.batches(progress):
            for record in batch:
                yield shapers[record[2]](record)


# ----------------------------------------------------------------------------- building the table


def build_table(session: Session, survey_id: str, options: ExportOptions) -> Table:
    """Check the options, find the versions with responses and lay out the columns."""
    stored = session.execute(
        select(SurveyVersion.id, SurveyVersion.content_hash, SurveyVersion.first_seen)
        .where(SurveyVersion.survey_id == survey_id)
        .order_by(SurveyVersion.id)
    ).all()
    survey = current_registry().get(survey_id)
    if survey is None and not stored:
        known = ", ".join(sorted(current_registry().surveys)) or "none"
        raise ExportError(f"Unknown survey '{survey_id}'. Known surveys: {known}.")
    if survey is None:  # the file is gone, but its stored versions and responses are not
        survey = survey_from_json(session.get(SurveyVersion, stored[-1].id).definition)
    lang = options.lang or survey.default_language
    if lang not in survey.languages:
        raise ExportError(
            f"Language '{lang}' is not one of the survey's languages ({', '.join(survey.languages)})."
        )
    tz = ZoneInfo(current_app.config["LYSSNA_TIMEZONE"])
    base = [Response.survey_id == survey_id, Response.is_test.is_(False)]
    counts = dict(
        session.execute(
            select(Response.version_id, func.count()).where(*base).group_by(Response.version_id)
        ).all()
    )
    versions = _versions(session, survey, stored, counts)
    columns = _columns(versions)
    conditions = base + _filters(options, versions, tz)
    total, demo, max_id = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Response.is_demo.is_(True), 1), else_=0)), 0),
            func.coalesce(func.max(Response.id), 0),
        ).where(*conditions)
    ).one()
    per_version = dict(
        session.execute(
            select(Response.version_id, func.count()).where(*conditions).group_by(Response.version_id)
        ).all()
    )
    for version in versions:
        version.rows = per_version.get(version.id, 0)
    return Table(
        survey=survey,
        options=options,
        lang=lang,
        columns=columns,
        versions=versions,
        total=total,
        demo_rows=int(demo),
        timezone=tz,
        made_at=datetime.now(UTC),
        _session=session,
        _conditions=conditions,
        _max_id=max_id,
    )


def _versions(session: Session, survey: Survey, stored: list, counts: dict) -> list[VersionInfo]:
    """The current definition first, then older versions with responses, newest first."""
    numbers = {row.id: n for n, row in enumerate(stored, start=1)}
    current_hash = content_hash(survey)
    current = next((row for row in stored if row.content_hash == current_hash), None)
    if current is None:  # never synced: no response can be on it
        versions = [VersionInfo(0, 0, survey, datetime.now(UTC))]
    else:
        versions = [VersionInfo(current.id, numbers[current.id], survey, current.first_seen)]
    for row in reversed(stored):
        if row.id in counts and row.id != versions[0].id:
            definition = session.get(SurveyVersion, row.id).definition
            versions.append(
                VersionInfo(row.id, numbers[row.id], survey_from_json(definition), row.first_seen)
            )
    return versions


def _columns(versions: list[VersionInfo]) -> list[Column]:
    """Fixed, hidden-field and participant columns, then every question's columns across versions."""
    kinds = {
        "started_at": "datetime",
        "submitted_at": "datetime",
        "duration_seconds": "integer",
        "survey_version": "integer",
    }
    columns = [Column(name, "fixed", kinds.get(name, "text")) for name in FIXED_COLUMNS]
    hidden: list[str] = []
    for version in versions:
        hidden += [h for h in version.survey.hidden_fields if h not in hidden]
    columns += [Column(f"hidden_{h}", "hidden", "text", qid=h) for h in hidden]
    if any(v.survey.access == "token" for v in versions):
        columns.append(Column("participant", "participant", "text"))
    taken = {c.name for c in columns}
    merged = _merged_choices(versions)
    for version in versions:
        for page, question in version.survey.questions():
            for name, source, kind, part in _question_columns(version.survey, question):
                if name in taken:
                    continue
                taken.add(name)
                columns.append(
                    Column(
                        name,
                        source,
                        kind,
                        qid=question.id,
                        part=part,
                        survey=version.survey,
                        page=page,
                        question=question,
                        choices=merged.get(question.id, ()),
                    )
                )
    return columns


def _merged_choices(versions: list[VersionInfo]) -> dict[str, tuple[Choice, ...]]:
    """Per question, its choices across versions: the current ones, then values only older ones had."""
    merged: dict[str, list[Choice]] = {}
    for version in versions:
        for _, question in version.survey.questions():
            known = merged.setdefault(question.id, [])
            values = {c.value for c in known}
            known += [c for c in version.survey.choices(question) if c.value not in values]
    return {qid: tuple(choices) for qid, choices in merged.items()}


SIMPLE_KINDS = {
    "text": "text",
    "long_text": "text",
    "photo": "text",
    "integer": "integer",
    "rating": "integer",
    "decimal": "number",
    "date": "date",
    "single_choice": "choice",
}


def _question_columns(survey: Survey, question: Any) -> list[tuple[str, str, str, Any]]:
    """(name, source, kind, part) of each column of one question, named as Survey.columns names them."""
    names = survey.columns(question)
    if question.type == "note":
        return []
    if question.type == "multiple_choice":
        parts = [("flag", "flag", c.value) for c in survey.choices(question)]
    elif question.type == "ranking":
        parts = [("rank", "rank", c.value) for c in survey.choices(question)]
    elif question.type == "matrix":
        parts = [("row", "choice", row.id) for row in question.rows]
    else:
        parts = [("answer", SIMPLE_KINDS[question.type], None)]
    if getattr(question, "other", False):
        parts.append(("other", "text", None))
    return [(name, *part) for name, part in zip(names, parts, strict=True)]


def _filters(options: ExportOptions, versions: list[VersionInfo], tz: ZoneInfo) -> list:
    """SQL conditions for the researcher's filters."""
    conditions = []
    if not options.include_partial:
        conditions.append(Response.status == Response.COMPLETE)
    if not options.include_demo:
        conditions.append(Response.is_demo.is_(False))
    if options.language:
        conditions.append(Response.language == options.language)
    # Partial responses were never submitted: their last activity stands in for the date.
    when = func.coalesce(Response.submitted_at, Response.updated_at)
    if options.submitted_from:
        conditions.append(when >= datetime.combine(options.submitted_from, time(), tz))
    if options.submitted_to:
        conditions.append(when < datetime.combine(options.submitted_to + timedelta(days=1), time(), tz))
    known = {h for v in versions for h in v.survey.hidden_fields}
    for name, value in options.where:
        if name not in known:
            fields = ", ".join(sorted(known)) or "none"
            raise ExportError(f"'{name}' is not a hidden field of this survey (hidden fields: {fields}).")
        conditions.append(Response.hidden[name].as_string() == value)
    return conditions


# ----------------------------------------------------------------------------- shaping rows


def _label_map(table: Table, choices: tuple[Choice, ...]) -> dict:
    """Choice value -> its label in the export's language (neutralised), "other" included."""
    labels = {c.value: neutralise(table.label(c.label)) for c in choices}
    labels.setdefault(OTHER, OTHER_LABELS.get(table.lang, OTHER_LABELS["en"]))
    return labels


def _loose(value: Any) -> Any:
    """A value of a question whose type changed between versions, made fit for one cell."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, str):
        return neutralise(value)
    return value


def _text_getter(key: str) -> Callable[[dict], Any]:
    def get(answers: dict) -> Any:
        value = answers.get(key)
        if value.__class__ is str and value and value[0] in DANGEROUS_FIRST:
            return "'" + value
        return value

    return get


def _date_getter(key: str) -> Callable[[dict], Any]:
    def get(answers: dict) -> Any:
        value = answers.get(key)
        if value.__class__ is str:
            try:
                return date.fromisoformat(value)
            except ValueError:
                return neutralise(value)
        return value

    return get


def _getter(table: Table, column: Column, version: Survey) -> Callable[[dict], Any] | None:
    """A function from a response's answers to this column's value; None when always empty."""
    question = version.question(column.qid)
    if question is None:
        return None
    key, part = column.qid, column.part
    if question.type != column.question.type:
        return lambda answers: _loose(answers.get(key))
    labels = _label_map(table, column.choices) if table.options.values == "labels" else None
    source = column.source
    if source == "other":
        return _text_getter(f"{key}_other")
    if source == "flag":
        if part not in {c.value for c in version.choices(question)}:
            return None  # not offered in this version: unknown, not "not chosen"
        return lambda answers: None if (chosen := answers.get(key)) is None else int(part in chosen)
    if source == "rank":

        def rank(answers: dict) -> int | None:
            ranked = answers.get(key)
            return ranked.index(part) + 1 if ranked and part in ranked else None

        return rank
    if source == "row":
        if labels:
            return lambda answers: (
                labels.get(v, v) if (v := (answers.get(key) or {}).get(part)) is not None else None
            )
        return lambda answers: (answers.get(key) or {}).get(part)
    if column.kind == "text":
        return _text_getter(key)
    if column.kind == "date":
        return _date_getter(key)
    if column.kind == "choice" and labels:
        return lambda answers: labels.get(v, v) if (v := answers.get(key)) is not None else None
    return lambda answers: answers.get(key)


def _nothing(_answers: dict) -> None:
    return None


def _row_shaper(table: Table, version: VersionInfo) -> Callable[[Any], list]:
    """A function from one database row of this version to its export row."""
    getters = [
        _getter(table, c, version.survey) or _nothing
        for c in table.columns
        if c.source not in ("fixed", "hidden", "participant")
    ]
    hidden = [c.qid for c in table.columns if c.source == "hidden"]
    participant = any(c.source == "participant" for c in table.columns)
    tz, number = table.timezone, version.number

    def shape(record: Any) -> list:
        _, public_id, _, status, started, submitted, language, hidden_values, answers, code = record
        started = started.astimezone(tz).replace(tzinfo=None, microsecond=0)
        duration = None
        if submitted is not None:
            submitted = submitted.astimezone(tz).replace(tzinfo=None, microsecond=0)
            duration = int((submitted - started).total_seconds())
        row = [public_id, number, status, started, submitted, duration, language]
        if hidden:
            values = hidden_values or {}
            row += [neutralise(v) if (v := values.get(h)) else None for h in hidden]
        if participant:
            row.append(neutralise(code) if code else None)
        answers = answers or {}
        row += [get(answers) for get in getters]
        return row

    return shape


def _record_shaper(table: Table, version: VersionInfo) -> Callable[[Any], dict]:
    """A function from one database row of this version to a JSON object."""
    hidden = [c.qid for c in table.columns if c.source == "hidden"]
    participant = any(c.source == "participant" for c in table.columns)
    questions = _json_questions(table)
    tz, number = table.timezone, version.number

    def shape(record: Any) -> dict:
        _, public_id, _, status, started, submitted, language, hidden_values, answers, code = record
        duration = int((submitted - started).total_seconds()) if submitted else None
        out = {
            "response_id": public_id,
            "survey_version": number,
            "status": status,
            "started_at": started.astimezone(tz).isoformat(timespec="seconds"),
            "submitted_at": submitted.astimezone(tz).isoformat(timespec="seconds") if submitted else None,
            "duration_seconds": duration,
            "language": language,
        }
        values = hidden_values or {}
        out["hidden"] = {h: neutralise(values[h]) for h in hidden if values.get(h)}
        if participant:
            out["participant"] = neutralise(code) if code else None
        answers = answers or {}
        out["answers"] = {key: convert(answers[key]) for key, convert in questions if key in answers}
        return out

    return shape


def _json_questions(table: Table) -> list[tuple[str, Callable[[Any], Any]]]:
    """(answer key, converter) in column order: codes or labels, texts neutralised."""
    labels_wanted = table.options.values == "labels"
    seen: set[str] = set()
    out = []
    for column in table.columns:
        if column.question is None or column.qid in seen:
            continue
        seen.add(column.qid)
        question = column.question
        labels = _label_map(table, column.choices) if labels_wanted else {}
        if question.type in ("single_choice", "matrix", "multiple_choice", "ranking"):
            out.append((column.qid, lambda v, m=labels: _json_value(v, m)))
        else:
            out.append((column.qid, _json_value))
        if getattr(question, "other", False):
            out.append((f"{column.qid}_other", _json_value))
    return out


def _json_value(value: Any, labels: dict | None = None) -> Any:
    """An answer for JSON: strings neutralised, choice codes turned into labels when asked."""
    labels = labels or {}
    if isinstance(value, str):
        return labels.get(value) or neutralise(value)
    if isinstance(value, list):
        return [_json_value(v, labels) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v, labels) for k, v in value.items()}
    if labels and not isinstance(value, bool) and value in labels:
        return labels[value]
    return value
