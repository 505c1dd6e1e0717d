"""Scheduled exports: a researcher's export options, made again daily or weekly; the newest file is kept.

The first file is made at the next look for due work (app/jobs/ticker.py, every few seconds), then
every day at RUN_AT local time, or every Monday at RUN_AT. A run is claimed by raising `runs` from
the value read, in one UPDATE: of all the processes looking, one makes the file. The file is made in
the owner's name, only while the owner's account is active and may see the survey.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app import audit
from app.exports import FORMATS, ExportOptions, prepare_export
from app.extensions import db
from app.models import Researcher, ScheduledExport, utcnow

log = logging.getLogger(__name__)

RUN_AT = time(3, 0)  # local time: at night, when nobody waits for the server
TIMEOUT = 3 * 3600  # seconds a run may take on an RQ worker
NO_ACCESS = "The owner of this scheduled export can no longer see the survey (or the account is disabled)."


class ScheduleError(ValueError):
    """A schedule that cannot be saved as asked."""


def next_run(every: str, after: datetime, tz: ZoneInfo) -> datetime:
    """The first RUN_AT (daily), or Monday's RUN_AT (weekly), in local time, later than `after` (UTC)."""
    local = after.astimezone(tz)
    day = local.date()
    if datetime.combine(day, RUN_AT, tz) <= local:
        day += timedelta(days=1)
    if every == ScheduledExport.WEEKLY:
        day += timedelta(days=(7 - day.weekday()) % 7)
    return datetime.combine(day, RUN_AT, tz).astimezone(UTC)


def create(
    session: Session,
    researcher: Researcher,
    survey_id: str,
    fmt: str,
    options: ExportOptions,
    every: str,
    now: datetime | None = None,
) -> ScheduledExport:
    """Save a schedule (flushed); its first file is made at the next look for due work."""
    from app.research.jobs import params

    if every not in ScheduledExport.SCHEDULES:
        raise ScheduleError(f"A schedule is {' or '.join(ScheduledExport.SCHEDULES)}, not '{every}'.")
    if fmt not in FORMATS:
        raise ScheduleError(f"Unknown format '{fmt}'.")
    schedule = ScheduledExport(
        researcher_id=researcher.id,
        survey_id=survey_id,
        params=params(fmt, options),
        every=every,
        next_run_at=now or utcnow(),
    )
    session.add(schedule)
    session.flush()
    return schedule


def visible(session: Session, survey_id: str, researcher: Researcher) -> list[ScheduledExport]:
    """The survey's schedules this person may see: their own; an admin's, everyone's."""
    query = select(ScheduledExport).where(ScheduledExport.survey_id == survey_id)
    if researcher.role != Researcher.ADMIN:
        query = query.where(ScheduledExport.researcher_id == researcher.id)
    return list(session.scalars(query.order_by(ScheduledExport.id)))


def fmt_of(schedule: ScheduledExport) -> str:
    """The schedule's file format."""
    return schedule.params["format"]


def file_path(schedule: ScheduledExport, app: Flask | None = None) -> Path:
    """The newest file: named by the schedule's random id and format only."""
    folder = Path((app or current_app).config["LYSSNA_EXPORTS_DIR"]) / "scheduled"
    return folder / f"{schedule.public_id}.{fmt_of(schedule)}"


def claim_due(now: datetime | None = None) -> list[int]:
    """Claim every schedule that is due: its next run moves on, and its id is returned to the one
    caller whose UPDATE moved it (committed at once, on a connection of its own)."""
    now = now or utcnow()
    tz = ZoneInfo(current_app.config["LYSSNA_TIMEZONE"])
    table = ScheduledExport.__table__
    claimed = []
    with db.engine.begin() as conn:
        due = conn.execute(select(table.c.id, table.c.runs, table.c.every).where(table.c.next_run_at <= now))
        for schedule_id, runs, every in due.all():
            moved = conn.execute(
                update(table)
                .where(table.c.id == schedule_id, table.c.runs == runs)
                .values(runs=runs + 1, next_run_at=next_run(every, now, tz))
            )
            if moved.rowcount == 1:
                claimed.append(schedule_id)
    return claimed


def make_file(schedule_id: int) -> None:
    """The job: make the schedule's file anew, in its owner's name, replacing the one before."""
    from app.research.access import can_see
    from app.research.jobs import describe, options_from

    schedule = db.session.get(ScheduledExport, schedule_id)
    if schedule is None:  # removed since it was claimed
        return
    owner = db.session.get(Researcher, schedule.researcher_id)
    if not owner.active or not can_see(owner, schedule.survey_id):
        schedule.last_error, schedule.last_run_at = NO_ACCESS, utcnow()
        db.session.commit()
        return
    fmt, options = options_from(schedule.params)
    try:
        prepared = prepare_export(schedule.survey_id, fmt, options)
        prepared.write(file_path(schedule))
    except Exception as exc:  # recorded on the schedule (shown to its owner) and logged
        log.exception("scheduled export %s failed", schedule.public_id)
        db.session.rollback()
        schedule = db.session.get(ScheduledExport, schedule_id)
        schedule.last_error, schedule.last_run_at = str(exc)[:500] or exc.__class__.__name__, utcnow()
        db.session.commit()
        return
    schedule.made_at = schedule.last_run_at = utcnow()
    schedule.file_name, schedule.rows, schedule.last_error = prepared.filename, prepared.rows, None
    audit.record(
        db.session,
        "export",
        actor=owner.email,
        survey_id=schedule.survey_id,
        rows=prepared.rows,
        scheduled=schedule.every,
        **describe(fmt, options),
    )
    db.session.commit()


def remove(session: Session, schedule: ScheduledExport) -> None:
    """Delete the schedule and its newest file (flushes; the file goes at once)."""
    file_path(schedule).unlink(missing_ok=True)
    session.delete(schedule)
    session.flush()
