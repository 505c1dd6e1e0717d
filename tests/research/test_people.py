"""People and grants in the browser: admins add accounts, hand out set-password links, disable and
enable accounts, and give, change and take back surveys; the owner of a link chooses a password."""

import os
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from app import accounts
from app.models import AuditEvent, Grant, Researcher, SetupToken, utcnow

from .conftest import PASSWORD, csrf_from
from .test_sessions import copy_cookie, signed_in

ADMIN = "admin@example.org"
EMAIL = "r@example.org"
NEW_PASSWORD = "a fresh password to remember"
LINK = re.compile(r"(?:https?://[^/\"]+)?(/admin/password/[A-Za-z0-9_-]{20,})")


def post(client, path: str, **data):
    """POST a people form with a valid form token (taken from the account page)."""
    token = csrf_from(client.get("/admin/account").get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def person_path(researcher: Researcher) -> str:
    return f"/admin/people/{researcher.id}"


def link_on(page: str) -> str | None:
    """The set-password link a page shows, as a path, or None."""
    match = LINK.search(page)
    return match.group(1) if match else None


def make_link(client, researcher: Researcher) -> str:
    """Press "Make a set-password link" on the account's page; the path of the link it shows."""
    response = post(client, person_path(researcher) + "/reset-link")
    assert response.status_code == 302 and response.location == person_path(researcher)
    path = link_on(client.get(response.location).get_data(as_text=True))
    assert path, "no link on the page"
    return path


def choose_password(client, path: str, password: str = NEW_PASSWORD, repeat: str | None = None):
    """Open the link and send the new password twice."""
    page = client.get(path)
    data = {"new_password": password, "repeat_password": repeat or password}
    return client.post(path, data={**data, "csrf_token": csrf_from(page.get_data(as_text=True))})


def actions(db) -> list[str]:
    db.expire_all()
    return [e.action for e in db.query(AuditEvent).order_by(AuditEvent.id) if e.action != "sign_in"]


@pytest.fixture
def admin(login_as):
    return login_as(Researcher.ADMIN, email=ADMIN)


# ----------------------------------------------------------------------------- the page


def test_people_page_lists_every_account_with_role_state_last_sign_in_and_grants(
    client, db, admin, make_researcher
):
    make_researcher(EMAIL, surveys=["feedback"], level="manage")
    gone = make_researcher("gone@example.org", surveys=["waste-sorting"])
    accounts.set_active(gone, False)
    db.commit()
    page = client.get("/admin/people").get_data(as_text=True)
    for text in (ADMIN, EMAIL, "gone@example.org", "Admin", "Researcher", "Active", "Disabled", "Never"):
        assert text in page, text
    assert "feedback" in page and "manage" in page
    assert "waste-sorting" in page and "read" in page


def test_people_link_is_in_the_navigation_for_admins_only(client, admin, app, make_researcher, sign_in):
    assert 'href="/admin/people"' in client.get("/admin/").get_data(as_text=True)
    make_researcher(EMAIL, surveys=["feedback"])
    other = app.test_client()
    sign_in(EMAIL, target=other)
    assert 'href="/admin/people"' not in other.get("/admin/").get_data(as_text=True)


def test_non_admins_get_404_on_every_people_url(app, client, login_as, make_researcher):
    target = make_researcher("other@example.org", surveys=["feedback"])
    login_as(Researcher.RESEARCHER, surveys=["feedback"], level="manage")
    token = csrf_from(client.get("/admin/account").get_data(as_text=True))
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin/people")]
    assert len(rules) >= 7
    for rule in rules:
        path = rule.rule.replace("<int:researcher_id>", str(target.id))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token, "email": "x@example.org", "role": "admin", "survey": "feedback"}
            response = client.open(path, method=method, data=data if method == "POST" else None)
            assert response.status_code == 404, (method, rule.rule, response.status_code)


def test_an_unknown_account_is_404(client, admin):
    assert client.get("/admin/people/999999").status_code == 404
    assert post(client, "/admin/people/999999/disable").status_code == 404


def test_get_never_changes_state(client, db, admin, make_researcher):
    researcher = make_researcher(EMAIL, surveys=["feedback"])
    make_link(client, researcher)

    def state():
        db.expire_all()
        return (
            [(r.email, r.active, r.session_generation, r.password_hash) for r in db.query(Researcher)],
            [(g.survey_id, g.level) for g in db.query(Grant)],
            [(t.token_hash, t.used_at) for t in db.query(SetupToken)],
            db.query(AuditEvent).count(),
        )

    before = state()
    for path in ("/admin/people", person_path(researcher), person_path(admin)):
        assert client.get(path).status_code == 200
    for suffix in ("/reset-link", "/disable", "/enable", "/grants", "/revoke"):
        assert client.get(person_path(researcher) + suffix).status_code == 405
    assert state() == before


def test_every_action_needs_the_form_token(client, db, admin, make_researcher):
    researcher = make_researcher(EMAIL, surveys=["feedback"])
    for suffix in ("/reset-link", "/disable", "/enable", "/grants", "/revoke"):
        assert client.post(person_path(researcher) + suffix, data={"survey": "feedback"}).status_code == 400
    assert client.post("/admin/people", data={"email": "x@example.org", "role": "admin"}).status_code == 400
    assert actions(db) == []


# ----------------------------------------------------------------------------- adding an account


def test_adding_an_account_gives_a_set_password_link_shown_once(client, db, admin):
    response = post(client, "/admin/people", email="  New@Example.org ", role="researcher")
    assert response.status_code == 302
    researcher = db.query(Researcher).filter_by(email="new@example.org").one()
    assert researcher.role == "researcher" and researcher.active
    assert response.location == person_path(researcher)
    page = client.get(response.location).get_data(as_text=True)
    path = link_on(page)
    assert path and "72 hours" in page
    assert link_on(client.get(response.location).get_data(as_text=True)) is None  # shown once
    token = path.rsplit("/", 1)[1]
    assert token not in db.query(SetupToken).one().token_hash  # only its hash is kept


def test_a_new_account_signs_in_only_once_its_owner_has_chosen_a_password(app, client, admin, sign_in):
    response = post(client, "/admin/people", email=EMAIL, role="admin")
    path = link_on(client.get(response.location).get_data(as_text=True))
    owner = app.test_client()
    page = owner.get(path).get_data(as_text=True)
    assert EMAIL in page  # the owner sees which account the link is for
    assert choose_password(owner, path).location == "/admin/login"
    assert sign_in(EMAIL, password=NEW_PASSWORD, target=owner).status_code == 302
    assert owner.get("/admin/people").status_code == 200  # an admin


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("not-an-email", "Enter an email address like name@example.org."),
        ("two words@example.org", "Enter an email address like name@example.org."),
        ("", "Enter the email address of the person."),
        ("x" * 250 + "@example.org", "at most 254 characters"),
        (ADMIN.upper(), "An account with this email exists already."),
    ],
    ids=["no at", "space", "empty", "too long", "taken"],
)
def test_a_bad_email_is_refused_next_to_the_field_with_what_was_typed_kept(client, db, admin, typed, message):
    response = post(client, "/admin/people", email=typed, role="researcher")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert 'class="error-summary"' in page and 'href="#email"' in page
    assert 'aria-invalid="true"' in page
    if typed:
        assert f'value="{typed}"' in page
    assert db.query(Researcher).count() == 1
    assert actions(db) == []


def test_a_role_that_is_not_offered_is_refused(client, db, admin):
    response = post(client, "/admin/people", email=EMAIL, role="owner")
    assert response.status_code == 400
    assert f'value="{EMAIL}"' in response.get_data(as_text=True)
    assert db.query(Researcher).count() == 1


# ----------------------------------------------------------------------------- set-password links


def test_a_reset_link_sets_a_new_password_once(app, client, db, admin, make_researcher, sign_in):
    researcher = make_researcher(EMAIL, surveys=["feedback"])
    path = make_link(client, researcher)
    owner = app.test_client()
    assert sign_in(EMAIL, target=owner).status_code == 302  # the old password works until the link is used
    done = choose_password(owner, path)
    assert done.status_code == 302 and done.location == "/admin/login"
    assert "new password is set" in owner.get(done.location).get_data(as_text=True)
    db.expire_all()
    assert accounts.authenticate(db, EMAIL, NEW_PASSWORD).outcome == "signed_in"
    assert accounts.authenticate(db, EMAIL, PASSWORD).outcome == "wrong_password"
    again = owner.get(path)
    assert again.status_code == 404
    assert "This link does not work" in again.get_data(as_text=True)
    late = app.test_client()
    data = {"new_password": "yet another password", "repeat_password": "yet another password"}
    data["csrf_token"] = csrf_from(late.get("/admin/login").get_data(as_text=True))
    assert late.post(path, data=data).status_code == 404
    assert accounts.authenticate(db, EMAIL, NEW_PASSWORD).outcome == "signed_in"


def test_using_a_reset_link_ends_the_accounts_sessions(app, client, db, admin, make_researcher, sign_in):
    researcher = make_researcher(EMAIL, surveys=["feedback"])
    owner = app.test_client()
    sign_in(EMAIL, target=owner)
    copy = copy_cookie(app, owner)
    assert signed_in(copy)
    choose_password(app.test_client(), make_link(client, researcher))
    assert not signed_in(copy) and not signed_in(owner)


def test_a_reset_link_expires(app, client, db, admin, make_researcher, monkeypatch):
    researcher = make_researcher(EMAIL)
    path = make_link(client, researcher)
    later = utcnow() + timedelta(hours=72, seconds=1)
    monkeypatch.setattr(accounts, "utcnow", lambda: later)
    page = app.test_client().get(path)
    assert page.status_code == 404 and "This link does not work" in page.get_data(as_text=True)


def test_the_lifetime_of_a_link_is_a_setting(app, client, db, admin, make_researcher):
    app.config["LYSSNA_RESET_LINK_HOURS"] = 2
    researcher = make_researcher(EMAIL)
    response = post(client, person_path(researcher) + "/reset-link")
    assert "2 hours" in client.get(response.location).get_data(as_text=True)
    row = db.query(SetupToken).one()
    assert timedelta(hours=1, minutes=59) < row.expires_at - row.created_at <= timedelta(hours=2)


def test_a_new_link_stops_the_earlier_one(app, client, db, admin, make_researcher):
    researcher = make_researcher(EMAIL)
    first = make_link(client, researcher)
    second = make_link(client, researcher)
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200


def test_a_pending_link_is_mentioned_but_never_shown_again(client, db, admin, make_researcher):
    researcher = make_researcher(EMAIL)
    make_link(client, researcher)
    page = client.get(person_path(researcher)).get_data(as_text=True)
    assert "unused set-password link" in page
    assert link_on(page) is None


def test_a_bad_new_password_is_refused_and_the_link_still_works(app, db, client, admin, make_researcher):
    researcher = make_researcher(EMAIL)
    path = make_link(client, researcher)
    owner = app.test_client()
    short = choose_password(owner, path, "short")
    assert short.status_code == 400 and "Use 12 to 256 characters." in short.get_data(as_text=True)
    different = choose_password(owner, path, NEW_PASSWORD, repeat="something else entirely")
    assert different.status_code == 400
    assert "The two passwords are not the same." in different.get_data(as_text=True)
    assert choose_password(owner, path).status_code == 302


@pytest.mark.parametrize("token", ["no-such-token", "x" * 43, "%00", "a" * 600])
def test_an_unknown_link_gives_a_clear_message_not_an_error(client, token):
    for response in (client.get(f"/admin/password/{token}"), client.post(f"/admin/password/{token}")):
        assert response.status_code in (400, 404)
    page = client.get(f"/admin/password/{token}")
    assert page.status_code == 404
    assert "This link does not work" in page.get_data(as_text=True)


def test_disabling_voids_the_link_and_a_disabled_account_gets_none(app, client, db, admin, make_researcher):
    researcher = make_researcher(EMAIL)
    path = make_link(client, researcher)
    post(client, person_path(researcher) + "/disable")
    post(client, person_path(researcher) + "/enable")
    assert app.test_client().get(path).status_code == 404  # enabling again does not revive it
    post(client, person_path(researcher) + "/disable")
    response = post(client, person_path(researcher) + "/reset-link")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert link_on(page) is None and "Enable the account first" in page


def test_reset_links_and_the_first_admin_link_are_kept_apart(client, db, make_researcher):
    researcher = make_researcher(EMAIL)
    reset = accounts.new_reset_token(db, researcher).token
    setup = accounts.new_setup_token(db)  # makes earlier first-admin links stop, never reset links
    db.commit()
    assert accounts.reset_token_account(db, reset) == researcher
    assert not accounts.setup_token_usable(db, reset)  # no admin exists, yet a reset link makes none
    assert client.get(f"/admin/setup/{reset}").status_code == 404
    assert accounts.reset_token_account(db, setup) is None
    assert accounts.setup_token_usable(db, setup)


def test_the_command_line_prints_a_reset_link(app, runner, db, make_researcher):
    make_researcher(EMAIL)
    result = runner.invoke(
        args=["users", "reset-link", EMAIL.upper(), "--base-url", "https://lyssna.example.se/"]
    )
    assert result.exit_code == 0, result.output
    url = next(line.strip() for line in result.output.splitlines() if "/admin/password/" in line)
    assert url.startswith("https://lyssna.example.se/admin/password/")
    assert "72 hours" in result.output
    owner = app.test_client()
    assert choose_password(owner, url.removeprefix("https://lyssna.example.se")).status_code == 302
    event = db.query(AuditEvent).filter_by(action="reset_link").one()
    assert event.actor.startswith("cli") and event.detail == {"email": EMAIL}
    unknown = runner.invoke(args=["users", "reset-link", "nobody@example.org"])
    assert unknown.exit_code == 1 and "no account" in unknown.output


# ----------------------------------------------------------------------------- disable and enable


def test_disabling_ends_the_accounts_sessions_and_enabling_lets_it_sign_in_again(
    app, client, db, admin, make_researcher, sign_in
):
    researcher = make_researcher(EMAIL, surveys=["feedback"])
    owner = app.test_client()
    sign_in(EMAIL, target=owner)
    copy = copy_cookie(app, owner)
    response = post(client, person_path(researcher) + "/disable")
    assert response.status_code == 302 and response.location == person_path(researcher)
    assert "Disabled" in client.get(response.location).get_data(as_text=True)
    assert not signed_in(copy) and not signed_in(owner)
    assert sign_in(EMAIL, target=owner).status_code == 401
    post(client, person_path(researcher) + "/enable")
    assert not signed_in(copy)  # old sessions stay ended
    assert sign_in(EMAIL, target=owner).status_code == 302


def test_an_admin_cannot_disable_themselves(client, db, admin):
    page = client.get(person_path(admin)).get_data(as_text=True)
    assert "/disable" not in page
    response = post(client, person_path(admin) + "/disable")
    assert response.status_code == 302
    assert "cannot disable your own account" in client.get(response.location).get_data(as_text=True)
    db.expire_all()
    assert db.get(Researcher, admin.id).active
    assert signed_in(client)
    assert actions(db) == []


def test_the_last_active_admin_cannot_be_disabled(app, db, make_researcher):
    from app.research import people

    only = make_researcher(ADMIN, role=Researcher.ADMIN)
    researcher = make_researcher(EMAIL)
    with app.test_request_context():  # the reasons are in the interface language
        assert people.disable_problem(db, researcher, only) == (
            "This is the last active admin: add or enable another admin first."
        )
        second = make_researcher("second@example.org", role=Researcher.ADMIN)
        assert people.disable_problem(db, second, only) is None
        accounts.set_active(second, False)
        assert "last active admin" in people.disable_problem(db, researcher, only)
        assert people.disable_problem(db, only, researcher) is None


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="row locks are PostgreSQL's")
def test_two_admins_cannot_disable_each_other_at_once(db, make_researcher):
    ids = [make_researcher(f"{name}@example.org", role=Researcher.ADMIN).id for name in ("a", "b")]
    first, second = Session(db.get_bind()), Session(db.get_bind())
    b = first.get(Researcher, ids[1])
    assert not accounts.is_last_active_admin(first, b)  # a disables b: the admins' rows are locked
    accounts.set_active(b, False)
    seen = {}

    def b_disables_a():
        seen["last"] = accounts.is_last_active_admin(second, second.get(Researcher, ids[0]))
        second.rollback()

    other = threading.Thread(target=b_disables_a)
    other.start()
    other.join(0.5)
    assert other.is_alive()  # b's check waits for a's commit ...
    first.commit()
    other.join(10)
    assert seen == {"last": True}  # ... and then sees that a is the last active admin
    first.close()
    second.close()


# ----------------------------------------------------------------------------- grants


def test_grant_change_the_level_and_revoke(client, db, admin, make_researcher):
    researcher = make_researcher(EMAIL)
    path = person_path(researcher)
    assert 'value="feedback"' in client.get(path).get_data(as_text=True)  # served surveys are offered
    response = post(client, path + "/grants", survey="feedback", level="read")
    assert response.status_code == 302 and response.location == path
    db.expire_all()
    assert [(g.survey_id, g.level) for g in db.get(Researcher, researcher.id).grants] == [
        ("feedback", "read")
    ]
    post(client, path + "/grants", survey="feedback", level="manage")
    db.expire_all()
    assert db.query(Grant).one().level == "manage"
    page = client.get(path).get_data(as_text=True)
    assert "manage" in page
    same = post(client, path + "/grants", survey="feedback", level="manage")
    assert "could already" in client.get(same.location).get_data(as_text=True)
    post(client, path + "/revoke", survey="feedback")
    assert db.query(Grant).count() == 0
    assert [(e.action, e.survey_id, e.detail) for e in db.query(AuditEvent).order_by(AuditEvent.id)][1:] == [
        ("grant", "feedback", {"email": EMAIL, "level": "read"}),
        ("grant", "feedback", {"email": EMAIL, "level": "manage"}),
        ("revoke", "feedback", {"email": EMAIL}),
    ]


def test_the_grant_takes_effect_for_the_researcher(app, client, admin, make_researcher, sign_in):
    researcher = make_researcher(EMAIL)
    owner = app.test_client()
    sign_in(EMAIL, target=owner)
    assert owner.get("/admin/surveys/feedback").status_code == 404
    post(client, person_path(researcher) + "/grants", survey="feedback", level="read")
    assert owner.get("/admin/surveys/feedback").status_code == 200
    post(client, person_path(researcher) + "/revoke", survey="feedback")
    assert owner.get("/admin/surveys/feedback").status_code == 404


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"survey": "no-such-survey", "level": "read"}, "survey", "Choose one of the surveys in the list."),
        ({"survey": "", "level": "read"}, "survey", "Choose one of the surveys in the list."),
        ({"survey": "feedback", "level": "owner"}, "level", "Choose read or manage."),
    ],
)
def test_a_bad_grant_is_refused_next_to_the_field(client, db, admin, make_researcher, data, field, message):
    researcher = make_researcher(EMAIL)
    response = post(client, person_path(researcher) + "/grants", **data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and f'href="#{field}"' in page
    assert db.query(Grant).count() == 0


def test_grants_of_surveys_no_longer_served_are_listed_and_revocable(client, db, admin, make_researcher):
    researcher = make_researcher(EMAIL)
    db.add(Grant(researcher_id=researcher.id, survey_id="retired-survey", level="manage"))
    db.commit()
    page = client.get(person_path(researcher)).get_data(as_text=True)
    assert "retired-survey" in page and "not served" in page
    assert "retired-survey" in client.get("/admin/people").get_data(as_text=True)
    response = post(client, person_path(researcher) + "/revoke", survey="retired-survey")
    assert response.status_code == 302
    assert db.query(Grant).count() == 0


def test_revoking_a_grant_that_is_gone_says_so(client, db, admin, make_researcher):
    researcher = make_researcher(EMAIL)
    response = post(client, person_path(researcher) + "/revoke", survey="feedback")
    assert response.status_code == 302
    assert "had no access" in client.get(response.location).get_data(as_text=True)
    assert actions(db) == []


# ----------------------------------------------------------------------------- the audit log


def test_every_action_is_in_the_audit_log(app, client, db, admin):
    post(client, "/admin/people", email=EMAIL, role="researcher")
    researcher = db.query(Researcher).filter_by(email=EMAIL).one()
    path = person_path(researcher)
    post(client, path + "/grants", survey="feedback", level="read")
    post(client, path + "/revoke", survey="feedback")
    link = make_link(client, researcher)
    choose_password(app.test_client(), link)
    post(client, path + "/disable")
    post(client, path + "/enable")
    db.expire_all()
    events = [
        (e.action, e.actor, e.survey_id, e.detail)
        for e in db.query(AuditEvent).order_by(AuditEvent.id)
        if e.action != "sign_in"
    ]
    assert events == [
        ("user_created", ADMIN, None, {"email": EMAIL, "role": "researcher"}),
        ("reset_link", ADMIN, None, {"email": EMAIL}),
        ("grant", ADMIN, "feedback", {"email": EMAIL, "level": "read"}),
        ("revoke", ADMIN, "feedback", {"email": EMAIL}),
        ("reset_link", ADMIN, None, {"email": EMAIL}),
        ("password_changed", EMAIL, None, {"email": EMAIL, "via": "reset link"}),
        ("user_disabled", ADMIN, None, {"email": EMAIL}),
        ("user_enabled", ADMIN, None, {"email": EMAIL}),
    ]
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Set-password link made" in page
