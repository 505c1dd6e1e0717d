"""What every worker serves: the published version of each survey, reloaded within a second of a publish.

The database, not the surveys folder, says which version of a survey residents are served: the
newest `Publication` of each survey. Publishing (`flask surveys sync`, the researcher area) adds a
publication; every worker of every instance compares the number of publications with the one its
registry was built from at most once a second, and rebuilds its registry when it moved
(docs/design.md, "Reloading"). A request sees one registry from start to end.

The folder a worker starts with is offered once, at its first look at the database: a survey that
has never been published is published as its file is, and so is a file whose definition was never
recorded (edited in place, then the service restarted). A file that holds an older recorded version
than the published one is left alone, with a warning: an instance whose folder is behind must not
take a survey back.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Publication, SurveyVersion
from app.surveys.loader import content_hash, survey_from_json
from app.surveys.models import Survey
from app.surveys.registry import (
    Registry,
    SyncReport,
    load_registry,
    log_unsynced,
    preview,
    record_version,
)
from app.surveys.versions import compare

EXTENSION_KEY = "lyssna.catalog"
_REQUEST_KEY = "_lyssna_registry"


@dataclass(frozen=True)
class Published:
    """A survey's live version: its id, number among the survey's versions, and hash."""

    version_id: int
    content_hash: str


def generation(session: Session) -> tuple[int, int]:
    """What changes whenever anything is published: the number of publications, and the newest id.

    The count as well as the id: on PostgreSQL two publishes can commit out of the order of their ids.
    """
    count, newest = session.execute(select(func.count(), func.max(Publication.id))).one()
    return count, newest or 0


def published(session: Session) -> dict[str, Published]:
    """Every survey's live version: the version of its newest publication."""
    newest = select(func.max(Publication.id)).group_by(Publication.survey_id)
    rows = session.execute(
        select(Publication.survey_id, Publication.version_id, SurveyVersion.content_hash)
        .join(SurveyVersion, SurveyVersion.id == Publication.version_id)
        .where(Publication.id.in_(newest))
    )
    return {row.survey_id: Published(row.version_id, row.content_hash) for row in rows}


def publish(session: Session, version: SurveyVersion, how: str, by: str | None = None) -> Publication:
    """Make a stored version the one residents are served (flushed, not committed).

    This process sees it at its next look; other workers within a second of the commit.
    """
    publication = Publication(survey_id=version.survey_id, version_id=version.id, how=how, by=by)
    session.add(publication)
    session.flush()
    if has_app_context() and EXTENSION_KEY in current_app.extensions:
        current_app.extensions[EXTENSION_KEY].look_again()
    return publication


class Catalog:
    """One worker's view of the published surveys: its registry, rebuilt when the generation moves."""

    def __init__(self, files: Registry, check_every: float = 1.0) -> None:
        self.files = files  # the surveys folder as this worker found it when it started
        self.check_every = check_every
        self._registry: Registry | None = None
        self._generation: tuple[int, int] | None = None
        self._checked = float("-inf")
        self._parsed: dict[int, Survey] = {}  # stored definitions by version id, kept across rebuilds
        self._lock = threading.Lock()

    def look_again(self) -> None:
        """Check the generation at the next use, not a second later (this process just published)."""
        self._checked = float("-inf")

    def registry(self, session: Session) -> Registry:
        """The registry to serve: the one built last, after checking the generation if a second has passed."""
        if self._registry is not None and time.monotonic() - self._checked < self.check_every:
            return self._registry
        with self._lock:
            if self._registry is not None and time.monotonic() - self._checked < self.check_every:
                return self._registry
            try:
                if self._registry is None:
                    offer_folder(session, self.files)
                now = generation(session)
                if now != self._generation:
                    self._registry = self._build(session)
                    self._generation = now
            except SQLAlchemyError:
                session.rollback()
                if self._registry is None:
                    raise
                # The database did not answer: serve what was served, look again at the next request.
                current_app.logger.exception("surveys: could not check for a new publication")
                return self._registry
            self._checked = time.monotonic()
            return self._registry

    def _build(self, session: Session) -> Registry:
        """A registry of the published definitions, with the folder's problems."""
        live = published(session)
        missing = [v.version_id for v in live.values() if v.version_id not in self._parsed]
        if missing:
            rows = session.execute(
                select(SurveyVersion.id, SurveyVersion.definition).where(SurveyVersion.id.in_(missing))
            )
            self._parsed.update((row.id, survey_from_json(row.definition)) for row in rows)
        registry = Registry(self.files.folder, problems=list(self.files.problems))
        for survey_id, version in sorted(live.items()):
            registry.surveys[survey_id] = self._parsed[version.version_id]
            registry._version_ids[survey_id] = version.version_id
        return registry


def offer_folder(session: Session, files: Registry) -> None:
    """Publish the folder's surveys that were never published, or whose file was never recorded; commit.

    A file holding an older recorded version than the published one stays unpublished, with a warning.
    """
    log = current_app.logger
    live = published(session)
    for survey_id, survey in sorted(files.surveys.items()):
        digest = content_hash(survey)
        current = live.get(survey_id)
        if current is not None and current.content_hash == digest:
            continue
        version, created = record_version(session, survey)
        if current is None or created:
            if created:
                against = current.version_id if current else None
                log_unsynced(preview(session, survey, before_id=version.id, against=against))
            publish(session, version, Publication.START)
        else:
            log.warning(
                "survey %s: %s/%s.yaml holds an earlier version than the published one, which stays; "
                "`flask surveys sync` would publish the file",
                survey_id,
                files.folder,
                survey_id,
            )
    session.commit()


def sync(session: Session, files: Registry) -> list[SyncReport]:
    """Record every valid file of a folder, and publish each whose definition is not the live one.

    A file holding an earlier recorded version publishes that version again: running sync is saying
    "serve what the folder holds". Each report says what changed since the version that was live.
    """
    live = published(session)
    reports = []
    for survey_id, survey in sorted(files.surveys.items()):
        version, created = record_version(session, survey)
        files._version_ids[survey_id] = version.id
        current = live.get(survey_id)
        if current is not None and current.version_id == version.id:
            reports.append(SyncReport(survey_id, new_version=False, number=_number(session, version)))
            continue
        if created:
            report = preview(session, survey, before_id=version.id, against=current and current.version_id)
        else:  # back to an earlier version: what changes is measured against the live one
            report = SyncReport(survey_id, new_version=False, number=_number(session, version))
            if current is not None:
                live_version = session.get(SurveyVersion, current.version_id)
                report.since = _number(session, live_version)
                report.changes = compare(survey_from_json(live_version.definition), survey)
        publish(session, version, Publication.SYNC)
        report.published = True
        reports.append(report)
    return reports


def _number(session: Session, version: SurveyVersion) -> int:
    """A stored version's number among its survey's versions (1 for the first)."""
    return session.scalar(
        select(func.count())
        .select_from(SurveyVersion)
        .where(SurveyVersion.survey_id == version.survey_id, SurveyVersion.id <= version.id)
    )


def current_registry() -> Registry:
    """The registry of the running app: the same one for the whole of a request."""
    catalog: Catalog = current_app.extensions[EXTENSION_KEY]
    if not has_request_context():  # a command, or a test in an app context: whatever is live now
        return catalog.registry(db.session)
    registry = g.get(_REQUEST_KEY)
    if registry is None:
        registry = g.setdefault(_REQUEST_KEY, catalog.registry(db.session))
    return registry


def serve_in_this_request(registry: Registry) -> None:
    """Serve `registry` for the rest of this request instead of the live one (a manager's preview)."""
    setattr(g, _REQUEST_KEY, registry)


def _forget_request_registry() -> None:
    g.pop(_REQUEST_KEY, None)


def init_app(app: Flask) -> None:
    """Load the surveys folder (invalid files are logged and left out); serve what is published."""
    files = load_registry(Path(app.config["LYSSNA_SURVEYS_DIR"]))
    for problem in files.problems:
        app.logger.warning("survey definition problem: %s", problem)
    app.extensions[EXTENSION_KEY] = Catalog(files, app.config["LYSSNA_RELOAD_CHECK_SECONDS"])
    app.before_request(_forget_request_registry)
    app.teardown_appcontext(lambda _exc: _forget_request_registry())
