"""A set of survey definitions by id, each linked to its stored version: what a worker serves (built by
app/surveys/catalog.py from the published versions), or what a surveys folder holds."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Response, SurveyVersion
from app.surveys.loader import (
    Problem,
    canonical_json,
    content_hash,
    load_file,
    survey_files,
    survey_from_json,
)
from app.surveys.models import Survey
from app.surveys.versions import Change, compare

T = TypeVar("T")


@dataclass
class Registry:
    """The valid surveys of a folder by id, the problems of the files that are not valid."""

    folder: Path
    surveys: dict[str, Survey] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    _version_ids: dict[str, int] = field(default_factory=dict)
    _derived: dict[Hashable, object] = field(default_factory=dict)

    def get(self, survey_id: str) -> Survey | None:
        """The survey with this id, or None."""
        return self.surveys.get(survey_id)

    def version_id(self, session: Session, survey_id: str) -> int:
        """The stored version id of the survey's current definition, recording it if new.

        A file changed without `flask surveys sync` is recorded here, on first use; what changed
        and what the change drops are then logged, since no one is at a terminal to read them.
        """
        if survey_id not in self._version_ids:
            survey = self.surveys[survey_id]
            version, created = record_version(session, survey)
            if created:
                log_unsynced(preview(session, survey, before_id=version.id))
            self._version_ids[survey_id] = version.id
        return self._version_ids[survey_id]

    def with_survey(self, survey: Survey, version_id: int) -> Registry:
        """A copy serving `survey` (stored as `version_id`) in place of its live version, with nothing
        derived yet: a manager's preview of an unpublished version, never this registry changed."""
        return Registry(
            self.folder,
            surveys={**self.surveys, survey.id: survey},
            problems=list(self.problems),
            _version_ids={**self._version_ids, survey.id: version_id},
        )

    def derived(self, key: Hashable, build: Callable[[], T]) -> T:
        """Something worked out from the surveys (a page's form class, say), built on first use and
        kept as long as the registry: a publish builds a new registry, never changes this one."""
        try:
            return self._derived[key]  # type: ignore[return-value]
        except KeyError:
            value = self._derived[key] = build()
            return value

    def stored(self, session: Session, version_id: int) -> Survey | None:
        """A stored version's definition (None if there is no such version, which is not remembered),
        parsed once."""
        key = ("stored version", version_id)
        if key not in self._derived:
            version = session.get(SurveyVersion, version_id)
            if version is None:
                return None
            self._derived[key] = survey_from_json(version.definition)
        return self._derived[key]  # type: ignore[return-value]


def log_unsynced(report: SyncReport) -> None:
    """Log what a version recorded on first use changed since the one before, as `sync` would print it."""
    if not report.since:  # a first version changes nothing
        return
    log = current_app.logger
    log.warning(
        "survey %s: version %d recorded without `flask surveys sync`, changes since version %d:",
        report.survey_id,
        report.number,
        report.since,
    )
    for line in [change.text for change in report.changes] + report.warnings:
        log.warning("survey %s: %s", report.survey_id, line)


def load_registry(folder: Path) -> Registry:
    """Load every survey file of a folder; invalid files are left out and their problems kept."""
    registry = Registry(folder)
    if not folder.is_dir():
        return registry
    for path in survey_files([folder]):
        result = load_file(path)
        registry.problems.extend(result.problems)
        if result.survey is None:
            continue
        registry.surveys[result.survey.id] = result.survey
    return registry


def record_version(session: Session, survey: Survey) -> tuple[SurveyVersion, bool]:
    """The stored version for this definition, added (and flushed) if it is new; True if it was.

    Several workers may start at once: a concurrent insert of the same version is not an error.
    """
    digest = content_hash(survey)
    query = select(SurveyVersion).filter_by(survey_id=survey.id, content_hash=digest)
    version = session.scalars(query).first()
    if version is not None:
        return version, False
    definition = json.loads(canonical_json(survey))
    version = SurveyVersion(survey_id=survey.id, content_hash=digest, definition=definition)
    try:
        with session.begin_nested():
            session.add(version)
    except IntegrityError:  # another worker recorded it first
        return session.scalars(query).one(), False
    return version, True


@dataclass
class SyncReport:
    """What sync did (or would do) for one survey: its version, what changed and what it warns about.

    `number` is the version's number among the survey's stored versions (1 for the first), `since`
    the number of the newest stored version it was compared with (0 when none was stored).
    """

    survey_id: str
    new_version: bool
    warnings: list[str] = field(default_factory=list)
    number: int = 0
    since: int = 0
    changes: list[Change] = field(default_factory=list)
    published: bool = False  # sync made this version the live one


def preview(
    session: Session, survey: Survey, before_id: int | None = None, against: int | None = None
) -> SyncReport:
    """What recording this definition does against the versions stored before `before_id`; writes
    nothing. Its changes are those since the version `against` (the live one), else the newest
    stored: a version previewed in the browser and never published is not what residents see."""
    query = select(SurveyVersion.id, SurveyVersion.content_hash).filter_by(survey_id=survey.id)
    if before_id is not None:
        query = query.where(SurveyVersion.id < before_id)
    stored = session.execute(query.order_by(SurveyVersion.id)).all()
    digest = content_hash(survey)
    match = next((n for n, row in enumerate(stored, start=1) if row.content_hash == digest), None)
    base = next((n for n, row in enumerate(stored, start=1) if row.id == against), len(stored))
    report = SyncReport(survey.id, new_version=match is None, number=match or len(stored) + 1, since=base)
    if base and stored[base - 1].content_hash != digest:
        compared = session.get(SurveyVersion, stored[base - 1].id)
        report.changes = compare(survey_from_json(compared.definition), survey)
    if report.new_version:
        report.warnings = breaking_changes(session, survey, before_id)
    return report


def breaking_changes(session: Session, survey: Survey, current_version_id: int | None) -> list[str]:
    """What the current definition removes or retypes compared with versions that have responses."""
    query = select(Response.version_id, func.count()).where(Response.survey_id == survey.id)
    if current_version_id is not None:
        query = query.where(Response.version_id != current_version_id)
    dropped: Counter = Counter()
    for version_id, n in session.execute(query.group_by(Response.version_id)).all():
        old = survey_from_json(session.get(SurveyVersion, version_id).definition)
        for change in compare(old, survey):
            if change.drops_data:
                dropped[change.text] += n
    return [
        f"{what} while {n} response(s) exist on earlier versions; their answers stay stored "
        "and exported as they were"
        for what, n in dropped.items()
    ]
