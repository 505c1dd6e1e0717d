"""Signing in and out over HTTP: fresh sessions, expiry, lockout, rate limit, and no account enumeration."""

from datetime import timedelta

import pytest

from app.models import AuditEvent, Researcher

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


def test_locked_account_says_the_same_as_a_wrong_password(client, make_researcher, sign_in):
    make_researcher("r@example.org")
    for _ in range(5):
        sign_in("r@example.org", password="not the password")
    locked = sign_in("r@example.org")  # the right password, but locked
    assert locked.status_code == 401
    assert "not right, or the account is locked" in locked.get_data(as_text=True)


def test_lockout_is_recorded_in_the_audit_log(db, make_researcher, sign_in):
    make_researcher("r@example.org")
    for _ in range(5):
        sign_in("r@example.org", password="not the password")
    actions = [e.action for e in db.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions.count("sign_in_failed") == 5
    assert "account_locked" in actions


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
