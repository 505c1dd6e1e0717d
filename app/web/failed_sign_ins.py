"""Failed sign-ins slow down the client that fails, per client and account; no account is ever locked.

A client that sends too many wrong passwords for one account waits before it may try that account
again (`LYSSNA_SIGN_IN_FAILURES_PER_CLIENT`); each limit's window starts at the client's first
failure, so a longer run meets a longer wait. The owner, on any client that has not failed, signs in
as usual: a stranger who knows the address can no longer keep them out. Failures for one account
from everywhere are counted too (`LYSSNA_SIGN_IN_FAILURES_PER_ACCOUNT`), only to record a burst in
the audit log. The counters are kept with the rate limits (Redis when `REDIS_URL` is set), under
keyed hashes: neither the client's address nor the email is ever stored there.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from flask import current_app
from limits import RateLimitItem, parse_many
from limits.strategies import FixedWindowRateLimiter

from app.accounts import normalize_email
from app.clients import client_key
from app.extensions import limiter

KIND = "sign_in_failures"


@dataclass(frozen=True)
class Failure:
    """What one more failure did: the wait it just started for this client, and whether it began a burst."""

    wait: timedelta | None
    burst: bool


@lru_cache(maxsize=16)
def _limits(setting: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(setting))


def _counter() -> FixedWindowRateLimiter:
    # Fixed windows that start at the first failure, so the wait a client is told is exact; kept in
    # the storage Flask-Limiter uses at the moment (its memory fallback while Redis is unreachable).
    return FixedWindowRateLimiter(limiter.limiter.storage)


def account_key(email: str) -> str:
    """An opaque key for the account an email names (existing or not): an HMAC under the secret key."""
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, b"lyssna-account:" + normalize_email(email).encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def _per_client(email: str) -> list[tuple[RateLimitItem, list[str]]]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "lyssna"
    keys = [prefix, KIND, "client", client_key(), account_key(email)]
    return [(item, keys) for item in _limits(current_app.config["LYSSNA_SIGN_IN_FAILURES_PER_CLIENT"])]


def _per_account(email: str) -> list[tuple[RateLimitItem, list[str]]]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "lyssna"
    keys = [prefix, KIND, "account", account_key(email)]
    return [(item, keys) for item in _limits(current_app.config["LYSSNA_SIGN_IN_FAILURES_PER_ACCOUNT"])]


def wait(email: str) -> timedelta | None:
    """How long this client must wait before it may try this account again, or None when it may now.

    If the counters cannot be read, nobody is kept out (the route's rate limit still holds): None, logged."""
    try:
        return _wait(_counter(), email)
    except Exception:  # the storage failed: signing in goes on, the log says why failures were not counted
        current_app.logger.warning("failed sign-ins could not be read", exc_info=True)
        return None


def _wait(counter: FixedWindowRateLimiter, email: str) -> timedelta | None:
    now = time.time()
    stats = [counter.get_window_stats(item, *keys) for item, keys in _per_client(email)]
    waits = [s.reset_time - now for s in stats if s.remaining == 0]
    # Whole seconds: Redis keeps expiry times in seconds, so its waits come out a fraction long.
    return timedelta(seconds=max(0, round(max(waits)))) if waits else None


def count(email: str) -> Failure:
    """Count a failed sign-in for this account by this client, and by anyone."""
    try:
        counter = _counter()
        slowed = _hit_reaching(counter, _per_client(email))
        burst = _hit_reaching(counter, _per_account(email))
        return Failure(_wait(counter, email) if slowed else None, burst)
    except Exception:  # as in wait()
        current_app.logger.warning("a failed sign-in could not be counted", exc_info=True)
        return Failure(None, False)


def _hit_reaching(counter: FixedWindowRateLimiter, limits: list[tuple[RateLimitItem, list[str]]]) -> bool:
    """Count one failure in each limit; True when one of them was reached by it (once in its window)."""
    reached = False
    for item, keys in limits:
        within = counter.hit(item, *keys)
        reached = reached or (within and counter.get_window_stats(item, *keys).remaining == 0)
    return reached


def forget(email: str) -> None:
    """Forget this client's failures for this account (it has signed in)."""
    try:
        counter = _counter()
        for item, keys in _per_client(email):
            counter.clear(item, *keys)
    except Exception:  # as in wait(); the failures expire with their window
        current_app.logger.warning("failed sign-ins could not be forgotten", exc_info=True)
