"""The API's query parameters, checked once: export options (as `flask export` names them) and paging."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from werkzeug.datastructures import MultiDict

from app.api.paging import Cursor
from app.api.problems import Problem
from app.exports import ExportOptions
from app.surveys.models import CHANNELS

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
OPTIONS = (
    "values",
    "lang",
    "from",
    "to",
    "where",
    "language",
    "include_partial",
    "no_demo",
    "channel",
    "sep",
)
TRUE, FALSE = ("1", "true", "yes"), ("0", "false", "no", "")


def check_known(args: MultiDict, allowed: tuple[str, ...]) -> None:
    """A 400 for a parameter the endpoint does not take (a typo would otherwise be silently ignored)."""
    unknown = sorted(set(args) - set(allowed))
    if unknown:
        raise Problem(
            400, f"Unknown parameter(s): {', '.join(unknown)}. This endpoint takes: {', '.join(allowed)}."
        )


def export_format(args: Mapping[str, str], choices: tuple[str, ...], default: str) -> str:
    """The `format` parameter, one of `choices`."""
    fmt = args.get("format", default)
    if fmt not in choices:
        raise Problem(400, f"format is one of {', '.join(choices)}, not '{fmt}'.")
    return fmt


def export_options(args: MultiDict) -> ExportOptions:
    """Export options from the parameters `flask export` has too (the survey checks them further)."""
    values = args.get("values", "codes")
    if values not in ("codes", "labels"):
        raise Problem(400, f"values is codes or labels, not '{values}'.")
    channel = args.get("channel") or None
    if channel is not None and channel not in CHANNELS:
        raise Problem(400, f"channel is {' or '.join(CHANNELS)}, not '{channel}'.")
    sep = args.get("sep", ",")
    if sep not in (",", ";"):
        raise Problem(400, "sep is ',' or ';'.")
    submitted_from, submitted_to = _date(args, "from"), _date(args, "to")
    if submitted_from and submitted_to and submitted_from > submitted_to:
        raise Problem(400, "from is after to.")
    return ExportOptions(
        values=values,
        lang=args.get("lang") or None,
        submitted_from=submitted_from,
        submitted_to=submitted_to,
        where=tuple(_pair(value) for value in args.getlist("where")),
        language=args.get("language") or None,
        include_partial=_flag(args, "include_partial"),
        include_demo=not _flag(args, "no_demo"),
        channel=channel,
        sep=sep,
    )


def paging(args: Mapping[str, str], partial: bool) -> tuple[Cursor | None, int]:
    """The `after` cursor (None: from the start) and the `limit` (1 to MAX_LIMIT)."""
    text = args.get("after")
    try:
        after = Cursor.decode(text, partial) if text else None
    except ValueError as exc:
        raise Problem(400, str(exc)) from None
    raw = args.get("limit", str(DEFAULT_LIMIT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise Problem(400, f"limit is a whole number from 1 to {MAX_LIMIT}, not '{raw}'.")
    return after, int(raw)


def _date(args: Mapping[str, str], name: str) -> date | None:
    text = args.get(name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Problem(400, f"{name} is a date written YYYY-MM-DD, not '{text}'.") from None


def _flag(args: Mapping[str, str], name: str) -> bool:
    value = args.get(name, "").lower()
    if value not in TRUE + FALSE:
        raise Problem(400, f"{name} is true or false, not '{value}'.")
    return value in TRUE


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise Problem(400, f"where is name=value (for example station=12), not '{text}'.")
    return name.strip(), value.strip()
