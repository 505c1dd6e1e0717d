"""Display links: a link a facilitator makes so that a projector shows one survey's live screen
without anyone's sign-in. Read-only, approved texts only, and it expires (12 hours unless chosen);
only a hash of its token is kept, so the link is shown once, when it is made."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.models import DisplayLink, utcnow

DEFAULT_HOURS = 12
MAX_HOURS = 72  # a three-day event at most; a new link is one click away


def token_hash(token: str) -> str:
    """The stored form of a token (a database leak reveals no working link)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    session: Session,
    survey_id: str,
    *,
    label: str | None = None,
    since: datetime | None = None,
    hours: int = DEFAULT_HOURS,
    now: datetime | None = None,
) -> tuple[DisplayLink, str]:
    """A new display link of the survey (flushed, audited) and its token, which is kept nowhere."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    link = DisplayLink(
        survey_id=survey_id,
        token_hash=token_hash(token),
        label=label or None,
        since=since,
        created_by=audit.current_actor(),
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    session.add(link)
    session.flush()
    audit.record(
        session,
        "display_link_created",
        survey_id=survey_id,
        link=link.id,
        expires_at=link.expires_at.isoformat(),
        **({"label": link.label} if link.label else {}),
    )
    return link, token


def usable(session: Session, token: str, now: datetime | None = None) -> DisplayLink | None:
    """The link with this token while it is neither expired nor revoked; else None."""
    now = now or utcnow()
    link = session.scalars(select(DisplayLink).filter_by(token_hash=token_hash(token))).first()
    if link is None or link.revoked_at is not None or link.expires_at <= now:
        return None
    return link


def links_of(session: Session, survey_id: str) -> list[DisplayLink]:
    """The survey's display links, newest first (expired and revoked ones too, for the record)."""
    query = select(DisplayLink).filter_by(survey_id=survey_id).order_by(DisplayLink.created_at.desc())
    return list(session.scalars(query))


def revoke(session: Session, survey_id: str, link_id: int, now: datetime | None = None) -> DisplayLink | None:
    """Stop a link of this survey at once (flushed, audited); None when the survey has no such link."""
    link = session.scalars(select(DisplayLink).filter_by(survey_id=survey_id, id=link_id)).first()
    if link is None:
        return None
    if link.revoked_at is None:
        link.revoked_at = now or utcnow()
        session.flush()
        named = {"label": link.label} if link.label else {}
        audit.record(session, "display_link_revoked", survey_id=survey_id, link=link.id, **named)
    return link


def state(link: DisplayLink, now: datetime | None = None) -> str:
    """'active', 'expired' or 'revoked'."""
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if link.expires_at <= (now or utcnow()) else "active"
