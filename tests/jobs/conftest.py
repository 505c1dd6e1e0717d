"""Fixtures for the queue: an app whose jobs go to RQ on the test Redis, under a fresh prefix."""

import pytest

from tests.servers import REDIS_URL, redis_available, redis_prefix

needs_redis = pytest.mark.skipif(not redis_available(), reason=f"no Redis at {REDIS_URL}")


@pytest.fixture
def redis_app(make_app):
    """The app with REDIS_URL set: jobs are RQ jobs on a queue of their own (deleted afterwards)."""
    with redis_prefix() as prefix:
        yield make_app(REDIS_URL=REDIS_URL, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
