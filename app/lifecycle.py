"""The life of stored data: purging what is past its retention, and consistent backups.

`flask data purge` deletes complete responses older than their survey's `retention_days` (by
submitted_at) and in-progress responses idle for LYSSNA_PURGE_INCOMPLETE_DAYS (or the survey's
retention, if shorter), with their photos, and records what it did in the audit log.
`flask data backup PATH` copies a live SQLite database with SQLite's online backup API; for
PostgreSQL it prints the pg_dump command to use instead.
"""

import getpass
import os
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import Select, Text, cast, delete, func, or_, select
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from app import attachments
from app.extensions import db
from app.models import AuditEvent, MediaFile, Response, SurveyVersion, utcnow
from app.private_files import create_private
from app.surveys.catalog import current_registry
from app.surveys.loader import survey_from_json
from app.surveys.registry import Registry

# Deleting in batches keeps each write transaction short: on SQLite residents wait for it.
BATCH_SIZE = 500
# An unfinished response without any answer is kept this long (then `flask data purge` deletes it).
EMPTY_KEPT = timedelta(days=1)


# ----------------------------------------------------------------------------- purge


@dataclass
class Purge:
    """What a purge finds (or deleted) for one survey."""

    survey_id: str
    retention_days: int | None
    complete: int = 0
    in_progress: int = 0
    photos: int = 0

    @property
    def responses(self) -> int:
        """Responses in all."""
        return self.complete + self.in_progress


def retention_days(session: Session, registry: Registry, survey_id: str) -> int | None:
    """The survey's retention: from its loaded definition, else from its latest stored version."""
    survey = registry.get(survey_id)
    if survey is None:
        version = session.scalars(
            select(SurveyVersion).filter_by(survey_id=survey_id).order_by(SurveyVersion.id.desc())
        ).first()
        if version is None:
            return None
        survey = survey_from_json(version.definition)
    return survey.retention_days


def due(survey_id: str, retention: int | None, incomplete_days: int, now: datetime) -> Select:
    """A select of the ids of one survey's responses that are due for deletion at `now`."""
    idle_days = min(incomplete_days, retention) if retention else incomplete_days
    abandoned = (Response.status == Response.IN_PROGRESS) & (
        (Response.updated_at < now - timedelta(days=idle_days))
        # Started without a single answer and left: nothing to keep past a day.
        | ((Response.updated_at < now - EMPTY_KEPT) & (cast(Response.answers, Text) == "{}"))
    )
    condition = abandoned
    if retention:
        expired = (Response.status == Response.COMPLETE) & (
            Response.submitted_at < now - timedelta(days=retention)
        )
        condition = or_(expired, abandoned)
    return select(Response.id).where(Response.survey_id == survey_id, condition)


def survey_ids(session: Session) -> list[str]:
    """Every survey that has stored responses."""
    return list(session.scalars(select(Response.survey_id).distinct().order_by(Response.survey_id)))


def plan_purge(session: Session, registry: Registry, incomplete_days: int, now: datetime) -> list[Purge]:
    """Count, per survey, what a purge at `now` would delete (nothing is changed)."""
    plans = []
    for survey_id in survey_ids(session):
        retention = retention_days(session, registry, survey_id)
        ids = due(survey_id, retention, incomplete_days, now).subquery()
        counts = dict(
            session.execute(
                select(Response.status, func.count())
                .where(Response.id.in_(select(ids)))
                .group_by(Response.status)
            ).all()
        )
        photos = session.scalar(
            select(func.count()).select_from(MediaFile).where(MediaFile.response_id.in_(select(ids)))
        )
        plan = Purge(
            survey_id,
            retention,
            counts.get(Response.COMPLETE, 0),
            counts.get(Response.IN_PROGRESS, 0),
            photos or 0,
        )
        if plan.responses:
            plans.append(plan)
    return plans


def purge_batch(
    session: Session, survey_id: str, retention: int | None, incomplete_days: int, now: datetime
) -> Purge:
    """Delete up to BATCH_SIZE due responses of one survey, record it in the audit log (flushes only).

    Their photo files are removed by app.attachments once the caller's commit succeeds.
    """
    ids = list(session.scalars(due(survey_id, retention, incomplete_days, now).limit(BATCH_SIZE)))
    done = Purge(survey_id, retention)
    if not ids:
        return done
    statuses = session.execute(
        select(Response.status, func.count()).where(Response.id.in_(ids)).group_by(Response.status)
    ).all()
    counts = dict(statuses)
    done.complete = counts.get(Response.COMPLETE, 0)
    done.in_progress = counts.get(Response.IN_PROGRESS, 0)
    done.photos = attachments.discard_responses(session, ids)
    session.execute(delete(MediaFile).where(MediaFile.response_id.in_(ids)))
    session.execute(delete(Response).where(Response.id.in_(ids)))
    session.add(
        AuditEvent(
            actor=command_actor(),
            action="purge",
            survey_id=survey_id,
            detail={
                "complete": done.complete,
                "in_progress": done.in_progress,
                "photos": done.photos,
                "retention_days": retention,
                "incomplete_days": incomplete_days,
            },
        )
    )
    session.flush()
    return done


def command_actor() -> str:
    """Who ran a command: the operating-system user, as 'cli:<name>'."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in some containers
        return "cli"


# ----------------------------------------------------------------------------- backup


class BackupError(RuntimeError):
    """A backup that cannot be made; the message says what to do."""


def sqlite_path(url: URL) -> Path:
    """The file of a SQLite database URL (BackupError for in-memory databases)."""
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def backup_sqlite(source: Path, target: Path) -> int:
    """Copy a live SQLite database to `target` with the online backup API; returns its responses.

    The copy is one consistent snapshot (residents may keep writing meanwhile, WAL lets them), is
    checked with PRAGMA integrity_check, is readable by its owner only, and appears at `target`
    only when complete.
    """
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name.")
    if not source.is_file():
        raise BackupError(f"There is no database at {source}.")
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    create_private(partial)
    try:
        with _connect(source) as live, _connect(partial) as copy:
            live.backup(copy)
            status = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if status != "ok":
                raise BackupError(f"The copy failed its integrity check: {status}")
            responses = copy.execute("SELECT count(*) FROM response").fetchone()[0]
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return responses


class _connect:
    """A sqlite3 connection that waits for writers and is closed (not only committed) on exit."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path)
        self.connection.execute("PRAGMA busy_timeout=10000")

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, *exc) -> None:
        self.connection.close()


def pg_dump_command(url: URL, target: str) -> str:
    """The pg_dump command that backs up this PostgreSQL database (password left to ~/.pgpass)."""
    plain = URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)
    connection = plain.render_as_string(hide_password=False)
    return f"pg_dump --format=custom --no-owner --file={target} '{connection}'"


# ----------------------------------------------------------------------------- commands

data_cli = AppGroup("data", help="Purge data past its retention; back up the database.")


@data_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
def purge_command(dry_run: bool) -> None:
    """Delete responses past their survey's retention and abandoned ones, with their photos."""
    incomplete_days = current_app.config["LYSSNA_PURGE_INCOMPLETE_DAYS"]
    registry = current_registry()
    now = utcnow()
    plans = plan_purge(db.session, registry, incomplete_days, now)
    if dry_run:
        for plan in plans:
            click.echo(_describe(plan, "would delete"))
        total = sum(p.responses for p in plans)
        click.echo(f"Dry run: {total} response(s) would be deleted; nothing was changed.")
        return
    total = 0
    for plan in plans:
        done = Purge(plan.survey_id, plan.retention_days)
        while True:
            batch = purge_batch(db.session, plan.survey_id, plan.retention_days, incomplete_days, now)
            db.session.commit()
            if not batch.responses:
                break
            done.complete += batch.complete
            done.in_progress += batch.in_progress
            done.photos += batch.photos
        click.echo(_describe(done, "deleted"))
        total += done.responses
    orphans = attachments.sweep_orphans(db.session)
    click.echo(f"{total} response(s) deleted, {orphans} orphaned photo file(s) removed.")


def _describe(plan: Purge, verb: str) -> str:
    retention = f"retention {plan.retention_days} days" if plan.retention_days else "no retention set"
    return (
        f"{plan.survey_id}: {verb} {plan.complete} complete, {plan.in_progress} in progress, "
        f"{plan.photos} photo(s) ({retention})"
    )


@data_cli.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
def backup_command(path: Path) -> None:
    """Copy the live SQLite database to PATH (consistent while residents answer)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        click.echo(
            "flask data backup copies SQLite databases; this one is PostgreSQL. Back it up with:\n"
            f"  {pg_dump_command(url, str(path))}\n"
            "(the password comes from ~/.pgpass or PGPASSWORD; restore with pg_restore, see docs/deploy.md)",
            err=True,
        )
        raise SystemExit(2)
    try:
        responses = backup_sqlite(sqlite_path(url), path.resolve())
    except BackupError as error:
        click.echo(f"Backup failed: {error}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Backed up {responses} response(s) to {path}.")
