"""The app factory, configuration, the survey list and the health check."""

import pytest

from app import create_app
from app.config import ConfigError


def test_development_key_is_generated_once(tmp_path, monkeypatch):
    from app.config import resolve_secret_key

    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = resolve_secret_key({"LYSSNA_ENV": "development"}, str(tmp_path))
    assert len(first) == 64
    assert resolve_secret_key({"LYSSNA_ENV": "development"}, str(tmp_path)) == first


def test_production_without_secret_key_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("LYSSNA_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app()


def test_environment_configures_folders(monkeypatch, tmp_path):
    monkeypatch.setenv("LYSSNA_SURVEYS_DIR", str(tmp_path))
    monkeypatch.setenv("LYSSNA_TIMEZONE", "Europe/Helsinki")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["LYSSNA_SURVEYS_DIR"] == str(tmp_path)
    assert app.config["LYSSNA_TIMEZONE"] == "Europe/Helsinki"
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_index_lists_open_surveys(client):
    page = client.get("/", headers={"Accept-Language": "sv"}).get_data(as_text=True)  # titles in sv
    assert "Sopsortering i ditt område" in page
    assert "Tyck till om pilotprojektet" in page


def test_index_leaves_out_draft_and_closed_surveys(make_app, write_survey, surveys_dir):
    for status in ("open", "draft", "closed"):
        write_survey(f"""\
            id: s-{status}
            title: Survey {status}
            status: {status}
            pages:
              - id: p
                questions:
                  - {{id: q, type: text, label: Q}}
            """)
    write_survey("""\
        id: s-later
        title: Survey later
        opens_at: 2999-01-01
        pages:
          - id: p
            questions:
              - {id: q, type: text, label: Q}
        """)
    page = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).test_client().get("/").get_data(as_text=True)
    assert "Survey open" in page
    for hidden in ("Survey draft", "Survey closed", "Survey later"):
        assert hidden not in page


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"


def test_healthz_without_surveys_is_503(make_app, surveys_dir):
    response = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).test_client().get("/healthz")
    assert response.status_code == 503
