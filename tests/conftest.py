"""Shared fixtures: an app per test on a database migrated once per run (SQLite, or PostgreSQL
when TEST_DATABASE_URL is set), a test client, a CLI runner, the session, and small factories."""

import os
import textwrap
from pathlib import Path

import pytest
from flask_migrate import upgrade

from app import create_app
from app.extensions import db as _db
from app.models import Response
from app.surveys.catalog import current_registry
from tests.databases import postgres_schema, schema_config

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_SURVEYS = ROOT / "surveys"


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """A database for this run: a fresh PostgreSQL schema (dropped afterwards), or a SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        path = tmp_path_factory.mktemp("db") / "test.db"
        yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
        return
    with postgres_schema(url, "lyssna_test") as schema:
        yield {**schema_config(url, schema), "TEST_SCHEMA": schema}


@pytest.fixture(scope="session")
def migrated(database, tmp_path_factory):
    """The schema, made by the migrations (as `flask db upgrade` does), once per run."""
    app = create_app(_base_config(database, tmp_path_factory.mktemp("migrate")))
    with app.app_context():
        upgrade()
        _db.engine.dispose()
    return database


def _base_config(database: dict, tmp: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "LYSSNA_SURVEYS_DIR": str(EXAMPLE_SURVEYS),
        "LYSSNA_EXPORTS_DIR": str(tmp / "exports"),
        "LYSSNA_MEDIA_DIR": str(tmp / "media"),
        **database,
    }


@pytest.fixture
def make_app(migrated, tmp_path):
    """Build an app; keyword arguments override the configuration. Tables are emptied afterwards."""
    apps = []

    def factory(**overrides):
        app = create_app({**_base_config(migrated, tmp_path), **overrides})
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            _db.session.remove()
            _empty_tables()
            _db.engine.dispose()


def _empty_tables() -> None:
    with _db.engine.begin() as conn:
        for table in reversed(_db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def app(make_app):
    """The app with the example surveys."""
    return make_app()


@pytest.fixture
def client(app):
    """A test client of `app`."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner of `app`."""
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """The database session, inside an app context."""
    with app.app_context():
        yield _db.session


@pytest.fixture
def surveys_dir(tmp_path):
    """An empty surveys folder; fill it with `write_survey`."""
    folder = tmp_path / "surveys"
    folder.mkdir()
    return folder


@pytest.fixture
def write_survey(surveys_dir):
    """Write a survey YAML file (dedented) into `surveys_dir`; returns its path."""

    def write(text: str, name: str | None = None) -> Path:
        body = textwrap.dedent(text).lstrip()
        if name is None:
            name = next(line.split(":", 1)[1].strip() for line in body.splitlines() if line.startswith("id:"))
        path = surveys_dir / f"{name}.yaml"
        path.write_text(body, encoding="utf-8")
        return path

    return write


@pytest.fixture
def make_response(db):
    """Store a response to a survey of the running app: make_response('feedback', message='Hej')."""

    def make(
        survey_id: str,
        status: str = Response.COMPLETE,
        language: str | None = None,
        hidden: dict | None = None,
        **answers,
    ) -> Response:
        registry = current_registry()
        survey = registry.get(survey_id)
        response = Response(
            survey_id=survey_id,
            version_id=registry.version_id(db, survey_id),
            status=status,
            language=language or survey.default_language,
            hidden=hidden or {},
            answers=answers,
        )
        db.add(response)
        db.flush()
        return response

    return make
