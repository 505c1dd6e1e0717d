"""Response headers, cookie flags, proxies, request size limits and the client key (app/security.py)."""

import io

import pytest
from flask import session

from app import create_app
from app.clients import client_key, client_network
from app.config import ConfigError
from app.security import CONTENT_SECURITY_POLICY, harden_cookie

EXPECTED_CSP = (
    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)


def add_test_views(app):
    """Views that set cookies and read forms, added to a fresh app for these tests."""

    @app.get("/_test/cookies")
    def cookies():
        session["seen"] = True
        response = app.make_response("ok")
        response.set_cookie("plain", "1")
        response.set_cookie("strict", "1", samesite="Strict", httponly=True)
        return response

    @app.post("/_test/form")
    def form():
        from flask import request

        return {"fields": len(request.form), "files": len(request.files)}

    return app


def post_multipart(app, data):
    """POST a multipart form; closes the body the test client spooled to a temporary file."""
    response = app.test_client().post("/_test/form", data=data, content_type="multipart/form-data")
    response.request.input_stream.close()
    return response


@pytest.fixture
def form_app(make_app):
    """An app with the test views, CSRF off so that only the size limits decide."""
    return add_test_views(make_app(WTF_CSRF_ENABLED=False))


def test_policy_is_exactly_the_agreed_one():
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP


@pytest.mark.parametrize("path", ["/", "/healthz", "/static/lyssna.css", "/no-such-page"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path, buffered=True)
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    policy = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in policy
    assert "Strict-Transport-Security" not in response.headers


def test_pages_are_not_stored_by_caches_but_static_files_may_be(client):
    assert client.get("/").headers["Cache-Control"] == "no-store"
    static = client.get("/static/lyssna.css", buffered=True)
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_plain_http_gets_no_hsts_and_no_secure_cookies(form_app):
    response = form_app.test_client().get("/_test/cookies")
    assert "Strict-Transport-Security" not in response.headers
    for cookie in response.headers.getlist("Set-Cookie"):
        assert "Secure" not in cookie


def test_every_cookie_is_httponly_and_samesite(form_app):
    cookies = form_app.test_client().get("/_test/cookies").headers.getlist("Set-Cookie")
    assert {c.split("=", 1)[0] for c in cookies} == {"plain", "strict", "session"}
    for cookie in cookies:
        assert "HttpOnly" in cookie
        assert "SameSite=" in cookie
    assert any(c.startswith("plain=") and "SameSite=Lax" in c for c in cookies)
    # A stricter choice made by a view is kept.
    assert any(c.startswith("strict=") and "SameSite=Strict" in c and "Lax" not in c for c in cookies)


def test_https_request_gets_hsts_and_secure_cookies(form_app):
    response = form_app.test_client().get("/_test/cookies", base_url="https://lyssna.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 3
    assert all("; Secure" in c for c in cookies)


def test_lyssna_https_forces_hsts_and_secure_cookies(make_app):
    app = add_test_views(make_app(LYSSNA_HTTPS=True))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["PREFERRED_URL_SCHEME"] == "https"
    response = app.test_client().get("/_test/cookies")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert all("; Secure" in c for c in response.headers.getlist("Set-Cookie"))


def test_forwarded_proto_counts_only_behind_a_configured_proxy(make_app):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    direct = make_app().test_client().get("/", headers=headers)
    assert "Strict-Transport-Security" not in direct.headers
    proxied = make_app(LYSSNA_PROXY_COUNT=1).test_client().get("/", headers=headers)
    assert proxied.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_proxy_count_decides_which_forwarded_address_is_the_client(make_app):
    app = make_app(LYSSNA_PROXY_COUNT=1)
    seen = []

    @app.get("/_test/addr")
    def addr():
        from flask import request

        seen.append(request.remote_addr)
        return "ok"

    # A client may prepend anything; only the address the one trusted proxy appended counts.
    app.test_client().get("/_test/addr", headers={"X-Forwarded-For": "10.9.9.9, 198.51.100.7"})
    assert seen == ["198.51.100.7"]


def test_cookie_hardening_keeps_existing_attributes():
    assert harden_cookie("a=1; Path=/", secure=False) == "a=1; Path=/; HttpOnly; SameSite=Lax"
    assert harden_cookie("a=1; httponly; samesite=Strict; secure", secure=True) == (
        "a=1; httponly; samesite=Strict; secure"
    )


def test_session_lifetime_defaults_to_eight_hours_and_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    assert create_app({"SECRET_KEY": "x"}).config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 8 * 3600
    monkeypatch.setenv("LYSSNA_SESSION_HOURS", "2")
    assert create_app({"SECRET_KEY": "x"}).config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 2 * 3600


def test_a_number_setting_that_is_not_a_number_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    monkeypatch.setenv("LYSSNA_PROXY_COUNT", "one")
    with pytest.raises(ConfigError, match="LYSSNA_PROXY_COUNT must be a whole number"):
        create_app({"SECRET_KEY": "x"})


# Request size limits: a small form, a large upload, and the two multipart limits.


def test_a_normal_form_is_accepted(form_app):
    response = form_app.test_client().post("/_test/form", data={f"q{i}": "x" * 100 for i in range(20)})
    assert response.status_code == 200
    assert response.json["fields"] == 20


def test_an_oversized_urlencoded_form_is_a_friendly_413(form_app):
    limit = form_app.config["LYSSNA_MAX_FORM_BYTES"]
    response = form_app.test_client().post("/_test/form", data={"q": "x" * limit})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "too large" in page
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP


def test_an_upload_may_be_larger_than_a_form(form_app):
    photo = io.BytesIO(b"\xff" * (2 * 1024 * 1024))
    response = post_multipart(form_app, {"q": "x", "photo": (photo, "photo.jpg")})
    assert response.status_code == 200
    assert response.json == {"fields": 1, "files": 1}


def test_an_upload_beyond_max_content_length_is_413(make_app):
    app = add_test_views(make_app(WTF_CSRF_ENABLED=False, MAX_CONTENT_LENGTH=1024 * 1024))
    photo = io.BytesIO(b"\xff" * (1024 * 1024 + 1))
    response = post_multipart(app, {"photo": (photo, "photo.jpg")})
    assert response.status_code == 413


def test_a_huge_multipart_text_field_is_413(form_app):
    limit = form_app.config["MAX_FORM_MEMORY_SIZE"]
    response = post_multipart(form_app, {"q": "x" * (limit + 1)})
    assert response.status_code == 413


def test_too_many_multipart_parts_is_413(form_app):
    parts = form_app.config["MAX_FORM_PARTS"]
    response = post_multipart(form_app, {f"q{i}": "x" for i in range(parts + 1)})
    assert response.status_code == 413


# The client key: what rate limits count by and logs may mention; never the address itself.


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("not an address", "unknown"),
        (None, "unknown"),
    ],
)
def test_client_network(address, network):
    assert client_network(address) == network


def test_client_key_is_a_keyed_hash_of_the_network(make_app):
    def key(app, address):
        with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
            return client_key()

    app = make_app()
    one = key(app, "203.0.113.9")
    assert one == key(app, "203.0.113.9")
    assert "203" not in one
    assert one != key(app, "203.0.113.10")
    # Addresses of one IPv6 /64 are one client.
    assert key(app, "2001:db8::1") == key(app, "2001:db8::ffff")
    # Another secret, another key: the key cannot be reversed by trying all IPv4 addresses.
    assert key(make_app(SECRET_KEY="other"), "203.0.113.9") != one


def test_control_characters_are_dropped_from_forms_but_tabs_and_newlines_stay(make_app):
    app = make_app(WTF_CSRF_ENABLED=False)

    @app.post("/_test/echo")
    def echo():
        from flask import request

        return {"pairs": list(request.form.items(multi=True))}

    sent = [("q\x00", "a\x00b\x1bc"), ("q", "tab\there\r\nnext"), ("q", "🙂 عربي")]
    for content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        from werkzeug.datastructures import MultiDict

        response = app.test_client().post("/_test/echo", data=MultiDict(sent), content_type=content_type)
        if content_type == "multipart/form-data":
            response.request.input_stream.close()
        assert response.json["pairs"] == [["q", "abc"], ["q", "tab\there\r\nnext"], ["q", "🙂 عربي"]]


def test_sessions_follow_a_changed_secret_key_and_its_fallbacks(make_app):
    # The session serializer is kept between requests (app/sessions.py), but only for the same keys.
    app = make_app()

    @app.get("/_test/remember")
    def remember():
        session["seen"] = session.get("seen", 0) + 1
        return str(session["seen"])

    client = app.test_client()
    assert [client.get("/_test/remember").text for _ in range(2)] == ["1", "2"]
    app.secret_key = app.config["SECRET_KEY"] = "a new secret"
    assert client.get("/_test/remember").text == "1"  # the cookie of the old key no longer counts
    app.config["SECRET_KEY_FALLBACKS"] = ["a new secret"]
    app.secret_key = app.config["SECRET_KEY"] = "the newest secret"
    assert client.get("/_test/remember").text == "2"  # signed with a fallback key: still read
