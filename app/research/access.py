"""Who may see what in the researcher area: every rule here, applied to every view by `guard`."""

from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import accounts
from app.extensions import db
from app.models import ExportJob, Grant, Researcher, Response, SurveyUpload
from app.surveys.catalog import current_registry
from app.surveys.models import Survey

# The view arguments that name something access depends on; guard() checks each of them.
SURVEY_ARG = "survey_id"
PILOT_ARG = "pilot"
UPLOAD_ARG = "upload_id"
# Where a request that serves an unpublished version to the manager previewing it (app/research/preview.py)
# keeps that survey's id: it may be answered whatever its status, as a test.
PREVIEWED = "_lyssna_previewed_survey"


def public(view: Callable) -> Callable:
    """Mark a view as reachable without signing in (the sign-in and first-admin pages)."""
    view.research_public = True
    return view


def admin_only(view: Callable) -> Callable:
    """Mark a view as for admins only; anyone else gets 404."""
    view.research_admin_only = True
    return view


def manage_level(view: Callable) -> Callable:
    """Mark a view of one survey as for admins and `manage` grants only; a `read` grant gets 404."""
    view.research_manage = True
    return view


def is_admin(user) -> bool:
    """True for a signed-in admin."""
    return bool(user.is_authenticated and user.role == Researcher.ADMIN)


def visible_survey_ids(user) -> set[str]:
    """The ids of the loaded surveys this user may see: all for admins, else the granted ones."""
    known = set(current_registry().surveys)
    if not user.is_authenticated:
        return set()
    if is_admin(user):
        return known
    granted = db.session.scalars(select(Grant.survey_id).filter_by(researcher_id=user.id))
    return known & set(granted)


def can_see(user, survey_id: str) -> bool:
    """True when the user may see this survey's results."""
    return survey_id in visible_survey_ids(user)


def manages(user, survey_id: str) -> bool:
    """True when the user may act on this survey (delete responses, publish, ...): admins, `manage` grants."""
    if not can_see(user, survey_id):
        return False
    if is_admin(user):
        return True
    level = db.session.scalar(select(Grant.level).filter_by(researcher_id=user.id, survey_id=survey_id))
    return level == Grant.MANAGE


def may_publish(user, survey_id: str) -> bool:
    """True when the user may upload, preview and publish files for this survey id: admins for any id
    (a new survey too), `manage` grants for the published surveys they manage."""
    return is_admin(user) or manages(user, survey_id)


def upload_or_404(upload_id: str) -> SurveyUpload:
    """An uploaded survey file the current user may publish, by its public id; otherwise 404."""
    upload = db.session.scalars(select(SurveyUpload).filter_by(public_id=upload_id)).first()
    if upload is None or not may_publish(current_user, upload.survey_id):
        abort(404)
    return upload


def visible_surveys(user) -> list[Survey]:
    """The surveys this user may see, by id."""
    registry = current_registry()
    return [registry.surveys[sid] for sid in sorted(visible_survey_ids(user))]


def pilot_surveys(user, pilot: str) -> list[Survey]:
    """The surveys of one pilot this user may see."""
    return [survey for survey in visible_surveys(user) if survey.pilot == pilot]


def survey_or_404(survey_id: str) -> Survey:
    """The survey, when the current user may see it; otherwise 404 (never revealing it exists)."""
    if not can_see(current_user, survey_id):
        abort(404)
    return current_registry().surveys[survey_id]


def response_or_404(survey_id: str, public_id: str) -> Response:
    """A response of a survey the current user may see, by its public id; otherwise 404."""
    survey_or_404(survey_id)
    response = db.session.scalars(
        select(Response).filter_by(survey_id=survey_id, public_id=public_id)
    ).first()
    if response is None:
        abort(404)
    return response


def export_job_or_404(survey_id: str, job_id: str) -> ExportJob:
    """A background export of this survey started by the current user (admins: by anyone); else 404."""
    survey_or_404(survey_id)
    job = db.session.scalars(select(ExportJob).filter_by(survey_id=survey_id, public_id=job_id)).first()
    if job is None or (job.researcher_id != current_user.id and not is_admin(current_user)):
        abort(404)
    return job


def safe_next(target: str | None) -> str | None:
    """A redirect target after sign-in, only when it is a path inside the researcher area."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or not parts.path.startswith("/admin/"):
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in target):  # a header cannot carry it
        return None
    return target


def guard():
    """Before every researcher view: signed in (session not expired), admin where needed, grants."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "research_public", False):
        return None
    if not current_user.is_authenticated or accounts.session_expired():
        if current_user.is_authenticated:
            accounts.end_session()
            flash(_("You were signed out because the session expired. Please sign in again."))
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("research.login", next=safe_next(target)))
    if getattr(view, "research_admin_only", False) and not is_admin(current_user):
        abort(404)
    args = request.view_args or {}
    if SURVEY_ARG in args:
        survey_or_404(args[SURVEY_ARG])
        if getattr(view, "research_manage", False) and not manages(current_user, args[SURVEY_ARG]):
            abort(404)
    if PILOT_ARG in args and not pilot_surveys(current_user, args[PILOT_ARG]):
        abort(404)
    if UPLOAD_ARG in args:
        upload_or_404(args[UPLOAD_ARG])
    return None


# States in which residents cannot answer yet but a researcher may try the survey out.
PREVIEW_STATES = ("draft", "scheduled")


def can_preview(survey_id: str) -> bool:
    """True when a signed-in researcher (session not expired) may see this survey, so may preview it."""
    if not current_user.is_authenticated or accounts.session_expired():
        return False
    return can_see(current_user, survey_id)


def previewing(survey: Survey) -> bool:
    """True when this request answers a survey residents cannot answer yet (draft or not open yet),
    as a researcher trying it out, or an unpublished version of it, as the manager previewing it:
    allowed, and its responses are stored as test responses."""
    if g.get(PREVIEWED) == survey.id:
        return True
    tz = ZoneInfo(current_app.config["LYSSNA_TIMEZONE"])
    return survey.state(datetime.now(UTC), tz) in PREVIEW_STATES and can_preview(survey.id)
