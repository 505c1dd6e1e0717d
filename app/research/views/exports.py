"""Exports from the dashboard: streamed at once when small, made in the background when large."""

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from app import audit
from app.exports import ExportError, prepare_export
from app.extensions import db
from app.models import ExportJob
from app.research import jobs
from app.research.access import export_job_or_404, survey_or_404
from app.research.blueprint import bp
from app.research.filters import parse_filters
from app.research.formatting import label_language
from app.research.photos import photo_questions


@bp.get("/surveys/<survey_id>/export")
def export(survey_id: str):
    """Download the responses with the dashboard's filters (format, codes or labels, label language)."""
    survey = survey_or_404(survey_id)
    parsed = parse_filters(request.args, survey)
    try:
        fmt, options = jobs.export_options(survey, parsed.filters, request.args)
        prepared = prepare_export(survey_id, fmt, options)
    except ExportError as exc:
        return render_template(
            "research/export_error.html",
            survey=survey,
            message=str(exc),
            lang=label_language(survey),
            nav="surveys",
            tab="dashboard",
        ), 400
    # With its photos the export is a ZIP of many files: always made in the background.
    media = request.args.get("media") == "1" and bool(photo_questions(survey))
    details = {**jobs.describe(fmt, options), **({"media": True} if media else {})}
    audit.record(db.session, "export", survey_id=survey_id, rows=prepared.rows, **details)
    if media or jobs.runs_in_background(fmt, prepared.rows):
        job = jobs.new_job(db.session, current_user.id, survey_id, fmt, options, media)
        db.session.commit()
        jobs.start(current_app._get_current_object(), job.id)
        return redirect(url_for("research.export_job", survey_id=survey_id, job_id=job.public_id))
    db.session.commit()
    headers = {"Content-Disposition": f'attachment; filename="{prepared.filename}"'}
    return Response(stream_with_context(prepared.chunks()), mimetype=prepared.mimetype, headers=headers)


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
