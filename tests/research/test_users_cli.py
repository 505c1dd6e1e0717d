"""`flask users ...`: create accounts, grant and revoke surveys, list, disable, and the first-admin link."""

from app.models import AuditEvent, Grant, Researcher

from .conftest import PASSWORD


def create(runner, email="r@example.org", role="researcher", password=PASSWORD):
    return runner.invoke(
        args=["users", "create", email, "--role", role, "--password-stdin"], input=password + "\n"
    )


def test_create_with_password_from_stdin(runner, db):
    result = create(runner)
    assert result.exit_code == 0, result.output
    researcher = db.query(Researcher).one()
    assert (researcher.email, researcher.role) == ("r@example.org", "researcher")
    assert researcher.password_hash.startswith("scrypt:")


def test_create_asks_for_the_password_twice(runner, db):
    result = runner.invoke(
        args=["users", "create", "A@Example.org", "--role", "admin"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Repeat the password" in result.output
    assert db.query(Researcher).one().email == "a@example.org"


def test_create_refuses_a_short_password_and_a_duplicate(runner, db):
    assert create(runner, password="short").exit_code == 1
    assert create(runner).exit_code == 0
    duplicate = create(runner)
    assert duplicate.exit_code == 1
    assert "exists already" in duplicate.output


def test_grant_revoke_and_list(runner, db):
    create(runner)
    assert runner.invoke(args=["users", "grant", "r@example.org", "feedback"]).exit_code == 0
    again = runner.invoke(args=["users", "grant", "r@example.org", "feedback"])
    assert "could already see" in again.output
    listing = runner.invoke(args=["users", "list"]).output
    assert "r@example.org" in listing and "feedback" in listing
    assert runner.invoke(args=["users", "revoke", "r@example.org", "feedback"]).exit_code == 0
    assert db.query(Grant).count() == 0
    actions = [e.action for e in db.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions == ["user_created", "grant", "revoke"]


def test_grants_have_a_level_read_by_default(runner, db):
    create(runner)
    assert (
        "may now see feedback" in runner.invoke(args=["users", "grant", "r@example.org", "feedback"]).output
    )
    assert db.query(Grant).one().level == "read"
    raised = runner.invoke(args=["users", "grant", "r@example.org", "feedback", "--level", "manage"])
    assert raised.exit_code == 0 and "may now see and manage feedback" in raised.output
    db.expire_all()
    assert db.query(Grant).one().level == "manage"
    assert "feedback (manage)" in runner.invoke(args=["users", "list"]).output
    wrong = runner.invoke(args=["users", "grant", "r@example.org", "feedback", "--level", "owner"])
    assert wrong.exit_code == 2 and "'owner' is not one of 'read', 'manage'" in wrong.output
    events = [
        e.detail.get("level") for e in db.query(AuditEvent).filter_by(action="grant").order_by(AuditEvent.id)
    ]
    assert events == ["read", "manage"]


def test_grant_of_an_unknown_survey_or_account_fails_clearly(runner, db):
    create(runner)
    unknown_survey = runner.invoke(args=["users", "grant", "r@example.org", "nope"])
    assert unknown_survey.exit_code == 1 and "no survey 'nope'" in unknown_survey.output
    unknown_account = runner.invoke(args=["users", "grant", "x@example.org", "feedback"])
    assert unknown_account.exit_code == 1 and "no account" in unknown_account.output


def test_disable_and_enable(runner, db):
    create(runner)
    assert runner.invoke(args=["users", "disable", "r@example.org"]).exit_code == 0
    assert db.query(Researcher).one().active is False
    assert "disabled" in runner.invoke(args=["users", "list"]).output
    runner.invoke(args=["users", "enable", "r@example.org"])
    db.expire_all()
    assert db.query(Researcher).one().active is True


def test_set_password(runner, db):
    create(runner)
    result = runner.invoke(
        args=["users", "set-password", "r@example.org", "--password-stdin"], input="a brand new password\n"
    )
    assert result.exit_code == 0, result.output
    from app import accounts

    assert accounts.authenticate(db, "r@example.org", "a brand new password").outcome == "signed_in"


def test_setup_link_only_while_there_is_no_admin(runner, db):
    first = runner.invoke(args=["users", "setup-link", "--base-url", "https://lyssna.example.se/"])
    assert "https://lyssna.example.se/admin/setup/" in first.output
    create(runner, email="boss@example.org", role="admin")
    assert runner.invoke(args=["users", "setup-link"]).output == ""


def test_cli_actions_are_audited_with_the_operating_system_user(runner, db):
    create(runner)
    event = db.query(AuditEvent).one()
    assert event.actor.startswith("cli")
