"""`flask data purge` and `flask data backup` (app/lifecycle.py)."""

import sqlite3
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db as _db
from app.lifecycle import BackupError, backup_sqlite, pg_dump_command
from app.models import AuditEvent, MediaFile, Response, utcnow
from tests.servers import migrate

RETAINED = """\
    id: short-lived
    title: Short-lived
    retention_days: 30
    pages:
      - id: p
        questions:
          - {id: q, type: text, label: Q}
    """
FOREVER = """\
    id: kept
    title: Kept
    pages:
      - id: p
        questions:
          - {id: q, type: text, label: Q}
    """


@pytest.fixture
def purge_app(make_app, write_survey, surveys_dir):
    """An app with one survey keeping responses 30 days and one without retention."""
    write_survey(RETAINED)
    write_survey(FOREVER)
    return make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir), LYSSNA_PURGE_INCOMPLETE_DAYS=14)


def store(app, survey_id, status, age_days, photo=False, answers=None):
    """A response whose last activity (and submission, if complete) was `age_days` ago."""
    from app.surveys.catalog import current_registry

    with app.app_context():
        when = utcnow() - timedelta(days=age_days)
        response = Response(
            survey_id=survey_id,
            version_id=current_registry().version_id(_db.session, survey_id),
            status=status,
            language="en",
            answers={"q": "hej"} if answers is None else answers,
            started_at=when,
            updated_at=when,
            submitted_at=when if status == Response.COMPLETE else None,
        )
        _db.session.add(response)
        _db.session.flush()
        if photo:
            name = f"{uuid.uuid4().hex}.jpg"
            media = Path(app.config["LYSSNA_MEDIA_DIR"])
            media.mkdir(parents=True, exist_ok=True)
            (media / name).write_bytes(b"\xff\xd8 not really a jpeg")
            _db.session.add(
                MediaFile(response=response, question_id="q", name=name, size_bytes=1, width=1, height=1)
            )
        _db.session.commit()
        return response.public_id


def remaining(app):
    with app.app_context():
        return set(_db.session.scalars(select(Response.public_id)))


def test_purge_deletes_what_is_past_retention_and_abandoned(purge_app):
    old_complete = store(purge_app, "short-lived", Response.COMPLETE, 31)
    recent_complete = store(purge_app, "short-lived", Response.COMPLETE, 29)
    abandoned = store(purge_app, "short-lived", Response.IN_PROGRESS, 15)
    active = store(purge_app, "short-lived", Response.IN_PROGRESS, 2)
    ancient_kept = store(purge_app, "kept", Response.COMPLETE, 3000)
    abandoned_kept = store(purge_app, "kept", Response.IN_PROGRESS, 20)

    result = purge_app.test_cli_runner().invoke(args=["data", "purge"])

    assert result.exit_code == 0, result.output
    assert remaining(purge_app) == {recent_complete, active, ancient_kept}
    assert {old_complete, abandoned, abandoned_kept}.isdisjoint(remaining(purge_app))
    assert "short-lived: deleted 1 complete, 1 in progress, 0 photo(s) (retention 30 days)" in result.output
    assert "kept: deleted 0 complete, 1 in progress, 0 photo(s) (no retention set)" in result.output
    assert "3 response(s) deleted" in result.output


def test_unfinished_responses_without_any_answer_are_purged_after_a_day(purge_app):
    empty_old = store(purge_app, "kept", Response.IN_PROGRESS, 1.1, answers={})
    empty_new = store(purge_app, "kept", Response.IN_PROGRESS, 0.5, answers={})
    answered = store(purge_app, "kept", Response.IN_PROGRESS, 1.1)
    result = purge_app.test_cli_runner().invoke(args=["data", "purge"])
    assert result.exit_code == 0, result.output
    assert remaining(purge_app) == {empty_new, answered}
    assert empty_old not in remaining(purge_app)


def test_in_progress_responses_follow_a_shorter_retention(make_app, write_survey, surveys_dir):
    write_survey(RETAINED.replace("retention_days: 30", "retention_days: 3"))
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir), LYSSNA_PURGE_INCOMPLETE_DAYS=30)
    store(app, "short-lived", Response.IN_PROGRESS, 4)
    app.test_cli_runner().invoke(args=["data", "purge"])
    assert remaining(app) == set()


def test_dry_run_counts_and_changes_nothing(purge_app):
    store(purge_app, "short-lived", Response.COMPLETE, 40, photo=True)
    store(purge_app, "short-lived", Response.COMPLETE, 1)
    result = purge_app.test_cli_runner().invoke(args=["data", "purge", "--dry-run"])
    assert result.exit_code == 0
    assert "short-lived: would delete 1 complete, 0 in progress, 1 photo(s)" in result.output
    assert "Dry run: 1 response(s) would be deleted; nothing was changed." in result.output
    assert len(remaining(purge_app)) == 2
    with purge_app.app_context():
        assert _db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_purge_removes_the_photos_of_deleted_responses_only(purge_app):
    store(purge_app, "short-lived", Response.COMPLETE, 40, photo=True)
    kept = store(purge_app, "short-lived", Response.COMPLETE, 1, photo=True)
    media = Path(purge_app.config["LYSSNA_MEDIA_DIR"])
    assert len(list(media.glob("*.jpg"))) == 2
    purge_app.test_cli_runner().invoke(args=["data", "purge"])
    files = [p.name for p in media.glob("*.jpg")]
    with purge_app.app_context():
        kept_file = _db.session.scalars(select(MediaFile.name).join(Response).filter_by(public_id=kept)).one()
        assert _db.session.scalar(select(func.count()).select_from(MediaFile)) == 1
    assert files == [kept_file]


def test_purge_is_audited(purge_app):
    store(purge_app, "short-lived", Response.COMPLETE, 40)
    store(purge_app, "short-lived", Response.IN_PROGRESS, 20)
    purge_app.test_cli_runner().invoke(args=["data", "purge"])
    with purge_app.app_context():
        event = _db.session.scalars(select(AuditEvent).filter_by(action="purge")).one()
        assert event.survey_id == "short-lived"
        assert event.actor.startswith("cli")
        assert event.detail["complete"] == 1
        assert event.detail["in_progress"] == 1
        assert event.detail["retention_days"] == 30


def test_a_survey_whose_file_is_gone_keeps_its_stored_retention(purge_app, make_app, tmp_path):
    store(purge_app, "short-lived", Response.COMPLETE, 40)
    recent = store(purge_app, "short-lived", Response.COMPLETE, 5)
    empty = tmp_path / "no-surveys"
    empty.mkdir()
    without = make_app(LYSSNA_SURVEYS_DIR=str(empty))
    result = without.test_cli_runner().invoke(args=["data", "purge"])
    assert "retention 30 days" in result.output
    assert remaining(without) == {recent}


def test_purge_deletes_in_batches(purge_app, monkeypatch):
    monkeypatch.setattr("app.lifecycle.BATCH_SIZE", 2)
    for _ in range(5):
        store(purge_app, "short-lived", Response.COMPLETE, 40)
    result = purge_app.test_cli_runner().invoke(args=["data", "purge"])
    assert "deleted 5 complete" in result.output
    assert remaining(purge_app) == set()
    with purge_app.app_context():
        events = _db.session.scalars(select(AuditEvent).filter_by(action="purge")).all()
        assert [e.detail["complete"] for e in events] == [2, 2, 1]


# ----------------------------------------------------------------------------- backup


@pytest.fixture
def live_sqlite(make_app, tmp_path):
    """An app on its own migrated SQLite file (backups are for SQLite, whichever database the suite uses)."""
    path = tmp_path / "live.db"
    migrate(f"sqlite:///{path}", tmp_path)
    return make_app(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True}
    ), path


def insert_raw(connection: sqlite3.Connection, version_id: int, n: int) -> list[str]:
    """Insert n complete responses through a plain sqlite3 connection (another writer); their ids."""
    ids = []
    for _ in range(n):
        public_id = uuid.uuid4().hex
        connection.execute(
            "INSERT INTO response (public_id, survey_id, version_id, status, started_at, updated_at,"
            " submitted_at, language, hidden, answers, page_history, is_demo, is_test)"
            " VALUES (?, 'feedback', ?, 'complete', datetime('now'), datetime('now'), datetime('now'),"
            " 'sv', '{}', ?, '[]', 0, 0)",
            (public_id, version_id, '{"message": "' + "Hej! " * 200 + '"}'),
        )
        ids.append(public_id)
    connection.commit()
    return ids


def test_backup_while_residents_write_restores_every_response(live_sqlite, make_app, tmp_path):
    from app.surveys.catalog import current_registry

    app, path = live_sqlite
    with app.app_context():
        version_id = current_registry().version_id(_db.session, "feedback")
        _db.session.commit()
    writer = sqlite3.connect(path, check_same_thread=False)
    writer.execute("PRAGMA busy_timeout=10000")
    before = insert_raw(writer, version_id, 3000)

    during: list[str] = []
    stop = threading.Event()

    def keep_writing():
        while not stop.is_set():
            during.extend(insert_raw(writer, version_id, 5))

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        result = app.test_cli_runner().invoke(args=["data", "backup", str(tmp_path / "copy.db")])
    finally:
        stop.set()
        thread.join()
        writer.close()
    assert result.exit_code == 0, result.output
    assert during, "the writer should have written while the backup ran"

    copy = tmp_path / "copy.db"
    assert oct(copy.stat().st_mode & 0o777) == "0o600"
    restored = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{copy}", SQLALCHEMY_ENGINE_OPTIONS={})
    with restored.app_context():
        found = set(_db.session.scalars(select(Response.public_id)))
        answers = _db.session.scalars(select(Response.answers).limit(1)).one()
    assert set(before) <= found
    assert found <= set(before) | set(during)
    assert answers["message"].startswith("Hej!")
    assert f"Backed up {len(found)} response(s)" in result.output


def test_backup_refuses_to_overwrite(live_sqlite, tmp_path):
    _, path = live_sqlite
    target = tmp_path / "exists.db"
    target.write_text("precious")
    with pytest.raises(BackupError, match="exists already"):
        backup_sqlite(path, target)
    assert target.read_text() == "precious"
    assert list(tmp_path.glob(".exists.db.*")) == []


def test_backup_of_a_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(BackupError, match="no database"):
        backup_sqlite(tmp_path / "missing.db", tmp_path / "copy.db")


def test_postgresql_backup_prints_the_pg_dump_command_and_fails(make_app, tmp_path):
    from sqlalchemy.engine import make_url

    url = make_url("postgresql+psycopg://lyssna:s3cret@db.example:5432/lyssna")
    command = pg_dump_command(url, "/var/backups/lyssna.dump")
    assert command == (
        "pg_dump --format=custom --no-owner --file=/var/backups/lyssna.dump "
        "'postgresql://lyssna@db.example:5432/lyssna'"
    )
    app = make_app()
    with app.app_context():
        is_postgres = _db.engine.url.get_backend_name() == "postgresql"
    result = app.test_cli_runner().invoke(args=["data", "backup", str(tmp_path / "x.dump")])
    if is_postgres:
        assert result.exit_code == 2
        assert "pg_dump --format=custom" in result.output
        assert "s3cret" not in result.output
    else:
        assert result.exit_code == 0
