"""What anonymous requests may spend, per client and per survey: wrong participant codes, new
responses, kilobytes of pictures.

A budget is a rate limit that only some outcomes spend (a wrong code, not a right one). It is
counted in Flask-Limiter's storage: Redis when `REDIS_URL` is set, so every worker and instance
shares it, else this process's memory. The limits are settings (see README, Configuration).
"""

from __future__ import annotations

from functools import lru_cache

from flask import current_app
from limits import RateLimitItem, parse_many

from app.clients import client_key
from app.extensions import limiter


@lru_cache(maxsize=16)
def _limits(setting: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(setting))


def _spends(kind: str, survey_id: str) -> list[tuple[RateLimitItem, list[str]]]:
    """Each limit of a kind of budget, with the counter it is kept in: one per client, one per survey."""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "lyssna"
    config = current_app.config
    per_client = _limits(config[f"LYSSNA_{kind.upper()}_PER_CLIENT"])
    per_survey = _limits(config[f"LYSSNA_{kind.upper()}_PER_SURVEY"])
    return [(item, [prefix, kind, "client", client_key()]) for item in per_client] + [
        (item, [prefix, kind, "survey", survey_id]) for item in per_survey
    ]


def left(kind: str, survey_id: str) -> bool:
    """Whether this client may still spend on `kind` for this survey (neither budget is used up).

    If the counters cannot be read (Redis is down), residents are not turned away: True, logged."""
    rate_limiter = limiter.limiter
    try:
        return all(rate_limiter.test(item, *keys) for item, keys in _spends(kind, survey_id))
    except Exception:  # the storage failed: answering goes on, the log says why budgets did not hold
        current_app.logger.warning("budget %s of survey %s could not be read", kind, survey_id, exc_info=True)
        return True


def take(kind: str, survey_id: str) -> bool:
    """Spend one of `kind` if both budgets allow it (one counter hit each); False when one is used up
    (then nothing is spent). Fails open, as left() does."""
    rate_limiter = limiter.limiter
    try:
        spends = _spends(kind, survey_id)
        if not all(rate_limiter.test(item, *keys) for item, keys in spends):
            return False
        for item, keys in spends:
            rate_limiter.hit(item, *keys)
        return True
    except Exception:  # as in left()
        current_app.logger.warning(
            "budget %s of survey %s could not be counted", kind, survey_id, exc_info=True
        )
        return True


def spend(kind: str, survey_id: str, cost: int = 1) -> None:
    """Count a spending of `kind` (`cost` units of it) by this client on this survey, in both budgets."""
    rate_limiter = limiter.limiter
    try:
        for item, keys in _spends(kind, survey_id):
            # A spending larger than what is left uses up the rest (a hit over the limit counts nothing).
            remaining = rate_limiter.get_window_stats(item, *keys).remaining
            if remaining > 0:
                rate_limiter.hit(item, *keys, cost=min(cost, remaining))
    except Exception:  # as in left()
        current_app.logger.warning(
            "budget %s of survey %s could not be counted", kind, survey_id, exc_info=True
        )
