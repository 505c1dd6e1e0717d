"""Preview as a resident: an upload's version, recorded but not published, served to the browser of the
manager who asked for it, and to nobody else.

The browser's session names the upload being previewed. On the resident pages of that survey, and
only for a signed-in account that may publish it, each request is served a copy of the live
registry with that survey replaced (app/surveys/catalog.py, `serve_in_this_request`): the real
answering pages, page flow and languages, with a banner saying it is not published. What is answered
is stored as test responses (app/research/access.py, `previewing`): left out of results and never
exported. Residents, and every other browser, are served the live version as before.
"""

from __future__ import annotations

from flask import g, request, session
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HttpResponse

from app import accounts
from app.answering import devices
from app.extensions import db
from app.models import SurveyUpload
from app.research.access import PREVIEWED, may_publish
from app.surveys import catalog
from app.surveys.models import Survey

SESSION_KEY = "publishing_preview"  # the public id of the upload this browser previews
_UPLOAD = "_lyssna_previewed_upload"  # the upload served in this request, for the banner


def start(http: HttpResponse, upload: SurveyUpload, survey: Survey) -> None:
    """Preview this upload in this browser from the next request on, starting afresh: nothing this
    browser answered of the survey before (a real response, a consent) carries into the preview."""
    session[SESSION_KEY] = upload.public_id
    _start_afresh(http, survey)


def end(http: HttpResponse, survey: Survey | None) -> None:
    """Stop previewing; the preview's answers on this browser are let go, so the live survey starts afresh."""
    session.pop(SESSION_KEY, None)
    if survey is not None:
        _start_afresh(http, survey)


def previewed_upload_id() -> str | None:
    """The public id of the upload this browser previews, if any."""
    value = session.get(SESSION_KEY)
    return value if isinstance(value, str) else None


def _start_afresh(http: HttpResponse, survey: Survey) -> None:
    """Forget what this browser holds of its answers to the survey: the resume cookie, the consent
    given, a response continued by code, the receipt of the last answers sent."""
    http.delete_cookie(devices.cookie_name(survey), path=f"/s/{survey.id}")
    for key in (devices.PENDING, devices.BY_CODE, devices.SENT_IN, "receipts"):
        held = session.get(key)
        if isinstance(held, dict) and survey.id in held:
            held.pop(survey.id)
            session.modified = True


def serve() -> None:
    """Before every request: on a resident page of the survey this browser previews, serve the upload's
    version when the signed-in account may publish it (else the live one, as to everybody)."""
    if request.blueprint != "answering":  # asked first: reading the session adds Vary: Cookie
        return
    survey_id = (request.view_args or {}).get("survey_id")
    upload_id = previewed_upload_id()
    if survey_id is None or upload_id is None:
        return
    upload = db.session.scalars(
        select(SurveyUpload).filter_by(public_id=upload_id, survey_id=survey_id)
    ).first()
    if upload is None or upload.version_id is None:
        return
    if (
        not current_user.is_authenticated
        or accounts.session_expired()
        or not may_publish(current_user, survey_id)
    ):
        return
    live = catalog.current_registry()
    survey = live.stored(db.session, upload.version_id)
    catalog.serve_in_this_request(live.with_survey(survey, upload.version_id))
    setattr(g, PREVIEWED, survey_id)
    setattr(g, _UPLOAD, upload)


def banner() -> dict:
    """For the page layout: the upload previewed in this request (its banner), or nothing."""
    upload = g.get(_UPLOAD)
    return {"publishing_preview": {"upload": upload}} if upload is not None else {}
