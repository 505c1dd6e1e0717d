"""Publishing in the browser: upload a survey file (a new survey, or a new version of one), read its
problems and what it changes, preview it as a resident, publish it; open and close a survey.

Who: admins for any survey id (only they add new surveys, at /admin/surveys/new), researchers with
the `manage` level for the surveys they manage (on each survey's publishing page). Everyone else
gets 404, as for any survey they cannot see.
"""

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models import SurveyUpload, utcnow
from app.research import preview, publishing
from app.research.access import admin_only, manage_level, may_publish, survey_or_404, upload_or_404
from app.research.blueprint import bp
from app.research.formatting import label_language
from app.research.forms import ConfirmForm
from app.research.publishing_forms import NewSurveyForm, SurveyTextForm, UploadForm, WindowForm
from app.surveys.catalog import current_registry
from app.surveys.loader import content_hash
from app.surveys.models import Survey

# The whole file in one text field: read up to twice the 1 MB a survey may have, so that a text
# somewhat too large gets a message (and is kept in the form) rather than a bare 413.
MAX_TEXT_BYTES = 2 * publishing.MAX_BYTES
# What the audit log calls a new status published from a survey's page.
WINDOW_ACTIONS = {"open": "survey_opened", "closed": "survey_closed", "draft": "survey_drafted"}

bp.before_app_request(preview.serve)
bp.app_context_processor(preview.banner)


def takes_survey_text(view):
    """Mark a view whose form holds a whole survey file as text (app/security.py reads it)."""
    view.max_text_bytes = MAX_TEXT_BYTES
    return view


@bp.context_processor
def publishing_helpers() -> dict:
    """`may_publish(survey_id)` for the survey pages' tabs."""
    return {"may_publish": lambda survey_id: may_publish(current_user, survey_id)}


# ----------------------------------------------------------------------------- a new survey


@bp.get("/surveys/new")
@admin_only
def new_survey():
    """The page that adds a survey: upload its file (admins only)."""
    return render_template("research/new_survey.html", form=NewSurveyForm(), nav="surveys")


@bp.post("/surveys/new")
@admin_only
def new_survey_post():
    """Keep the new survey's file, then show what checking it found."""
    form = NewSurveyForm()
    if not form.validate_on_submit():
        return render_template("research/new_survey.html", form=form, nav="surveys"), 400
    upload = _keep(form.survey_id, form.file_name, form.text, "file")
    db.session.commit()
    return redirect(url_for(".upload", upload_id=upload.public_id))


# ----------------------------------------------------------------------------- a survey's page


@bp.get("/surveys/<survey_id>/publish")
@manage_level
def publishing_page(survey_id: str):
    """A survey's publishing page: the live version and its history, a new version to upload or edit
    here, the status and dates."""
    return _publishing_page(survey_id)


@bp.post("/surveys/<survey_id>/publish")
@manage_level
def upload_version(survey_id: str):
    """Keep an uploaded new version of the survey, then show what checking it found."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _publishing_page(survey_id, upload_form=form, status=400)
    upload = _keep(survey_id, form.file_name, form.text, "file")
    db.session.commit()
    return redirect(url_for(".upload", upload_id=upload.public_id))


@bp.post("/surveys/<survey_id>/edit")
@manage_level
@takes_survey_text
def edit_version(survey_id: str):
    """Keep the survey's file as edited on its page, then show what checking it found."""
    form = SurveyTextForm()
    if not form.validate_on_submit():
        return _publishing_page(survey_id, text_form=form, status=400)
    upload = _keep(
        survey_id, f"{survey_id}.yaml", publishing.typed_text(form.text.data), "edited on the page"
    )
    db.session.commit()
    return redirect(url_for(".upload", upload_id=upload.public_id))


@bp.post("/surveys/<survey_id>/status")
@manage_level
def change_status(survey_id: str):
    """Publish the survey with a new status and dates, set in its live file (comments and layout kept)."""
    survey = survey_or_404(survey_id)
    form = WindowForm()
    if not form.validate_on_submit():
        return _publishing_page(survey_id, window_form=form, status=400)
    opens_at, closes_at = form.moment(form.opens_at), form.moment(form.closes_at)
    live = publishing.live_text(db.session, survey_id, _folder())
    file_name = f"{survey_id}.yaml"
    text, result = publishing.with_window(live, file_name, survey, form.status.data, opens_at, closes_at)
    if result.survey is None:
        return _publishing_page(survey_id, window_form=form, problems=result.problems, status=400)
    if content_hash(result.survey) == content_hash(survey):
        flash(_("The status and dates are as they were: nothing was published."))
        return redirect(url_for(".publishing_page", survey_id=survey_id))
    window = {"status": form.status.data, "opens_at": opens_at or "–", "closes_at": closes_at or "–"}
    try:
        number = _publish(result.survey, text, file_name, (WINDOW_ACTIONS[form.status.data], window))
    except publishing.FolderNotWritable as error:
        return _publishing_page(survey_id, window_form=form, unwritable=error, status=503)
    flash(_("Version %(number)d is published with the new status and dates.", number=number))
    return redirect(url_for(".publishing_page", survey_id=survey_id))


# ----------------------------------------------------------------------------- an upload


@bp.get("/uploads/<upload_id>")
def upload(upload_id: str):
    """An uploaded survey file: its problems, what it changes, and the buttons to preview and publish it."""
    return _upload_page(upload_or_404(upload_id))


@bp.post("/uploads/<upload_id>")
@takes_survey_text
def check_upload(upload_id: str):
    """Check the file as fixed on the page: kept as a new upload (the earlier one stays), then shown."""
    upload = upload_or_404(upload_id)
    form = SurveyTextForm()
    if not form.validate_on_submit():
        return _upload_page(upload, text_form=form, status=400)
    fixed = _keep(
        upload.survey_id, upload.file_name, publishing.typed_text(form.text.data), "edited on the page"
    )
    db.session.commit()
    return redirect(url_for(".upload", upload_id=fixed.public_id))


@bp.post("/uploads/<upload_id>/preview")
def preview_upload(upload_id: str):
    """Preview the upload as a resident: recorded as a version, not published, served to this browser only."""
    upload = upload_or_404(upload_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    survey = publishing.check(upload).survey
    if survey is None:
        return _upload_page(upload, status=400)
    number = publishing.record_for_preview(db.session, upload, survey)
    audit.record(
        db.session,
        "survey_previewed",
        survey_id=survey.id,
        version=number,
        file=upload.file_name,
        upload=upload.public_id,
    )
    db.session.commit()
    http = redirect(url_for("answering.start", survey_id=survey.id, lang=survey.default_language))
    preview.start(http, upload, survey)
    return http


@bp.post("/uploads/<upload_id>/publish")
def publish_upload(upload_id: str):
    """Publish the upload: its file written to the surveys folder, its version served to residents
    by every worker within a second."""
    upload = upload_or_404(upload_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    survey = publishing.check(upload).survey
    if survey is None:
        return _upload_page(upload, status=400)
    live = current_registry().get(survey.id)
    if live is not None and content_hash(live) == content_hash(survey):
        flash(_("This is the live version already: nothing was published."))
        return redirect(url_for(".upload", upload_id=upload.public_id))
    upload.published_at = utcnow()
    try:
        number = _publish(survey, upload.text, upload.file_name)
    except publishing.FolderNotWritable as error:
        return _upload_page(upload, unwritable=error, status=503)
    flash(
        _(
            "Version %(number)d of %(survey)s is published: residents are served it now.",
            number=number,
            survey=survey.id,
        )
    )
    http = redirect(url_for(".publishing_page", survey_id=survey.id))
    if preview.previewed_upload_id() == upload.public_id:
        preview.end(http, survey)
    return http


@bp.post("/preview/end")
def end_preview():
    """Stop previewing: this browser is served the live survey again, starting afresh."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    upload_id = preview.previewed_upload_id()
    found = (
        db.session.scalars(select(SurveyUpload).filter_by(public_id=upload_id)).first() if upload_id else None
    )
    if found is None or not may_publish(current_user, found.survey_id):
        http = redirect(url_for(".index"))
        preview.end(http, None)
        return http
    http = redirect(url_for(".upload", upload_id=found.public_id))
    stored = current_registry().stored(db.session, found.version_id) if found.version_id else None
    preview.end(http, stored)
    return http


# ----------------------------------------------------------------------------- helpers


def _folder() -> Path:
    return Path(current_app.config["LYSSNA_SURVEYS_DIR"])


def _keep(survey_id: str, file_name: str, text: str, source: str) -> SurveyUpload:
    """Keep a file for the steps that follow, and say so in the audit log (with how many problems it has)."""
    upload = publishing.keep_upload(db.session, survey_id, file_name, text, current_user.email)
    problems = len(publishing.check(upload).problems)
    audit.record(
        db.session,
        "survey_uploaded",
        survey_id=survey_id,
        file=file_name,
        upload=upload.public_id,
        problems=problems,
        source=source,
    )
    return upload


def _publish(survey: Survey, text: str, file_name: str, *also: tuple[str, dict]) -> int:
    """Write the file, make its definition the live version and audit it (with `also`'s events), in one
    commit; the version's number. FolderNotWritable: nothing was published (and nothing is kept)."""
    try:
        with publishing.landing(_folder(), survey.id, text):
            number = publishing.publish(db.session, survey, current_user.email)
            audit.record(db.session, "survey_published", survey_id=survey.id, version=number, file=file_name)
            for action, detail in also:
                audit.record(db.session, action, survey_id=survey.id, version=number, **detail)
            db.session.commit()
    except publishing.FolderNotWritable:
        db.session.rollback()
        raise
    return number


def _publishing_page(
    survey_id: str,
    upload_form=None,
    text_form=None,
    window_form=None,
    problems=(),
    unwritable=None,
    status: int = 200,
):
    survey = survey_or_404(survey_id)
    window = window_form or WindowForm(
        data={
            "status": survey.status,
            "opens_at": survey.opens_at.isoformat() if survey.opens_at else "",
            "closes_at": survey.closes_at.isoformat() if survey.closes_at else "",
        }
    )
    text = text_form or SurveyTextForm(data={"text": publishing.live_text(db.session, survey_id, _folder())})
    return render_template(
        "research/publishing.html",
        survey=survey,
        lang=label_language(survey),
        upload_form=upload_form or UploadForm(),
        text_form=text,
        window_form=window,
        problems=problems,
        unwritable=unwritable,
        history=publishing.history(db.session, survey_id),
        uploads=publishing.recent_uploads(db.session, survey_id),
        nav="surveys",
        tab="publish",
    ), status


def _upload_page(upload: SurveyUpload, text_form=None, unwritable=None, status: int = 200):
    result = publishing.check(upload)
    live = current_registry().get(upload.survey_id)
    return render_template(
        "research/upload.html",
        upload=upload,
        problems=result.problems,
        candidate=result.survey,
        report=publishing.against_live(db.session, result.survey) if result.survey else None,
        live=live,
        lang=label_language(live) if live else None,
        text_form=text_form or SurveyTextForm(data={"text": upload.text}),
        confirm=ConfirmForm(),
        previewing=preview.previewed_upload_id() == upload.public_id,
        unwritable=unwritable,
        nav="surveys",
    ), status
