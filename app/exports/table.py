"""Shape a survey's responses into the export layout: the columns, then the rows streamed in batches."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Integer, String, Text, case, cast, func, literal, select, tuple_, type_coerce
from sqlalchemy.orm import Session

from app.exports.rows import Clock, record_shaper, row_shaper
from app.models import Response, SurveyVersion
from app.surveys.catalog import current_registry
from app.surveys.loader import content_hash, survey_from_json
from app.surveys.models import CHANNELS, FIXED_COLUMNS, OTHER, Choice, Page, Survey

BATCH_SIZE = 2000
UNBOUNDED = 2**31 - 1  # the largest id a response can have (an INTEGER column: 32 bits on PostgreSQL)

Progress = Callable[[int, int], None]


class ExportError(Exception):
    """An export that cannot be made as asked; the message tells the researcher what to do."""


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
    channel: str | None = None  # only responses from a kiosk, or only from links
    sep: str = ","  # csv only
    codebook: bool = False  # csv only: also write <name>-codebook.csv
    datapackage: bool = False  # csv only: a folder with the CSV and its datapackage.json (Frictionless)


@dataclass(frozen=True)
class Column:
    """One export column: where its value comes from and what it means."""

    name: str
    source: str  # fixed, hidden, participant, answer, flag, rank, row, other_chosen, other
    kind: str  # text, integer, number, date, datetime, choice, flag, rank
    qid: str | None = None
    part: Any = None  # the choice value (flag, rank) or the matrix row id (row)
    survey: Survey | None = None  # the definition the column's texts come from
    page: Page | None = None
    question: Any = None
    choices: tuple[Choice, ...] = ()  # the value labels (choice, row) across versions


@dataclass(frozen=True)
class Cut:
    """An answer a format could not hold whole, cut to the format's limit (the other formats keep it)."""

    response_id: str
    column: str
    length: int  # the answer's length in characters
    limit: str  # the format's limit in words, e.g. "32,767 bytes (SPSS)"


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
    cuts: list[Cut] = field(default_factory=list)  # filled by the writer of a format with a smaller limit
    _conditions: list = field(repr=False, default_factory=list)
    _max_id: int = 0
    _spans: set[tuple[int, int]] = field(repr=False, default_factory=set)  # (version_id, started_version_id)
    _numbers: dict[int, int] = field(repr=False, default_factory=dict)
    # A window (see `window`): the rows in this order, at most this many, fetched in one query.
    _order: tuple = ()
    _limit: int | None = None
    _fetched: list | None = field(repr=False, default=None)  # the window's rows, once fetched

    @property
    def names(self) -> list[str]:
        """The column names in order."""
        return [c.name for c in self.columns]

    def label(self, text: Any) -> str:
        """A definition text in the export's language."""
        return self.survey.text(text, self.lang)

    def batches(self, progress: Progress | None = None) -> Iterator[list]:
        """The matching responses as fetched rows, in batches (keyset paging on the id).

        A row is (id, public_id, version_id, started_version_id, status, started_at, submitted_at,
        language, channel, is_demo, current_page, updated_at, answers, participant_code, *hidden values) (see
        rows.HIDDEN_AT). The answers come as JSON text (decoded with orjson, several times faster than
        json), and on SQLite the timestamps as text too: see rows.Clock.
        """
        if self._fetched is not None:  # a fetched window: its rows, as they came
            if self._fetched:
                yield self._fetched
            return
        r = Response
        raw_times = self._session.get_bind().dialect.name == "sqlite"

        def when(column: Any) -> Any:
            return type_coerce(column, String) if raw_times else column

        query = (
            select(
                r.id,
                r.public_id,
                r.version_id,
                r.started_version_id,
                r.status,
                when(r.started_at),
                when(r.submitted_at),
                r.language,
                r.channel,
                type_coerce(r.is_demo, Integer),  # 0/1 as stored: no conversion to bool per row
                # Where an unfinished response stopped; nothing to fetch for the complete ones.
                case((r.status != Response.COMPLETE, r.current_page)),
                case((r.status != Response.COMPLETE, when(r.updated_at))),
                cast(r.answers, Text),
                r.participant_code,
                # Hidden-field values extracted by the database: no JSON to decode per row.
                *(r.hidden[c.qid].as_string() for c in self.columns if c.source == "hidden"),
            )
            .where(*self._conditions, r.id <= self._max_id)
            .order_by(*(self._order or (r.id,)))
            .limit(self._limit or BATCH_SIZE)
        )
        # Core execution on the session's connection: plain rows, no ORM bookkeeping per row.
        connection = self._session.connection()
        last, done = 0, 0
        while True:
            result = connection.execute(query if self._limit else query.where(r.id > last))
            # The DBAPI's plain tuples: every column here is already in the form rows.py expects (text,
            # numbers, or timezone-aware times on PostgreSQL), so SQLAlchemy's Row per response is
            # skipped (a tenth of a CSV export's time).
            batch = result.cursor.fetchall()
            result.close()
            if not batch:
                break
            last = batch[-1][0]
            done += len(batch)
            yield batch
            if progress is not None:
                progress(done, self.total)
            if self._limit:  # a window is one query
                break

    def clock(self) -> Clock:
        """Converts the fetched timestamps to local time."""
        return Clock(self.timezone, self._session.get_bind().dialect.name == "sqlite")

    def row_batches(self, progress: Progress | None = None, guard: bool = False) -> Iterator[Iterator[list]]:
        """The rows batch by batch, each an iterator of lists (writers can hand it to C loops).

        `guard`: texts a spreadsheet would run as a formula get a leading `'` (for CSV only; every
        other format keeps the exact text)."""
        clock = self.clock()
        shape = self._dispatch(lambda version, started: row_shaper(self, version, started, clock, guard))
        for batch in self.batches(progress):
            yield map(shape, batch)

    def rows(self, progress: Progress | None = None, guard: bool = False) -> Iterator[list]:
        """Every row as a list of cells (None, int, float, str, date, naive local datetime)."""
        for batch in self.row_batches(progress, guard):
            yield from batch

    def records(self, progress: Progress | None = None) -> Iterator[dict]:
        """Every response as a dict with its answers keyed by question id (for JSON)."""
        clock = self.clock()
        shape = self._dispatch(lambda version, started: record_shaper(self, version, started, clock))
        for batch in self.batches(progress):
            yield from map(shape, batch)

    def window(self, key: Any, after: tuple[datetime, int] | None, until: datetime, limit: int) -> Table:
        """The same table holding only the first `limit` rows past `after` in the order of (key, response
        id) whose key is at most `until`: one page of keyset paging (the API's, app/api/paging.py)."""
        conditions = [key <= until]
        if after is not None:
            conditions.append(tuple_(key, Response.id) > tuple_(literal(after[0], key.type), after[1]))
        return replace(
            self, _conditions=[*self._conditions, *conditions], _order=(key, Response.id), _limit=limit
        )

    def fetch(self) -> Table:
        """The window with its rows fetched now, in one query: a page learns where it ends (its last
        row) before it is written, and may be written more than once."""
        return replace(self, _fetched=next(self.batches(), []))

    @property
    def fetched(self) -> list:
        """The rows of a fetched window, as `batches` yields them."""
        return self._fetched or []

    def _dispatch(self, make: Callable[[VersionInfo, VersionInfo], Callable]) -> Callable[[Any], Any]:
        """One shaping function per pair of versions a response started and was last saved on, picked
        per fetched row (directly, when every response has the same pair)."""
        by_id = {v.id: v for v in self.versions}
        shapers: dict[tuple, Callable] = {}

        def shaper(key: tuple) -> Callable:
            if key not in shapers:
                version = by_id[key[0]]
                shapers[key] = make(version, by_id.get(key[1], version))
            return shapers[key]

        if len(self._spans) == 1:
            return shaper(next(iter(self._spans)))

        def shape(record: Any) -> Any:
            return shaper((record[2], record[3]))(record)

        return shape

    def version_number(self, version_id: int | None) -> int | None:
        """The number (1, 2, ...) of a stored version of this survey."""
        return self._numbers.get(version_id)

    @property
    def languages(self) -> list[str]:
        """The survey's languages, the default one first."""
        return list(self.survey.languages)

    def with_lang(self, lang: str) -> Table:
        """The same table with its texts (labels, codebook) in another language."""
        return replace(self, lang=lang if lang in self.survey.languages else self.survey.default_language)

    def is_loose(self, column: Column) -> bool:
        """True when the column's question changed type between versions: its cells may hold anything."""
        if column.question is None:
            return False
        for version in self.versions:
            question = version.survey.question(column.qid)
            if question is not None and question.type != column.question.type:
                return True
        return False

    def answered_between(self) -> tuple[date, date] | None:
        """The local dates of the first and the last response in the export (submitted, or last saved
        when unfinished); None when it has no rows."""
        when = func.coalesce(Response.submitted_at, Response.updated_at)
        first, last = self._session.execute(
            select(func.min(when), func.max(when)).where(*self._conditions, Response.id <= self._max_id)
        ).one()
        if first is None:
            return None
        return self._local_date(first), self._local_date(last)

    def _local_date(self, value: Any) -> date:
        if isinstance(value, str):  # SQLite's stored text, in UTC
            value = datetime.fromisoformat(value[:19])
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(self.timezone).date()


# ----------------------------------------------------------------------------- building the table


def build_table(session: Session, survey_id: str, options: ExportOptions, counted: bool = True) -> Table:
    """Check the options, find the versions with responses and lay out the columns. `counted=False`
    skips counting the rows (a scan of them all): `total`, `demo_rows` and each version's `rows` stay
    0, for a caller that reads only a window of the rows (a page of the API, app/api/paging.py)."""
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
    # Their columns are in the export, whatever later versions removed.
    spans = version_spans(session, survey_id)
    versions = _versions(session, survey, stored, lived_through([row.id for row in stored], spans))
    columns = _columns(versions)
    conditions = base + _filters(options, versions, tz)
    total, demo, max_id = _count(session, conditions, versions) if counted else (0, 0, UNBOUNDED)
    return Table(
        survey=survey,
        options=options,
        lang=lang,
        columns=columns,
        versions=versions,
        total=total,
        demo_rows=demo,
        timezone=tz,
        made_at=datetime.now(UTC),
        _session=session,
        _conditions=conditions,
        _max_id=max_id,
        _spans=spans,
        _numbers={row.id: n for n, row in enumerate(stored, start=1)},
    )


def version_spans(session: Session, survey_id: str) -> set[tuple[int, int]]:
    """(version last saved on, version started on) of the survey's responses, test ones left out;
    read from the index ix_response_survey_spans alone."""
    query = (
        select(Response.version_id, Response.started_version_id)
        .where(Response.survey_id == survey_id, Response.is_test.is_(False))
        .distinct()
    )
    return {(last, first or last) for last, first in session.execute(query)}


def lived_through(version_ids: list[int], spans: set[tuple[int, int]]) -> set[int]:
    """The versions responses were answered on: the ones they started and ended on, and any between."""
    return {v for v in version_ids if any(min(a, b) <= v <= max(a, b) for a, b in spans)}


def _count(session: Session, conditions: list, versions: list[VersionInfo]) -> tuple[int, int, int]:
    """Rows, demo rows and the last response id the export holds; each version's rows too."""
    total = demo = max_id = 0
    by_id = {v.id: v for v in versions}
    for version_id, rows, demo_rows, last in session.execute(
        select(
            Response.version_id,
            func.count(),
            func.sum(case((Response.is_demo.is_(True), 1), else_=0)),
            func.max(Response.id),
        )
        .where(*conditions)
        .group_by(Response.version_id)
    ):
        total, demo, max_id = total + rows, demo + int(demo_rows or 0), max(max_id, last)
        if version_id in by_id:
            by_id[version_id].rows = rows
    return total, demo, max_id


def _versions(session: Session, survey: Survey, stored: list, lived: set[int]) -> list[VersionInfo]:
    """The current definition first, then older versions responses lived through, newest first."""
    numbers = {row.id: n for n, row in enumerate(stored, start=1)}
    current_hash = content_hash(survey)
    current = next((row for row in stored if row.content_hash == current_hash), None)
    if current is None:  # never synced: no response can be on it
        versions = [VersionInfo(0, 0, survey, datetime.now(UTC))]
    else:
        versions = [VersionInfo(current.id, numbers[current.id], survey, current.first_seen)]
    for row in reversed(stored):
        if row.id in lived and row.id != versions[0].id:
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
        "started_version": "integer",
        "demo": "flag",
        "last_active_at": "datetime",
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
        if question.type == "multiple_choice":
            parts.append(("other_chosen", "flag", OTHER))
        parts.append(("other", "text", None))
    return [(name, *part) for name, part in zip(names, parts, strict=True)]


def _filters(options: ExportOptions, versions: list[VersionInfo], tz: ZoneInfo) -> list:
    """SQL conditions for the researcher's filters."""
    conditions = []
    if not options.include_partial:
        conditions.append(Response.status == Response.COMPLETE)
    if not options.include_demo:
        conditions.append(Response.is_demo.is_(False))
    if options.channel:
        if options.channel not in CHANNELS:
            raise ExportError(f"A channel is {' or '.join(CHANNELS)}, not '{options.channel}'.")
        conditions.append(Response.channel == options.channel)
    if options.language:
        languages = list(dict.fromkeys(lang for v in versions for lang in v.survey.languages))
        if options.language not in languages:
            raise ExportError(
                f"No response can be in '{options.language}': "
                f"the survey's languages are {', '.join(languages)}."
            )
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
