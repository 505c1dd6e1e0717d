"""A shared device forgets each resident: idle time, "Start over (new person)", and after sending.

A survey is answered on a kiosk when its file says `kiosk: true` (every device is one), or when a
researcher with the `manage` level turned the browser in front of them into a kiosk for it: a
signed device cookie names the survey and its first language. On a kiosk:

- a response is reached only from the device that started it, and only while it is in use: after
  the survey's `kiosk_idle_seconds` without a request, the next request forgets it (its resume
  token is wiped in the database, so no copy of the cookie reaches it either) and starts anew;
- "Start over (new person)" forgets it at once; sending the answers forgets it too;
- forgetting also drops the consent not yet used, the language chosen, the receipt not yet shown,
  and a response continued by participant code, so the next person starts from nothing.

The last request's time is held in the signed session, per survey. Forgetting never deletes
answers already stored: an abandoned response stays in progress, and is purged as others are.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app, g, request, session
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import update

from app.extensions import db
from app.models import Response
from app.surveys.models import Survey

from . import devices

DEVICE_COOKIE = "lyssna_kiosk"  # survey ids have no "_": never a resume cookie's name
DEVICE_DAYS = 90  # a kiosk device stays one until it is left (or this long)
SEEN = "kiosk_seen"  # per survey: when this device last asked for one of its pages (seconds since 1970)
OWN = "kiosk_own"  # per survey: the response this device started (a copied cookie reaches nothing)
RESTARTED = "kiosk_restarted"  # per survey: the survey started again because nobody used it
THANKS_SECONDS = 20  # the thank-you page returns to the start after this long
WARN_SECONDS = 20  # with JavaScript, a warning this long before the idle time ends


def now() -> float:
    """Seconds since 1970 (tests move it on)."""
    return time.time()


@dataclass(frozen=True)
class Device:
    """A browser made a kiosk for one survey by a researcher: the survey, its first language, who."""

    survey_id: str
    lang: str
    by: str


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="lyssna.kiosk-device")


def device_cookie(survey_id: str, lang: str, by: str) -> str:
    """The signed value of a kiosk device's cookie."""
    return _serializer().dumps({"survey": survey_id, "lang": lang, "by": by, "at": int(now())})


def device() -> Device | None:
    """The kiosk this browser is, if a researcher made it one (and the cookie is not too old)."""
    value = request.cookies.get(DEVICE_COOKIE)
    if not value:
        return None
    try:
        data = _serializer().loads(value)
    except BadSignature:
        return None
    if not isinstance(data, dict) or now() - data.get("at", 0) > DEVICE_DAYS * 86400:
        return None
    return Device(str(data.get("survey", "")), str(data.get("lang", "")), str(data.get("by", "")))


def active(survey: Survey) -> bool:
    """Whether this request answers the survey on a kiosk: a `kiosk: true` survey, or a device made one."""
    if survey.kiosk:
        return True
    here = device()
    return here is not None and here.survey_id == survey.id


def first_language(survey: Survey) -> str:
    """The language a kiosk starts each person in: the device's, else the survey's first."""
    here = device()
    if here is not None and here.survey_id == survey.id and here.lang in survey.languages:
        return here.lang
    return survey.languages[0]


def idle(survey: Survey) -> bool:
    """Whether this device's last request for the survey was longer ago than its idle time."""
    seen = session.get(SEEN, {}).get(survey.id)
    return isinstance(seen, int | float) and now() - seen > survey.kiosk_idle_seconds


def touch(survey: Survey) -> None:
    """Note this request as the device's last for the survey."""
    session.setdefault(SEEN, {})[survey.id] = int(now())
    session.modified = True


def claim(survey: Survey, public_id: str) -> None:
    """The response this device just stored is its own: only this session reaches it."""
    session.setdefault(OWN, {})[survey.id] = public_id
    session.modified = True


def stranger(survey: Survey) -> bool:
    """Whether the resume cookie holds a response this device did not start (a copied cookie)."""
    stored = devices.from_cookie(survey)
    if stored is None or stored.status != Response.IN_PROGRESS:
        return False
    return session.get(OWN, {}).get(survey.id) != stored.public_id


def forget(survey: Survey, restarted: bool = False) -> None:
    """Forget whoever used the device last: their response (unreachable from now on), their consent,
    language, receipt and code. The response's cookie is deleted by `after_request`."""
    stored = devices.from_cookie(survey)
    if stored is not None and stored.status == Response.IN_PROGRESS:
        db.session.execute(update(Response).where(Response.id == stored.id).values(resume_token_hash=None))
        db.session.commit()
    for key in (devices.PENDING, devices.BY_CODE, devices.SENT_IN, "receipts", SEEN, OWN):
        session.get(key, {}).pop(survey.id, None)
    session.pop("lang", None)
    if restarted:
        session.setdefault(RESTARTED, {})[survey.id] = True
    session.modified = True
    g.kiosk_forgot = survey


def restarted_notice(survey: Survey) -> bool:
    """Whether the start page should say the survey started again after nobody used it (said once)."""
    said = session.get(RESTARTED, {}).pop(survey.id, False)
    if said:
        session.modified = True
    return bool(said)


def delete_forgotten_cookie(http):
    """After a request that forgot someone: their resume cookie goes too."""
    survey = g.pop("kiosk_forgot", None)
    if survey is not None:
        http.delete_cookie(devices.cookie_name(survey), path=f"/s/{survey.id}")
    return http
