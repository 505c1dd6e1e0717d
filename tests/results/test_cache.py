"""Results are cheap behind a public QR code: worked out once and kept (in this process, or in Redis when
REDIS_URL is set), and new responses show within a minute."""

import pytest

from app.results import cache, figures
from tests.servers import REDIS_URL, redis_available, redis_prefix

from .conftest import figures as results_json


@pytest.fixture
def clock(monkeypatch):
    """The cache's clock, moved by hand: clock.now += 61."""

    class Clock:
        now = 1_000_000.0

    monkeypatch.setattr(cache, "now", lambda: Clock.now)
    return Clock


def test_a_result_is_worked_out_once_and_kept(client, answer, clock, monkeypatch):
    answer("12", full=1, times=6)
    passes = []
    real = figures.tally
    monkeypatch.setattr(figures, "tally", lambda *args: passes.append(1) or real(*args))
    first = results_json(client)
    for query in ("", "?station=12", "?station=13", ""):
        results_json(client, query)
    assert len(passes) == 1  # one pass for the whole survey and every station
    assert first["responses"] == 6


def test_new_responses_show_within_a_minute(client, answer, clock):
    answer("12", full=1, times=6)
    assert results_json(client)["responses"] == 6
    answer("12", full=0, times=2)
    clock.now += 30
    assert results_json(client)["responses"] == 6  # kept: under a minute old
    clock.now += 31
    assert results_json(client)["responses"] == 8
    assert results_json(client, "?station=12")["responses"] == 8


def test_an_unchanged_survey_is_not_worked_out_again_after_a_minute(client, answer, clock, monkeypatch):
    answer("12", full=1, times=6)
    results_json(client)
    passes = []
    real = figures.tally
    monkeypatch.setattr(figures, "tally", lambda *args: passes.append(1) or real(*args))
    clock.now += 61
    assert results_json(client)["responses"] == 6
    assert results_json(client, "?station=12")["responses"] == 6
    assert passes == []


def test_a_deleted_response_is_gone_within_a_minute(client, answer, clock, db):
    made = answer("12", full=1, times=7)
    assert results_json(client)["responses"] == 7
    db.delete(made[0])
    db.commit()
    clock.now += 61
    assert results_json(client)["responses"] == 6


@pytest.mark.skipif(not redis_available(), reason=f"no Redis at {REDIS_URL}")
def test_with_redis_every_worker_shares_one_computation(make_app, surveys_dir, answer, monkeypatch):
    import redis

    with redis_prefix() as prefix:
        settings = {
            "LYSSNA_SURVEYS_DIR": str(surveys_dir),
            "REDIS_URL": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": prefix,
        }
        workers = [make_app(**settings) for _ in range(2)]
        answer("12", full=1, times=6)
        passes = []
        real = figures.tally
        monkeypatch.setattr(figures, "tally", lambda *args: passes.append(1) or real(*args))
        assert results_json(workers[0].test_client())["responses"] == 6
        assert results_json(workers[1].test_client(), "?station=12")["responses"] == 6
        assert len(passes) == 1
        keys = {k.decode() for k in redis.Redis.from_url(REDIS_URL).scan_iter(match=f"{prefix}:results:*")}
        assert any(k.endswith(":bins:") or ":bins:" in k for k in keys) and len(keys) == 2
        with workers[0].app_context():
            cache.forget("bins")
        assert not list(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"{prefix}:results:*"))


def test_when_redis_fails_pages_go_on_from_memory(make_app, surveys_dir, answer, caplog):
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir), REDIS_URL="redis://127.0.0.1:1/0")  # nobody there
    answer("12", full=1, times=6)
    assert results_json(app.test_client())["responses"] == 6
    assert "results cache in Redis failed (ConnectionError): using memory" in caplog.text
