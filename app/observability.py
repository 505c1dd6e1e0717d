"""The request log: one line per request with a request id, and nothing personal in it.

A line reads `request method=POST route=/s/<survey_id>/p/<page_id> status=303 ms=12.4 rid=...`:
the route is the URL rule's template, never the path or the query string (they may hold resume
tokens or hidden-field values), and no client address, user agent or form value is ever logged.
"""

import logging
import re
import secrets
import sys
import time
from collections.abc import Callable, Iterable

from flask import Flask, Response, has_request_context, request
from werkzeug.wsgi import ClosingIterator

REQUEST_ID_HEADER = "X-Request-ID"
ENVIRON_ID = "lyssna.request_id"
ENVIRON_ROUTE = "lyssna.route"
# An id from a proxy is kept only if it is plainly an id: anything else could forge log lines.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

logger = logging.getLogger("lyssna")
request_logger = logging.getLogger("lyssna.request")


def new_request_id() -> str:
    """A fresh random request id."""
    return secrets.token_hex(8)


def request_id() -> str | None:
    """The id of the current request (from X-Request-ID or generated), or None outside a request."""
    if not has_request_context():
        return None
    return request.environ.get(ENVIRON_ID)


def route_template() -> str:
    """The matched URL rule of the current request, e.g. '/s/<survey_id>', or '-' when none matched."""
    rule = request.url_rule if has_request_context() else None
    return rule.rule if rule is not None else "-"


class RequestLog:
    """WSGI middleware: give each request an id, echo it, and log one line when the response is done."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if VALID_REQUEST_ID.fullmatch(incoming) else new_request_id()
        environ[ENVIRON_ID] = rid
        status = ["-"]

        def start(code: str, headers: list[tuple[str, str]], exc_info=None):
            status[0] = code.split(" ", 1)[0]
            headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
            return start_response(code, [*headers, (REQUEST_ID_HEADER, rid)], exc_info)

        def done() -> None:
            request_logger.info(
                "request method=%s route=%s status=%s ms=%.1f rid=%s",
                environ.get("REQUEST_METHOD", "-"),
                environ.get(ENVIRON_ROUTE, "-"),
                status[0],
                (time.perf_counter() - started) * 1000,
                rid,
            )

        return ClosingIterator(self.wsgi_app(environ, start), [done])


def remember_route(response: Response) -> Response:
    """Note the matched route's template for the request log (the middleware cannot see it)."""
    request.environ[ENVIRON_ROUTE] = route_template()
    return response


def configure_logging(level: str) -> None:
    """Send Lyssna's log lines to stderr (gunicorn's error log, or the journal) unless logging is set up."""
    logger.setLevel(level)
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)


def init_app(app: Flask) -> None:
    """Log every request of the app (outermost middleware, so the time includes everything)."""
    configure_logging(app.config["LYSSNA_LOG_LEVEL"])
    app.after_request(remember_route)
    app.wsgi_app = RequestLog(app.wsgi_app)
