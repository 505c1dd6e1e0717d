"""Small helpers the researcher templates use to show times, shares, bar widths, roles and levels."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask_babel import format_number, get_locale
from flask_babel import gettext as _


def local_time(value: datetime | None) -> str:
    """A timestamp in the configured time zone, as 'YYYY-MM-DD HH:MM' (the same in every language)."""
    if value is None:
        return "–"
    return value.astimezone(ZoneInfo(current_app.config["LYSSNA_TIMEZONE"])).strftime("%Y-%m-%d %H:%M")


def role_name(role: str) -> str:
    """An account's role in words."""
    return {"admin": _("Admin"), "researcher": _("Researcher")}.get(role, role)


def level_name(level: str) -> str:
    """A grant's level in words: read, or manage."""
    return {"read": _("read"), "manage": _("manage")}.get(level, level)


def percent(part: float, whole: float) -> int:
    """Part of whole in whole percent, 0 when whole is 0."""
    return round(100 * part / whole) if whole else 0


def width_class(part: float, whole: float) -> str:
    """The CSS class that draws a bar this share long (w-0 to w-100 in research.css)."""
    return f"w-{max(0, min(100, percent(part, whole)))}"


def duration(seconds: float | None) -> str:
    """Seconds as '4 min 05 s' or '1 h 02 min' (a dash for none)."""
    if seconds is None:
        return "–"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s"


def number(value: float | None, digits: int = 1) -> str:
    """A number with at most `digits` decimals, without trailing zeros (a dash for none)."""
    if value is None:
        return "–"
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def label_language(survey) -> str:
    """The language of survey texts on researcher pages: ?labels=, else the interface language if it fits."""
    for wanted in (request.args.get("labels"), str(get_locale())):
        if wanted in survey.languages:
            return wanted
    return survey.default_language


def state_name(state: str) -> str:
    """A survey state in words."""
    names = {"draft": _("Draft"), "scheduled": _("Not open yet"), "open": _("Open"), "closed": _("Closed")}
    return names.get(state, state)


def type_name(question_type: str) -> str:
    """A question type in words."""
    names = {
        "text": _("Short text"),
        "long_text": _("Long text"),
        "integer": _("Whole number"),
        "decimal": _("Number"),
        "date": _("Date"),
        "single_choice": _("One choice"),
        "multiple_choice": _("Several choices"),
        "matrix": _("Matrix"),
        "rating": _("Rating"),
        "ranking": _("Ranking"),
        "photo": _("Photo"),
    }
    return names.get(question_type, question_type)


def scale_note(scale: str) -> str:
    """What the numbers of a rating scale mean."""
    notes = {
        "stars5": _("1 to 5 stars."),
        "smiley5": _("Smileys from 1 (very unhappy) to 5 (very happy)."),
        "nps": _("0 (not at all likely to recommend) to 10 (extremely likely)."),
    }
    return notes.get(scale, "")


def hidden_rows(values: dict[str, list[int]]) -> list[tuple[str, list[int]]]:
    """Hidden-field values with their counts in natural order ('2' before '10'); the empty value last."""
    return sorted(values.items(), key=lambda item: (item[0] == "", natural_key(item[0])))


def natural_key(text: str) -> tuple:
    """Sort '2' before '10', and numbers before words."""
    return (0, int(text), "") if text.isdigit() else (1, 0, text.casefold())


def filter_summary(filters) -> str:
    """The filters in words, for the export button ('all complete responses' when none)."""
    parts = []
    if filters.date_from or filters.date_to:
        parts.append(
            _("submitted %(start)s to %(end)s", start=filters.date_from or "…", end=filters.date_to or "…")
        )
    if filters.language:
        parts.append(_("answered in %(lang)s", lang=filters.language))
    parts += [f"{name} = {value}" for name, value in filters.hidden]
    parts.append(_("complete and unfinished responses") if filters.partial else _("complete responses only"))
    parts.append(_("demo responses included") if filters.demo else _("without demo responses"))
    return ", ".join(str(p) for p in parts)


def count(value: int | None) -> str:
    """A whole number with the interface language's grouping (100,000 or 100 000)."""
    return "–" if value is None else format_number(value)
