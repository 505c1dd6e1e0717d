"""Who may start a survey and what comes with them: hidden fields from the link, participant codes."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import RECEIPT_ALPHABET, ParticipantCode, TrapCount
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


# Participant codes: 12 symbols of Crockford's base 32 (digits and letters without I, L, O and U),
# 60 bits, far beyond guessing; read aloud and typed without look-alikes, since a typed O is read
# as 0 and an I or L as 1. Codes made before had 8 symbols of the receipt alphabet; they still work.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
LOOK_ALIKES = str.maketrans("OIL", "011")
CODE_SHAPE = re.compile(
    rf"[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}|[{RECEIPT_ALPHABET}]{{4}}-[{RECEIPT_ALPHABET}]{{4}}"
)


def normalize_code(text: str) -> str:
    """A participant code as stored ('k7qm 3xpa 9d2f' -> 'K7QM-3XPA-9D2F'); residents may type it loosely,
    with spaces or dashes anywhere and O, I or L for 0 and 1."""
    compact = re.sub(r"[\s-]", "", text or "").upper()[:64]
    if len(compact) == 8:  # a code made before codes had 12 symbols (their alphabet has no 0, 1, O, I or L)
        return f"{compact[:4]}-{compact[4:]}"
    compact = compact.translate(LOOK_ALIKES)
    if len(compact) == CODE_LENGTH:
        return "-".join(compact[i : i + 4] for i in range(0, CODE_LENGTH, 4))
    return compact


def has_code_shape(code: str) -> bool:
    """Whether a normalised code could be a participant code at all (else it is a typing slip)."""
    return CODE_SHAPE.fullmatch(code) is not None


def new_code() -> str:
    """A new participant code, e.g. 'K7QM-3XPA-9D2F': 60 random bits, grouped for reading."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(chars[i : i + 4] for i in range(0, CODE_LENGTH, 4))


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


def record_trap(session: Session, survey_id: str, day: date) -> None:
    """Count a filled spam trap for the survey's day (one row a day, whatever the traffic)."""
    table = TrapCount.__table__
    bump = (
        update(table)
        .where(table.c.survey_id == survey_id, table.c.day == day)
        .values(count=table.c.count + 1)
    )
    if session.execute(bump).rowcount:
        return
    try:
        with session.begin_nested():
            session.execute(insert(table).values(survey_id=survey_id, day=day, count=1))
    except IntegrityError:  # another request made the day's row meanwhile
        session.execute(bump)
