"""Sessions that can be ended: a copied session cookie stops working once its account's sessions end."""

import pytest

from app.models import AuditEvent, Researcher

from .conftest import PASSWORD, csrf_from

EMAIL = "r@example.org"
NEW_PASSWORD = "another long password"


def copy_cookie(app, source):
    """A second client holding a copy of `source`'s session cookie, as someone who copied it would."""
    copy = app.test_client()
    copy.set_cookie("session", source.get_cookie("session").value)
    return copy


def signed_in(client) -> bool:
    """True when the client's session opens the researcher area (not a redirect to the sign-in page)."""
    return client.get("/admin/").status_code == 200


def account_token(client) -> str:
    """A CSRF token from the account page of a signed-in client."""
    return csrf_from(client.get("/admin/account").get_data(as_text=True))


def sign_out(client, runner, db):
    client.post("/admin/logout", data={"csrf_token": account_token(client)})


def sign_out_everywhere(client, runner, db):
    client.post("/admin/account/sign-out-everywhere", data={"csrf_token": account_token(client)})


def change_password(client, runner, db):
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD}
    response = client.post("/admin/account", data={**data, "csrf_token": account_token(client)})
    assert response.status_code == 302


def set_password_on_the_command_line(client, runner, db):
    args = ["users", "set-password", EMAIL, "--password-stdin"]
    assert runner.invoke(args=args, input=NEW_PASSWORD + "\n").exit_code == 0


def disable(client, runner, db):
    assert runner.invoke(args=["users", "disable", EMAIL]).exit_code == 0


@pytest.mark.parametrize(
    "end",
    [sign_out, sign_out_everywhere, change_password, set_password_on_the_command_line, disable],
    ids=lambda end: end.__name__,
)
def test_a_copied_cookie_is_refused_once_the_sessions_end(app, client, runner, db, login_as, end):
    login_as(surveys=["feedback"], email=EMAIL)
    copy = copy_cookie(app, client)
    assert signed_in(copy)  # a copy works like the original until the sessions end
    end(client, runner, db)
    assert not signed_in(copy)


def test_signing_out_ends_the_session_on_every_device(app, client, login_as, sign_in):
    login_as(surveys=["feedback"], email=EMAIL)
    other = app.test_client()
    sign_in(EMAIL, target=other)
    sign_out(client, None, None)
    assert not signed_in(client) and not signed_in(other)


def test_sign_out_everywhere_ends_this_session_too_and_says_so(client, login_as):
    login_as(surveys=["feedback"], email=EMAIL)
    response = client.post(
        "/admin/account/sign-out-everywhere",
        data={"csrf_token": account_token(client)},
        follow_redirects=True,
    )
    assert "signed out on every device" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_sign_out_everywhere_is_on_the_account_page(client, login_as):
    login_as(email=EMAIL)
    page = client.get("/admin/account").get_data(as_text=True)
    assert 'action="/admin/account/sign-out-everywhere"' in page
    assert "Sign out everywhere" in page


def test_sign_out_everywhere_needs_the_form_token(client, login_as):
    login_as(surveys=["feedback"], email=EMAIL)
    response = client.post("/admin/account/sign-out-everywhere", data={})
    assert response.status_code == 400
    assert signed_in(client)


def test_sign_out_everywhere_is_audited(client, db, login_as):
    login_as(email=EMAIL)
    sign_out_everywhere(client, None, None)
    event = db.query(AuditEvent).filter_by(action="signed_out_everywhere").one()
    assert event.actor == EMAIL


def test_changing_the_password_keeps_this_device_signed_in(app, client, login_as):
    login_as(surveys=["feedback"], email=EMAIL)
    change_password(client, None, None)
    assert signed_in(client)


def test_enabling_a_disabled_account_does_not_revive_old_cookies(app, client, runner, login_as, sign_in):
    login_as(surveys=["feedback"], email=EMAIL)
    copy = copy_cookie(app, client)
    disable(client, runner, None)
    assert runner.invoke(args=["users", "enable", EMAIL]).exit_code == 0
    assert not signed_in(copy)
    assert not signed_in(client)
    assert sign_in(EMAIL).status_code == 302  # the owner signs in afresh
    assert signed_in(client)


def test_an_account_disabled_in_the_database_stays_signed_out_once_enabled(client, db, runner, login_as):
    researcher = login_as(surveys=["feedback"], email=EMAIL)
    researcher.active = False  # set by hand, without the command that ends the sessions
    db.commit()
    assert not signed_in(client)
    assert runner.invoke(args=["users", "enable", EMAIL]).exit_code == 0
    assert not signed_in(client)


def test_a_session_from_before_generations_is_refused(client, login_as):
    login_as(surveys=["feedback"], email=EMAIL)
    with client.session_transaction() as session:
        del session["generation"]
    assert not signed_in(client)


def test_signing_in_again_after_the_sessions_ended_works(client, login_as, sign_in):
    login_as(surveys=["feedback"], email=EMAIL)
    sign_out_everywhere(client, None, None)
    assert sign_in(EMAIL).status_code == 302
    assert signed_in(client)


def test_an_upgraded_password_hash_does_not_end_other_sessions(app, client, db, login_as, sign_in):
    from werkzeug.security import generate_password_hash

    researcher = login_as(surveys=["feedback"], email=EMAIL)
    researcher.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    db.commit()
    other = app.test_client()
    sign_in(EMAIL, target=other)  # upgrades the hash to scrypt
    assert db.get(Researcher, researcher.id).password_hash.startswith("scrypt:")
    assert signed_in(client) and signed_in(other)
