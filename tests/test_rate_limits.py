"""Rate limits on the public pages: per client, generous, never the address in clear.

That the limits hold across gunicorn workers and across two instances sharing Redis is tested
under load, in tests/test_load.py.
"""

import pytest

from tests.servers import REDIS_URL, Browser, gunicorn, redis_available, server_environment

needs_redis = pytest.mark.skipif(not redis_available(), reason=f"no Redis at {REDIS_URL}")


def get(client, path, address="203.0.113.9"):
    return client.get(path, environ_base={"REMOTE_ADDR": address}, buffered=True)


def test_public_pages_are_limited_per_client_with_a_friendly_429(make_app):
    client = make_app(LYSSNA_ANSWER_RATE_LIMIT="3/minute").test_client()
    assert [get(client, "/").status_code for _ in range(3)] == [200, 200, 200]
    refused = get(client, "/")
    assert refused.status_code == 429
    assert "Too many requests" in refused.get_data(as_text=True)
    assert refused.headers["Retry-After"] == "60"
    assert "Content-Security-Policy" in refused.headers
    # Another household is not affected.
    assert get(client, "/", address="198.51.100.7").status_code == 200


def test_every_limit_of_the_setting_applies(make_app):
    # The default is a per-minute limit and a burst limit; a long burst window keeps this test exact.
    client = make_app(LYSSNA_ANSWER_RATE_LIMIT="100/minute;2/hour").test_client()
    statuses = [get(client, "/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_health_checks_and_static_files_are_never_limited(make_app):
    client = make_app(LYSSNA_ANSWER_RATE_LIMIT="1/minute").test_client()
    assert get(client, "/").status_code == 200
    assert get(client, "/").status_code == 429
    for _ in range(5):
        assert get(client, "/healthz").status_code == 200
        assert get(client, "/static/lyssna.css").status_code == 200


def test_the_default_is_generous_for_a_household_behind_one_address(make_app):
    client = make_app().test_client()
    assert all(get(client, "/").status_code == 200 for _ in range(19))


def test_public_requests_count_in_flask_limiters_own_shared_bucket(make_app):
    # Public pages hit the shared limit directly (app/security.py); the count must be the very one
    # Flask-Limiter keeps for the shared "public" scope, whichever of the two did the counting.
    from limits import parse

    from app.clients import client_key
    from app.extensions import limiter

    app = make_app(LYSSNA_ANSWER_RATE_LIMIT="5/minute")
    client = app.test_client()
    assert [get(client, "/").status_code for _ in range(2)] == [200, 200]
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        prefix, key = app.config["RATELIMIT_KEY_PREFIX"], client_key()
    stats = limiter.limiter.get_window_stats(parse("5/minute"), prefix, key, "public")
    assert stats.remaining == 3


def test_a_failing_storage_leaves_the_request_to_flask_limiter(make_app, monkeypatch):
    from app.extensions import limiter

    client = make_app(LYSSNA_ANSWER_RATE_LIMIT="2/minute").test_client()
    strategy = type(limiter.limiter)
    real_hit, failed = strategy.hit, []

    def hit_failing_once(self, *args, **kwargs):
        if not failed:
            failed.append(args)
            raise ConnectionError("storage unreachable")
        return real_hit(self, *args, **kwargs)

    monkeypatch.setattr(strategy, "hit", hit_failing_once)
    # The first request's direct count fails; Flask-Limiter's own check counts it, once.
    assert [get(client, "/").status_code for _ in range(3)] == [200, 200, 429]
    assert len(failed) == 1


def test_in_memory_counters_start_no_thread_per_request(make_app, monkeypatch):
    import threading

    from app.counters import SweepingMemoryStorage
    from app.extensions import limiter

    client = make_app(LYSSNA_ANSWER_RATE_LIMIT="5/minute").test_client()
    assert isinstance(limiter.storage, SweepingMemoryStorage)
    started = []
    monkeypatch.setattr(threading.Timer, "start", lambda timer: started.append(timer))
    assert [get(client, "/").status_code for _ in range(6)] == [200] * 5 + [429]
    assert started == []


def test_in_memory_counters_expire_and_are_swept(monkeypatch):
    import time

    from app.counters import SweepingMemoryStorage

    storage = SweepingMemoryStorage("lyssna-memory://")
    storage.incr("a", expiry=0.01)
    assert storage.get("a") == 1
    time.sleep(0.02)
    assert storage.get("a") == 0  # expired counters read as zero at once
    storage.incr("b", expiry=0.01)
    time.sleep(0.02)
    monkeypatch.setattr(storage, "next_sweep", 0)
    storage.incr("c", expiry=60)  # the next write sweeps what expired
    assert "b" not in storage.storage
    assert storage.get("c") == 1


@needs_redis
def test_redis_keys_never_hold_the_address(make_app):
    import redis

    from app.clients import client_key

    app = make_app(RATELIMIT_STORAGE_URI=REDIS_URL)
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.77"}):
        key = client_key()
    store = redis.Redis.from_url(REDIS_URL)
    try:
        assert get(app.test_client(), "/", address="203.0.113.77").status_code == 200
        assert list(store.scan_iter(match=f"*{key}*"))
        assert not list(store.scan_iter(match="*203.0.113.77*"))
    finally:
        for name in store.scan_iter(match=f"*{key}*"):
            store.delete(name)
        store.close()


@pytest.mark.slow
def test_limits_fall_back_to_memory_when_redis_is_down(tmp_path):
    # In its own process: the limiter remembers a dead storage for the life of the process.
    env = server_environment(
        _sqlite_url(tmp_path),
        tmp_path,
        REDIS_URL="redis://127.0.0.1:1/0",
        LYSSNA_ANSWER_RATE_LIMIT="2/minute",
        LYSSNA_WORKERS="1",
    )
    with gunicorn(env, tmp_path) as server:
        statuses = [Browser(server.base).get("/").status for _ in range(3)]
    assert statuses == [200, 200, 429]


def _sqlite_url(tmp_path):
    """A migrated SQLite file for a server (rate limits do not care which database)."""
    from tests.servers import migrate

    url = f"sqlite:///{tmp_path / 'limits.db'}"
    migrate(url, tmp_path)
    return url
