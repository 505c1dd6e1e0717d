"""Exports from the dashboard: streamed at once when small, made in the background when large."""

import tempfile
from typing import IO

from flask import abort, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import audit
from app.exports import ExportError, prepare_export
from app.exports.files import PreparedExport
from app.exports.pilot import prepare_pilot_export, wave_order
from app.extensions import db
from app.models import ExportJob
from app.observability import request_id
from app.research import jobs
from app.research.access import export_job_or_404, pilot_surveys, survey_or_404
from app.research.blueprint import bp
from app.research.filters import Filters, parse_filters
from app.research.formatting import label_language
from app.research.photos import photo_questions

SPOOL_BYTES = 16 * 1024 * 1024  # an inline export larger than this is made in a temporary file


@bp.post("/surveys/<survey_id>/export")
def export(survey_id: str):
    """Download the responses with the dashboard's filters (format, codes or labels, label language).

    A POST with the form token: an export writes the audit log (and may start a job), so a link
    from elsewhere must not be able to make one."""
    survey = survey_or_404(survey_id)
    parsed = parse_filters(request.form, survey)
    if parsed.problems:  # never an export of other rows than the ones asked for
        return _export_error(survey, " ".join(str(problem) for problem in parsed.problems), 400)
    try:
        fmt, options = jobs.export_options(survey, parsed.filters, request.form)
        prepared = prepare_export(survey_id, fmt, options)
    except ExportError as exc:
        return _export_error(survey, str(exc), 400)
    # With its photos the export is a ZIP of many files: always made in the background.
    media = request.form.get("media") == "1" and bool(photo_questions(survey))
    if media or jobs.runs_in_background(fmt, prepared.rows):
        job = jobs.new_job(db.session, current_user.id, survey_id, fmt, options, media)
        db.session.commit()  # the job records the export in the audit log once its file is made
        jobs.start(current_app._get_current_object(), job.id)
        return redirect(url_for("research.export_job", survey_id=survey_id, job_id=job.public_id))
    made = _made_whole(prepared)
    if made is None:
        message = _(
            "The export could not be made. The problem was logged with the code %(code)s.", code=request_id()
        )
        return _export_error(survey, message, 500)
    audit.record(db.session, "export", survey_id=survey_id, rows=prepared.rows, **jobs.describe(fmt, options))
    db.session.commit()
    return _sent(made, prepared)


@bp.post("/pilots/<pilot>/export")
def pilot_export(pilot: str):
    """Download one file across the waves of a pilot that the researcher may see, made whole first.

    Complete responses, demo data only when the pilot page includes it (as its figures do)."""
    surveys = pilot_surveys(current_user, pilot)
    newest = max(surveys, key=wave_order)  # the guard made sure there is one
    languages = list(dict.fromkeys(lang for survey in surveys for lang in survey.languages))
    try:
        filters = Filters(demo=request.form.get("demo") == "1")
        fmt, options = jobs.export_options(newest, filters, request.form, languages)
        prepared = prepare_pilot_export(pilot, fmt, options, surveys)
    except ExportError as exc:
        return _export_error(newest, str(exc), 400)
    made = _made_whole(prepared)
    if made is None:
        message = _(
            "The export could not be made. The problem was logged with the code %(code)s.", code=request_id()
        )
        return _export_error(newest, message, 500)
    waves = [wave.survey.id for wave in prepared.table.waves]
    details = {**jobs.describe(fmt, options), "pilot": pilot, "surveys": waves}
    audit.record(db.session, "export", survey_id=newest.id, rows=prepared.rows, **details)
    db.session.commit()
    return _sent(made, prepared)


def _sent(made: IO[bytes], prepared: PreparedExport):
    """The made file as a download named by the export."""
    sent = send_file(made, mimetype=prepared.mimetype, max_age=0)
    sent.headers["Content-Disposition"] = f'attachment; filename="{prepared.download_name}"'
    return sent


def _made_whole(prepared: PreparedExport) -> IO[bytes] | None:
    """The export's file, made whole before anything is sent, so that a failure is a page of its own
    rather than a broken download (and no download is recorded that never happened); None if it failed
    (logged, with its request id)."""
    made = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (send_file closes it)
    try:
        prepared.write_to_stream(made)
    except Exception:  # logged with its traceback; the researcher gets a page saying so
        made.close()
        current_app.logger.exception("export of %s as %s failed", prepared.table.survey.id, prepared.fmt)
        return None
    made.seek(0)
    return made


def _export_error(survey, message: str, status: int):
    """The page that says why an export could not be made."""
    page = render_template(
        "research/export_error.html",
        survey=survey,
        message=message,
        lang=label_language(survey),
        nav="surveys",
        tab="dashboard",
    )
    return page, status


@bp.get("/surveys/<survey_id>/exports/<job_id>")
def export_job(survey_id: str, job_id: str):
    """The progress of a background export, then its download link."""
    survey = survey_or_404(survey_id)
    job = export_job_or_404(survey_id, job_id)
    resumed = jobs.resume_if_stopped(current_app._get_current_object(), job)
    return render_template(
        "research/export_job.html",
        survey=survey,
        job=job,
        resumed=resumed,
        lang=label_language(survey),
        nav="surveys",
        tab="dashboard",
    )


@bp.get("/surveys/<survey_id>/exports/<job_id>/download")
def export_download(survey_id: str, job_id: str):
    """The file of a finished background export."""
    job = export_job_or_404(survey_id, job_id)
    path = jobs.job_path(job)
    if job.status != ExportJob.DONE or not path.is_file():
        abort(404)
    return send_file(path, as_attachment=True, download_name=job.file_name, max_age=0)
