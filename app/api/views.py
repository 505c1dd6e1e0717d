"""The read API's endpoints under /api/v1: a bearer token at each request, JSON or CSV back, errors as
problem+json. A token acts with its owner's grants as they are now; a survey outside them is a 404."""

from __future__ import annotations

import tempfile
from datetime import timedelta

import orjson
from flask import Blueprint, current_app, g, request, send_file, url_for
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from app import audit
from app.api import paging, queries, tokens
from app.api.openapi import document
from app.api.problems import Problem, from_http_error
from app.clients import client_key
from app.exports import FORMATS, ExportError, prepare_export
from app.exports.delimited import csv_chunks
from app.exports.jsonfile import codebook_json
from app.exports.table import build_table
from app.extensions import csrf, db, limiter
from app.jobs import schedules
from app.models import ExportJob, Researcher, Response, ScheduledExport, SurveyVersion
from app.research import access
from app.research import jobs as export_jobs
from app.surveys.catalog import current_registry, published

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # a token in a header, never a cookie: nothing another site could make a browser send
SPOOL_BYTES = 16 * 1024 * 1024
JSON = "application/json"


def _bearer() -> str | None:
    """The token of the Authorization header (`Bearer <token>`), or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _rate_key() -> str:
    """Rate limits count per token (by its hash), or per client without one."""
    token = _bearer()
    return f"api-token:{tokens.token_hash(token)}" if token else client_key()


def _rate_limit() -> str:
    return current_app.config["LYSSNA_API_RATE_LIMIT"]


limiter.limit(_rate_limit, key_func=_rate_key)(bp)  # once, at import: apps made later share it
# By code too: Flask prefers the app's handlers for a code (its HTML pages) to a blueprint's for a class.
for _code in (400, 401, 403, 404, 405, 413, 429, 500):
    bp.register_error_handler(_code, from_http_error)
bp.register_error_handler(HTTPException, from_http_error)


@bp.before_request
def authenticate() -> None:
    """The token's owner, or a 401 (the API has no session: app/sessions.py)."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "api_public", False):
        return
    token = _bearer()
    owner = tokens.owner(db.session, token) if token else None
    if owner is None:
        raise Problem(401, "Send a valid API token: Authorization: Bearer <token>.")
    db.session.commit()  # the use is counted whatever the request does next
    g.api_owner = owner


def _owner() -> Researcher:
    return g.api_owner


def _survey_or_404(survey_id: str):
    """The survey, while the token's owner may see it; else 404, as in the researcher area."""
    if not access.can_see(_owner(), survey_id):
        raise Problem(404, f"No survey '{survey_id}' that this token may read.")
    return current_registry().surveys[survey_id]


def _json(body: dict, status: int = 200, headers: dict | None = None):
    return current_app.response_class(orjson.dumps(body), status=status, mimetype=JSON, headers=headers)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API (public)."""
    return _json(document(url_for("api.surveys", _external=True).rsplit("/", 1)[0]))


openapi.api_public = True


@bp.get("/surveys")
def surveys():
    """The surveys the token's owner may see: versions, published version, counts of responses."""
    queries.check_known(request.args, ())
    ids = sorted(access.visible_survey_ids(_owner()))
    return _json({"surveys": [_survey_summary(survey_id) for survey_id in ids]})


def _survey_summary(survey_id: str) -> dict:
    survey = current_registry().surveys[survey_id]
    versions = db.session.execute(
        select(SurveyVersion.id, SurveyVersion.first_seen)
        .where(SurveyVersion.survey_id == survey_id)
        .order_by(SurveyVersion.id)
    ).all()
    numbers = {row.id: n for n, row in enumerate(versions, start=1)}
    live = published(db.session).get(survey_id)
    counts = dict(
        db.session.execute(
            select(Response.status, func.count())
            .where(Response.survey_id == survey_id, Response.is_test.is_(False))
            .group_by(Response.status)
        ).all()
    )
    links = {
        name: url_for(f"api.{name}", survey_id=survey_id, _external=True)
        for name in ("codebook", "responses", "export", "scheduled_exports")
    }
    return {
        "id": survey_id,
        "title": {lang: survey.text(survey.title, lang) for lang in survey.languages},
        "languages": list(survey.languages),
        "status": survey.status,
        "versions": [
            {"number": numbers[row.id], "first_seen": row.first_seen.isoformat()} for row in versions
        ],
        "published_version": numbers.get(live.version_id) if live else None,
        "responses": {
            "complete": counts.get(Response.COMPLETE, 0),
            "in_progress": counts.get(Response.IN_PROGRESS, 0),
        },
        "links": links,
    }


@bp.get("/surveys/<survey_id>/codebook")
def codebook(survey_id: str):
    """What every column of the survey's exports holds, in the language asked for (`lang`)."""
    _survey_or_404(survey_id)
    queries.check_known(request.args, ("lang", "values"))
    options = queries.export_options(request.args)
    table = _checked(lambda: build_table(db.session, survey_id, options))
    return _json({"survey": survey_id, "lang": table.lang, "codebook": codebook_json(table)})


@bp.get("/surveys/<survey_id>/responses")
def responses(survey_id: str):
    """One page of responses, in the order they arrived, as JSON records or CSV rows (`format`)."""
    _survey_or_404(survey_id)
    queries.check_known(request.args, ("format", "after", "limit", *queries.OPTIONS))
    fmt = queries.export_format(request.args, ("json", "csv"), "json")
    options = queries.export_options(request.args)
    after, limit = queries.paging(request.args, options.include_partial)
    settle = timedelta(seconds=current_app.config["LYSSNA_API_SETTLE_SECONDS"])
    page = _checked(lambda: paging.page(survey_id, options, after, limit, settle))
    cursor = page.cursor.encode() if page.cursor else None
    more = url_for("api.responses", survey_id=survey_id, _external=True, **_args_with(after=cursor))
    next_url = more if page.count == limit else None
    if fmt == "csv":
        headers = {"Lyssna-Count": str(page.count)}
        if cursor:
            headers["Lyssna-Cursor"] = cursor
        if next_url:
            headers["Link"] = f'<{next_url}>; rel="next"'
        body = b"".join(csv_chunks(page.table))
        return current_app.response_class(body, mimetype="text/csv", headers=headers)
    body = {"survey": survey_id, "count": page.count, "responses": list(page.table.records())}
    body["cursor"] = cursor
    if next_url:
        body["next"] = next_url
    return _json(body)


def _args_with(**changed) -> dict:
    args = request.args.to_dict(flat=False)
    args.update({name: [value] for name, value in changed.items()})
    return args


def _checked(make):
    """Run `make()`; an ExportError (an option the survey does not have) is a 400."""
    try:
        return make()
    except ExportError as exc:
        raise Problem(400, str(exc)) from None


@bp.get("/surveys/<survey_id>/export")
def export(survey_id: str):
    """The whole export as one file (`format`); a large one is made in the background (202: poll it)."""
    _survey_or_404(survey_id)
    queries.check_known(request.args, ("format", *queries.OPTIONS))
    fmt = queries.export_format(request.args, FORMATS, "xlsx")
    options = queries.export_options(request.args)
    prepared = _checked(lambda: prepare_export(survey_id, fmt, options))
    owner = _owner()
    if export_jobs.runs_in_background(fmt, prepared.rows):
        job = export_jobs.new_job(db.session, owner.id, survey_id, fmt, options)
        db.session.commit()  # the job records the export in the audit log once its file is made
        export_jobs.start(current_app._get_current_object(), job.id)
        status_url = url_for("api.export_job", survey_id=survey_id, job_id=job.public_id, _external=True)
        return _json(_job_status(job), 202, {"Location": status_url})
    made = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (send_file closes it)
    prepared.write_to_stream(made)
    made.seek(0)
    details = export_jobs.describe(fmt, options)
    audit.record(
        db.session, "export", actor=owner.email, survey_id=survey_id, rows=prepared.rows, via="api", **details
    )
    db.session.commit()
    return send_file(
        made, mimetype=prepared.mimetype, as_attachment=True, download_name=prepared.filename, max_age=0
    )


def _export_job_or_404(survey_id: str, job_id: str) -> ExportJob:
    _survey_or_404(survey_id)
    job = db.session.scalars(select(ExportJob).filter_by(survey_id=survey_id, public_id=job_id)).first()
    owner = _owner()
    if job is None or (job.researcher_id != owner.id and owner.role != Researcher.ADMIN):
        raise Problem(404, "No such export of this survey for this token.")
    return job


def _job_status(job: ExportJob) -> dict:
    status = {
        "id": job.public_id,
        "status": job.status,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "error": job.error,
    }
    if job.status == ExportJob.DONE:
        status["file"] = url_for(
            "api.export_file", survey_id=job.survey_id, job_id=job.public_id, _external=True
        )
    return status


@bp.get("/surveys/<survey_id>/exports/<job_id>")
def export_job(survey_id: str, job_id: str):
    """How far a background export has come; `file` once it is made."""
    job = _export_job_or_404(survey_id, job_id)
    export_jobs.resume_if_stopped(current_app._get_current_object(), job)
    return _json(_job_status(job))


@bp.get("/surveys/<survey_id>/exports/<job_id>/file")
def export_file(survey_id: str, job_id: str):
    """The file of a finished background export."""
    job = _export_job_or_404(survey_id, job_id)
    path = export_jobs.job_path(job)
    if job.status != ExportJob.DONE or not path.is_file():
        raise Problem(404, "This export has no file (yet, or any more: files are kept a day).")
    return send_file(path, as_attachment=True, download_name=job.file_name, max_age=0)


@bp.get("/surveys/<survey_id>/scheduled-exports")
def scheduled_exports(survey_id: str):
    """The token owner's scheduled exports of the survey (an admin's: everyone's), with the newest files."""
    _survey_or_404(survey_id)
    queries.check_known(request.args, ())
    rows = schedules.visible(db.session, survey_id, _owner())
    return _json({"survey": survey_id, "scheduled_exports": [_schedule(s) for s in rows]})


def _schedule(schedule: ScheduledExport) -> dict:
    made = schedule.made_at is not None and schedules.file_path(schedule).is_file()
    file_url = url_for(
        "api.scheduled_export_file",
        survey_id=schedule.survey_id,
        schedule_id=schedule.public_id,
        _external=True,
    )
    return {
        "id": schedule.public_id,
        "every": schedule.every,
        "format": schedules.fmt_of(schedule),
        "options": schedule.params["options"],
        "next_run_at": schedule.next_run_at.isoformat(),
        "made_at": schedule.made_at.isoformat() if made else None,
        "rows": schedule.rows if made else None,
        "file": file_url if made else None,
        "last_error": schedule.last_error,
    }


@bp.get("/surveys/<survey_id>/scheduled-exports/<schedule_id>/file")
def scheduled_export_file(survey_id: str, schedule_id: str):
    """The newest file of a scheduled export."""
    _survey_or_404(survey_id)
    found = [s for s in schedules.visible(db.session, survey_id, _owner()) if s.public_id == schedule_id]
    if not found or found[0].made_at is None or not schedules.file_path(found[0]).is_file():
        raise Problem(404, "No file of this scheduled export (yet).")
    return send_file(
        schedules.file_path(found[0]), as_attachment=True, download_name=found[0].file_name, max_age=0
    )


@bp.route("/<path:anything>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(anything: str):
    """Anything else under /api/v1: a problem too, not an HTML page (the API is read-only: GET)."""
    if request.method != "GET":
        raise Problem(405, "This API only reads: every endpoint is a GET.")
    raise Problem(404, "No such endpoint: see /api/v1/openapi.json.")


unknown.api_public = True
