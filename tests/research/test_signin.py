"""Signing in and out over HTTP: fresh sessions, expiry, slowing failing devices, no account enumeration."""

import secrets
from datetime import timedelta

import pytest

from app.models import AuditEvent, Researcher
from tests.servers import REDIS_URL, redis_available, redis_prefix

from .conftest import PASSWORD, csrf_from


def test_login_required_redirects_to_the_sign_in_page(client):
    response = client.get("/admin/surveys/feedback?language=sv")
    assert response.status_code == 302
    assert response.location.startswith("/admin/login?next=")
    assert "feedback" in response.location


def test_sign_in_and_out(client, make_researcher, sign_in, csrf):
    make_researcher("r@example.org", surveys=["feedback"])
    response = sign_in("r@example.org", follow=True)
    assert response.status_code == 200
    assert "Tyck till om pilotprojektet" in response.get_data(
        as_text=True
    ) or "feedback" in response.get_data(as_text=True)
    response = client.post("/admin/logout", data={"csrf_token": csrf()})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302


def test_sign_in_goes_on_to_the_page_asked_for_but_never_off_site(client, make_researcher, sign_in):
    make_researcher("r@example.org", surveys=["feedback"])
    token = csrf_from(client.get("/admin/login").get_data(as_text=True))
    data = {"email": "r@example.org", "password": PASSWORD, "csrf_token": token}
    assert (
        client.post("/admin/login?next=/admin/surveys/feedback", data=data).location
        == "/admin/surveys/feedback"
    )
    client.post(
        "/admin/logout", data={"csrf_token": csrf_from(client.get("/admin/account").get_data(as_text=True))}
    )
    for evil in ("https://evil.example/admin/", "//evil.example/admin/", "/\\evil.example", "/s/feedback"):
        token = csrf_from(client.get("/admin/login").get_data(as_text=True))
        response = client.post(f"/admin/login?next={evil}", data={**data, "csrf_token": token})
        assert response.location == "/admin/", evil
        client.post(
            "/admin/logout",
            data={"csrf_token": csrf_from(client.get("/admin/account").get_data(as_text=True))},
        )


def _without_emails(response) -> str:
    return response.get_data(as_text=True).replace("r@example.org", "X").replace("nobody@example.org", "X")


def test_failed_sign_in_says_the_same_whether_or_not_the_account_exists(client, make_researcher, sign_in):
    make_researcher("r@example.org")
    wrong_password = sign_in("r@example.org", password="not the password")
    no_account = sign_in("nobody@example.org", password="not the password")
    assert wrong_password.status_code == no_account.status_code == 401
    # The pages differ only in their CSRF token.
    first, second = _without_emails(wrong_password), _without_emails(no_account)
    assert first.replace(csrf_from(first), "") == second.replace(csrf_from(second), "")


ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"
TOO_MANY = "Too many wrong passwords from this device. Try again in 15 minutes."


def from_address(app, address: str):
    """A client (a device) at this address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def fail(sign_in, client, times: int, email: str = "r@example.org") -> list[int]:
    """Send `times` wrong passwords for `email` from `client`; their status codes."""
    return [sign_in(email, password="not the password", target=client).status_code for _ in range(times)]


def test_wrong_passwords_slow_down_the_device_that_sends_them(app, make_researcher, sign_in):
    make_researcher("r@example.org")
    attacker = from_address(app, ATTACKER)
    assert fail(sign_in, attacker, 5) == [401] * 4 + [429]
    slowed = sign_in("r@example.org", target=attacker)  # even the right password waits
    assert slowed.status_code == 429
    assert TOO_MANY in slowed.get_data(as_text=True)
    assert attacker.get("/admin/").status_code == 302


def test_the_owner_signs_in_from_another_device_while_an_attacker_is_slowed(app, make_researcher, sign_in):
    make_researcher("r@example.org", surveys=["feedback"])
    attacker = from_address(app, ATTACKER)
    fail(sign_in, attacker, 20)
    owner = from_address(app, OWNER)
    assert sign_in("r@example.org", target=owner).status_code == 302
    assert owner.get("/admin/").status_code == 200


def test_a_slowed_device_may_still_sign_in_to_other_accounts(app, make_researcher, sign_in):
    make_researcher("r@example.org")
    make_researcher("colleague@example.org")
    shared = from_address(app, ATTACKER)
    fail(sign_in, shared, 5)
    assert sign_in("colleague@example.org", target=shared).status_code == 302


def test_the_slowed_device_may_try_again_when_its_wait_is_over(app, make_researcher, sign_in, monkeypatch):
    import time

    make_researcher("r@example.org")
    attacker = from_address(app, ATTACKER)
    fail(sign_in, attacker, 5)
    later = time.time() + 15 * 60 + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert sign_in("r@example.org", target=attacker).status_code == 302


def test_the_longest_wait_is_the_one_said(make_app, make_researcher, sign_in):
    app = make_app(LYSSNA_SIGN_IN_FAILURES_PER_CLIENT="1/15 minutes;1/day")
    make_researcher("r@example.org")
    attacker = from_address(app, ATTACKER)
    assert fail(sign_in, attacker, 1) == [429]
    page = sign_in("r@example.org", target=attacker).get_data(as_text=True)
    assert "Too many wrong passwords from this device. Try again in 24 hours." in page


def test_an_unknown_account_is_slowed_the_same_way(app, make_researcher, sign_in):
    make_researcher("r@example.org")
    one, other = from_address(app, ATTACKER), from_address(app, "203.0.113.67")
    assert fail(sign_in, one, 5, "nobody@example.org") == fail(sign_in, other, 5) == [401] * 4 + [429]
    first = _without_emails(sign_in("nobody@example.org", target=one))
    second = _without_emails(sign_in("r@example.org", target=other))
    assert first.replace(csrf_from(first), "") == second.replace(csrf_from(second), "")


def test_a_successful_sign_in_forgets_the_devices_failures(app, make_researcher, sign_in):
    make_researcher("r@example.org")
    owner = from_address(app, OWNER)
    fail(sign_in, owner, 4)
    assert sign_in("r@example.org", target=owner).status_code == 302
    owner.post(
        "/admin/logout", data={"csrf_token": csrf_from(owner.get("/admin/account").get_data(as_text=True))}
    )
    assert fail(sign_in, owner, 4) == [401] * 4


def test_the_account_is_never_locked(db, make_researcher, sign_in, app):
    researcher = make_researcher("r@example.org")
    for n in range(10):
        fail(sign_in, from_address(app, f"203.0.113.{n + 1}"), 5)
    assert sign_in("r@example.org", target=from_address(app, OWNER)).status_code == 302
    db.refresh(researcher)
    assert researcher.locked_until is None


def test_slowed_devices_and_a_burst_on_one_account_are_audited(make_app, make_researcher, sign_in, db):
    app = make_app(LYSSNA_SIGN_IN_FAILURES_PER_ACCOUNT="12/hour")
    make_researcher("r@example.org")
    for n in range(3):
        fail(sign_in, from_address(app, f"203.0.113.{n + 1}"), 6)  # the sixth is refused unchecked
    actions = [e.action for e in db.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions.count("sign_in_failed") == 15
    assert actions.count("sign_in_slowed") == 3
    assert actions.count("sign_in_burst") == 1
    assert "account_locked" not in actions
    slowed = db.query(AuditEvent).filter_by(action="sign_in_slowed").first()
    assert slowed.actor == "r@example.org" and slowed.detail == {"minutes": 15}


def test_sign_in_still_works_when_the_counters_cannot_be_read(app, make_researcher, sign_in, monkeypatch):
    from limits.strategies import FixedWindowRateLimiter

    def unreachable(*args, **kwargs):
        raise ConnectionError("storage unreachable")

    make_researcher("r@example.org")
    for method in ("hit", "get_window_stats", "clear"):
        monkeypatch.setattr(FixedWindowRateLimiter, method, unreachable)
    assert fail(sign_in, from_address(app, OWNER), 1) == [401]
    assert sign_in("r@example.org", target=from_address(app, OWNER)).status_code == 302


def test_sign_in_attempts_are_limited_per_client(client, sign_in):
    # 10 a minute; the sliding-window counter may let one more through across a minute boundary,
    # so try twice as many: the first ten always pass, and later ones are refused.
    codes = [sign_in(f"nobody{i}@example.org", password="not the password").status_code for i in range(20)]
    assert codes[:10] == [401] * 10
    assert 429 in codes[10:]
    assert client.get("/admin/login").status_code == 200  # only the POST is limited


def test_sign_in_starts_a_fresh_session(client, make_researcher, sign_in):
    make_researcher("r@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in("r@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


@pytest.mark.parametrize(
    ("key", "age"),
    [("seen_at", timedelta(minutes=31)), ("signed_in_at", timedelta(hours=8, minutes=1))],
)
def test_idle_or_old_session_expires(client, login_as, key, age):
    login_as(surveys=["feedback"])
    assert client.get("/admin/").status_code == 200
    with client.session_transaction() as session:
        session[key] -= age.total_seconds()
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login" in response.location
    assert "session expired" in client.get(response.location).get_data(as_text=True)


def test_disabled_account_is_signed_out_at_the_next_request(client, db, login_as):
    researcher = login_as(surveys=["feedback"])
    researcher.active = False
    db.commit()
    assert client.get("/admin/").status_code == 302


def test_password_change_ends_other_sessions(app, client, login_as, sign_in, csrf):
    login_as(surveys=["feedback"], email="r@example.org")
    other = app.test_client()
    sign_in("r@example.org", target=other)
    assert other.get("/admin/").status_code == 200
    new = "another long password"
    response = client.post(
        "/admin/account",
        data={
            "current_password": PASSWORD,
            "new_password": new,
            "repeat_password": new,
            "csrf_token": csrf(),
        },
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200  # this session goes on
    assert other.get("/admin/").status_code == 302  # the other one ends


def test_password_change_needs_the_current_password(client, login_as, csrf):
    login_as()
    new = "another long password"
    response = client.post(
        "/admin/account",
        data={"current_password": "wrong", "new_password": new, "repeat_password": new, "csrf_token": csrf()},
    )
    assert response.status_code == 400
    assert "not your current password" in response.get_data(as_text=True)


def test_password_change_checks_length_and_repeat(client, login_as, csrf):
    login_as()
    response = client.post(
        "/admin/account",
        data={
            "current_password": PASSWORD,
            "new_password": "short",
            "repeat_password": "other",
            "csrf_token": csrf(),
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Use 12 to 256 characters." in page
    assert "The two passwords are not the same." in page
    assert 'aria-invalid="true"' in page


def test_first_admin_link_creates_one_admin_once(client, db, runner):
    result = runner.invoke(args=["users", "setup-link", "--base-url", "http://localhost:5000"])
    url = next(line.strip() for line in result.output.splitlines() if "/admin/setup/" in line)
    path = url.removeprefix("http://localhost:5000")
    page = client.get(path)
    assert page.status_code == 200
    data = {
        "email": "boss@example.org",
        "new_password": PASSWORD,
        "repeat_password": PASSWORD,
        "csrf_token": csrf_from(page.get_data(as_text=True)),
    }
    assert client.post(path, data=data).location == "/admin/"
    assert db.query(Researcher).filter_by(role="admin").count() == 1
    assert client.get("/admin/audit").status_code == 200  # signed in as the new admin
    assert client.get(path).status_code == 404
    assert runner.invoke(args=["users", "setup-link"]).output == ""


def test_unknown_setup_token_is_404(client):
    assert client.get("/admin/setup/not-a-token").status_code == 404


@pytest.mark.skipif(not redis_available(), reason=f"no Redis at {REDIS_URL}")
def test_failures_count_across_workers_in_redis_without_the_email_or_address(
    make_app, make_researcher, sign_in
):
    import redis

    # An address of its own: the route's rate limit in Redis is not under the test's prefix.
    address = f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(256)}"
    with redis_prefix() as prefix:
        workers = [make_app(RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix) for _ in range(2)]
        make_researcher("r@example.org")
        clients = [from_address(worker, address) for worker in workers]
        assert fail(sign_in, clients[0], 3) + fail(sign_in, clients[1], 2) == [401] * 4 + [429]
        slowed = sign_in("r@example.org", target=clients[0])
        assert TOO_MANY in slowed.get_data(as_text=True)
        store = redis.Redis.from_url(REDIS_URL)
        keys = b" ".join(store.scan_iter(match=f"*{prefix}*"))
        store.close()
        assert b"sign_in_failures" in keys
        assert b"example.org" not in keys and address.encode() not in keys
