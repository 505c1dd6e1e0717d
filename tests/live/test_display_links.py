"""Display links: a projector shows one survey's live screen without anyone's sign-in, read-only and
approved texts only, until the link expires or is revoked; it never sets or refreshes a session."""

import hashlib
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.live import display_links
from app.models import AuditEvent, DisplayLink, Researcher

from .conftest import SURVEY, csrf_from, decide

LINKS = f"/admin/surveys/{SURVEY}/live/links"


@pytest.fixture
def manager(login_as):
    return login_as(Researcher.RESEARCHER, surveys=[SURVEY, "feedback"], level="manage")


def make_link(client, **fields) -> str:
    """Make a display link through the form; the path (with its query) the page shows once."""
    token = csrf_from(client.get(LINKS).get_data(as_text=True))
    data = {"label": "Room 2", "hours": "12", "language": "en", **fields, "csrf_token": token}
    response = client.post(LINKS, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(LINKS).get_data(as_text=True)
    url = re.search(r'id="new-link" value="([^"]+)"', page).group(1).replace("&amp;", "&")
    return re.sub(r"^http://[^/]+", "", url)


def test_a_new_link_is_shown_once_and_only_its_hash_is_kept(client, manager, db):
    path = make_link(client)
    assert path.startswith("/display/") and "lang=en" in path
    assert 'id="new-link"' not in client.get(LINKS).get_data(as_text=True)
    token = path.split("/")[2].split("?")[0]
    stored = db.scalars(select(DisplayLink)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (
        stored.survey_id == SURVEY
        and stored.label == "Room 2"
        and stored.created_by == "researcher@example.org"
    )
    assert stored.expires_at - stored.created_at == timedelta(hours=12)


def test_the_display_opens_without_a_sign_in_and_sets_no_cookie(app, client, manager, idea):
    idea(category="booking")
    path = make_link(client)
    projector = app.test_client()
    for url in (path, path.replace("?", "/figures?")):
        response = projector.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
        assert 'class="live-count">1<' in response.get_data(as_text=True)
    assert projector.get_cookie("session") is None


def test_the_display_neither_sets_nor_refreshes_a_researchers_session(client, manager):
    path = make_link(client)
    before = client.get_cookie("session").value
    for url in (path, path.replace("?", "/figures?")):
        response = client.get(url)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
    assert client.get_cookie("session").value == before


def test_the_display_is_read_only_with_no_settings_or_links_into_the_admin_area(app, client, manager):
    page = app.test_client().get(make_link(client)).get_data(as_text=True)
    assert "<form" not in page and "/admin/" not in page
    assert "Display link, works until" in page


def test_a_display_link_shows_only_its_own_survey(app, client, manager, idea):
    mine = idea("Tvättstugan behöver fler torkskåp")
    theirs = idea("Ett meddelande om sopor", survey="feedback")
    decide(client, mine.public_id, "idea", "approve")
    decide(client, theirs.public_id, "message", "approve", survey="feedback")
    page = app.test_client().get(make_link(client).replace("?", "/figures?")).get_data(as_text=True)
    assert "Tvättstugan behöver fler torkskåp" in page
    assert "Ett meddelande om sopor" not in page


def test_an_unapproved_text_never_reaches_the_display(app, client, manager, idea):
    idea("Inte godkänd ännu", group="Bord 9")
    projector = app.test_client()
    path = make_link(client, demo="y")
    for url in (path, path.replace("?", "/figures?")):
        page = projector.get(url).get_data(as_text=True)
        assert "Inte godkänd ännu" not in page and "Bord 9" not in page


def test_the_display_counts_from_the_links_start_time_whatever_its_address_says(app, client, manager, idea):
    idea(category="booking", minutes_ago=120)
    idea(category="machines", minutes_ago=5)
    start = (datetime.now(UTC) - timedelta(hours=1)).astimezone(ZoneInfo("Europe/Stockholm"))
    path = make_link(client, since=start.strftime("%Y-%m-%dT%H:%M"))
    projector = app.test_client()
    assert 'class="live-count">1<' in projector.get(path).get_data(as_text=True)
    assert 'class="live-count">1<' in projector.get(path + "&since=2000-01-01T00:00").get_data(as_text=True)


def test_an_expired_link_is_404(app, db, idea):
    with app.test_request_context():
        link, token = display_links.create(db, SURVEY, now=datetime.now(UTC) - timedelta(hours=13))
        db.commit()
    assert link.expires_at < datetime.now(UTC)
    assert app.test_client().get(f"/display/{token}").status_code == 404
    assert app.test_client().get(f"/display/{token}/figures").status_code == 404


def test_a_link_works_until_its_hours_are_up(app, db):
    made = datetime(2026, 5, 31, 12, 0, tzinfo=UTC)
    with app.test_request_context():
        link, token = display_links.create(db, SURVEY, hours=12, now=made)
    assert display_links.usable(db, token, now=made + timedelta(hours=11, minutes=59)) == link
    assert display_links.usable(db, token, now=made + timedelta(hours=12)) is None
    assert display_links.usable(db, "not-" + token, now=made) is None


def test_a_revoked_link_is_404_at_once_and_audited(app, client, manager, db):
    path = make_link(client)
    projector = app.test_client()
    assert projector.get(path).status_code == 200
    link = db.scalars(select(DisplayLink)).one()
    page = client.get(LINKS).get_data(as_text=True)
    revoked = client.post(f"{LINKS}/revoke", data={"link": link.id, "csrf_token": csrf_from(page)})
    assert revoked.status_code == 302
    assert projector.get(path).status_code == 404
    assert projector.get(path.replace("?", "/figures?")).status_code == 404
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("display_link_%"))).all()
    assert sorted(actions) == ["display_link_created", "display_link_revoked"]


def test_an_unknown_link_is_404(client):
    assert client.get("/display/no-such-token").status_code == 404


def test_a_link_of_another_survey_cannot_be_revoked_through_this_one(app, client, manager, db):
    make_link(client)
    link = db.scalars(select(DisplayLink)).one()
    page = client.get(LINKS).get_data(as_text=True)
    response = client.post(
        "/admin/surveys/feedback/live/links/revoke", data={"link": link.id, "csrf_token": csrf_from(page)}
    )
    assert response.status_code == 404
    db.expire_all()
    assert link.revoked_at is None


@pytest.mark.parametrize("hours", ["0", "73", "many", ""])
def test_a_links_hours_are_between_1_and_72(client, manager, hours, db):
    token = csrf_from(client.get(LINKS).get_data(as_text=True))
    response = client.post(LINKS, data={"hours": hours, "language": "en", "csrf_token": token})
    assert response.status_code == 400
    assert db.scalars(select(DisplayLink)).first() is None


def test_making_and_revoking_need_the_form_token(client, manager, db):
    assert client.post(LINKS, data={"hours": "12", "language": "en"}).status_code == 400
    assert client.post(f"{LINKS}/revoke", data={"link": "1"}).status_code == 400
    assert db.scalars(select(DisplayLink)).first() is None


def test_a_read_grant_cannot_see_make_or_revoke_display_links(client, login_as, csrf, db):
    login_as(Researcher.RESEARCHER, surveys=[SURVEY], level="read")
    assert client.get(LINKS).status_code == 404
    assert client.post(LINKS, data={"csrf_token": csrf(), "hours": "12", "language": "en"}).status_code == 404
    assert client.post(f"{LINKS}/revoke", data={"csrf_token": csrf(), "link": "1"}).status_code == 404
    assert db.scalars(select(DisplayLink)).first() is None
