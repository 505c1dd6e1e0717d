"""Kiosk devices: a researcher with the `manage` level makes the browser in front of them a kiosk
for one survey (docs/survey-format.md, "Shared devices"), and leaves kiosk mode by signing in."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import accounts, audit
from app.answering import kiosk
from app.extensions import db
from app.research.access import manage_level, manages, survey_or_404
from app.research.blueprint import bp
from app.research.formatting import label_language
from app.research.forms import ConfirmForm
from app.surveys.catalog import current_registry


@bp.get("/surveys/<survey_id>/kiosk")
@manage_level
def kiosk_setup(survey_id: str):
    """What kiosk mode does, the language it starts each person in, and the button that turns it on."""
    survey = survey_or_404(survey_id)
    return _setup_page(survey, survey.languages[0])


def _setup_page(survey, chosen: str, problem: str | None = None, status: int = 200):
    page = render_template(
        "research/kiosk.html",
        survey=survey,
        lang=label_language(survey),
        chosen=chosen,
        problem=problem,
        form=ConfirmForm(),
        nav="surveys",
        tab="share",
    )
    return page, status


@bp.post("/surveys/<survey_id>/kiosk")
@manage_level
def kiosk_start(survey_id: str):
    """Make this browser a kiosk for the survey: a signed device cookie; whoever was signed in here is
    signed out, so the residents who use it next cannot reach the researcher area."""
    survey = survey_or_404(survey_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    language = request.form.get("language", "")
    if language not in survey.languages:
        return _setup_page(survey, survey.languages[0], _("Choose one of the survey's languages."), 400)
    email = current_user.email
    audit.record(db.session, "kiosk_started", survey_id=survey.id, language=language)
    db.session.commit()
    accounts.end_session()  # this browser only: the researcher's other devices stay signed in
    http = redirect(url_for("answering.start", survey_id=survey.id, lang=language))
    http.set_cookie(
        kiosk.DEVICE_COOKIE,
        kiosk.device_cookie(survey.id, language, email),
        max_age=kiosk.DEVICE_DAYS * 24 * 3600,
        path="/",
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )
    return http


@bp.get("/kiosk/leave")
def kiosk_leave_page():
    """Signed in again on a kiosk: say which survey it serves, and offer to leave kiosk mode."""
    device = kiosk.device()
    survey = current_registry().get(device.survey_id) if device else None
    if device is None:
        flash(_("This browser is not a kiosk."))
        return redirect(url_for("research.index"))
    if survey is not None and not manages(current_user, survey.id):
        abort(404)
    return render_template("research/kiosk_leave.html", device=device, survey=survey, form=ConfirmForm())


@bp.post("/kiosk/leave")
def kiosk_leave():
    """Leave kiosk mode: only someone who may manage the kiosk's survey (or an admin) can."""
    device = kiosk.device()
    if device is None or not ConfirmForm().validate_on_submit():
        return redirect(url_for("research.index"))
    known = current_registry().get(device.survey_id) is not None
    if known and not manages(current_user, device.survey_id):
        abort(404)
    audit.record(db.session, "kiosk_left", survey_id=device.survey_id)
    db.session.commit()
    flash(_("This browser is no longer a kiosk."))
    target = url_for("research.dashboard", survey_id=device.survey_id) if known else url_for("research.index")
    http = redirect(target)
    http.delete_cookie(kiosk.DEVICE_COOKIE, path="/")
    return http
