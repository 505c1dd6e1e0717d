"""Personal API tokens: made (shown once, only a hash kept), checked and counted at each request, revoked.

A token acts with its owner's grants as they are at each request, and stops while its owner is
disabled (docs/design.md, section 2): nothing but the owner is stored with it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import ApiToken, Researcher, utcnow

PREFIX = "lys_"  # so that a token pasted somewhere it should not be is easy to recognise
NAME_MAX = 120


class TokenError(ValueError):
    """A token that cannot be made as asked (no name, a name too long, a bad lifetime)."""


def token_hash(token: str) -> str:
    """The SHA-256 of a token, as stored and as the rate limits count it."""
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    db_session: Session,
    researcher: Researcher,
    name: str,
    expires_days: int | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for the account (flushed) and its text, which is shown once and never stored."""
    now = now or utcnow()
    name = " ".join(name.split())
    if not name:
        raise TokenError("A token needs a name (what it is for, e.g. 'nightly R script').")
    if len(name) > NAME_MAX:
        raise TokenError(f"A token's name has at most {NAME_MAX} characters.")
    if expires_days is not None and expires_days < 1:
        raise TokenError("A token lasts at least one day.")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        researcher_id=researcher.id,
        name=name,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + timedelta(days=expires_days) if expires_days else None,
    )
    db_session.add(row)
    db_session.flush()
    return row, token


def owner(db_session: Session, token: str, now: datetime | None = None) -> Researcher | None:
    """The active account whose token this is, while the token is neither revoked nor expired; the
    use is counted (flushes). None for anything else, without saying why."""
    now = now or utcnow()
    found = db_session.execute(
        select(ApiToken.id, Researcher)
        .join(Researcher, Researcher.id == ApiToken.researcher_id)
        .where(
            ApiToken.token_hash == token_hash(token),
            ApiToken.revoked_at.is_(None),
            (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now),
            Researcher.active.is_(True),
        )
    ).first()
    if found is None:
        return None
    db_session.execute(
        update(ApiToken).where(ApiToken.id == found[0]).values(uses=ApiToken.uses + 1, last_used_at=now)
    )
    return found[1]


def of(db_session: Session, researcher: Researcher) -> list[ApiToken]:
    """The account's tokens, newest first (revoked and expired ones too, for the record)."""
    query = select(ApiToken).where(ApiToken.researcher_id == researcher.id).order_by(ApiToken.id.desc())
    return list(db_session.scalars(query))


def state(token: ApiToken, now: datetime | None = None) -> str:
    """`active`, `expired` or `revoked`."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= (now or utcnow()):
        return "expired"
    return "active"


def revoke(db_session: Session, token: ApiToken, now: datetime | None = None) -> bool:
    """Stop the token for good; False when it was revoked already (flushes)."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now or utcnow()
    db_session.flush()
    return True
