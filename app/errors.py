"""Friendly error pages; an unexpected error is rolled back and logged with its request id, never its data."""

import logging

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db
from app.observability import request_id, route_template

logger = logging.getLogger("lyssna.error")

PAGES = {
    400: (_l("Something went wrong with the form"), _l("Please go back, reload the page and try again.")),
    403: (_l("You cannot open this page"), _l("You do not have access to this page.")),
    404: (_l("Page not found"), _l("Check the address, or start again from the list of surveys.")),
    405: (_l("Something went wrong with the form"), _l("Please go back, reload the page and try again.")),
    413: (
        _l("What you sent is too large"),
        _l("Please shorten your answer, or choose a smaller photo, and send it again."),
    ),
    429: (
        _l("Too many requests"),
        _l(
            "Many requests have come from your connection in a short time. Please wait a minute and "
            "try again. The answers you have already sent are saved."
        ),
    ),
    500: (
        _l("Sorry, something went wrong on our side"),
        _l("Please try again in a moment. The answers you have already sent are saved."),
    ),
}


def error_page(error: HTTPException):
    """Render the friendly page of an HTTP error with its status and the headers it needs."""
    code = error.code if error.code in PAGES else 500
    title, text = PAGES[code]
    body = render_template("errors/error.html", title=title, text=text, request_id=request_id())
    headers = [
        (name, value) for name, value in error.get_headers() if name.lower() in {"allow", "retry-after"}
    ]
    if code == 429 and not any(name == "Retry-After" for name, _ in headers):
        headers.append(("Retry-After", str(retry_after(error))))
    return body, code, headers


def retry_after(error: HTTPException) -> int:
    """Seconds until a rate-limited client may try again: the breached limit's window."""
    limit = getattr(error, "limit", None)
    return limit.limit.get_expiry() if limit is not None else 60


def server_error(error: InternalServerError):
    """The page for an unexpected error: roll back whatever the request had started, then apologise."""
    db.session.rollback()
    return error_page(error)


def log_exception(exc_info) -> None:
    """Log an unexpected error with its traceback, the route template and the request id.

    Replaces Flask's default, which logs the request path: paths may carry resume tokens.
    """
    logger.error(
        "unhandled error method=%s route=%s rid=%s",
        request.method,
        route_template(),
        request_id(),
        exc_info=exc_info,
    )


def init_app(app: Flask) -> None:
    """Register the error pages and the error log."""
    for code in PAGES.keys() - {500}:
        app.register_error_handler(code, error_page)
    app.register_error_handler(InternalServerError, server_error)
    # An instance attribute overrides Flask.log_exception, which handle_exception calls.
    app.log_exception = log_exception
