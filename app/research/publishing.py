"""Publishing in the browser: survey files uploaded and kept, checked, compared with the live version,
recorded for a preview, and written to the surveys folder when published (docs/survey-format.md,
"Publishing in the browser"). Nothing here commits: the views do, once."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path, PurePosixPath

import yaml
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Publication, SurveyUpload, SurveyVersion
from app.research import survey_yaml
from app.surveys import catalog
from app.surveys.loader import LoadResult, Problem, canonical_json, content_hash, load_text, survey_from_json
from app.surveys.models import SURVEY_ID, Survey
from app.surveys.registry import SyncReport, breaking_changes, record_version
from app.surveys.versions import compare

MAX_BYTES = 1024 * 1024  # a survey file larger than this is refused (the examples are 6 to 21 KB)
# Not a survey id that can be added here: /admin/surveys/new is the page that adds surveys.
RESERVED_IDS = frozenset({"new"})


class UploadRefused(ValueError):
    """A file that is not kept at all (not .yaml, too large, not UTF-8); the message says why."""


class FolderNotWritable(OSError):
    """The surveys folder cannot take the file: nothing is published."""

    def __init__(self, folder: Path, reason: str) -> None:
        super().__init__(reason)
        self.folder, self.reason = folder, reason


# ----------------------------------------------------------------------------- uploads


def file_name_of(name: str | None) -> str:
    """The last part of an uploaded file's name, without control characters (shown, never a path)."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    return re.sub(r"[\x00-\x1f\x7f]", "", base)[:255]


def read_upload(name: str, data: bytes) -> str:
    """An uploaded survey file's text; UploadRefused unless it is a .yaml file of at most 1 MB in UTF-8."""
    if not name.endswith(".yaml"):
        raise UploadRefused(_("Choose a survey file whose name ends in .yaml (such as bins.yaml)."))
    if not data.strip():
        raise UploadRefused(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise UploadRefused(_("The file is larger than 1 MB, too large for a survey file."))
    try:
        text = data.decode("utf-8-sig")  # a byte order mark some editors add is not part of the text
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:  # NUL: not text at all (and PostgreSQL would refuse to keep it)
        raise UploadRefused(
            _("The file is not UTF-8 text. Save it as UTF-8 in your editor, then upload it again.")
        )
    return text


def new_survey_id(name: str) -> str:
    """The id a new survey's file name gives (bins.yaml -> bins); UploadRefused when it cannot be one."""
    stem = name.removesuffix(".yaml")
    if not re.fullmatch(SURVEY_ID, stem) or stem in RESERVED_IDS:
        raise UploadRefused(
            _(
                "Name the file after the new survey's id, such as bins.yaml: the id has lowercase "
                "letters, digits and '-', 2 to 63 characters (and is not 'new')."
            )
        )
    return stem


def typed_text(text: str) -> str:
    """Text typed in a form: browsers send line breaks as CR LF, the file has LF."""
    return text.replace("\r\n", "\n")


def too_large(text: str) -> bool:
    """True when a text is larger, in UTF-8, than a survey file may be."""
    return len(text.encode("utf-8")) > MAX_BYTES


def keep_upload(session: Session, survey_id: str, file_name: str, text: str, by: str | None) -> SurveyUpload:
    """Keep an uploaded (or edited) survey file for the steps that follow (added and flushed)."""
    upload = SurveyUpload(survey_id=survey_id, file_name=file_name, text=text, uploaded_by=by)
    session.add(upload)
    session.flush()
    return upload


def check(upload: SurveyUpload) -> LoadResult:
    """Validate an upload as a file of its survey: its problems as `file:line: path: message`."""
    return load_text(upload.text, upload.file_name, expected_id=upload.survey_id)


def recent_uploads(session: Session, survey_id: str, limit: int = 10) -> list[SurveyUpload]:
    """The newest uploads of a survey."""
    query = select(SurveyUpload).filter_by(survey_id=survey_id).order_by(SurveyUpload.id.desc()).limit(limit)
    return list(session.scalars(query))


# ----------------------------------------------------------------------------- versions


def number_of(session: Session, version: SurveyVersion) -> int:
    """A stored version's number among its survey's versions (1 for the first)."""
    return session.scalar(
        select(func.count())
        .select_from(SurveyVersion)
        .where(SurveyVersion.survey_id == version.survey_id, SurveyVersion.id <= version.id)
    )


def against_live(session: Session, survey: Survey) -> SyncReport:
    """What publishing this definition would change, compared with the live version (not the newest
    stored one, which may be a version previewed and never published).

    `since` is the live version's number (0: nothing published yet), `number` the number the
    definition has or would get; `changes` and `warnings` are empty when it is the live version.
    """
    stored = session.execute(
        select(SurveyVersion.id, SurveyVersion.content_hash)
        .filter_by(survey_id=survey.id)
        .order_by(SurveyVersion.id)
    ).all()
    digest = content_hash(survey)
    numbers = {row.id: n for n, row in enumerate(stored, start=1)}
    match = next((row for row in stored if row.content_hash == digest), None)
    report = SyncReport(
        survey.id, new_version=match is None, number=numbers[match.id] if match else len(stored) + 1
    )
    live = catalog.published(session).get(survey.id)
    if live is not None:
        report.since = numbers[live.version_id]
        if live.content_hash == digest:
            return report
        report.changes = compare(
            survey_from_json(session.get(SurveyVersion, live.version_id).definition), survey
        )
    report.warnings = breaking_changes(session, survey, match.id if match else None)
    return report


def record_for_preview(session: Session, upload: SurveyUpload, survey: Survey) -> int:
    """Record the upload's definition as a stored version (not published), so that preview responses
    have one; its number."""
    version, _created = record_version(session, survey)
    upload.version_id = version.id
    return number_of(session, version)


def publish(session: Session, survey: Survey, by: str | None) -> int:
    """Record the definition (if new) and make it the live version; its number. Flushed, not committed."""
    version, _created = record_version(session, survey)
    catalog.publish(session, version, Publication.BROWSER, by=by)
    return number_of(session, version)


def history(session: Session, survey_id: str, limit: int = 10) -> list[tuple[Publication, int]]:
    """The survey's newest publications, each with its version's number."""
    rows = session.scalars(
        select(Publication).filter_by(survey_id=survey_id).order_by(Publication.id.desc()).limit(limit)
    )
    return [(row, number_of(session, row.version)) for row in rows]


# ----------------------------------------------------------------------------- the live file


def live_text(session: Session, survey_id: str, folder: Path) -> str:
    """The live version as a file: the folder's, when it holds the live version (comments and all),
    else written out from the stored definition."""
    live = catalog.published(session)[survey_id]
    path = folder / f"{survey_id}.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = None
    if text is not None:
        found = load_text(text, path.name, expected_id=survey_id).survey
        if found is not None and content_hash(found) == live.content_hash:
            return text
    survey = survey_from_json(session.get(SurveyVersion, live.version_id).definition)
    return rendered(survey)


def rendered(survey: Survey) -> str:
    """A definition written out as a survey file (keys in the format's order, defaults left out)."""
    data = survey.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=4096)
    head = "# Written out by Lyssna from the published version (the surveys folder did not hold it).\n"
    return head + body


def with_window(
    text: str, file_name: str, survey: Survey, status: str, opens_at: str | None, closes_at: str | None
) -> tuple[str, LoadResult]:
    """The live file with its status and dates set (comments and layout kept), and its check.

    An edit that would change anything else (a value the YAML editor reads differently) is a problem,
    never published.
    """
    edited = survey_yaml.set_keys(text, {"status": status, "opens_at": opens_at, "closes_at": closes_at})
    result = load_text(edited, file_name, expected_id=survey.id)
    if result.survey is not None:
        window = {"status": status, "opens_at": _moment(opens_at), "closes_at": _moment(closes_at)}
        if canonical_json(survey.model_copy(update=window)) != canonical_json(result.survey):
            message = "setting the status and dates would change more of the file: upload it edited instead"
            result.problems.append(Problem(file_name, 1, "(survey)", message))
            result.survey = None
    return edited, result


def _moment(value: str | None) -> date | datetime | None:
    if value is None:
        return None
    return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)


# ----------------------------------------------------------------------------- the surveys folder


@contextmanager
def landing(folder: Path, survey_id: str, text: str) -> Iterator[None]:
    """Write `<id>.yaml` into the surveys folder, atomically: to a temporary file in the folder now
    (FolderNotWritable when that fails), moved in place when the block ends without an error
    (after the publish is committed: the database, not the folder, says what is live), else removed."""
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{survey_id}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)  # survey files hold no answers
    except OSError as exc:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise FolderNotWritable(folder, exc.strerror or str(exc)) from exc
    try:
        yield
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    os.replace(temporary, folder / f"{survey_id}.yaml")
