"""The researcher's filters (dates, language, hidden fields, what to include): parsed once, used by every
figure on a page and carried over to the export link."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from app.answering.access import HIDDEN_VALUE
from app.models import Response
from app.surveys.models import CHANNELS, Survey

HIDDEN_PREFIX = "hidden_"
MAX_VALUE_LENGTH = 64  # hidden-field values are at most this long (survey format)


@dataclass(frozen=True)
class Filters:
    """Which responses a page counts. Dates are local and inclusive, on the day a response was
    submitted (or, for one still in progress, last active): the same rule the exports use."""

    date_from: date | None = None
    date_to: date | None = None
    language: str | None = None
    hidden: tuple[tuple[str, str], ...] = ()
    partial: bool = False  # also summarise the answers of responses still in progress
    demo: bool = True  # include demo responses (from `flask demo seed`); they are always marked
    test: bool = False  # include preview responses researchers made while testing
    channel: str | None = None  # only responses from a kiosk ("kiosk"), or from links ("link")

    def conditions(self, survey_id: str, tz: ZoneInfo, *, statuses: bool = True) -> list:
        """SQL conditions selecting this survey's responses; `statuses=False` keeps in-progress ones."""
        conditions = [Response.survey_id == survey_id]
        if not self.test:
            conditions.append(Response.is_test.is_(False))
        if not self.demo:
            conditions.append(Response.is_demo.is_(False))
        if statuses and not self.partial:
            conditions.append(Response.status == Response.COMPLETE)
        if self.language:
            conditions.append(Response.language == self.language)
        if self.channel:
            conditions.append(Response.channel == self.channel)
        when = func.coalesce(Response.submitted_at, Response.updated_at)
        if self.date_from:
            conditions.append(when >= datetime.combine(self.date_from, time(), tz))
        if self.date_to:
            conditions.append(when < datetime.combine(self.date_to + timedelta(days=1), time(), tz))
        for name, value in self.hidden:
            conditions.append(Response.hidden[name].as_string() == value)
        return conditions

    def query_args(self) -> dict[str, str]:
        """The filters as URL query arguments (for links, the export button and paging)."""
        args: dict[str, str] = {}
        if self.date_from:
            args["from"] = self.date_from.isoformat()
        if self.date_to:
            args["to"] = self.date_to.isoformat()
        if self.language:
            args["language"] = self.language
        if self.channel:
            args["channel"] = self.channel
        for name, value in self.hidden:
            args[HIDDEN_PREFIX + name] = value
        if self.partial:
            args["partial"] = "1"
        if not self.demo:
            args["demo"] = "0"
        if self.test:
            args["test"] = "1"
        return args

    @property
    def active(self) -> bool:
        """True when anything narrows or widens the default view."""
        return self != Filters()


@dataclass
class ParsedFilters:
    """Filters read from a request, and what could not be read (shown to the researcher)."""

    filters: Filters
    problems: list = field(default_factory=list)  # messages (translated when shown)


# Dates a filter may name: wide enough for any pilot, narrow enough that a day and its time zone
# always make a valid moment (9999-12-31 plus a day, or 0001-01-01 in UTC, do not).
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


def _day(value: str | None, problems: list, what) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        problems.append(_l("The %(what)s date must look like 2026-05-31.", what=what))
        return None
    if not EARLIEST <= day <= LATEST:
        problems.append(_l("The %(what)s date must be between 1900 and 2999.", what=what))
        return None
    return day


def parse_filters(args: Mapping[str, str], survey: Survey | None) -> ParsedFilters:
    """Read the filters from query arguments; unknown hidden fields and languages are ignored."""
    problems: list[str] = []
    date_from = _day(args.get("from"), problems, _l("from"))
    date_to = _day(args.get("to"), problems, _l("to"))
    if date_from and date_to and date_from > date_to:
        problems.append(_l("The from date is after the to date, so nothing can match."))
    language = args.get("language") or None
    if survey is not None and language not in survey.languages:
        language = None
    channel = args.get("channel") or None
    if channel not in CHANNELS:
        channel = None  # as an unknown language: ignored
    hidden = []
    for name in survey.hidden_fields if survey is not None else ():
        value = (args.get(HIDDEN_PREFIX + name) or "").strip()
        if value and not HIDDEN_VALUE.fullmatch(value):  # no response can hold it (a link's rule)
            problems.append(
                _l("A value of %(name)s holds only letters, digits, - and _ (at most 64).", name=name)
            )
        elif value:
            hidden.append((name, value))
    filters = Filters(
        date_from=date_from,
        date_to=date_to,
        language=language,
        channel=channel,
        hidden=tuple(hidden),
        partial=args.get("partial") == "1",
        demo=args.get("demo") != "0",
        test=args.get("test") == "1",
    )
    return ParsedFilters(filters, problems)
