"""Files holding answers or codes are readable by the service account only, whatever its umask (issue 17)."""

import io
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import text

from app import attachments, create_app, media
from app.exports import FORMATS, ExportOptions, prepare_export
from app.exports.files import PreparedExport
from app.extensions import db
from app.models import Researcher, Response
from app.private_files import open_private, private_dir
from app.research import jobs
from app.surveys.catalog import current_registry

SURVEY = """
id: snap
title: Snap
access: token
pages:
  - id: one
    questions:
      - {id: problem, type: text, label: Problem}
      - {id: picture, type: photo, label: Picture}
"""


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def open_umask():
    """The umask of a service that forgot to set one: new files readable by everyone."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def snap_app(make_app, write_survey, surveys_dir, tmp_path):
    """An app whose exports and media folders (and their parent) do not exist yet."""
    write_survey(SURVEY)
    return make_app(
        LYSSNA_SURVEYS_DIR=str(surveys_dir),
        LYSSNA_EXPORTS_DIR=str(tmp_path / "lyssna" / "exports"),
        LYSSNA_MEDIA_DIR=str(tmp_path / "lyssna" / "media"),
    )


@pytest.fixture
def answered(snap_app):
    """One complete response with a stored photo."""
    with snap_app.app_context():
        response = Response(
            survey_id="snap",
            version_id=current_registry().version_id(db.session, "snap"),
            status=Response.COMPLETE,
            language="sv",
            answers={"problem": "a broken lamp"},
        )
        db.session.add(response)
        db.session.flush()
        buffer = io.BytesIO()
        Image.new("RGB", (80, 60), (200, 30, 30)).save(buffer, "PNG")
        photo = media.store_photo(buffer.getvalue(), max_mb=1)
        attachments.attach_photo(db.session, response, "picture", photo)
        response.answers = {**response.answers, "picture": photo.name}
        db.session.commit()
        return photo.name


def assert_private(folder: Path, top: Path) -> None:
    """Every file under `folder` is 0600 and every folder from `top` down is 0700."""
    assert mode(top) == 0o700
    for path in [folder, *folder.rglob("*")]:
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_export_files_are_private(snap_app, answered, tmp_path, fmt):
    result = snap_app.test_cli_runner().invoke(args=["export", "snap", "--format", fmt])
    assert result.exit_code == 0, result.output
    exports = tmp_path / "lyssna" / "exports"
    assert len(list(exports.iterdir())) == 1
    assert_private(exports, tmp_path / "lyssna")


def test_csv_codebook_beside_an_export_is_private(snap_app, answered, tmp_path):
    result = snap_app.test_cli_runner().invoke(args=["export", "snap", "--format", "csv", "--codebook"])
    assert result.exit_code == 0, result.output
    exports = tmp_path / "lyssna" / "exports"
    assert len(list(exports.glob("*-codebook.csv"))) == 1
    assert_private(exports, exports)


def test_zip_with_media_is_private(snap_app, answered, tmp_path):
    result = snap_app.test_cli_runner().invoke(args=["export", "snap", "--format", "xlsx", "--with-media"])
    assert result.exit_code == 0, result.output
    exports = tmp_path / "lyssna" / "exports"
    assert [p.suffix for p in exports.iterdir()] == [".zip"]
    assert_private(exports, exports)


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "sav", "dta"])
def test_temporary_files_an_export_is_written_through_are_private(snap_app, answered, monkeypatch, fmt):
    seen = []
    real_replace, real_write = os.replace, PreparedExport._write_file

    def replace(source, target):
        seen.append(mode(Path(source)))
        return real_replace(source, target)

    def write_file(self, path, progress):
        written = real_write(self, path, progress)
        seen.append(mode(path))
        return written

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(PreparedExport, "_write_file", write_file)
    with snap_app.app_context():
        export = prepare_export("snap", fmt)
        export.write(Path(snap_app.config["LYSSNA_EXPORTS_DIR"]) / export.filename)
        b"".join(export.chunks())  # a download: written to a temporary folder first (or streamed)
    assert seen and set(seen) == {0o600}


def test_background_export_files_are_private(snap_app, answered, tmp_path):
    with snap_app.app_context():
        researcher = Researcher(email="r@example.org", password_hash="x")
        db.session.add(researcher)
        db.session.flush()
        job = jobs.new_job(db.session, researcher.id, "snap", "xlsx", ExportOptions())
        db.session.commit()
        job_id = job.id
        run_number = jobs.claim(job_id)
    jobs.run(snap_app, job_id, run_number)
    exports = tmp_path / "lyssna" / "exports"
    assert len(list((exports / "jobs").iterdir())) == 1
    assert_private(exports, tmp_path / "lyssna")


def test_participant_code_list_is_private(snap_app, tmp_path):
    result = snap_app.test_cli_runner().invoke(args=["surveys", "codes", "snap", "--count", "3"])
    assert result.exit_code == 0, result.output
    exports = tmp_path / "lyssna" / "exports"
    assert len(list(exports.glob("codes-snap-*.csv"))) == 1
    assert_private(exports, tmp_path / "lyssna")


def test_backup_copy_is_private(snap_app, answered, tmp_path):
    copy = tmp_path / "backup.db"
    result = snap_app.test_cli_runner().invoke(args=["data", "backup", str(copy)])
    if snap_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert result.exit_code == 0, result.output
        assert mode(copy) == 0o600


def test_photos_and_thumbnails_are_private(snap_app, answered, tmp_path):
    with snap_app.app_context():
        thumbnail = media.thumbnail_path(answered)
    folder = tmp_path / "lyssna" / "media"
    assert thumbnail.parent == folder and len(list(folder.iterdir())) == 2
    assert_private(folder, tmp_path / "lyssna")


def test_sqlite_database_the_app_creates_is_private_with_its_wal_files(tmp_path):
    path = tmp_path / "data" / "lyssna.db"
    path.parent.mkdir(mode=0o700)  # its folder, as the instance folder the app makes (a wrong path fails)
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        with db.engine.connect() as conn:
            conn.execute(text("CREATE TABLE answer (text VARCHAR)"))
            conn.execute(text("INSERT INTO answer VALUES ('a secret')"))
            conn.commit()
            files = sorted(p.name for p in path.parent.iterdir())
            assert files == ["lyssna.db", "lyssna.db-shm", "lyssna.db-wal"]
            assert_private(path.parent, path.parent)
        db.engine.dispose()
    assert sqlite3.connect(path).execute("SELECT text FROM answer").fetchone() == ("a secret",)


def test_private_helpers_are_exact_even_under_a_stricter_umask(tmp_path):
    os.umask(0o077 | 0o400)  # would leave the owner unable to read: the helpers set the mode exactly
    folder = private_dir(tmp_path / "a" / "b")
    with open_private(folder / "answers.csv", "w", encoding="utf-8") as file:
        file.write("x\n")
    assert [mode(p) for p in (tmp_path / "a", folder, folder / "answers.csv")] == [0o700, 0o700, 0o600]
    with pytest.raises(FileExistsError):
        open_private(folder / "answers.csv")
