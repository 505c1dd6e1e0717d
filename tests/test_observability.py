"""The request log: one line per request, a request id, and nothing personal (app/observability.py)."""

import logging
import re

import pytest

LINE = re.compile(r"request method=(\S+) route=(\S+) status=(\d{3}) ms=(\d+\.\d) rid=([A-Za-z0-9._-]+)")


@pytest.fixture
def request_log(caplog):
    """The request log lines written during the test."""
    caplog.set_level(logging.INFO, logger="lyssna")

    def lines():
        return [r.getMessage() for r in caplog.records if r.name == "lyssna.request"]

    return lines


def test_one_line_per_request_with_the_route_template(client, request_log):
    response = client.get("/healthz", buffered=True)
    client.get("/", buffered=True)
    lines = request_log()
    assert len(lines) == 2
    method, route, status, ms, rid = LINE.fullmatch(lines[0]).groups()
    assert (method, route, status) == ("GET", "/healthz", "200")
    assert float(ms) >= 0
    assert rid == response.headers["X-Request-ID"]
    assert LINE.fullmatch(lines[1]).group(2) == "/"


def test_the_route_is_the_template_never_the_path_or_query(make_app, request_log):
    app = make_app()

    @app.get("/_test/resume/<token>")
    def resume(token):
        return "ok"

    app.test_client().get("/_test/resume/s3cret-token?station=12&name=Alice", buffered=True)
    (line,) = request_log()
    # The whole line is method, route template, status, time and a generated id: nothing else fits.
    # (Looking for "12" in the raw line fails whenever the random id or the time contains it.)
    method, route, status, _ms, rid = LINE.fullmatch(line).groups()
    assert (method, route, status) == ("GET", "/_test/resume/<token>", "200")
    assert re.fullmatch(r"[0-9a-f]{16}", rid)
    for secret in ("s3cret", "station", "Alice"):
        assert secret not in line


def test_unmatched_paths_are_logged_without_the_path(client, request_log):
    client.get("/wp-login.php?user=admin", buffered=True)
    (line,) = request_log()
    assert LINE.fullmatch(line).group(2, 3) == ("-", "404")
    assert "wp-login" not in line


def test_no_address_user_agent_or_form_value_is_logged(make_app, caplog, request_log):
    app = make_app(WTF_CSRF_ENABLED=False)

    @app.post("/_test/answer")
    def answer():
        return "ok"

    app.test_client().post(
        "/_test/answer",
        data={"comment": "My neighbour Alice at Storgatan 5"},
        headers={"User-Agent": "Lyssna-Phone/1.0", "X-Forwarded-For": "198.51.100.23"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
        buffered=True,
    )
    assert len(request_log()) == 1
    for personal in ("Alice", "Storgatan", "Lyssna-Phone", "198.51.100.23", "203.0.113.9"):
        assert personal not in caplog.text


def test_a_proxy_request_id_is_kept_and_echoed(client, request_log):
    response = client.get("/", headers={"X-Request-ID": "edge-42.a_b"}, buffered=True)
    assert response.headers["X-Request-ID"] == "edge-42.a_b"
    assert request_log()[0].endswith("rid=edge-42.a_b")


@pytest.mark.parametrize("forged", ["x\nrequest method=GET route=/admin", "a" * 65, "id with spaces", ""])
def test_a_request_id_that_is_not_plainly_an_id_is_replaced(client, request_log, forged):
    # Through the environ: a real server may pass what the test client's header checks refuse.
    response = client.get("/", environ_base={"HTTP_X_REQUEST_ID": forged}, buffered=True)
    rid = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", rid)
    (line,) = request_log()
    assert line.endswith(f"rid={rid}")


def test_every_request_gets_its_own_id(client):
    ids = {client.get("/healthz", buffered=True).headers["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5


def test_rate_limited_and_too_large_requests_are_logged_too(make_app, request_log):
    client = make_app(LYSSNA_ANSWER_RATE_LIMIT="1/minute").test_client()
    client.get("/", buffered=True)
    client.get("/", buffered=True)
    statuses = [LINE.fullmatch(line).group(3) for line in request_log()]
    assert statuses == ["200", "429"]
