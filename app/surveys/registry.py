"""The surveys the app serves: loaded from the surveys folder, each linked to its stored version."""

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

EXTENSION_KEY = "lyssna.registry"
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

        A file changed without `flask surveys sync` is recorded here, on first use; what the
        change drops is then logged, since no one is at a terminal to read it.
        """
        if survey_id not in self._version_ids:
            survey = self.surveys[survey_id]
            version, created = record_version(session, survey)
            if created:
                for warning in breaking_changes(session, survey, version.id):
                    current_app.logger.warning("survey %s: %s", survey_id, warning)
            self._version_ids[survey_id] = version.id
        return self._version_ids[survey_id]

    def derived(self, key: Hashable, build: Callable[[], T]) -> T:
        """Something worked out from the surveys (a page's form class, say), built on first use and
        kept as long as the registry: the definitions never change while the app runs."""
        try:
            return self._derived[key]  # type: ignore[return-value]
        except KeyError:
            value = self._derived[key] = build()
            return value


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


def current_registry() -> Registry:
    """The registry of the running app."""
    return current_app.extensions[EXTENSION_KEY]


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
    """What sync did for one survey, and what it warns about."""

    survey_id: str
    new_version: bool
    warnings: list[str] = field(default_factory=list)


def sync(session: Session, registry: Registry) -> list[SyncReport]:
    """Record a version for every survey whose definition is new; warn about breaking changes."""
    reports = []
    for survey_id, survey in sorted(registry.surveys.items()):
        version, created = record_version(session, survey)
        registry._version_ids[survey_id] = version.id
        report = SyncReport(survey_id, new_version=created)
        if created:
            report.warnings = breaking_changes(session, survey, version.id)
        reports.append(report)
    return reports


def breaking_changes(session: Session, survey: Survey, current_version_id: int) -> list[str]:
    """What the current definition removes or retypes compared with versions that have responses."""
    counts = session.execute(
        select(Response.version_id, func.count())
        .where(Response.survey_id == survey.id, Response.version_id != current_version_id)
        .group_by(Response.version_id)
    ).all()
    if not counts:
        return []
    now_types = {q.id: q.type for _, q in survey.questions()}
    now_values = {q.id: {c.value for c in survey.choices(q)} for _, q in survey.questions()}
    removed: Counter = Counter()
    for version_id, n in counts:
        old = survey_from_json(session.get(SurveyVersion, version_id).definition)
        for _, question in old.questions():
            if question.id not in now_types:
                removed[f"question '{question.id}' was removed"] += n
            elif now_types[question.id] != question.type:
                removed[
                    f"question '{question.id}' changed type from {question.type} to {now_types[question.id]}"
                ] += n
            else:
                for value in sorted(
                    {c.value for c in old.choices(question)} - now_values[question.id], key=str
                ):
                    removed[f"choice {value!r} of '{question.id}' was removed"] += n
    return [
        f"{what} while {n} response(s) exist on earlier versions; their answers stay stored "
        "and exported as they were"
        for what, n in removed.items()
    ]
