"""Researcher accounts: passwords, sign-in, sessions that can be ended, grants, one-time links (the
first admin's, and each account's set-password link)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import NamedTuple

from flask import current_app, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, object_session
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db, login_manager
from app.models import Grant, Researcher, SetupToken, utcnow

ROLES = (Researcher.ADMIN, Researcher.RESEARCHER)
# NIST SP 800-63B: a length floor and no composition rules; long passphrases are welcome.
PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 256
SETUP_LINK_LIFETIME = timedelta(hours=24)
# werkzeug's scrypt (memory-hard, in the standard library through OpenSSL): no native dependency to
# build, and the parameters are in every hash, so a hash made with older ones is upgraded at sign-in.
PASSWORD_METHOD = "scrypt"  # noqa: S105  (a hashing method, not a password)


class AccountError(ValueError):
    """A CLI or form request that cannot be carried out (unknown email, duplicate, bad role, ...)."""


def normalize_email(email: str) -> str:
    """Emails compare without case or surrounding spaces."""
    return email.strip().lower()


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable (plain English, for the CLI), or None."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"Use at least {PASSWORD_MIN_LENGTH} characters."
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"Use at most {PASSWORD_MAX_LENGTH} characters."
    return None


def hash_password(password: str) -> str:
    """A salted scrypt hash of the password."""
    return generate_password_hash(password, method=PASSWORD_METHOD)


@cache
def _current_parameters() -> str:
    return hash_password("parameters").split("$", 1)[0]


@cache
def _dummy_hash() -> str:
    # Checking a password against this when no account matches takes as long as a real check,
    # so the time a sign-in takes does not reveal whether the email has an account.
    return hash_password(secrets.token_hex(16))


def find_researcher(db_session: Session, email: str) -> Researcher | None:
    """The account with this email, or None."""
    return db_session.scalars(select(Researcher).filter_by(email=normalize_email(email))).first()


def create_researcher(db_session: Session, email: str, password: str, role: str) -> Researcher:
    """Add an account (flushed); AccountError for a bad role, a weak password or a taken email."""
    email = normalize_email(email)
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if "@" not in email or len(email) > 254:
        raise AccountError("that is not an email address")
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    if find_researcher(db_session, email) is not None:
        raise AccountError(f"an account for {email} exists already")
    researcher = Researcher(email=email, password_hash=hash_password(password), role=role, active=True)
    db_session.add(researcher)
    db_session.flush()
    return researcher


def create_without_password(db_session: Session, email: str, role: str) -> Researcher:
    """Add an account that nobody can sign in to until its owner chooses a password through a
    set-password link (flushed); AccountError for a bad email or role, or a taken email."""
    # A random password nobody knows: its hash checks like any other, so a sign-in attempt takes
    # as long as for any account and says nothing about whether a password was ever chosen.
    return create_researcher(db_session, email, secrets.token_urlsafe(32), role)


def set_password(researcher: Researcher, password: str) -> None:
    """Replace the password; every session of the account ends (flushes)."""
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    researcher.password_hash = hash_password(password)
    end_all_sessions(researcher)


def set_active(researcher: Researcher, active: bool) -> None:
    """Let the account sign in, or stop it; either way its sessions end: enabling revives none, and
    disabling also ends its unused set-password link, which enabling does not revive (flushes)."""
    researcher.active = active
    if not active:
        object_session(researcher).execute(
            delete(SetupToken).where(SetupToken.researcher_id == researcher.id, SetupToken.used_at.is_(None))
        )
    end_all_sessions(researcher)


def is_last_active_admin(db_session: Session, researcher: Researcher) -> bool:
    """True when the account is the only active admin. The active admins' rows stay locked until the
    commit (on PostgreSQL), so two admins disabling each other at once cannot both succeed."""
    if researcher.role != Researcher.ADMIN or not researcher.active:
        return False
    query = select(Researcher.id).filter_by(role=Researcher.ADMIN, active=True).with_for_update()
    return list(db_session.scalars(query)) == [researcher.id]


@dataclass(frozen=True)
class SignInResult:
    """The account that signed in (or None) and, for the audit log only, what happened."""

    researcher: Researcher | None
    outcome: str  # signed_in | unknown_account | wrong_password | disabled


def authenticate(db_session: Session, email: str, password: str, now: datetime | None = None) -> SignInResult:
    """Check a sign-in attempt (flushes, never commits); failures are counted per client, by the caller."""
    now = now or utcnow()
    researcher = find_researcher(db_session, email)
    if researcher is None:
        check_password_hash(_dummy_hash(), password)
        return SignInResult(None, "unknown_account")
    if not check_password_hash(researcher.password_hash, password):
        return SignInResult(None, "wrong_password")
    if not researcher.active:
        return SignInResult(None, "disabled")
    researcher.last_sign_in = now
    if not researcher.password_hash.startswith(_current_parameters() + "$"):
        researcher.password_hash = hash_password(password)
    db_session.flush()
    return SignInResult(researcher, "signed_in")


# ----------------------------------------------------------------------------- sessions
# A session is a signed cookie, so a copy of it works wherever it is sent. To end sessions on the
# server, each account has a generation: a session holds the one it began in, and is refused once
# the account's has moved on (sign-out, sign out everywhere, a new password, disabling, enabling).

GENERATION = "generation"


def end_all_sessions(researcher: Researcher) -> None:
    """End every session of the account, on every device and in every copy of its cookie (flushes)."""
    # Raised in SQL, so that two bumps at once both count and a session begun between them ends too.
    researcher.session_generation = Researcher.session_generation + 1
    object_session(researcher).flush()


def start_session(researcher: Researcher, now: datetime | None = None) -> None:
    """Sign in with a fresh session: nothing from before (a planted or stale cookie) carries over."""
    now = now or utcnow()
    session.clear()
    login_user(researcher)
    session.permanent = True
    session["signed_in_at"] = now.timestamp()
    session["seen_at"] = now.timestamp()
    session[GENERATION] = researcher.session_generation


def end_session() -> None:
    """Forget everything in this browser's session (end_all_sessions ends it on the server)."""
    logout_user()
    session.clear()


def session_expired(now: datetime | None = None) -> bool:
    """True when the session is older than its lifetime or was idle too long; else marks it seen."""
    now_ts = (now or utcnow()).timestamp()
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    lifetime = lifetime.total_seconds() if isinstance(lifetime, timedelta) else float(lifetime)
    idle = current_app.config["LYSSNA_IDLE_TIMEOUT"].total_seconds()
    signed_in_at, seen_at = session.get("signed_in_at"), session.get("seen_at")
    if signed_in_at is None or seen_at is None:
        return True
    if now_ts - signed_in_at > lifetime or now_ts - seen_at > idle:
        return True
    session["seen_at"] = now_ts
    return False


@login_manager.user_loader
def load_researcher(researcher_id: str) -> Researcher | None:
    """The signed-in researcher, or None when the account is gone or disabled or its sessions were ended."""
    if not researcher_id.isdigit():
        return None
    researcher = db.session.get(Researcher, int(researcher_id))
    if researcher is None or not researcher.active:
        return None
    # A session from before generations has none: it ends, and its owner signs in once more.
    if session.get(GENERATION) != researcher.session_generation:
        return None
    return researcher


# ----------------------------------------------------------------------------- grants


def grant(db_session: Session, researcher: Researcher, survey_id: str) -> bool:
    """Let the researcher see a survey; False when they could already (flushes)."""
    exists = db_session.scalar(select(Grant.id).filter_by(researcher_id=researcher.id, survey_id=survey_id))
    if exists is not None:
        return False
    db_session.add(Grant(researcher_id=researcher.id, survey_id=survey_id))
    db_session.flush()
    return True


def set_grant(db_session: Session, researcher: Researcher, survey_id: str, level: str) -> bool:
    """Let the researcher see a survey at this level (read or manage), or change the level of the
    grant; False when it was so already (flushes). The caller checks that the survey is served."""
    if level not in Grant.LEVELS:
        raise AccountError(f"level must be one of {', '.join(Grant.LEVELS)}")
    row = db_session.scalars(
        select(Grant).filter_by(researcher_id=researcher.id, survey_id=survey_id)
    ).first()
    if row is not None and row.level == level:
        return False
    if row is None:
        db_session.add(Grant(researcher_id=researcher.id, survey_id=survey_id, level=level))
    else:
        row.level = level
    db_session.flush()
    return True


def revoke(db_session: Session, researcher: Researcher, survey_id: str) -> bool:
    """Take a survey away from the researcher; False when it was not granted (flushes)."""
    result = db_session.execute(delete(Grant).filter_by(researcher_id=researcher.id, survey_id=survey_id))
    db_session.flush()
    return bool(result.rowcount)


# ----------------------------------------------------------------------------- first admin
# A setup token without an account creates the first admin; one with an account (`researcher_id`)
# is that account's set-password link. Each kind of function below looks only at its own kind.


def has_admin(db_session: Session) -> bool:
    """True when an active admin account exists."""
    query = select(func.count()).select_from(Researcher).filter_by(role=Researcher.ADMIN, active=True)
    return bool(db_session.scalar(query))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_setup_token(db_session: Session, now: datetime | None = None) -> str:
    """A fresh one-time token for creating the first admin; earlier unused tokens stop working."""
    now = now or utcnow()
    db_session.execute(
        delete(SetupToken).where(SetupToken.used_at.is_(None), SetupToken.researcher_id.is_(None))
    )
    token = secrets.token_urlsafe(32)
    db_session.add(SetupToken(token_hash=_token_hash(token), expires_at=now + SETUP_LINK_LIFETIME))
    db_session.flush()
    return token


def setup_token_usable(db_session: Session, token: str, now: datetime | None = None) -> bool:
    """True while the token is unused and unexpired and no admin exists yet."""
    now = now or utcnow()
    row = db_session.scalars(
        select(SetupToken).filter_by(token_hash=_token_hash(token), researcher_id=None)
    ).first()
    usable = row is not None and row.used_at is None and row.expires_at > now
    return usable and not has_admin(db_session)


def use_setup_token(db_session: Session, token: str, now: datetime | None = None) -> bool:
    """Spend the token; exactly one of several concurrent requests gets True (flushes)."""
    now = now or utcnow()
    if not setup_token_usable(db_session, token, now):
        return False
    result = db_session.execute(
        update(SetupToken)
        .where(
            SetupToken.token_hash == _token_hash(token),
            SetupToken.researcher_id.is_(None),
            SetupToken.used_at.is_(None),
            SetupToken.expires_at > now,
        )
        .values(used_at=now)
    )
    return result.rowcount == 1


# ----------------------------------------------------------------------------- set-password links


class ResetLink(NamedTuple):
    """A fresh set-password link's token (shown once, never stored) and when it stops working."""

    token: str
    expires_at: datetime


def reset_link_lifetime() -> timedelta:
    """How long a set-password link works: LYSSNA_RESET_LINK_HOURS."""
    return timedelta(hours=current_app.config["LYSSNA_RESET_LINK_HOURS"])


def new_reset_token(db_session: Session, researcher: Researcher, now: datetime | None = None) -> ResetLink:
    """A one-time link for the account's owner to choose a new password; the account's earlier links
    stop working, its password works until the link is used (flushes)."""
    now = now or utcnow()
    db_session.execute(delete(SetupToken).where(SetupToken.researcher_id == researcher.id))
    token = secrets.token_urlsafe(32)
    expires_at = now + reset_link_lifetime()
    db_session.add(
        SetupToken(token_hash=_token_hash(token), expires_at=expires_at, researcher_id=researcher.id)
    )
    db_session.flush()
    return ResetLink(token, expires_at)


def pending_reset_link(
    db_session: Session, researcher: Researcher, now: datetime | None = None
) -> datetime | None:
    """When the account's unused set-password link stops working, or None when it has none."""
    now = now or utcnow()
    query = select(SetupToken.expires_at).where(
        SetupToken.researcher_id == researcher.id, SetupToken.used_at.is_(None), SetupToken.expires_at > now
    )
    return db_session.scalar(query)


def reset_token_account(db_session: Session, token: str, now: datetime | None = None) -> Researcher | None:
    """The active account whose unused, unexpired set-password link this is, or None."""
    now = now or utcnow()
    query = (
        select(Researcher)
        .join(SetupToken, SetupToken.researcher_id == Researcher.id)
        .where(
            SetupToken.token_hash == _token_hash(token),
            SetupToken.used_at.is_(None),
            SetupToken.expires_at > now,
            Researcher.active.is_(True),
        )
    )
    return db_session.scalars(query).first()


def use_reset_token(
    db_session: Session, token: str, password: str, now: datetime | None = None
) -> Researcher | None:
    """Spend the link on the account's new password: the link dies and every session of the account
    ends (flushes). None when the link does not work (any more); exactly one of several concurrent
    requests succeeds. AccountError for an unacceptable password, before the link is spent."""
    now = now or utcnow()
    researcher = reset_token_account(db_session, token, now)
    if researcher is None:
        return None
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    result = db_session.execute(
        update(SetupToken)
        .where(
            SetupToken.token_hash == _token_hash(token),
            SetupToken.researcher_id == researcher.id,
            SetupToken.used_at.is_(None),
            SetupToken.expires_at > now,
        )
        .values(used_at=now)
    )
    if result.rowcount != 1:
        return None
    set_password(researcher, password)
    return researcher
