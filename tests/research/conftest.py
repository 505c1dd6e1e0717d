"""Fixtures for the researcher area: accounts, signing in through the real form (with CSRF), tokens."""

import contextvars
import re

import pytest
from flask.testing import FlaskClient

from app import accounts
from app.models import Researcher

PASSWORD = "a long enough password"


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    The shared `db` fixture keeps an app context open for the whole test; Flask reuses an open app
    context for requests, so `g` would leak from one request to the next (Flask-WTF's CSRF token,
    Flask-Login's loaded user) and hide or fake bugs. A fresh contextvars context prevents that, and
    also gives each request its own database session: commit test data before requesting it.
    Bodies are read inside that context (buffered), so streamed downloads work and files are closed.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    """A test client whose requests do not share the test's app context (see IsolatedClient)."""
    app.test_client_class = IsolatedClient
    return app.test_client()


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def make_researcher(db):
    """Create an account (committed): make_researcher('r@example.org', role='researcher', surveys=[...])."""

    def make(
        email: str,
        role: str = Researcher.RESEARCHER,
        surveys=(),
        password: str = PASSWORD,
        level: str = "read",
    ) -> Researcher:
        researcher = accounts.create_researcher(db, email, password, role)
        for survey_id in surveys:
            accounts.grant(db, researcher, survey_id)
        for grant in researcher.grants:
            grant.level = level
        db.commit()
        return researcher

    return make


@pytest.fixture
def sign_in(client):
    """Sign a client in through the form: sign_in(email, password=PASSWORD) -> the POST's response."""

    def post(email: str, password: str = PASSWORD, follow: bool = False, target=client):
        token = csrf_from(target.get("/admin/login").get_data(as_text=True))
        return target.post(
            "/admin/login",
            data={"email": email, "password": password, "csrf_token": token},
            follow_redirects=follow,
        )

    return post


@pytest.fixture
def login_as(make_researcher, sign_in):
    """An account of this role (with these surveys) signed in on `client`: login_as('admin')."""

    def login(
        role: str = Researcher.RESEARCHER, surveys=(), email: str | None = None, level: str = "read"
    ) -> Researcher:
        email = email or f"{role}@example.org"
        researcher = make_researcher(email, role=role, surveys=surveys, level=level)
        response = sign_in(email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return researcher

    return login


@pytest.fixture
def csrf(client):
    """A valid CSRF token for the client's session (taken from a page with a form)."""

    def token() -> str:
        page = client.get("/admin/login")
        if page.status_code == 302:  # signed in: every page has the sign-out form
            page = client.get("/admin/account")
        return csrf_from(page.get_data(as_text=True))

    return token


def post_export(client, url: str):
    """Press the export button: POST `url`'s query (format, filters) with the form token, as the
    dashboard's export form does."""
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(url)
    token = csrf_from(client.get("/admin/account").get_data(as_text=True))
    from werkzeug.datastructures import MultiDict

    return client.post(parts.path, data=MultiDict([*parse_qsl(parts.query), ("csrf_token", token)]))
