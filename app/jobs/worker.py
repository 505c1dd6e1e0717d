"""`flask worker`: run the queued jobs from Redis (RQ), and look for due work beside them."""

from __future__ import annotations

import os
import socket

import click
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import db
from app.jobs import queue, ticker


@click.command("worker")
@click.option("--burst", is_flag=True, help="Queue what is due, run every waiting job, then stop.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run background exports, webhook deliveries and scheduled exports from the Redis queue."""
    from rq import Worker

    app = current_app._get_current_object()
    if not queue.uses_redis(app):
        raise click.ClickException(
            "REDIS_URL is not set. Without Redis the web processes run these jobs themselves: "
            "no worker is needed."
        )
    if burst:
        ticker.tick()
        stop = None
    else:
        stop = ticker.start(app)
    db.session.remove()
    queue.mark_worker_process()
    name = f"{queue.queue_name(app)}-{socket.gethostname()}-{os.getpid()}"
    worker = Worker([queue.rq_queue(app)], name=name, connection=queue.redis_connection(app))
    try:
        worker.work(burst=burst, logging_level=app.config["LYSSNA_LOG_LEVEL"], with_scheduler=True)
    finally:
        if stop is not None:
            stop.set()
