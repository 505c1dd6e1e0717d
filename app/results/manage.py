"""The researcher area's pages for public results, on its blueprint (so behind its guard): "you said,
we did" updates to write and withdraw, and the free texts to approve as quotes or hide. All `manage`:
a `read` grant gets 404, as for anything else it may not do."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.models import ResultUpdate
from app.research.access import is_admin, manage_level, manages, survey_or_404
from app.research.blueprint import bp
from app.research.formatting import label_language
from app.research.forms import ConfirmForm
from app.results import cache, quotes, updates
from app.results.forms import WHOLE_PILOT, QuoteForm, update_form
from app.surveys.catalog import current_registry
from app.surveys.models import Survey


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["LYSSNA_TIMEZONE"])


def manages_pilot(survey: Survey) -> bool:
    """True when the signed-in researcher may write for the survey's whole pilot: an admin, or one who
    manages every survey of it."""
    if not survey.pilot:
        return False
    pilot = [s.id for s in current_registry().surveys.values() if s.pilot == survey.pilot]
    return is_admin(current_user) or all(manages(current_user, survey_id) for survey_id in pilot)


def _may_change(survey: Survey, update: ResultUpdate) -> bool:
    return update.survey_id == survey.id or manages_pilot(survey)


def _updates_page(survey: Survey, form, status: int = 200):
    return render_template(
        "results/updates.html",
        survey=survey,
        form=form,
        pilot_allowed=manages_pilot(survey),
        listed=updates.listed(db.session, survey, withdrawn=True),
        may_change=lambda update: _may_change(survey, update),
        confirm=ConfirmForm(),
        lang=label_language(survey),
        nav="surveys",
        tab="residents",
    ), status


@bp.get("/surveys/<survey_id>/updates")
@manage_level
def results_updates(survey_id: str):
    """For residents: the public results page, and "you said, we did" updates to write or withdraw."""
    survey = survey_or_404(survey_id)
    return _updates_page(survey, update_form(survey)(formdata=None))


@bp.post("/surveys/<survey_id>/updates")
@manage_level
def results_update_new(survey_id: str):
    """Publish an update on the survey's results (or, for those who manage all of it, its pilot's)."""
    survey = survey_or_404(survey_id)
    form = update_form(survey)()
    whole_pilot = form.scope.data == WHOLE_PILOT
    if not form.validate_on_submit() or (whole_pilot and not manages_pilot(survey)):
        return _updates_page(survey, form, 400)
    updates.write(db.session, survey, form.texts(), form.station.data, whole_pilot)
    db.session.commit()
    flash(_("The update is on the results page."))
    return redirect(url_for("research.results_updates", survey_id=survey.id))


@bp.post("/surveys/<survey_id>/updates/<int:update_id>/withdraw")
@manage_level
def results_update_withdraw(survey_id: str, update_id: int):
    """Take an update off the results page and the feed (it stays listed here, marked withdrawn)."""
    survey = survey_or_404(survey_id)
    update = updates.find(db.session, survey, update_id)
    if update is None or not _may_change(survey, update):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    updates.withdraw(db.session, survey, update)
    db.session.commit()
    flash(_("The update is withdrawn: residents no longer see it."))
    return redirect(url_for("research.results_updates", survey_id=survey.id))


@bp.get("/surveys/<survey_id>/quotes")
@manage_level
def results_quotes(survey_id: str):
    """Free texts of the responses the results count, to approve as quotes for residents or hide."""
    survey = survey_or_404(survey_id)
    view = request.args.get("show", quotes.PENDING)
    view = view if view in quotes.VIEWS else quotes.PENDING
    found, counts = quotes.items(db.session, survey, _zone(), view) if survey.results else ([], {})
    return render_template(
        "results/quotes.html",
        survey=survey,
        items=found,
        counts=counts,
        view=view,
        views=quotes.VIEWS,
        form=QuoteForm(),
        lang=label_language(survey),
        nav="surveys",
        tab="residents",
    )


@bp.post("/surveys/<survey_id>/quotes")
@manage_level
def results_quote_decide(survey_id: str):
    """Approve (shown on the results within a minute) or hide one free text."""
    survey = survey_or_404(survey_id)
    form = QuoteForm()
    if not form.validate_on_submit() or survey.results is None:
        abort(400)
    try:
        quotes.decide(db.session, survey, form.response.data, form.question.data, form.decision.data, _zone())
    except quotes.NotAQuote:
        abort(404)
    db.session.commit()
    cache.forget(survey.id)
    show = request.form.get("show") if request.form.get("show") in quotes.VIEWS else quotes.PENDING
    return redirect(url_for("research.results_quotes", survey_id=survey.id, show=show, _anchor="texts"))
