"""Personal tokens: made once and kept as a hash, read only what their owner may read now, counted,
revoked, stopped with their account; the API answers problems, sets no cookie, limits each token."""

import hashlib
import re

from app.models import ApiToken, AuditEvent, Researcher
from tests.research.conftest import csrf_from


def test_token_command_prints_the_token_once_and_keeps_only_its_hash(app, db, runner, make_token):
    make_token("r@example.org")  # the account
    result = runner.invoke(
        args=["users", "token", "r@example.org", "--name", "nightly R", "--expires-days", "30"]
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert re.fullmatch(r"lys_[A-Za-z0-9_-]{43}", token)
    row = db.query(ApiToken).filter_by(name="nightly R").one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str([getattr(row, c.name) for c in ApiToken.__table__.columns])
    assert row.expires_at is not None
    listing = runner.invoke(args=["users", "tokens", "r@example.org"])
    assert "nightly R" in listing.output and "active" in listing.output and token not in listing.output
    event = db.query(AuditEvent).filter_by(action="token_created").one()
    assert event.detail["name"] == "nightly R" and event.detail["email"] == "r@example.org"


def test_requests_without_a_valid_token_are_401_problems(app, db, api, client, make_token, runner):
    token = make_token(surveys=["feedback"])
    expired = make_token(name="old", expires_days=1)
    row = db.query(ApiToken).filter_by(name="old").one()
    row.expires_at = row.created_at  # its day is over
    db.commit()
    revoked = make_token(name="gone")
    gone_id = db.query(ApiToken).filter_by(name="gone").one().id
    assert runner.invoke(args=["users", "revoke-token", str(gone_id)]).exit_code == 0
    for bad in (None, "lys_nonsense", expired, revoked):
        answer = api("/surveys", bad)
        assert answer.status_code == 401, bad
        assert answer.mimetype == "application/problem+json"
        assert answer.json["status"] == 401 and answer.headers["WWW-Authenticate"].startswith("Bearer")
    basic = client.get("/api/v1/surveys", headers={"Authorization": f"Basic {token}"})
    assert basic.status_code == 401
    assert api("/surveys", token).status_code == 200
    assert db.query(AuditEvent).filter_by(action="token_revoked").one().detail["name"] == "gone"


def test_a_token_reads_only_what_its_owner_may_read_now(app, db, api, make_token):
    from app import accounts

    token = make_token(surveys=["feedback"])
    assert [s["id"] for s in api("/surveys", token).json["surveys"]] == ["feedback"]
    assert api("/surveys/feedback/responses", token).status_code == 200
    for path in (
        "/surveys/waste-sorting/responses",
        "/surveys/waste-sorting/codebook",
        "/surveys/nope/export",
    ):
        answer = api(path, token)
        assert answer.status_code == 404 and answer.mimetype == "application/problem+json", path
    accounts.revoke(db, accounts.find_researcher(db, "r@example.org"), "feedback")
    db.commit()
    assert api("/surveys/feedback/responses", token).status_code == 404  # at once, the token holds nothing
    assert api("/surveys", token).json["surveys"] == []
    admin = make_token("boss@example.org", role=Researcher.ADMIN)
    assert len(api("/surveys", admin).json["surveys"]) > 1


def test_a_disabled_accounts_tokens_stop_while_it_is_disabled(app, db, api, make_token, runner):
    token = make_token(surveys=["feedback"])
    assert runner.invoke(args=["users", "disable", "r@example.org"]).exit_code == 0
    assert api("/surveys", token).status_code == 401
    assert runner.invoke(args=["users", "enable", "r@example.org"]).exit_code == 0
    assert api("/surveys", token).status_code == 200


def test_each_use_is_counted(app, db, api, make_token):
    token = make_token(surveys=["feedback"])
    for _ in range(3):
        api("/surveys", token)
    api("/surveys", "lys_not-a-token")
    row = db.query(ApiToken).one()
    db.refresh(row)
    assert row.uses == 3 and row.last_used_at is not None


def test_tokens_are_made_listed_and_revoked_on_the_account_page(app, db, client, make_token, api, sign_in):
    make_token(surveys=["feedback"], name="old script")
    sign_in("r@example.org")
    page = client.get("/admin/account").get_data(as_text=True)
    assert "old script" in page
    made = client.post(
        "/admin/account/tokens",
        data={"name": "Power BI", "expires_days": "90", "csrf_token": csrf_from(page)},
    )
    assert made.status_code == 200
    shown = made.get_data(as_text=True)
    token = re.search(r"lys_[A-Za-z0-9_-]{43}", shown).group(0)
    assert api("/surveys", token).status_code == 200
    assert token not in client.get("/admin/account").get_data(as_text=True)  # shown once only
    row = db.query(ApiToken).filter_by(name="Power BI").one()
    page = client.get("/admin/account").get_data(as_text=True)
    revoked = client.post(f"/admin/account/tokens/{row.id}/revoke", data={"csrf_token": csrf_from(page)})
    assert revoked.status_code == 302
    assert api("/surveys", token).status_code == 401
    actions = [e.action for e in db.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions.count("token_created") == 1 and actions.count("token_revoked") == 1


def test_nobody_revokes_another_persons_token_on_their_page(app, db, client, make_token, sign_in):
    make_token("other@example.org", name="theirs")
    make_token("r@example.org")
    theirs = db.query(ApiToken).filter_by(name="theirs").one()
    sign_in("r@example.org")
    page = client.get("/admin/account").get_data(as_text=True)
    answer = client.post(f"/admin/account/tokens/{theirs.id}/revoke", data={"csrf_token": csrf_from(page)})
    assert answer.status_code == 404
    db.refresh(theirs)
    assert theirs.revoked_at is None


def test_the_api_sets_no_cookie_and_a_session_is_no_token(app, client, api, make_token, sign_in):
    token = make_token(surveys=["feedback"])
    assert "Set-Cookie" not in api("/surveys", token).headers
    sign_in("r@example.org")  # the browser now holds a researcher's session
    assert client.get("/api/v1/surveys").status_code == 401
    answer = api("/surveys", token)
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers


def test_rate_limits_count_per_token(make_app):
    from tests.api.conftest import IsolatedClient

    app = make_app(LYSSNA_API_RATE_LIMIT="3/minute")
    app.test_client_class = IsolatedClient
    client = app.test_client()
    with app.app_context():
        from app import accounts
        from app.api import tokens
        from app.extensions import db as database

        owner = accounts.create_researcher(
            database.session, "r@example.org", "a long enough password", "admin"
        )
        first = tokens.create(database.session, owner, "one")[1]
        second = tokens.create(database.session, owner, "two")[1]
        database.session.commit()
    codes = [client.get("/api/v1/surveys", headers={"Authorization": f"Bearer {first}"}) for _ in range(4)]
    assert [c.status_code for c in codes] == [200, 200, 200, 429]
    assert codes[-1].mimetype == "application/problem+json" and int(codes[-1].headers["Retry-After"]) > 0
    assert client.get("/api/v1/surveys", headers={"Authorization": f"Bearer {second}"}).status_code == 200


def test_unknown_endpoints_and_other_methods_are_problems(app, client, make_token):
    token = make_token(surveys=["feedback"])
    headers = {"Authorization": f"Bearer {token}"}
    missing = client.get("/api/v1/nothing/here", headers=headers)
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    posted = client.post("/api/v1/surveys", headers=headers)
    assert posted.status_code == 405 and posted.mimetype == "application/problem+json"
    assert "GET" in posted.headers["Allow"]
    typo = client.get("/api/v1/surveys/feedback/responses?limt=5", headers=headers)
    assert typo.status_code == 400 and "limt" in typo.json["detail"]
