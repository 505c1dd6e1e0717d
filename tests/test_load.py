"""Fifty residents at once through the real app under gunicorn: nothing lost, nothing doubled, no 5xx.

On SQLite and on PostgreSQL (TEST_DATABASE_URL, in a scratch schema), with four workers; and with
two instances (two gunicorn processes on different ports) sharing PostgreSQL and Redis, where each
resident's requests alternate between the instances as behind a load balancer without sticky
sessions. Some residents submit their last page from several connections at the same moment (a
double tap on a slow network): the response must still be completed exactly once.
"""

import os
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, select, text

from app.surveys.loader import load_file
from tests.servers import (
    REDIS_URL,
    Browser,
    Page,
    gunicorn,
    redis_available,
    redis_prefix,
    scratch_database,
    server_environment,
    write_load_test_survey,
)

pytestmark = pytest.mark.slow
needs_postgres = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set"
)
needs_redis = pytest.mark.skipif(not redis_available(), reason=f"no Redis at {REDIS_URL}")

RESIDENTS = 50
RACERS = 4  # connections that send the same last page at once
LIMIT = 40  # per client and hour: far above a resident's dozen requests


@dataclass
class Resident:
    """One simulated resident: what they answer, and what happened to their requests."""

    number: int
    bases: list[str]
    racing: bool
    marker: str = field(default_factory=lambda: uuid.uuid4().hex)
    statuses: list[int] = field(default_factory=list)
    receipt: str | None = None

    @property
    def address(self) -> str:
        """A documentation address of their own, so rate limits see fifty households."""
        return f"198.51.{100 + self.number // 250}.{self.number % 250 + 1}"

    @property
    def answers(self) -> dict[str, dict]:
        """The form fields of each page."""
        n = self.number
        return {
            "one": {"sorted": str(n % 2), "marker": self.marker},
            "two": {"happy": str(n % 5 + 1), "times": str(n)},
            "three": {"comment": f"Resident {n}: bra med fler kärl 🙂 ـ عربي", "bins": ["paper", "metal"]},
        }


def walk(resident: Resident) -> None:
    """Start, answer three pages, submit, see the receipt; requests alternate between instances."""
    jar: dict[str, str] = {}  # one resident, one cookie jar, whichever instance answers
    browsers = [Browser(base, address=resident.address, cookies=jar) for base in resident.bases]
    turn = iter(range(1000))

    def browser() -> Browser:
        # Behind a load balancer without sticky sessions: every request may land elsewhere.
        return browsers[next(turn) % len(browsers)]

    start = browser().get("/s/load-test")
    page = browser().post("/s/load-test", {"csrf_token": start.csrf_token()})
    for page_id in ("one", "two"):
        assert f"/p/{page_id}" in page.url, (page.status, page.url, page.body[:500])
        fields = {"csrf_token": page.csrf_token(), "nav": "next", **resident.answers[page_id]}
        page = browser().post(page.url, fields)
    assert "/p/three" in page.url, (page.status, page.url)
    fields = {"csrf_token": page.csrf_token(), "nav": "next", **resident.answers["three"]}
    if resident.racing:
        thanks = race_last_page(resident, page.url, fields, jar)
    else:
        thanks = browser().post(page.url, fields)
    assert thanks.url.endswith("/s/load-test/thanks"), (thanks.status, thanks.url)
    resident.receipt = receipt_on(thanks)
    for b in browsers:
        resident.statuses.extend(b.statuses)
        b.close()


def receipt_on(page: Page) -> str | None:
    """The receipt code shown on a thank-you page, if any."""
    match = re.search(r"\b([A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4})\b", page.body)
    return match.group(1) if match else None


def race_last_page(resident: Resident, url: str, fields: dict, jar: dict) -> Page:
    """Send the last page from RACERS connections at the same moment, as a double tap does."""
    barrier = threading.Barrier(RACERS)
    racers = [
        Browser(resident.bases[i % len(resident.bases)], address=resident.address, cookies=dict(jar))
        for i in range(RACERS)
    ]
    results: list[Page] = []

    def submit(browser: Browser) -> None:
        barrier.wait()
        results.append(browser.post(url, fields))

    threads = [threading.Thread(target=submit, args=(b,)) for b in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for b in racers:
        resident.statuses.extend(b.statuses)
        b.close()
    # Every racer ends on the thank-you page; the one that completed it shows the receipt.
    assert len(results) == RACERS
    assert all(r.url.endswith("/thanks") for r in results), [(r.status, r.url) for r in results]
    receipts = {receipt_on(r) for r in results} - {None}
    assert len(receipts) == 1, receipts
    return next(r for r in results if receipt_on(r))


def run_residents(bases: list[str]) -> list[Resident]:
    """Fifty residents at once; every fifth races its last page."""
    residents = [Resident(n, bases, racing=n % 5 == 0) for n in range(RESIDENTS)]
    with ThreadPoolExecutor(max_workers=RESIDENTS) as pool:
        list(pool.map(walk, residents))
    return residents


def assert_stored_exactly_once(database_url: str, residents: list[Resident]) -> None:
    """Every resident's response is complete, once, with exactly the answers they gave."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT status, answers, receipt_code FROM response WHERE survey_id = 'load-test'")
            ).all()
    finally:
        engine.dispose()
    by_marker: dict[str, list] = {}
    for status, answers, receipt in rows:
        answers = answers if isinstance(answers, dict) else __import__("json").loads(answers)
        by_marker.setdefault(answers.get("marker"), []).append((status, answers, receipt))
    assert len(rows) == RESIDENTS
    for resident in residents:
        stored = by_marker.get(resident.marker, [])
        assert len(stored) == 1, f"resident {resident.number}: {len(stored)} responses"
        status, answers, receipt = stored[0]
        n = resident.number
        assert status == "complete"
        assert answers == {
            "sorted": n % 2,
            "marker": resident.marker,
            "happy": n % 5 + 1,
            "times": n,
            "comment": f"Resident {n}: bra med fler kärl 🙂 ـ عربي",
            "bins": ["paper", "metal"],
        }
        assert receipt and receipt == resident.receipt


def assert_nothing_identifying_stored(database_url: str) -> None:
    """No table of the database holds a client address or the user agent, in any row."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            metadata = MetaData()
            metadata.reflect(conn)
            assert "response" in metadata.tables
            for table in metadata.tables.values():
                rows = repr(conn.execute(select(table)).all())
                assert "198.51." not in rows, table.name
                assert "203.0.113." not in rows, table.name
                assert "127.0.0.1" not in rows, table.name
                assert "LyssnaTestPhone" not in rows, table.name
    finally:
        engine.dispose()


def assert_healthy(residents: list[Resident], logs: list[str]) -> None:
    """No request failed on the server; the log has no 5xx, no traceback and no address."""
    statuses = [s for r in residents for s in r.statuses]
    assert statuses and all(s < 500 for s in statuses), sorted(set(statuses))
    assert 429 not in statuses
    for log in logs:
        assert not re.search(r"status=5\d\d", log)
        assert "Traceback" not in log
        assert "198.51." not in log
        assert "LyssnaTestPhone" not in log
        assert "database is locked" not in log


@pytest.fixture
def surveys(tmp_path) -> Path:
    """A surveys folder with the three-page load-test survey only."""
    folder = write_load_test_survey(tmp_path / "surveys")
    assert load_file(folder / "load-test.yaml").problems == []
    return folder


def assert_rate_limit_holds(bases: list[str]) -> None:
    """A bot at one address gets exactly LIMIT pages, however its requests spread over workers."""
    statuses = [
        Browser(bases[i % len(bases)], address="203.0.113.66").get("/").status for i in range(LIMIT + 20)
    ]
    assert statuses.count(200) == LIMIT
    assert statuses.count(429) == 20


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=needs_postgres)])
def test_fifty_residents_at_once_on_four_workers(kind, surveys, tmp_path):
    # With Redis (when there is one), the bot at the end shows the limit held across the four workers.
    shared = redis_available()
    with scratch_database(kind, tmp_path) as url, redis_prefix() as prefix:
        settings = {"REDIS_URL": REDIS_URL, "LYSSNA_REDIS_PREFIX": prefix} if shared else {}
        env = server_environment(url, tmp_path, **settings, **limited(surveys))
        with gunicorn(env, tmp_path) as server:
            residents = run_residents([server.base])
            if shared:
                assert_rate_limit_holds([server.base])
            log = server.log()
        assert_healthy(residents, [log])
        assert_stored_exactly_once(url, residents)
        assert_nothing_identifying_stored(url)


def limited(surveys: Path) -> dict:
    """Server settings: the load-test survey, one trusted proxy, and a limit no resident reaches."""
    return {
        "LYSSNA_SURVEYS_DIR": str(surveys),
        "LYSSNA_PROXY_COUNT": "1",
        "LYSSNA_ANSWER_RATE_LIMIT": f"{LIMIT}/hour",
    }


@needs_postgres
@needs_redis
def test_fifty_residents_through_two_instances_sharing_postgresql_and_redis(surveys, tmp_path):
    with scratch_database("postgresql", tmp_path) as url, redis_prefix() as prefix:
        env = server_environment(
            url,
            tmp_path,
            LYSSNA_WORKERS="2",
            REDIS_URL=REDIS_URL,
            LYSSNA_REDIS_PREFIX=prefix,
            **limited(surveys),
        )
        with gunicorn(env, tmp_path, "a") as first, gunicorn(env, tmp_path, "b") as second:
            residents = run_residents([first.base, second.base])
            assert_rate_limit_holds([first.base, second.base])
            logs = [first.log(), second.log()]
        assert_healthy(residents, logs)
        assert_stored_exactly_once(url, residents)
        assert_nothing_identifying_stored(url)
        # Both instances served residents.
        assert all(log.count("route=/s/<survey_id>/p/<page_id>") > RESIDENTS for log in logs)
