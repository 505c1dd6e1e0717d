"""Serve the app for a benchmark or a browser: a real HTTP server on 127.0.0.1 in a background
thread, on a scratch database with the example surveys recorded."""

from __future__ import annotations

import logging
import socket
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from app import create_app
from app.extensions import db
from app.surveys.catalog import current_registry, sync

ROOT = Path(__file__).resolve().parent.parent
PORTS = range(5111, 5120)


class QuietHandler(WSGIRequestHandler):
    """A request handler that does not log every request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Say nothing: the benchmark prints its own table."""


@dataclass
class Served:
    """A running server: its base URL and the app behind it."""

    url: str
    app: Flask
    server: BaseWSGIServer


def prepare(app: Flask) -> None:
    """Create the tables (by the migrations) and record the surveys' versions, as `make run` does."""
    with app.app_context():
        logging.disable(logging.INFO)  # alembic announces each migration
        try:
            upgrade()
        finally:
            logging.disable(logging.NOTSET)
        sync(db.session, current_registry())
        db.session.commit()


@contextmanager
def serve(config: dict | None = None, ports: range = PORTS, migrate: bool = True) -> Iterator[Served]:
    """Serve the app on the first free port of `ports`; SQLite in a scratch folder unless configured."""
    with tempfile.TemporaryDirectory(prefix="lyssna-serve-") as scratch:
        base = {
            "SECRET_KEY": "benchmark-only",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/lyssna.db",
            "LYSSNA_SURVEYS_DIR": str(ROOT / "surveys"),
            "LYSSNA_EXPORTS_DIR": f"{scratch}/exports",
            # One scripted client walks every survey in seconds: the per-client limit would stop it.
            # (Not RATELIMIT_ENABLED=False: Flask-Limiter keeps that on its shared object, so every
            # app created later in the same process, such as the other tests', would be unlimited.)
            "LYSSNA_ANSWER_RATE_LIMIT": "100000/minute",
        }
        app = create_app({**base, **(config or {})})
        if migrate:
            prepare(app)
        server = _bind(app, ports)
        thread = threading.Thread(target=server.serve_forever, name="lyssna-server", daemon=True)
        thread.start()
        try:
            yield Served(f"http://127.0.0.1:{server.server_port}", app, server)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _bind(app: Flask, ports: range) -> BaseWSGIServer:
    for port in ports:
        # Probe first: werkzeug exits the process (SystemExit) when a port is taken.
        if not _free(port):
            continue
        try:
            return make_server("127.0.0.1", port, app, threaded=True, request_handler=QuietHandler)
        except SystemExit:  # taken between the probe and the bind: try the next one
            continue
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")
