"""Public results are behind a QR code on a poster: worked out at most once a minute per survey, and kept.

One pass computes every group of a survey at once (the whole survey and each station shown), and each
group's data is kept under its own key for up to a minute (FRESH_SECONDS): in this process, or in Redis
when REDIS_URL is set, so that every worker and instance shares one computation. A result older than a
minute is used again only when a cheap look at the survey's complete responses (how many, and the
newest) finds nothing new; so new responses show within a minute, and a page costs a cache read.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import orjson
from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Response
from app.results import figures as figures_
from app.results import quotes
from app.surveys.loader import content_hash
from app.surveys.models import Survey

FRESH_SECONDS = 60  # a result this young is used without asking the database anything
KEEP_SECONDS = 600  # the longest a result is used, even while the responses seem unchanged
MEMORY_ENTRIES = 4096
EXTENSION = "lyssna.results.cache"

now = time.time  # wall-clock seconds: entries are shared between processes (tests replace it)


class MemoryStore:
    """Entries in this process (an LRU), when there is no Redis."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: OrderedDict[str, dict] = OrderedDict()

    def get(self, key: str) -> dict | None:
        with self.lock:
            entry = self.items.get(key)
            if entry is not None:
                self.items.move_to_end(key)
            return entry

    def put(self, entries: dict[str, dict]) -> None:
        with self.lock:
            for key, entry in entries.items():
                self.items[key] = entry
                self.items.move_to_end(key)
            while len(self.items) > MEMORY_ENTRIES:
                self.items.popitem(last=False)

    def forget(self, prefix: str) -> None:
        with self.lock:
            for key in [k for k in self.items if k.startswith(prefix)]:
                del self.items[key]


class RedisStore:
    """Entries in Redis, shared by every worker and instance; each expires after KEEP_SECONDS."""

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)

    def get(self, key: str) -> dict | None:
        value = self.client.get(key)
        return None if value is None else orjson.loads(value)

    def put(self, entries: dict[str, dict]) -> None:
        pipeline = self.client.pipeline(transaction=False)
        for key, entry in entries.items():
            pipeline.set(key, orjson.dumps(entry), ex=KEEP_SECONDS)
        pipeline.execute()

    def forget(self, prefix: str) -> None:
        keys = list(self.client.scan_iter(match=prefix + "*", count=500))
        if keys:
            self.client.delete(*keys)


class _Cache:
    def __init__(self, store) -> None:
        self.store = store
        self.memory = store if isinstance(store, MemoryStore) else MemoryStore()  # when Redis fails
        self.locks: dict[str, threading.Lock] = {}
        self.locks_lock = threading.Lock()

    def lock(self, survey_id: str) -> threading.Lock:
        with self.locks_lock:
            return self.locks.setdefault(survey_id, threading.Lock())


def _cache() -> _Cache:
    cache = current_app.extensions.get(EXTENSION)
    if cache is None:
        url = current_app.config.get("REDIS_URL")
        cache = current_app.extensions[EXTENSION] = _Cache(RedisStore(url) if url else MemoryStore())
    return cache


def _prefix(survey_id: str) -> str:
    name = current_app.config.get("RATELIMIT_KEY_PREFIX") or "lyssna"
    return f"{name}:results:{survey_id}:"


def _key(survey: Survey, group: str) -> str:
    # The definition's hash is in the key: a newly published version never reads the old one's figures.
    return f"{_prefix(survey.id)}{content_hash(survey)[:16]}:{group}"


def _stamp(session: Session, survey_id: str) -> list:
    """How many complete responses the survey has, and when the newest was sent (an index-only read)."""
    query = select(func.count(), func.max(Response.submitted_at)).where(
        Response.survey_id == survey_id, Response.status == Response.COMPLETE
    )
    count, newest = session.execute(query).one()
    return [count, newest.isoformat() if newest else None]


def results(session: Session, survey: Survey, group: str | None, tz: ZoneInfo) -> dict:
    """The data of one group (None or '': the whole survey; else a value of `by`), at most a minute old
    unless nothing changed since. Never to be changed by the caller: it is shared."""
    cache = _cache()
    group = group or figures_.WHOLE
    try:
        return _results(cache.store, cache, session, survey, group, tz)
    except RedisError as error:  # Redis failed: pages go on from this process's memory, the log says why
        current_app.logger.warning("results cache in Redis failed (%s): using memory", type(error).__name__)
        return _results(cache.memory, cache, session, survey, group, tz)


def _results(store, cache: _Cache, session: Session, survey: Survey, group: str, tz: ZoneInfo) -> dict:
    whole = _fresh(store, session, survey, _key(survey, figures_.WHOLE))
    if whole is None:
        with cache.lock(survey.id):  # one computation at a time per survey in this process
            whole = _fresh(store, session, survey, _key(survey, figures_.WHOLE))
            if whole is None:
                return _compute(store, session, survey, tz).get(group) or figures_.hidden_group(survey, group)
    if group == figures_.WHOLE:
        return whole["data"]
    if group not in whole["groups"]:  # too few answers there, or none: nothing is kept for it
        return figures_.hidden_group(survey, group)
    entry = store.get(_key(survey, group))
    if entry is not None and entry["computed"] == whole["computed"]:  # of the same computation
        return entry["data"]
    with cache.lock(survey.id):
        return _compute(store, session, survey, tz).get(group) or figures_.hidden_group(survey, group)


def _fresh(store, session: Session, survey: Survey, key: str) -> dict | None:
    """The kept entry when it is under a minute old, or older but the responses are unchanged."""
    entry = store.get(key)
    if entry is None:
        return None
    if 0 <= now() - entry["at"] < FRESH_SECONDS:
        return entry
    if now() - entry["computed"] < KEEP_SECONDS and entry["stamp"] == _stamp(session, survey.id):
        entry = {**entry, "at": now()}  # fresh for another minute; the stations' entries stay as they are
        store.put({key: entry})
        return entry
    return None


def _compute(store, session: Session, survey: Survey, tz: ZoneInfo) -> dict[str, dict]:
    """Work out every group's data in one pass and keep each under its key."""
    stamp = _stamp(session, survey.id)
    whole, groups = figures_.tally(session, survey, tz)
    computed_at = datetime.now(UTC).replace(microsecond=0)
    data = figures_.public_figures(survey, whole, groups, quotes.approved(session, survey, tz), computed_at)
    at = now()
    entries = {
        _key(survey, group): {"at": at, "computed": at, "stamp": stamp, "data": value, "groups": []}
        for group, value in data.items()
    }
    entries[_key(survey, figures_.WHOLE)]["groups"] = [g for g in data if g != figures_.WHOLE]
    store.put(entries)
    return data


def forget(survey_id: str) -> None:
    """Drop the kept results of a survey (a quote approved or hidden): in Redis for every worker, else in
    this process only (the others follow within a minute)."""
    cache = _cache()
    try:
        cache.store.forget(_prefix(survey_id))
    except RedisError as error:  # Redis failed: the entries expire by themselves within a minute
        current_app.logger.warning("results cache in Redis failed (%s)", type(error).__name__)
    cache.memory.forget(_prefix(survey_id))
