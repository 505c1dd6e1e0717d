"""Exports from the dashboard: the researcher's choices as export options, and big exports in the background.

An export with more rows than LYSSNA_EXPORT_INLINE_ROWS runs in a thread of the worker that got the
request; its state and progress live in an `export_job` row, so any worker can show them, and the file
is written under LYSSNA_EXPORTS_DIR/jobs/ with a name made from the job's random id only.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.exports import FORMATS, ExportError, ExportOptions, prepare_export
from app.exports.archive import archive_name, write_with_media
from app.extensions import db
from app.models import ExportJob, utcnow
from app.research.filters import Filters
from app.surveys.models import Survey

log = logging.getLogger(__name__)

SEPARATORS = {"comma": ",", "semicolon": ";", "tab": "\t"}
# LYSSNA_EXPORT_INLINE_ROWS is measured for xlsx, the slowest writer (about 4,000 rows per CPU second,
# benchmarks/export_bench.py); the others are several times faster, so they may stream more rows.
SPEED_OVER_XLSX = {"xlsx": 1, "sav": 3, "dta": 3, "csv": 5, "json": 5}
PROGRESS_EVERY = 1.0  # seconds between progress writes
STALE_AFTER = timedelta(hours=1)  # unfinished after this long: the worker running it was stopped
KEEP_FILES = timedelta(hours=24)

_running: list[threading.Thread] = []


def export_options(survey: Survey, filters: Filters, args: Mapping[str, str]) -> tuple[str, ExportOptions]:
    """The format and export options from the dashboard's export form and its current filters."""
    fmt = args.get("format", "xlsx")
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format '{fmt}'.")
    lang = args.get("lang")
    options = ExportOptions(
        values="labels" if args.get("values") == "labels" else "codes",
        lang=lang if lang in survey.languages else None,
        submitted_from=filters.date_from,
        submitted_to=filters.date_to,
        where=filters.hidden,
        language=filters.language,
        include_partial=filters.partial,
        include_demo=filters.demo,
        sep=SEPARATORS.get(args.get("sep", "comma"), ","),
    )
    return fmt, options


def describe(fmt: str, options: ExportOptions) -> dict:
    """What the audit log keeps about an export: format and every option, as plain JSON values."""
    detail = {"format": fmt}
    for key, value in asdict(options).items():
        if value not in (None, (), False) or key in ("include_demo", "include_partial"):
            detail[key] = value.isoformat() if hasattr(value, "isoformat") else value
    detail["where"] = [f"{name}={value}" for name, value in options.where]
    return detail


def params(fmt: str, options: ExportOptions, media: bool = False) -> dict:
    """The job's stored parameters (JSON), from which the thread rebuilds the options."""
    data = asdict(options)
    for key in ("submitted_from", "submitted_to"):
        data[key] = data[key].isoformat() if data[key] else None
    data["where"] = [list(pair) for pair in options.where]
    return {"format": fmt, "options": data, "media": media}


def options_from(stored: dict) -> tuple[str, ExportOptions]:
    """The format and options stored with a job."""
    from datetime import date

    data = dict(stored["options"])
    for key in ("submitted_from", "submitted_to"):
        data[key] = date.fromisoformat(data[key]) if data[key] else None
    data["where"] = tuple(tuple(pair) for pair in data["where"])
    return stored["format"], ExportOptions(**data)


def runs_in_background(fmt: str, rows: int) -> bool:
    """True when an export is too large to make within one request."""
    return rows > current_app.config["LYSSNA_EXPORT_INLINE_ROWS"] * SPEED_OVER_XLSX.get(fmt, 1)


def jobs_dir(app: Flask | None = None) -> Path:
    """Where background exports are written."""
    return Path((app or current_app).config["LYSSNA_EXPORTS_DIR"]) / "jobs"


def job_path(job: ExportJob, app: Flask | None = None) -> Path:
    """The job's file: named by its random id and format only (a ZIP when it carries the photos)."""
    extension = "zip" if job.params.get("media") else job.params["format"]
    return jobs_dir(app) / f"{job.public_id}.{extension}"


def is_stale(job: ExportJob) -> bool:
    """True for a job still unfinished long after it started: its worker was restarted or stopped."""
    unfinished = job.status in (ExportJob.QUEUED, ExportJob.RUNNING)
    return unfinished and utcnow() - job.created_at > STALE_AFTER


def start(app: Flask, job_id: int) -> threading.Thread:
    """Run the job in a background thread of this process."""
    thread = threading.Thread(target=run, args=(app, job_id), name=f"export-{job_id}", daemon=True)
    _running[:] = [t for t in _running if t.is_alive()] + [thread]
    thread.start()
    return thread


def wait_for_jobs(timeout: float = 60) -> None:
    """Wait until the background exports of this process have finished (for tests and shutdown)."""
    for thread in list(_running):
        thread.join(timeout)


def run(app: Flask, job_id: int) -> None:
    """Make the export file of a job, recording progress; any failure is recorded, never lost."""
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        fmt, options = options_from(job.params)
        job.status = ExportJob.RUNNING
        db.session.commit()
        try:
            prepared = prepare_export(job.survey_id, fmt, options)
            job.rows_total = prepared.rows
            db.session.commit()
            if job.params.get("media"):
                file_name = archive_name(prepared)
                write_with_media(prepared, job_path(job, app), _progress_writer(job_id))
            else:
                file_name = prepared.filename
                prepared.write(job_path(job, app), _progress_writer(job_id))
        except Exception as exc:  # recorded on the job and logged with its traceback
            log.exception("background export %s failed", job.public_id)
            db.session.rollback()
            job = db.session.get(ExportJob, job_id)
            job.status, job.error = ExportJob.FAILED, str(exc)[:500] or exc.__class__.__name__
        else:
            job.status, job.file_name, job.rows_done = ExportJob.DONE, file_name, prepared.rows
        job.finished_at = utcnow()
        db.session.commit()
        remove_old_files(app)


def _progress_writer(job_id: int):
    """A progress callback that writes done/total at most once a second, on its own connection
    (the export is still reading rows on the session's)."""
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY and done < total:
            return
        last[0] = now
        with db.engine.begin() as conn:
            conn.execute(
                update(ExportJob).where(ExportJob.id == job_id).values(rows_done=done, rows_total=total)
            )

    return progress


def remove_old_files(app: Flask) -> None:
    """Delete background export files older than a day (the job rows stay, for the record)."""
    folder = jobs_dir(app)
    if not folder.is_dir():
        return
    cutoff = time.time() - KEEP_FILES.total_seconds()
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def new_job(
    session: Session,
    researcher_id: int,
    survey_id: str,
    fmt: str,
    options: ExportOptions,
    media: bool = False,
) -> ExportJob:
    """Record a background export (flushed; the view commits and then starts it)."""
    job = ExportJob(researcher_id=researcher_id, survey_id=survey_id, params=params(fmt, options, media))
    session.add(job)
    session.flush()
    return job
