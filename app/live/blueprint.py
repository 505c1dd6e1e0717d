"""The live screen's blueprint: /admin pages behind the researcher area's guard, display-link pages that
check their own token, and requests that leave the session as it was (a screen refreshing keeps no
sign-in alive)."""

from flask import Blueprint, current_app, request, session
from flask_login import current_user

from app.live.figures import local_minute
from app.research import access, formatting
from app.research.blueprint import template_helpers

bp = Blueprint("live", __name__, template_folder="templates")
# Every /admin page here passes the researcher area's guard; a display link's pages are marked public
# and check their token themselves.
bp.before_request(access.guard)


def passive(view):
    """Mark a view whose requests leave the session as it was: a screen refreshing keeps no sign-in alive."""
    view.live_passive = True
    return view


def _view():
    return current_app.view_functions.get(request.endpoint or "")


@bp.after_request
def leave_sessions_alone(response):
    """A passive view's response sets no cookie: neither the session's lifetime nor the moment its
    researcher was last seen moves (the guard's look at the session is forgotten)."""
    if getattr(_view(), "live_passive", False):
        session.permanent = False
        session.modified = False
    return response


@bp.context_processor
def helpers() -> dict:
    """Formatting helpers; on the /admin pages also the researcher area's (the signed-in user, ...)."""
    shared = {
        "local_time": formatting.local_time,
        "percent": formatting.percent,
        "count": formatting.count,
        "width_class": formatting.width_class,
        "fmt_number": formatting.number,
        "scale_note": formatting.scale_note,
        "local_minute": local_minute,
    }
    if getattr(_view(), "research_public", False):
        return shared
    return {**template_helpers(), **shared}


@bp.app_template_global()
def manages_survey(survey_id: str) -> bool:
    """True when the signed-in researcher may act on the survey (for links to `manage` pages)."""
    return access.manages(current_user, survey_id)
