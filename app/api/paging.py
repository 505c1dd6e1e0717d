"""Keyset paging of a survey's responses for the API: an opaque cursor, never an offset.

Pages follow the order responses arrive in: completed responses by the time they were completed
(with `include_partial`, every response by the time it was started), then by id. A response is
served once it has settled (LYSSNA_API_SETTLE_SECONDS after that time), so that one whose
transaction commits a moment after a later one's cannot fall behind a cursor already handed out.
The cursor holds the last row's (time, id); the next page starts after it, whatever arrived since.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.exports.table import ExportOptions, Table, build_table
from app.extensions import db
from app.models import Response

COMPLETED, STARTED = "c", "s"  # which time a cursor counts by
STARTED_AT, SUBMITTED_AT = 5, 6  # where a fetched row holds those times (see Table.batches)


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the last row's time (completed or started) and id."""

    kind: str
    at: datetime
    response_id: int

    def encode(self) -> str:
        """The opaque text clients pass back as `after`."""
        raw = f"{self.kind}|{self.at.astimezone(UTC).isoformat()}|{self.response_id}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, partial: bool) -> Cursor:
        """The cursor a client sent; ValueError when it is not one, or belongs to other options."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            kind, at, response_id = raw.split("|")
            cursor = cls(kind, datetime.fromisoformat(at), int(response_id))
        except ValueError:
            raise ValueError(
                "after is not a cursor this API gave out: pass `cursor` or `next` back as it came."
            ) from None
        if cursor.kind != _kind(partial) or cursor.at.tzinfo is None:
            raise ValueError("This cursor belongs to a listing with include_partial set otherwise.")
        return cursor


@dataclass
class Page:
    """One page: the rows as an export table, how many, and the cursor after its last row."""

    table: Table
    count: int
    cursor: Cursor | None  # None: an empty first page (nothing to continue after yet)


def _kind(partial: bool) -> str:
    return STARTED if partial else COMPLETED


def page(
    survey_id: str,
    options: ExportOptions,
    after: Cursor | None,
    limit: int,
    settle: timedelta,
    now: datetime | None = None,
) -> Page:
    """The responses after `after` (at most `limit`) that settled by `now`; raises ExportError."""
    key = Response.started_at if options.include_partial else Response.submitted_at
    table = build_table(db.session, survey_id, options, counted=False)  # a page reads a window only
    until = (now or datetime.now(UTC)) - settle
    window = table.window(key, (after.at, after.response_id) if after else None, until, limit).fetch()
    rows = window.fetched
    if not rows:
        return Page(window, 0, after)
    last = rows[-1]
    at = _utc(last[STARTED_AT if options.include_partial else SUBMITTED_AT])
    return Page(window, len(rows), Cursor(_kind(options.include_partial), at, last[0]))


def _utc(value: str | datetime) -> datetime:
    """A fetched time as an aware UTC datetime: SQLite's stored text (UTC, to the microsecond), or
    PostgreSQL's aware datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC)
