"""Errors of the API as RFC 9457 problem details (`application/problem+json`), never HTML pages."""

from __future__ import annotations

from flask import Response, current_app, json
from werkzeug.exceptions import HTTPException

from app.errors import retry_after
from app.extensions import db
from app.observability import request_id

MEDIA_TYPE = "application/problem+json"


class Problem(HTTPException):
    """An API error with a plain-English detail, raised anywhere in a request of the API."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.code = status
        self.detail = detail


def problem(status: int, title: str, detail: str | None = None, headers: dict | None = None) -> Response:
    """A problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "request_id": request_id()}
    if detail:
        body["detail"] = detail
    response = current_app.response_class(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    response.headers.update(headers or {})
    return response


def from_http_error(error: HTTPException) -> Response:
    """Any HTTP error inside the API (a Problem, a 404, a rate limit, a crash) as problem+json."""
    status = error.code or 500
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="lyssna"'
    if status == 405:
        headers["Allow"] = "GET, HEAD"  # the API only reads
    if status == 429:
        headers["Retry-After"] = str(retry_after(error))
    if status >= 500:
        db.session.rollback()
    detail = error.detail if isinstance(error, Problem) else None
    return problem(status, error.name, detail, headers)
