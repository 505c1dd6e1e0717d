"""Accounts without HTTP: password hashing, sign-in outcomes, session generations, grants, first admin."""

from datetime import timedelta

import pytest

from app import accounts
from app.models import Researcher, SetupToken, utcnow

from .conftest import PASSWORD


def test_passwords_are_hashed_with_scrypt(db, make_researcher):
    researcher = make_researcher("r@example.org")
    assert researcher.password_hash.startswith("scrypt:")
    assert PASSWORD not in researcher.password_hash


@pytest.mark.parametrize(
    ("email", "password", "outcome"),
    [
        ("r@example.org", PASSWORD, "signed_in"),
        ("  R@Example.org ", PASSWORD, "signed_in"),
        ("r@example.org", "wrong password!!", "wrong_password"),
        ("nobody@example.org", PASSWORD, "unknown_account"),
    ],
)
def test_authenticate_outcomes(db, make_researcher, email, password, outcome):
    make_researcher("r@example.org")
    result = accounts.authenticate(db, email, password)
    assert result.outcome == outcome
    assert (result.researcher is not None) == (outcome == "signed_in")


def test_disabled_account_cannot_sign_in(db, make_researcher):
    researcher = make_researcher("r@example.org")
    researcher.active = False
    assert accounts.authenticate(db, "r@example.org", PASSWORD).outcome == "disabled"


def test_wrong_passwords_never_lock_the_account(db, make_researcher):
    # Failures slow down the client that sends them (app/web/failed_sign_ins.py), never the account.
    make_researcher("r@example.org")
    for _ in range(50):
        assert accounts.authenticate(db, "r@example.org", "wrong password!!").outcome == "wrong_password"
    assert accounts.authenticate(db, "r@example.org", PASSWORD).outcome == "signed_in"


@pytest.mark.parametrize(
    "change",
    [
        lambda researcher: accounts.set_password(researcher, "a brand new password"),
        lambda researcher: accounts.set_active(researcher, False),
        lambda researcher: accounts.set_active(researcher, True),
        accounts.end_all_sessions,
    ],
    ids=["new password", "disabled", "enabled", "sign out everywhere"],
)
def test_changes_that_end_every_session_raise_the_generation(db, make_researcher, change):
    researcher = make_researcher("r@example.org")
    before = researcher.session_generation
    change(researcher)
    db.commit()
    assert researcher.session_generation == before + 1


def test_hash_with_old_parameters_is_upgraded_at_sign_in(db, make_researcher):
    from werkzeug.security import generate_password_hash

    researcher = make_researcher("r@example.org")
    researcher.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    accounts.authenticate(db, "r@example.org", PASSWORD)
    assert researcher.password_hash.startswith("scrypt:")


@pytest.mark.parametrize(
    ("email", "password", "role", "message"),
    [
        ("x@example.org", "short", "researcher", "at least 12"),
        ("x@example.org", PASSWORD, "owner", "role must be"),
        ("not-an-email", PASSWORD, "researcher", "not an email"),
        ("taken@example.org", PASSWORD, "researcher", "exists already"),
    ],
)
def test_create_researcher_refuses_bad_input(db, make_researcher, email, password, role, message):
    make_researcher("taken@example.org")
    with pytest.raises(accounts.AccountError, match=message):
        accounts.create_researcher(db, email, password, role)


def test_grant_and_revoke_are_idempotent(db, make_researcher):
    researcher = make_researcher("r@example.org")
    assert accounts.grant(db, researcher, "feedback") is True
    assert accounts.grant(db, researcher, "feedback") is False
    assert accounts.revoke(db, researcher, "feedback") is True
    assert accounts.revoke(db, researcher, "feedback") is False


def test_setup_token_is_single_use_and_stored_hashed(db):
    token = accounts.new_setup_token(db)
    stored = db.query(SetupToken).one()
    assert stored.token_hash != token and token not in stored.token_hash
    assert accounts.setup_token_usable(db, token)
    assert accounts.use_setup_token(db, token) is True
    assert accounts.use_setup_token(db, token) is False


def test_setup_token_expires_and_a_new_one_replaces_it(db):
    first = accounts.new_setup_token(db)
    later = utcnow() + accounts.SETUP_LINK_LIFETIME + timedelta(seconds=1)
    assert not accounts.setup_token_usable(db, first, later)
    second = accounts.new_setup_token(db)
    assert not accounts.setup_token_usable(db, first)
    assert accounts.setup_token_usable(db, second)


def test_setup_token_stops_working_once_an_admin_exists(db, make_researcher):
    token = accounts.new_setup_token(db)
    make_researcher("boss@example.org", role=Researcher.ADMIN)
    assert not accounts.setup_token_usable(db, token)
