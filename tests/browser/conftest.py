"""Browser fixtures: one headless Chromium and one live server (own scratch database) for the
whole tests/browser package, a fresh phone-sized context per test, the stored responses, and one
shared walk (a tour) per survey and language that several tests look at."""

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Response
from benchmarks.browser_walk import CHROMIUM, PHONE, chromium_available, launch, post_form, walk
from benchmarks.server import Served, serve
from tests.browser.checks import language_of, violations, width_at_320
from tests.browser.surveys import example
from tests.databases import postgres_schema, schema_config


def pytest_collection_modifyitems(items):
    """Every test in this folder drives a browser: mark it so `-m browser` runs them alone."""
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package")
def browser():
    """Headless Chromium for the whole package; skipped when Chromium is missing, unless required."""
    if not chromium_available():
        reason = f"Chromium not found at {CHROMIUM}: install Debian's chromium package (.ci/run does)"
        if os.environ.get("LYSSNA_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def browser_database() -> Iterator[dict]:
    """The live server's own database: a SQLite file in the server's scratch folder, or a fresh
    PostgreSQL schema when TEST_DATABASE_URL is set (apart from the schema of the other tests)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield {}
        return
    with postgres_schema(url, "lyssna_browser") as schema:
        yield schema_config(url, schema)


@pytest.fixture(scope="package")
def live_server(browser, browser_database) -> Iterator[Served]:
    """The app on a real port (5111-5119) with the example surveys (rate limits off: see serve)."""
    with serve(browser_database) as served:
        yield served


@pytest.fixture
def phone(browser, live_server):
    """A fresh phone-sized page (390x844) with JavaScript on."""
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_without_js(browser, live_server):
    """A fresh phone-sized page with JavaScript off."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    yield context.new_page()
    context.close()


class _Stored:
    """Reads the live server's responses."""

    def __init__(self, served: Served) -> None:
        self.app = served.app

    def last_id(self) -> int:
        """The id of the newest response (0 when there is none)."""
        with self.app.app_context():
            value = db.session.scalar(select(Response.id).order_by(Response.id.desc()).limit(1))
            db.session.remove()
            return value or 0

    def since(self, last_id: int, survey_id: str) -> list[Response]:
        """The responses to a survey stored after `last_id`, oldest first (detached)."""
        with self.app.app_context():
            rows = list(
                db.session.scalars(
                    select(Response)
                    .where(Response.id > last_id, Response.survey_id == survey_id)
                    .order_by(Response.id)
                )
            )
            db.session.expunge_all()
            db.session.remove()
            return rows


@pytest.fixture
def stored(live_server) -> _Stored:
    """Read the server's responses: stored.last_id() now, stored.since(id, survey_id) afterwards."""
    return _Stored(live_server)


@dataclass
class Tour:
    """What one walk through a survey (JavaScript on, 390x844) found, page by page."""

    labels: list[str] = field(default_factory=list)
    violations: dict[str, list[str]] = field(default_factory=dict)
    widths: dict[str, int] = field(default_factory=dict)
    languages: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    responses: list[Response] = field(default_factory=list)


@pytest.fixture(scope="package")
def tour(browser, live_server) -> Callable[[str, str], Tour]:
    """tour(survey_id, language): answer the survey once with JavaScript on, and on every page,
    once it is answered (so that revealed questions count), run axe, measure the width at 320 px
    and read <html lang dir>; keep the responses stored. Cached: one walk serves several tests."""
    done: dict[tuple[str, str], Tour] = {}
    reader = _Stored(live_server)

    def run(survey_id: str, language: str) -> Tour:
        survey = example(survey_id)
        if (survey_id, language) not in done:
            found = Tour()

            def look(label, page):
                found.violations[label] = violations(page)
                found.widths[label] = width_at_320(page)
                found.languages[label] = language_of(page)

            def on_load(label, page):
                if post_form(page) is None:  # the thank-you page: nothing to answer
                    look(label, page)

            before = reader.last_id()
            context = browser.new_context(viewport=PHONE)
            try:
                found.labels = walk(context.new_page(), live_server.url, survey, language, on_load, look)
            finally:
                context.close()
            found.responses = reader.since(before, survey_id)
            done[(survey_id, language)] = found
        return done[(survey_id, language)]

    return run
