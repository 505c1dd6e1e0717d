"""A survey's dashboard, computed in one streaming pass over the filtered responses (no HTTP needed).

Per day, languages, hidden-field values, the page funnel, durations and every question's summary are
all filled from the same rows, read in batches (yield_per) so memory stays flat at any size. A result
is cached per app process while the survey's responses are unchanged, and reused unchecked for a minute.
"""

from __future__ import annotations

import statistics
import threading
import time as clock
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import orjson
from flask import current_app
from sqlalchemy import String, Text, cast, func, select, type_coerce
from sqlalchemy.orm import Session

from app.models import Response, TrapCount, utcnow
from app.research.filters import Filters
from app.research.formatting import natural_key
from app.research.summaries import Summary, answer_routes, as_utc, summaries_for
from app.surveys.loader import content_hash
from app.surveys.models import Page, Survey

BATCH = 2000
COMPLETE = Response.COMPLETE
CACHE_SIZE = 64
CACHE_SECONDS = 600  # the longest a result is kept, even when nothing seems to change
FRESH_SECONDS = 60  # a result this young is shown without asking the database whether it changed


@dataclass
class FunnelStep:
    """One page: how many responses reached it, and how many in-progress ones are (or stopped) there."""

    page: Page | None  # None: before the first page (consent given, nothing answered yet)
    reached: int = 0
    stopped: int = 0


@dataclass
class Dashboard:
    """Everything the survey dashboard shows, for one survey and one set of filters."""

    survey: Survey
    filters: Filters
    complete: int = 0
    in_progress: int = 0
    demo: int = 0
    test: int = 0
    per_day: dict[date, list[int]] = field(default_factory=dict)  # day -> [complete, in progress]
    languages: dict[str, list[int]] = field(default_factory=dict)  # language -> [complete, in progress]
    hidden: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # field -> value -> [c, p]
    funnel: list[FunnelStep] = field(default_factory=list)
    before_first_page: int = 0
    durations: list[float] = field(default_factory=list)
    questions: list[Summary] = field(default_factory=list)
    summarised: int = 0  # responses whose answers the question summaries count
    trapped: int = 0  # spam traps filled in the last TRAP_DAYS days (nothing of those was stored)
    seconds: float = 0.0  # how long computing took
    computed_at: datetime = field(default_factory=utcnow)

    @property
    def started(self) -> int:
        """Every response in the filtered view."""
        return self.complete + self.in_progress

    @property
    def median_duration(self) -> float | None:
        """The median time from start to submit of complete responses, in seconds."""
        return statistics.median(self.durations) if self.durations else None

    @property
    def mean_duration(self) -> float | None:
        """The mean time from start to submit of complete responses, in seconds."""
        return statistics.fmean(self.durations) if self.durations else None


def build_dashboard(session: Session, survey: Survey, filters: Filters, tz: ZoneInfo) -> Dashboard:
    """Compute the dashboard in one pass over the responses the filters select."""
    started = clock.perf_counter()
    board = Dashboard(survey, filters, questions=summaries_for(survey))
    counters, routes = answer_routes(board.questions)
    page_of_key = {s.question.id: s.page.id for s in board.questions}
    hour = _bucket_length(tz)
    days: Counter = Counter()  # (time bucket, slot) -> n; slot 0 complete, 1 in progress
    languages: Counter = Counter()  # (language, slot) -> n
    hidden: list[Counter] = [Counter() for _ in survey.hidden_fields]  # per field: (value, slot) -> n
    paths: Counter = Counter()  # (complete, current page, pages seen) -> n
    flags: Counter = Counter()  # (complete, demo, test) -> n
    summarise_partial = filters.partial
    for row in session.connection().execute(_pass_query(session, survey, filters, tz)):
        status, when, seconds, language, current, history, answers, demo, test, *values = row
        complete = status == COMPLETE
        slot = 0 if complete else 1
        flags[complete, demo, test] += 1
        days[when[:hour] if isinstance(when, str) else _truncate(when, hour), slot] += 1
        languages[language, slot] += 1
        for counter, value in zip(hidden, values, strict=True):
            counter[value or "", slot] += 1
        if complete and seconds is not None:
            board.durations.append(float(seconds))
        if not (complete or summarise_partial):
            paths[complete, current, _path_key(history)] += 1
            continue
        answers = orjson.loads(answers) if isinstance(answers, str) else answers or {}
        path = _path_key(history)
        if complete and not path:  # stored without a page history: the pages holding its answers
            path = frozenset(page_of_key[k] for k in answers if k in page_of_key)
        paths[complete, current, path] += 1
        board.summarised += 1
        for key, value in answers.items():
            counter = counters.get(key)
            if counter is not None:
                try:
                    counter[value] += 1
                except TypeError:  # an answer of another shape (an older version): counted as text
                    counter[str(value)] += 1
            else:
                add = routes.get(key)
                if add is not None:
                    add(value, when)
    _settle(board, flags, days, languages, hidden, paths, tz)
    board.trapped = _trapped(session, survey.id, datetime.now(tz).date())
    board.seconds = clock.perf_counter() - started
    return board


TRAP_DAYS = 30


def _trapped(session: Session, survey_id: str, today: date) -> int:
    """How often the survey's spam trap was filled in the last TRAP_DAYS days (programs, not people)."""
    since = date.fromordinal(today.toordinal() - TRAP_DAYS + 1)
    query = select(func.sum(TrapCount.count)).where(TrapCount.survey_id == survey_id, TrapCount.day >= since)
    return int(session.scalar(query) or 0)


def _pass_query(session: Session, survey: Survey, filters: Filters, tz: ZoneInfo):
    """The pass's columns, raw: JSON as text (decoded here with orjson, also on PostgreSQL, whose driver
    would otherwise decode it with the slower json module) and timestamps decoded only as far as each
    figure needs; at 100,000 rows several times faster than SQLAlchemy's per-value type processing."""
    if session.get_bind().dialect.name == "postgresql":
        seconds = func.extract("epoch", Response.submitted_at - Response.started_at)
    else:  # SQLite keeps UTC text; julianday() reads it
        seconds = (func.julianday(Response.submitted_at) - func.julianday(Response.started_at)) * 86400.0
    return (
        select(
            Response.status,
            type_coerce(func.coalesce(Response.submitted_at, Response.updated_at), String),
            seconds,
            Response.language,
            Response.current_page,
            cast(Response.page_history, Text),
            cast(Response.answers, Text),
            Response.is_demo,
            Response.is_test,
            *(Response.hidden[name].as_string() for name in survey.hidden_fields),
        )
        .where(*filters.conditions(survey.id, tz, statuses=False))
        .order_by(Response.id)
        .execution_options(yield_per=BATCH)
    )


def _bucket_length(tz: ZoneInfo) -> int:
    """How much of a 'YYYY-MM-DD HH:MM' UTC time decides its local day: the hour, unless the zone
    has offsets of part hours (then the minute)."""
    year = datetime.now(UTC).year
    offsets = {datetime(year, month, 1, tzinfo=tz).utcoffset() for month in (1, 4, 7, 10)}
    return 13 if all(o.total_seconds() % 3600 == 0 for o in offsets if o is not None) else 16


def _truncate(value: datetime, length: int) -> datetime:
    return value.replace(minute=0 if length == 13 else value.minute, second=0, microsecond=0)


def _path_key(history) -> tuple | str:
    """The page history as a hashable key (text from SQLite, a list from PostgreSQL); '' when empty."""
    if isinstance(history, str):
        return "" if history in ("[]", "null") else history
    return tuple(history or ())


def _pages(path) -> set[str]:
    if isinstance(path, str):
        return set(orjson.loads(path)) if path else set()
    return set(path)


def _settle(board: Dashboard, flags, days, languages, hidden, paths, tz: ZoneInfo) -> None:
    """Turn the pass's counters into the dashboard's figures (few keys: this is cheap)."""
    for (complete, demo, test), n in flags.items():
        board.complete += n if complete else 0
        board.in_progress += 0 if complete else n
        board.demo += n if demo else 0
        board.test += n if test else 0
    for (bucket, slot), n in days.items():
        day = as_utc(bucket + ":00" if isinstance(bucket, str) and len(bucket) == 13 else bucket)
        board.per_day.setdefault(day.astimezone(tz).date(), [0, 0])[slot] += n
    for (language, slot), n in languages.items():
        board.languages.setdefault(language, [0, 0])[slot] += n
    for name, counter in zip(board.survey.hidden_fields, hidden, strict=True):
        values = board.hidden.setdefault(name, {})
        for (value, slot), n in counter.items():
            values.setdefault(value, [0, 0])[slot] += n
    board.funnel = [FunnelStep(page) for page in board.survey.pages]
    steps = {step.page.id: step for step in board.funnel}
    for (complete, current, path), n in paths.items():
        seen = _pages(path)
        if not complete:
            if current in steps:
                seen.add(current)
                steps[current].stopped += n
            else:
                board.before_first_page += n
        for page_id in seen:
            if page_id in steps:
                steps[page_id].reached += n


# ----------------------------------------------------------------------------- cache


class _Cache:
    """A small thread-safe LRU of computed results, per app process: (computed at, stamp, value)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items: OrderedDict = OrderedDict()

    def get(self, key):
        with self.lock:
            entry = self.items.get(key)
            if entry is not None:
                self.items.move_to_end(key)
            return entry

    def put(self, key, stamp, value) -> None:
        with self.lock:
            self.items[key] = (clock.monotonic(), stamp, value)
            self.items.move_to_end(key)
            while len(self.items) > CACHE_SIZE:
                self.items.popitem(last=False)

    def forget(self, survey_id: str) -> None:
        with self.lock:
            for key in [k for k in self.items if k[1] == survey_id]:
                del self.items[key]


def _cache() -> _Cache:
    return current_app.extensions.setdefault("lyssna.research.dashboards", _Cache())


def _stamp(session: Session, survey_id: str) -> tuple:
    # Index-only (survey_id): any response added or deleted changes it. Answers edited in place are
    # picked up when the result is older than FRESH_SECONDS.
    query = select(func.count(), func.max(Response.id)).where(Response.survey_id == survey_id)
    return tuple(session.execute(query).one())


def _cached(kind: str, session: Session, survey: Survey, extra: tuple, compute):
    cache = _cache()
    key = (kind, survey.id, content_hash(survey), *extra)
    entry = cache.get(key)
    if entry is not None and clock.monotonic() - entry[0] < FRESH_SECONDS:
        return entry[2]
    stamp = _stamp(session, survey.id)
    if entry is not None and entry[1] == stamp and clock.monotonic() - entry[0] < CACHE_SECONDS:
        cache.put(key, stamp, entry[2])
        return entry[2]
    value = compute()
    cache.put(key, stamp, value)
    return value


def dashboard(session: Session, survey: Survey, filters: Filters, tz: ZoneInfo) -> Dashboard:
    """The dashboard, from the cache while the survey's responses are unchanged (at most a minute old)."""
    return _cached(
        "dashboard",
        session,
        survey,
        (filters, str(tz)),
        lambda: build_dashboard(session, survey, filters, tz),
    )


def forget(survey_id: str) -> None:
    """Drop this process's cached results of a survey (after deleting a response)."""
    _cache().forget(survey_id)


MAX_FILTER_VALUES = 500


def hidden_values(session: Session, survey: Survey, filters: Filters) -> dict[str, list[str]]:
    """The values each hidden field has in the survey's responses (for the filter lists), in natural order."""
    base = Filters(demo=filters.demo, test=filters.test)
    return _cached("hidden", session, survey, (base,), lambda: _hidden_values(session, survey, base))


def _hidden_values(session: Session, survey: Survey, base: Filters) -> dict[str, list[str]]:
    result = {}
    for name in survey.hidden_fields:
        column = Response.hidden[name].as_string()
        values = session.scalars(
            select(column)
            .where(*base.conditions(survey.id, ZoneInfo("UTC"), statuses=False), column.is_not(None))
            .group_by(column)
            .limit(MAX_FILTER_VALUES)
        )
        result[name] = sorted((v for v in values if v), key=natural_key)
    return result
