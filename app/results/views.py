"""The public pages of results: a survey's results (HTML, JSON for open data, an Atom feed of its
updates), per station with ?<by>=<value>, and the receipt-code lookup of the privacy page. The
researcher area's pages for them (updates, quotes) are attached to its blueprint in manage.py."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import force_locale, format_date, get_locale
from flask_babel import gettext as _

from app.answering.access import HIDDEN_VALUE, availability
from app.extensions import db
from app.i18n import text_direction, use_survey_language
from app.languages import fallback
from app.models import ResultUpdate
from app.results import cache, feed, presenting, receipts, updates
from app.results import manage as _manage  # noqa: F401 (the researcher pages, on the research blueprint)
from app.results.forms import ReceiptLookupForm
from app.surveys.catalog import current_registry
from app.surveys.models import Survey
from app.web import budgets

bp = Blueprint("results", __name__, template_folder="templates")

RECEIPT_OUTCOME = "receipt_outcome"  # what a lookup found, shown once after its redirect
RECEIPT_BUDGET, RECEIPT_SCOPE = "receipt_failures", "any"  # a receipt code names no survey: one budget
CORS = {"Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin"}


@bp.app_template_global()
def group_name(survey: Survey, value: str) -> str:
    """A value of the results' `by` field as residents read it: "Station 12" (the survey's `by_label`
    before the value, else the interface's word for a station)."""
    results = survey.results
    if results.by_label is not None:
        return f"{survey.text(results.by_label, str(get_locale()))} {value}"
    if results.by == "station":
        return _("Station %(name)s", name=value)
    return f"{results.by} {value}"


@bp.app_template_global()
def results_group(survey: Survey) -> dict[str, str]:
    """The `by` value this request's link carries, as URL arguments of the results page: the poster of
    station 12 leads to station 12's results."""
    by = survey.results.by if survey.results else None
    value = request.args.get(by) if by else None
    return {by: value} if value and HIDDEN_VALUE.fullmatch(value) else {}


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["LYSSNA_TIMEZONE"])


def _survey(survey_id: str) -> Survey:
    """A survey whose results are public, or 404 (drafts and surveys without public results too)."""
    survey = current_registry().get(survey_id)
    if survey is None or survey.status == "draft" or survey.results is None or not survey.results.public:
        abort(404)
    return survey


def _group(survey: Survey) -> str | None:
    """The value of `by` asked for (?station=12); 404 for one no link can carry."""
    value = request.args.get(survey.results.by) if survey.results.by else None
    if not value:
        return None
    if not HIDDEN_VALUE.fullmatch(value):
        abort(404)
    return value


def _updates(survey: Survey, group: str | None) -> list[ResultUpdate]:
    return updates.listed(db.session, survey, station=group)


@bp.get("/s/<survey_id>/results")
def page(survey_id: str):
    """The results residents see: how many answered, the figures, quotes and updates; one station's."""
    survey = _survey(survey_id)
    group = _group(survey)
    lang = use_survey_language(survey.languages)
    fallback.use_fallbacks(survey.interface_fallbacks(lang))  # texts its catalog lacks, marked
    data = cache.results(db.session, survey, group, _zone())
    return render_template(
        "results/page.html",
        survey=survey,
        lang=lang,
        group=group,
        data=data,
        questions=presenting.questions(survey, data, lang, text_direction(lang) == "rtl"),
        updates=_updates(survey, group),
        answering=availability(survey, _zone()) == "open",
        count=presenting.count,
        day=_day,
        update_text=lambda update: updates.text_in(update, lang, survey),
    )


def _day(moment: datetime | date) -> str:
    """A day in the page's language; a moment on its local day."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(_zone()).date()
    return format_date(moment, "long")


@bp.get("/s/<survey_id>/results.json")
def as_json(survey_id: str):
    """The same figures as data for the city's open-data portal (any site may read them)."""
    survey = _survey(survey_id)
    group = _group(survey)
    data = cache.results(db.session, survey, group, _zone())
    found = {**data, "updates": [updates.as_data(u) for u in _updates(survey, group)]}
    return jsonify(found), 200, CORS


@bp.get("/s/<survey_id>/results.atom")
def atom(survey_id: str):
    """The survey's "you said, we did" updates as an Atom feed (?lang= for titles; every text inside)."""
    survey = _survey(survey_id)
    lang = (
        request.args.get("lang") if request.args.get("lang") in survey.languages else survey.default_language
    )
    listed = updates.listed(db.session, survey)
    with force_locale(lang):
        xml = render_template(
            "results/feed.xml",
            survey=survey,
            lang=lang,
            entries=feed.entries(survey, lang, listed),
            updated=feed.updated(listed),
            page_url=url_for(".page", survey_id=survey.id, _external=True),
            feed_url=url_for(".atom", survey_id=survey.id, _external=True),
        )
    return current_app.response_class(xml, mimetype=feed.MEDIA_TYPE, headers=CORS)


@bp.post("/privacy/receipt")
def receipt_lookup():
    """A resident's receipt code: what became of its answers, told once after a redirect (the code never
    goes into a URL). Codes that name nothing spend a budget, so that codes cannot be guessed."""
    fallback.use_fallbacks((fallback.SOURCE,))
    form = ReceiptLookupForm()
    if not form.validate_on_submit():
        abort(400)
    if not budgets.left(RECEIPT_BUDGET, RECEIPT_SCOPE):
        return render_template("results/receipt.html", outcome="wait"), 429
    outcome = receipts.status(db.session, form.code.data or "")
    if outcome == receipts.UNKNOWN:
        budgets.spend(RECEIPT_BUDGET, RECEIPT_SCOPE)
    session[RECEIPT_OUTCOME] = outcome
    return redirect(url_for(".receipt_answer"))


@bp.get("/privacy/receipt")
def receipt_answer():
    """What the code just looked up says; without one, the privacy page's form."""
    fallback.use_fallbacks((fallback.SOURCE,))
    outcome = session.pop(RECEIPT_OUTCOME, None)
    if outcome not in (receipts.INCLUDED, receipts.NOT_SENT, receipts.DELETED, receipts.UNKNOWN):
        return redirect(url_for("public.privacy", _anchor="receipt"))
    return render_template("results/receipt.html", outcome=outcome)
