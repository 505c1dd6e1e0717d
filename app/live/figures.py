"""What the live screen counts: the dashboard's figures since a moment the facilitator sets, and texts
only where a facilitator approved them (app/live/moderation.py gives those; the summaries' own texts
are never shown)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.orm import Session

from app.live import moderation
from app.models import Response, utcnow
from app.research.dashboard import build_dashboard
from app.research.filters import EARLIEST, LATEST, Filters
from app.research.summaries import Summary, summaries_for
from app.surveys.models import Survey

# The kinds of summary the screen draws; dates and photos stay on the dashboard.
SHOWN_KINDS = ("choice", "multiple", "rating", "matrix", "number", "ranking", "text")
REFRESH_SECONDS = 5
SINCE_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends, in the configured zone


@dataclass(frozen=True)
class LiveFilters(Filters):
    """The dashboard's filters, and a moment to count from ("since this session started")."""

    since: datetime | None = None

    def conditions(self, survey_id: str, tz: ZoneInfo, *, statuses: bool = True) -> list:
        """The dashboard's conditions, and: submitted (or, in progress, last active) at `since` or later."""
        conditions = super().conditions(survey_id, tz, statuses=statuses)
        if self.since is not None:
            conditions.append(func.coalesce(Response.submitted_at, Response.updated_at) >= self.since)
        return conditions


@dataclass(frozen=True)
class LiveOptions:
    """What the facilitator chose to count: real, complete responses unless they opt in to more."""

    since: datetime | None = None
    demo: bool = False
    test: bool = False
    partial: bool = False
    questions: tuple[str, ...] = ()  # only these questions (in the survey's order); every one when empty

    @property
    def filters(self) -> LiveFilters:
        """The filters selecting the responses counted."""
        return LiveFilters(partial=self.partial, demo=self.demo, test=self.test, since=self.since)

    def query_args(self, tz: ZoneInfo, *, with_since: bool = True) -> dict:
        """The options as URL arguments (for the refresh link and the refresh script)."""
        args: dict = {}
        if self.since is not None and with_since:
            args["since"] = local_minute(self.since, tz)
        for name in ("demo", "test", "partial"):
            if getattr(self, name):
                args[name] = "1"
        if self.questions:
            args["q"] = list(self.questions)
        return args


def local_minute(moment: datetime, tz: ZoneInfo) -> str:
    """A moment as the local 'YYYY-MM-DDTHH:MM' that a datetime-local field shows."""
    return moment.astimezone(tz).strftime(SINCE_FORMAT)


def since_label(since: datetime | None, now: datetime, tz: ZoneInfo) -> str:
    """The start time as the screen says it: '14:00' today, else '2026-05-30 14:00' ('' for none)."""
    if since is None:
        return ""
    local = since.astimezone(tz)
    return local.strftime("%H:%M" if local.date() == now.astimezone(tz).date() else "%Y-%m-%d %H:%M")


def parse_since(value: str | None, tz: ZoneInfo) -> datetime | None:
    """A local 'YYYY-MM-DDTHH:MM' as an aware moment; ValueError when it is not one."""
    if not value:
        return None
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is not None or not EARLIEST <= moment.date() <= LATEST:
        raise ValueError(value)
    return datetime.combine(moment.date(), time(moment.hour, moment.minute), tz)


def parse_options(
    args: Mapping, survey: Survey, tz: ZoneInfo, since: datetime | None = None
) -> tuple[LiveOptions, list]:
    """The options from query arguments, and what could not be read; `since` given wins over ?since=."""
    problems = []
    if since is None:
        try:
            since = parse_since(args.get("since"), tz)
        except ValueError:
            problems.append(_l("The start time must look like 2026-05-31T14:00."))
    wanted = set(args.getlist("q")) if hasattr(args, "getlist") else set()
    questions = tuple(s.question.id for s in shown_summaries(survey) if s.question.id in wanted)
    options = LiveOptions(
        since=since,
        demo=args.get("demo") == "1",
        test=args.get("test") == "1",
        partial=args.get("partial") == "1",
        questions=questions,
    )
    return options, problems


def shown_summaries(survey: Survey) -> list[Summary]:
    """An empty summary of each question the screen can show (for the choice of questions)."""
    return [s for s in summaries_for(survey) if s.kind in SHOWN_KINDS]


@dataclass
class Word:
    """One short answer as the word list shows it: the text (as last written) and how many gave it."""

    text: str
    count: int
    size: int = 1  # 1 to 4: the more residents wrote it, the larger


@dataclass
class LiveScreen:
    """Everything one refresh of the screen shows, computed on the server."""

    survey: Survey
    options: LiveOptions
    counted: int = 0  # responses whose answers the figures count
    panels: list[Summary] = field(default_factory=list)
    words: dict[str, list[Word]] = field(default_factory=dict)  # text questions: approved answers
    quotes: dict[str, list[Word]] = field(default_factory=dict)  # long_text questions: approved answers
    computed_at: datetime = field(default_factory=utcnow)


WORDS_SHOWN = 30
QUOTES_SHOWN = 6


def live_screen(session: Session, survey: Survey, options: LiveOptions, tz: ZoneInfo) -> LiveScreen:
    """The figures of the screen, fresh (no cache: a new answer shows at the next refresh)."""
    board = build_dashboard(session, survey, options.filters, tz)
    panels = [s for s in board.questions if s.kind in SHOWN_KINDS]
    if options.questions:
        panels = [s for s in panels if s.question.id in options.questions]
    screen = LiveScreen(survey, options, counted=board.summarised, panels=panels)
    texts = [s.question for s in panels if s.kind == "text"]
    approved = moderation.approved_texts(session, survey, options.filters, tz, [q.id for q in texts])
    for question in texts:
        if question.type == "text":
            screen.words[question.id] = word_list(approved.get(question.id, []))[:WORDS_SHOWN]
        else:
            screen.quotes[question.id] = word_list(approved.get(question.id, []))[:QUOTES_SHOWN]
    return screen


def word_list(texts: list[str]) -> list[Word]:
    """Answers (newest first) grouped regardless of case and spacing, the most given first."""
    groups: dict[str, Word] = {}
    for text in texts:
        shown = " ".join(text.split())
        key = shown.casefold()
        if key in groups:
            groups[key].count += 1
        elif shown:
            groups[key] = Word(shown, 1)
    words = sorted(groups.values(), key=lambda w: -w.count)  # stable: newest first among equals
    top = words[0].count if words else 1
    for word in words:
        word.size = 1 + min(3, round(3 * (word.count - 1) / max(top - 1, 1)))
    return words
