"""Exports from the dashboard: the researcher's choices as export options, and big exports in the background.

An export with more rows than LYSSNA_EXPORT_INLINE_ROWS is made outside the request; its state and
progress live in an `export_job` row, so any worker can show them, and the file is written under
LYSSNA_EXPORTS_DIR/jobs/ with a name made from the job's random id only. Only the run whose number
is the job's `attempts` may write progress, the file or the outcome; each run writes to a file of
its own and puts it in place only when it is done.

With REDIS_URL the job is an RQ job (app/jobs): when a worker dies, RQ hands the job to another
(a new run, up to MAX_RUNS), and when the last run is lost too, `gave_up` fails it with a reason.

Without Redis it runs in a thread of the web worker that got the request, and gunicorn recycles a
worker after tens of thousands of requests (max_requests), or it may be killed; its export thread
goes with it. So there a run holds its job by a heartbeat: every few seconds it writes the time.
When the heartbeat has stopped, the next look at the job (the progress page polls) starts a new run
in the worker that served it; after MAX_RUNS interrupted runs the job fails with a reason.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import Engine, func, true, update
from sqlalchemy.orm import Session

from app import audit
from app.exports import FORMATS, ExportError, ExportOptions, prepare_export
from app.exports.archive import archive_name, write_with_media
from app.extensions import db
from app.jobs import queue
from app.models import ExportJob, Researcher, utcnow
from app.research.filters import Filters
from app.surveys.models import Survey

log = logging.getLogger(__name__)

SEPARATORS = {"comma": ",", "semicolon": ";", "tab": "\t"}
# LYSSNA_EXPORT_INLINE_ROWS is measured for xlsx, the slowest writer (about 4,000 rows per CPU second,
# benchmarks/export_bench.py); the others are several times faster, so they may stream more rows.
# A DDI codebook reads no rows (only counts them): never made in the background.
SPEED_OVER_XLSX = {"xlsx": 1, "sav": 3, "zsav": 3, "dta": 3, "csv": 5, "json": 5, "ddi": float("inf")}
PROGRESS_EVERY = 1.0  # seconds between progress writes
HEARTBEAT_EVERY = 5.0  # seconds between a run's heartbeats
TAKE_OVER_AFTER = timedelta(seconds=60)  # no heartbeat for this long: the run was stopped
MAX_RUNS = 3
QUEUED_TIMEOUT = 3 * 3600  # seconds an export may run on an RQ worker (100,000 rows as xlsx take a minute)
KEEP_FILES = timedelta(hours=24)
UNFINISHED = (ExportJob.QUEUED, ExportJob.RUNNING)

_running: list[threading.Thread] = []


def export_options(
    survey: Survey, filters: Filters, args: Mapping[str, str], languages: list[str] | None = None
) -> tuple[str, ExportOptions]:
    """The format and export options from the dashboard's export form and its current filters (the pilot
    page's form passes the languages of all its waves). The form's `datapackage` is a CSV with its
    datapackage.json."""
    fmt = args.get("format", "xlsx")
    package = fmt == "datapackage"
    fmt = "csv" if package else fmt
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format '{fmt}'.")
    lang = args.get("lang")
    options = ExportOptions(
        values="labels" if args.get("values") == "labels" else "codes",
        lang=lang if lang in (languages or survey.languages) else None,
        submitted_from=filters.date_from,
        submitted_to=filters.date_to,
        where=filters.hidden,
        language=filters.language,
        include_partial=filters.partial,
        include_demo=filters.demo,
        channel=filters.channel,
        sep=SEPARATORS.get(args.get("sep", "comma"), ","),
        datapackage=package,
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
    """The job's file: named by its random id and format only (a ZIP when it carries the photos or is a
    data package)."""
    zipped = job.params.get("media") or job.params["options"].get("datapackage")
    extension = "zip" if zipped else job.params["format"]
    return jobs_dir(app) / f"{job.public_id}.{extension}"


def stopped(job: ExportJob, now: datetime | None = None) -> bool:
    """True for an unfinished job whose run has not written a heartbeat for TAKE_OVER_AFTER."""
    last = job.heartbeat_at or job.created_at
    return job.status in UNFINISHED and (now or utcnow()) - last > TAKE_OVER_AFTER


def claim(job_id: int, take_over: bool = False, queued: bool = False) -> int | None:
    """Start a new run of the job: its run number, or None when the job is not free to run.

    A new job is free once (no run yet); with `take_over`, an unfinished job whose heartbeat
    stopped is. The check and the claim are one UPDATE, so of two workers looking at once, one wins.
    `queued`: RQ runs the job, and runs it again only when the run before is gone, so any unfinished
    job is free.
    """
    table = ExportJob.__table__
    now = utcnow()
    if queued:
        free = true()
    elif take_over:
        free = func.coalesce(table.c.heartbeat_at, table.c.created_at) < now - TAKE_OVER_AFTER
    else:
        free = table.c.attempts == 0
    statement = (
        update(table)
        .where(table.c.id == job_id, table.c.status.in_(UNFINISHED), free)
        .values(status=ExportJob.RUNNING, heartbeat_at=now, attempts=table.c.attempts + 1)
        .returning(table.c.attempts)
    )
    with db.engine.begin() as conn:
        return conn.execute(statement).scalar_one_or_none()


def start(app: Flask, job_id: int, take_over: bool = False) -> threading.Thread | None:
    """Queue the job on RQ (with Redis), or claim it and make its file in a background thread of this
    process (the thread; None: queued, or not claimed)."""
    if queue.uses_redis(app) and not take_over:
        _enqueue(app, job_id)
        return None
    run_number = claim(job_id, take_over)
    if run_number is None:
        return None
    thread = threading.Thread(
        target=run, args=(app, job_id, run_number), name=f"export-{job_id}-{run_number}", daemon=True
    )
    _running[:] = [t for t in _running if t.is_alive()] + [thread]
    thread.start()
    return thread


def resume_if_stopped(app: Flask, job: ExportJob) -> bool:
    """Start the job again when its run stopped (True), or fail it after MAX_RUNS interrupted runs.
    On RQ the queue does this (`make_file`, `gave_up`): never here."""
    if queue.uses_redis(app) or not stopped(job):
        return False
    if job.attempts >= MAX_RUNS:
        reason = f"It was interrupted {job.attempts} times (the server restarted). Please start it again."
        _finish(db.engine, job.id, job.attempts, status=ExportJob.FAILED, error=reason)
        resumed = False
    else:
        resumed = start(app, job.id, take_over=True) is not None
    db.session.refresh(job)  # as the take-over (or the failure) left it
    return resumed


def wait_for_jobs(timeout: float = 60) -> None:
    """Wait until the background exports of this process have finished (for tests and shutdown)."""
    for thread in list(_running):
        thread.join(timeout)


class RunTakenOver(Exception):
    """Another run has the job now: this one stops without writing anything more."""


def _enqueue(app: Flask, job_id: int) -> None:
    """Put the job on RQ: retried by the queue when its worker dies, failed by `gave_up` at the end."""
    from rq import Callback, Retry

    public_id = db.session.get(ExportJob, job_id).public_id
    queue.enqueue(
        make_file,
        job_id,
        app=app,
        timeout=QUEUED_TIMEOUT,
        retry=Retry(max=MAX_RUNS - 1, interval=[10, 60]),
        job_id=f"{queue.queue_name(app)}-export-{public_id}",
        on_failure=Callback(gave_up),
    )


def make_file(job_id: int) -> None:
    """The RQ job: make the export's file as a new run (RQ runs it again only when the run before
    was lost, so the new run takes over), without a heartbeat: the queue watches its workers."""
    run_number = claim(job_id, queued=True)
    if run_number is not None:
        run(current_app._get_current_object(), job_id, run_number, heartbeat=False)


def gave_up(rq_job, connection, exc_type, exc_value, traceback) -> None:
    """RQ's failure callback: once no retry is left, the export fails with the reason (the runs'
    own errors are recorded by `run`; this is a worker that died or a run past its time)."""
    if rq_job.retries_left:
        return
    job_id = rq_job.args[1]
    with queue.app_context():
        reason = f"It was interrupted {MAX_RUNS} times (the worker stopped). Please start it again."
        table = ExportJob.__table__
        unfinished = (table.c.id == job_id, table.c.status.in_(UNFINISHED))
        with db.engine.begin() as conn:
            conn.execute(
                update(table)
                .where(*unfinished)
                .values(status=ExportJob.FAILED, error=reason, finished_at=utcnow())
            )


def run(app: Flask, job_id: int, run_number: int, heartbeat: bool = True) -> None:
    """Make the export file of a job as run `run_number` (with a heartbeat, in-process); any failure
    is recorded."""
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        fmt, options = options_from(job.params)
        final = job_path(job, app)
        partial = final.with_name(f"{final.name}.run{run_number}")
        beating = _Heartbeat(job_id, run_number) if heartbeat else None
        outcome: dict = {}
        try:
            prepared = prepare_export(job.survey_id, fmt, options)
            _write_progress(job_id, run_number, 0, prepared.rows)
            progress = _progress_writer(job_id, run_number, beating)
            if job.params.get("media") or prepared.is_package:
                file_name = archive_name(prepared)
                write_with_media(prepared, partial, progress, photos=bool(job.params.get("media")))
            else:
                file_name = prepared.filename
                prepared.write(partial, progress)
            outcome = {"status": ExportJob.DONE, "file_name": file_name, "rows_done": prepared.rows}
        except RunTakenOver:
            log.info("background export %s: run %s stopped, a later run has it", job.public_id, run_number)
        except Exception as exc:  # recorded on the job and logged with its traceback
            log.exception("background export %s failed", job.public_id)
            outcome = {"status": ExportJob.FAILED, "error": str(exc)[:500] or exc.__class__.__name__}
        finally:
            if beating is not None:
                beating.stop()
            db.session.rollback()
        recorded = bool(outcome) and _finish(db.engine, job_id, run_number, **outcome)
        if recorded and outcome["status"] == ExportJob.DONE:
            partial.replace(final)
            _record_made(job, fmt, options, outcome["rows_done"])
        partial.unlink(missing_ok=True)  # a failed run's, or one that lost its job
        remove_old_files(app)


def _record_made(job: ExportJob, fmt: str, options: ExportOptions, rows: int) -> None:
    """The audit log's record of a background export, written once its file exists (never for one that
    failed), in the name of the researcher who asked for it."""
    researcher = db.session.get(Researcher, job.researcher_id) if job.researcher_id else None
    details = {**describe(fmt, options), **({"media": True} if job.params.get("media") else {})}
    actor = researcher.email if researcher is not None else None
    audit.record(db.session, "export", actor=actor, survey_id=job.survey_id, rows=rows, **details)
    db.session.commit()


def _write_as_run(engine: Engine, job_id: int, run_number: int, **values) -> bool:
    """Write to the job as run `run_number`, only while that is the job's current, unfinished run;
    True when written (False: a later run has the job, or it is finished)."""
    table = ExportJob.__table__
    mine = (table.c.id == job_id, table.c.attempts == run_number, table.c.status.in_(UNFINISHED))
    with engine.begin() as conn:
        return conn.execute(update(table).where(*mine).values(values)).rowcount == 1


def _finish(engine: Engine, job_id: int, run_number: int, **outcome) -> bool:
    """Record the outcome of run `run_number`, if it is still the job's run; True when recorded."""
    return _write_as_run(engine, job_id, run_number, finished_at=utcnow(), **outcome)


def _write_progress(job_id: int, run_number: int, done: int, total: int) -> None:
    """Record progress (and a heartbeat); raise RunTakenOver when this run no longer has the job."""
    values = {"rows_done": done, "rows_total": total, "heartbeat_at": utcnow()}
    if not _write_as_run(db.engine, job_id, run_number, **values):
        raise RunTakenOver(job_id)


class _Heartbeat:
    """A thread that writes the run's heartbeat every HEARTBEAT_EVERY seconds until stopped, and notes
    when the run has lost its job (the export then stops at its next progress report)."""

    def __init__(self, job_id: int, run_number: int) -> None:
        self.job_id, self.run_number = job_id, run_number
        self.engine = db.engine  # the app's engine: the thread has no app context to find it by
        self.lost = False
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stopping.wait(HEARTBEAT_EVERY):
            try:
                beat = _write_as_run(self.engine, self.job_id, self.run_number, heartbeat_at=utcnow())
                self.lost = not beat
            except Exception:  # a database hiccup: try again at the next beat
                log.warning("background export %s: heartbeat not written", self.job_id, exc_info=True)
            if self.lost:
                return

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()


def _progress_writer(job_id: int, run_number: int, heartbeat: _Heartbeat | None):
    """A progress callback that writes done/total at most once a second, on its own connection
    (the export is still reading rows on the session's), and stops the run that lost its job."""
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if heartbeat is not None and heartbeat.lost:
            raise RunTakenOver(job_id)
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY and done < total:
            return
        last[0] = now
        _write_progress(job_id, run_number, done, total)

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
