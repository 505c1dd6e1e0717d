"""Who may start a survey and what comes with them: hidden fields from the link, participant codes."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import RECEIPT_ALPHABET, ParticipantCode
from app.surveys.models import Survey

HIDDEN_VALUE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def hidden_values(survey: Survey, args: Mapping[str, str]) -> dict[str, str]:
    """The survey's hidden fields in the query string; values that are not short plain codes are ignored."""
    found = {}
    for name in survey.hidden_fields:
        value = args.get(name, "")
        if HIDDEN_VALUE.fullmatch(value):
            found[name] = value
    return found


def availability(survey: Survey, tz: ZoneInfo, now: datetime | None = None) -> str:
    """'draft', 'scheduled', 'open' or 'closed' right now."""
    return survey.state(now or datetime.now(UTC), tz)


def normalize_code(text: str) -> str:
    """A participant code as stored ('k7qm 3xpa' -> 'K7QM-3XPA'); residents may type it loosely."""
    compact = re.sub(r"[\s-]", "", text or "").upper()[:64]
    if len(compact) == 8:
        return f"{compact[:4]}-{compact[4:]}"
    return compact


def new_code() -> str:
    """A participant code that is easy to read aloud and type: no 0/O or 1/I/L."""
    chars = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def generate_codes(session: Session, survey_id: str, count: int) -> list[str]:
    """Add `count` new, unused participant codes for a survey (flushed, not committed)."""
    existing = set(session.scalars(select(ParticipantCode.code).filter_by(survey_id=survey_id)))
    codes: list[str] = []
    while len(codes) < count:
        code = new_code()
        if code not in existing:
            existing.add(code)
            codes.append(code)
    session.add_all(ParticipantCode(survey_id=survey_id, code=code) for code in codes)
    session.flush()
    return codes


def code_state(session: Session, survey_id: str, code: str) -> str:
    """'ok' for a code of this survey that has not answered yet, 'used' or 'unknown' otherwise."""
    row = session.scalars(select(ParticipantCode).filter_by(survey_id=survey_id, code=code)).first()
    if row is None:
        return "unknown"
    return "used" if row.used_at is not None else "ok"
