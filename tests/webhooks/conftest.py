"""Fixtures for webhooks: a small survey residents complete, and a local receiver of the POSTs."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.answering.conftest import read

HOOKED = """\
id: hooked
title: {sv: Krok, en: Hook}
languages: [sv, en]
hidden_fields: [station]
pages:
  - id: one
    questions:
      - {id: mood, type: text, required: true, label: {sv: Humör, en: Mood}}
"""


@dataclass
class Receiver:
    """A local HTTP server that records each POST and answers with the next of `statuses` (then 200).
    While `gate` is clear, it holds every request unanswered."""

    url: str
    received: list[dict] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    gate: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def receiver():
    """A receiver at http://127.0.0.1:<port>/in, stopped after the test."""
    state: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            me = state["receiver"]
            body = self.rfile.read(int(self.headers["Content-Length"]))
            me.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
            me.arrived.set()
            me.gate.wait(10)
            status = me.statuses.pop(0) if me.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["receiver"] = Receiver(f"http://127.0.0.1:{server.server_address[1]}/in")
    state["receiver"].gate.set()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["receiver"]
    state["receiver"].gate.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def hooked(make_app, write_survey, surveys_dir):
    """An app serving the one-page survey `hooked` (and nothing else)."""
    write_survey(HOOKED)
    return make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))


def answer(client, mood: str = "glad", query: str = "?station=5"):
    """A resident answers `hooked` to the end; the response to the last POST (a redirect to thanks)."""
    start = read(client.get(f"/s/hooked{query}"))
    began = client.post(start.action, data={"csrf_token": start.csrf})
    page = read(client.get(began.headers["Location"]))
    fields = {name: value for name, value in page.fields if name in ("csrf_token", "shown")}
    return client.post(page.action, data={**fields, "mood": mood, "nav": "next"})
