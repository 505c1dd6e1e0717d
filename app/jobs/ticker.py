"""What has come due: scheduled exports and webhook retries, found every few seconds and queued.

The database holds what is due, so any number of processes may look: each due row is claimed by one
conditional UPDATE, which only one of them wins, and the winner queues it. With Redis, `flask worker`
looks (a thread beside RQ's work loop); without it, every web process does, from its first request.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from flask import Flask

from app.jobs.queue import enqueue, uses_redis

log = logging.getLogger(__name__)

EXTENSION = "lyssna_ticker"


def tick(now: datetime | None = None) -> int:
    """Queue every scheduled export and webhook delivery that is due; how many were queued."""
    from app.jobs import schedules
    from app.webhooks import deliveries

    queued = 0
    for schedule_id in schedules.claim_due(now):
        enqueue(schedules.make_file, schedule_id, timeout=schedules.TIMEOUT)
        queued += 1
    for delivery_id in deliveries.claim_due(now):
        enqueue(deliveries.deliver, delivery_id, timeout=deliveries.TIMEOUT)
        queued += 1
    return queued


def loop(app: Flask, stop: threading.Event) -> None:
    """Tick every LYSSNA_TICK_SECONDS until `stop` is set; a failed tick is logged and the next one tried."""
    seconds = app.config["LYSSNA_TICK_SECONDS"]
    while not stop.wait(seconds):
        with app.app_context():
            try:
                tick()
            except Exception:  # the database may be restarting: the next tick tries again
                log.exception("looking for due jobs failed")
            finally:
                from app.extensions import db

                db.session.remove()


def start(app: Flask) -> threading.Event:
    """Tick in a daemon thread of this process; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=loop, args=(app, stop), name="lyssna-ticker", daemon=True).start()
    return stop


def init_app(app: Flask) -> None:
    """Without Redis (and outside tests), start this process's ticker with its first request.

    Not at start-up: gunicorn may load the app before it forks its workers, and a thread started
    then would not live on in them. Tests tick by hand, with the clock they need.
    """
    if uses_redis(app) or app.testing or app.config["LYSSNA_TICK_SECONDS"] <= 0:
        return
    lock = threading.Lock()

    @app.before_request
    def start_ticking() -> None:
        if EXTENSION in app.extensions:
            return
        with lock:
            if EXTENSION not in app.extensions:
                app.extensions[EXTENSION] = start(app)
