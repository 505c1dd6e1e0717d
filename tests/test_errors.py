"""Friendly error pages, and an unexpected error rolled back and logged without personal data."""

import logging

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page
    assert 'href="/"' in page
    assert response.headers["X-Request-ID"] in page


def test_wrong_method_is_405_with_allow(client):
    response = client.post("/healthz")
    assert response.status_code in (400, 405)  # CSRF may refuse the POST first; both are friendly
    if response.status_code == 405:
        assert "GET" in response.headers["Allow"]
    assert "<h1>" in response.get_data(as_text=True)


def test_unexpected_error_rolls_back_and_shows_a_friendly_500(make_app, caplog):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/_test/boom/<token>")
    def boom(token):
        db.session.add(AuditEvent(action="half-done", detail={}))
        db.session.flush()
        raise RuntimeError("the disk caught fire")

    with caplog.at_level(logging.INFO, logger="lyssna"):
        response = app.test_client().get(
            "/_test/boom/resume-secret?station=12", headers={"X-Request-ID": "abc-123"}, buffered=True
        )
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "abc-123"
    page = response.get_data(as_text=True)
    assert "something went wrong" in page
    assert "abc-123" in page
    assert "fire" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0

    errors = [r for r in caplog.records if r.name == "lyssna.error"]
    assert len(errors) == 1
    error = errors[0]
    assert error.exc_info[0] is RuntimeError
    assert "rid=abc-123" in error.getMessage()
    assert "route=/_test/boom/<token>" in error.getMessage()
    logged = caplog.text
    assert "resume-secret" not in logged
    assert "station" not in logged
    assert "Traceback" in logged


def test_errors_propagate_in_tests_so_bugs_are_not_hidden(make_app):
    import pytest

    app = make_app()

    @app.get("/_test/boom")
    def boom():
        raise RuntimeError("visible")

    with pytest.raises(RuntimeError, match="visible"):
        app.test_client().get("/_test/boom")
