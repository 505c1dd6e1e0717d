"""Fixtures for the read API: accounts with tokens, responses completed at chosen times, an API client."""

from datetime import timedelta
from itertools import count

import pytest

from app import accounts
from app.api import tokens
from app.models import Researcher, Response, utcnow
from app.surveys.catalog import current_registry
from tests.research.conftest import IsolatedClient, sign_in  # noqa: F401  (a fixture used here too)

PASSWORD = "a long enough password"


@pytest.fixture
def client(app):
    """A test client whose requests do not share the test's app context (see IsolatedClient)."""
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def make_token(db):
    """An account (committed) with a token: make_token('r@example.org', surveys=[...]) -> the token."""

    def make(
        email="r@example.org", role=Researcher.RESEARCHER, surveys=(), level="read", **token_options
    ) -> str:
        researcher = accounts.find_researcher(db, email) or accounts.create_researcher(
            db, email, PASSWORD, role
        )
        for survey_id in surveys:
            accounts.set_grant(db, researcher, survey_id, level)
        _row, token = tokens.create(db, researcher, token_options.pop("name", "pipeline"), **token_options)
        db.commit()
        return token

    return make


@pytest.fixture
def api(client):
    """GET an API path with a token: api('/surveys', token, limit=3) -> the response."""

    def get(path: str, token: str | None, **params):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.get(f"/api/v1{path}", headers=headers, query_string=params)

    return get


@pytest.fixture
def complete(db):
    """Add a completed response (committed) whose completion times follow each other, a minute apart,
    an hour ago and on: complete('waste-sorting', visits='weekly', hidden={'station': '12'})."""
    start = utcnow() - timedelta(hours=1)
    minutes = count()

    def add(survey_id: str, hidden: dict | None = None, language: str | None = None, **answers) -> Response:
        registry = current_registry()
        at = start + timedelta(minutes=next(minutes))
        response = Response(
            survey_id=survey_id,
            version_id=registry.version_id(db, survey_id),
            status=Response.COMPLETE,
            language=language or registry.get(survey_id).default_language,
            hidden=hidden or {},
            answers=answers,
            started_at=at - timedelta(minutes=3),
            updated_at=at,
            submitted_at=at,
        )
        db.add(response)
        db.commit()
        return response

    return add
