"""Which response the device making a request answers: the one its resume cookie holds, one it has
consented to but not stored yet, or one it continues by a participant code started elsewhere.

All of it lives on the device: the cookie holds a resume token, the signed session holds a consent
(until the response is sent) and a response continued by code. Nothing here writes to the database
but the survey's version, recorded on its first use.
"""

from __future__ import annotations

from datetime import datetime

from flask import request, session

from app.extensions import db
from app.models import Response, utcnow
from app.research.access import previewing  # the researcher area decides who may try a draft
from app.surveys.catalog import current_registry
from app.surveys.models import Survey

from . import access, responses

PENDING = "pending"  # consents not yet followed by a page sent, per survey
SENT_IN = "sent_in"  # the language of the answers this device sent, per survey (for the thank-you)
# Responses continued here by their participant code (started on another device), per survey: held
# in the signed session, not by a new resume token, so the first device is never logged out.
BY_CODE = "by_code"


def cookie_name(survey: Survey) -> str:
    """The cookie that holds a survey's resume token."""
    return f"lyssna-{survey.id}"


def from_cookie(survey: Survey) -> responses.Answering | None:
    """The response whose resume token this device's cookie holds."""
    return responses.find_by_token(db.session, survey.id, request.cookies.get(cookie_name(survey)))


def answering(survey: Survey) -> responses.Answering | None:
    """The response this device is answering: its stored one in progress, else one its participant
    code continues here, else one consented to (else a sent one, or None)."""
    stored = from_cookie(survey)
    if stored is not None and stored.status == Response.IN_PROGRESS:
        return stored
    consented = pending(survey)
    used = stored is not None and stored.consented_at is not None
    if consented is not None and used and stored.consented_at >= consented.consented_at:
        consented = None  # that consent is the one the stored response was started with
    return _by_code(survey) or consented or stored


def own_token(survey: Survey, response: responses.Answering) -> str | None:
    """This device's resume token, when it is the response's own (not on a device continuing by code)."""
    token = request.cookies.get(cookie_name(survey))
    return token if token and response.resume_token_hash == responses.hash_token(token) else None


def continue_by_code(survey: Survey, response: responses.Answering) -> None:
    """Let this device continue a response its participant code started on another device."""
    session.setdefault(BY_CODE, {})[survey.id] = response.public_id
    session.modified = True


def continues_by_code_only(survey: Survey, response: responses.Answering) -> bool:
    """Whether this device continues the response by its code only: its earlier texts are not shown."""
    if BY_CODE not in session or session[BY_CODE].get(survey.id) != response.public_id:
        return False
    return own_token(survey, response) is None


def _by_code(survey: Survey) -> responses.Answering | None:
    public_id = session.get(BY_CODE, {}).get(survey.id)
    if not isinstance(public_id, str):
        return None
    found = responses.find_by_public_id(db.session, survey.id, public_id)
    return found if found is not None and found.status == Response.IN_PROGRESS else None


def consent(survey: Survey, lang: str, code: str | None, channel: str) -> responses.Answering:
    """Consent given: remembered in the session until the response is sent, so that a consent alone
    stores nothing (the first page sent stores the response). `channel`: kiosk or link."""
    session.setdefault(PENDING, {})[survey.id] = {
        "channel": channel,
        "lang": lang,
        "hidden": access.hidden_values(survey, request.args),
        "code": code,
        "test": previewing(survey),
        "at": utcnow().isoformat(),
        "version": current_registry().version_id(db.session, survey.id),  # the pages it will show
    }
    session.modified = True
    return pending(survey)


def pending(survey: Survey) -> responses.Answering | None:
    """The response this device consented to and has not stored yet, if any."""
    given = session.get(PENDING, {}).get(survey.id)
    if not isinstance(given, dict):
        return None
    version_id = given.get("version")
    if not isinstance(version_id, int) or current_registry().stored(db.session, version_id) is None:
        version_id = current_registry().version_id(db.session, survey.id)
        db.session.commit()  # recorded now, if it is the version's first use: kept whatever follows
    lang = given.get("lang") if given.get("lang") in survey.languages else survey.default_language
    return responses.pending(
        survey,
        version_id,
        lang,
        access.hidden_values(survey, given.get("hidden") or {}),
        participant_code=given.get("code") or None,
        consented_at=datetime.fromisoformat(given["at"]),
        is_test=bool(given.get("test")),
        channel="kiosk" if given.get("channel") == "kiosk" else "link",
    )


def forget_consent(survey: Survey) -> None:
    """The response is sent: its consent is used, and the next answers on this device need a new one."""
    session.get(PENDING, {}).pop(survey.id, None)
    session.modified = True
