"""The queue: RQ on Redis when REDIS_URL is set, else a small pool of threads in this process.

A job is a module-level function called with plain arguments (ids), inside an app context. On RQ the
job runs in a work horse that `flask worker` forks for it (a crash or a leak ends with the job), with
a timeout, and retries where the caller asks for them; in-process it runs in one of a few threads.
"""

from __future__ import annotations

import importlib
import logging
import os
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, has_app_context

log = logging.getLogger(__name__)

IN_PROCESS_THREADS = 2
DEFAULT_TIMEOUT = 600  # seconds a job may run on RQ before its work horse is stopped
KEEP_FAILED = 7 * 24 * 3600  # seconds RQ keeps a failed job for `rq info` and the logs
EXTENSION = "lyssna_jobs"


def uses_redis(app: Flask | None = None) -> bool:
    """True when jobs go to RQ (REDIS_URL is set)."""
    return bool((app or current_app).config.get("REDIS_URL"))


def queue_name(app: Flask | None = None) -> str:
    """The RQ queue of this deployment: named by LYSSNA_REDIS_PREFIX, so deployments can share a Redis."""
    return (app or current_app).config["RATELIMIT_KEY_PREFIX"]  # what LYSSNA_REDIS_PREFIX sets


def _state(app: Flask) -> dict:
    return app.extensions.setdefault(EXTENSION, {"futures": []})


def redis_connection(app: Flask | None = None):
    """This app's Redis client for the queue (made once)."""
    from redis import Redis

    app = app or current_app._get_current_object()
    state = _state(app)
    if "redis" not in state:
        state["redis"] = Redis.from_url(app.config["REDIS_URL"])
    return state["redis"]


def rq_queue(app: Flask | None = None):
    """The RQ queue jobs are put on."""
    from rq import Queue

    app = app or current_app._get_current_object()
    return Queue(queue_name(app), connection=redis_connection(app), default_timeout=DEFAULT_TIMEOUT)


def enqueue(
    func: Callable[..., Any],
    *args: Any,
    app: Flask | None = None,
    timeout: int = DEFAULT_TIMEOUT,
    retry: Any = None,
    job_id: str | None = None,
    on_failure: Any = None,
) -> None:
    """Run `func(*args)` outside this request: on an RQ worker, or in a thread of this process.

    `retry` (an rq.Retry) and `on_failure` (an rq.Callback) are RQ's and only used there; in-process,
    a job that raises is logged.
    """
    app = app or current_app._get_current_object()
    if uses_redis(app):
        rq_queue(app).enqueue_call(
            perform,
            args=(f"{func.__module__}.{func.__qualname__}", *args),
            timeout=timeout,
            retry=retry,
            # Named under the queue's prefix, as every key of this deployment in a shared Redis.
            job_id=job_id or f"{queue_name(app)}-{uuid.uuid4().hex}",
            on_failure=on_failure,
            failure_ttl=KEEP_FAILED,
            description=f"{func.__module__}.{func.__qualname__}{args!r}",
        )
        return
    state = _state(app)
    if "pool" not in state:
        state["pool"] = ThreadPoolExecutor(IN_PROCESS_THREADS, thread_name_prefix="lyssna-job")
    future = state["pool"].submit(_in_process, app, func, args)
    state["futures"] = [f for f in state["futures"] if not f.done()] + [future]


def _in_process(app: Flask, func: Callable[..., Any], args: tuple) -> None:
    with app.app_context():
        try:
            func(*args)
        except Exception:  # logged with its traceback; a thread has nobody else to tell
            log.exception("job %s%r failed", func.__qualname__, args)


def wait_for_jobs(app: Flask, timeout: float = 60) -> None:
    """Wait until this process's in-process jobs have finished (for tests and shutdown)."""
    futures: list[Future] = list(_state(app)["futures"])
    while futures:
        wait(futures, timeout)
        # A job may hand on another (a delivery made by a schedule): wait for those too.
        futures = [f for f in _state(app)["futures"] if not f.done()]


# ----------------------------------------------------------------------------- in the RQ worker

_worker_pid: int | None = None  # set by `flask worker`: a job in another process runs in a forked horse


def mark_worker_process() -> None:
    """Note this process as the worker whose forked horses run the jobs (see `perform`)."""
    global _worker_pid
    _worker_pid = os.getpid()


@contextmanager
def app_context():
    """The current app's context, or a new app's (RQ callbacks may run where none is pushed)."""
    if has_app_context():
        yield
        return
    from app import create_app

    with create_app().app_context():
        yield


def perform(func_name: str, *args: Any) -> None:
    """What RQ runs: the named job function, in an app context, on database connections of its own."""
    module_name, _, name = func_name.rpartition(".")
    func = getattr(importlib.import_module(module_name), name)
    with app_context():
        if _worker_pid is not None and os.getpid() != _worker_pid:
            from app.extensions import db

            # A forked horse shares the worker's pooled connections: drop them (unclosed, they are
            # the worker's) so that this job opens its own.
            db.engine.dispose(close=False)
        func(*args)
