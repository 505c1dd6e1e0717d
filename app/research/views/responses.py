"""A survey's responses one by one: the list, a single response, deleting one, finding one by receipt code."""

from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import attachments, audit
from app.extensions import db
from app.research import dashboard as dashboards
from app.research import photos, responses
from app.research.access import manage_level, manages, response_or_404, survey_or_404, visible_survey_ids
from app.research.blueprint import bp
from app.research.filters import parse_filters
from app.research.formatting import label_language
from app.research.forms import ConfirmForm, ReceiptForm
from app.results import receipts


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["LYSSNA_TIMEZONE"])


def _page_number() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1


@bp.get("/surveys/<survey_id>/responses")
def responses_list(survey_id: str):
    """The survey's responses, newest first, a page at a time, with the receipt-code search."""
    survey = survey_or_404(survey_id)
    parsed = parse_filters(request.args, survey)
    page = _page_number()
    rows, total = responses.page_of_responses(db.session, survey_id, parsed.filters, _zone(), page)
    return render_template(
        "research/responses.html",
        survey=survey,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // responses.PER_PAGE)),
        per_page=responses.PER_PAGE,
        filters=parsed.filters,
        problems=parsed.problems,
        hidden_values=dashboards.hidden_values(db.session, survey, parsed.filters),
        receipt_form=ReceiptForm(request.args if "code" in request.args else None),
        lang=label_language(survey),
        nav="surveys",
        tab="responses",
    ), (400 if parsed.problems else 200)


@bp.get("/receipt")
def receipt():
    """Find a response by the receipt code a resident quotes (for an erasure request), in visible surveys."""
    form = ReceiptForm(request.args)
    if not form.validate():
        return render_template("research/receipt.html", form=form, nav="surveys"), 400
    found = responses.find_by_receipt(db.session, form.code.data, visible_survey_ids(current_user))
    if found is None:
        form.code.errors.append(_("No response with this code in the surveys you can see. Check the code."))
        return render_template("research/receipt.html", form=form, nav="surveys"), 404
    return redirect(url_for("research.response", survey_id=found.survey_id, public_id=found.public_id))


@bp.get("/surveys/<survey_id>/responses/<public_id>")
def response(survey_id: str, public_id: str):
    """One response: each question the resident was shown, with the answer in words."""
    survey = survey_or_404(survey_id)
    found = response_or_404(survey_id, public_id)
    lang = label_language(survey)
    answered_with = responses.definition_of(db.session, found, survey)
    shown = responses.shown_answers(answered_with, found, lang)
    return render_template(
        "research/response.html",
        survey=survey,
        response=found,
        shown=shown,
        lang=lang,
        nav="surveys",
        tab="responses",
        form=ConfirmForm(),
        may_delete=manages(current_user, survey_id),
    )


@bp.get("/surveys/<survey_id>/responses/<public_id>/photos/<name>")
def response_photo(survey_id: str, public_id: str, name: str):
    """A photo of the response (a thumbnail with ?size=small), private to researchers with a grant."""
    found = response_or_404(survey_id, public_id)
    if not attachments.owns_photo(db.session, found, name):
        abort(404)
    return photos.send_photo(name, small=request.args.get("size") == "small")


@bp.get("/surveys/<survey_id>/responses/<public_id>/delete")
@manage_level
def delete_confirm(survey_id: str, public_id: str):
    """Ask before deleting a response."""
    survey = survey_or_404(survey_id)
    found = response_or_404(survey_id, public_id)
    return render_template(
        "research/delete.html",
        survey=survey,
        response=found,
        form=ConfirmForm(),
        lang=label_language(survey),
        nav="surveys",
        tab="responses",
    )


@bp.post("/surveys/<survey_id>/responses/<public_id>/delete")
@manage_level
def delete(survey_id: str, public_id: str):
    """Delete the response for good (and its photos); the audit log records who and when."""
    found = response_or_404(survey_id, public_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    kept = responses.delete_response(db.session, found)
    receipts.record_erasure(db.session, survey_id, kept["receipt_code"])  # the resident can learn it
    dashboards.forget(survey_id)
    audit.record(db.session, "response_deleted", survey_id=survey_id, **kept)
    db.session.commit()
    flash(_("The response %(code)s is deleted.", code=kept["receipt_code"] or kept["response"][:8]))
    return redirect(url_for("research.responses_list", survey_id=survey_id))
