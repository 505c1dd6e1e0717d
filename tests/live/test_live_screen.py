"""The live screen in the researcher area: figures rendered on the server, free texts only once a
facilitator approved them (never in the page or its refresh data before), moderation by POST with the
form token, and refreshes that keep no sign-in alive."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Researcher, TextApproval

from .conftest import SURVEY, decide

SCREEN = f"/admin/surveys/{SURVEY}/live"
FIGURES = f"{SCREEN}/figures"
MODERATE = f"{SCREEN}/moderate"
SECRET = "Ett hemligt förslag som ingen har godkänt"


@pytest.fixture
def manager(login_as):
    """A researcher with a `manage` grant to the workshop survey, signed in."""
    return login_as(Researcher.RESEARCHER, surveys=[SURVEY], level="manage")


def shown(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_screen_shows_counts_per_choice_and_says_what_it_counts(client, manager, idea):
    idea(category="booking")
    idea(category="booking")
    page = shown(client, SCREEN)
    assert 'class="live-count">2<' in page
    assert "Booking a time" in page
    assert "complete responses only" in page
    assert '2 <span class="live-pct">(100 %)</span>' in page


def test_an_unapproved_text_is_in_neither_the_page_nor_its_refresh_data(client, manager, idea):
    response = idea(SECRET, group="Bord 7")
    for url in (SCREEN, FIGURES, f"{SCREEN}?partial=1&demo=1&test=1", f"{FIGURES}?partial=1&demo=1&test=1"):
        page = shown(client, url)
        assert SECRET not in page and "Bord 7" not in page, url
    assert SECRET in shown(client, MODERATE)  # the only page that shows it: for deciding
    assert decide(client, response.public_id, "idea", "approve").status_code == 302
    assert SECRET in shown(client, SCREEN) and SECRET in shown(client, FIGURES)
    assert "Bord 7" not in shown(client, FIGURES)  # approved one by one, per answer
    assert decide(client, response.public_id, "idea", "hide").status_code == 302
    assert SECRET not in shown(client, SCREEN) and SECRET not in shown(client, FIGURES)


def test_hiding_deletes_nothing(client, manager, idea, db):
    response = idea(SECRET)
    decide(client, response.public_id, "idea", "hide")
    db.expire_all()
    assert response.answers["idea"] == SECRET
    assert SECRET in shown(client, f"{MODERATE}?show=hidden")
    assert SECRET not in shown(client, MODERATE)  # no longer waiting


def test_an_answer_changed_after_its_approval_waits_for_a_new_decision(client, manager, idea, db):
    response = idea(SECRET)
    decide(client, response.public_id, "idea", "approve")
    response.answers = {**response.answers, "idea": "Något helt annat"}
    response.updated_at = datetime.now(UTC) + timedelta(seconds=5)
    db.commit()
    assert "Något helt annat" not in shown(client, FIGURES)
    assert "changed since it was approved" in shown(client, MODERATE)


def test_approved_demo_texts_stay_off_the_screen_unless_demo_answers_are_counted(client, manager, idea, db):
    response = idea(SECRET)
    response.is_demo = True
    db.commit()
    decide(client, response.public_id, "idea", "approve")
    assert SECRET not in shown(client, FIGURES)
    assert SECRET in shown(client, f"{FIGURES}?demo=1")


def test_the_group_names_are_a_word_list_with_how_many_gave_each(client, manager, idea):
    for name in ("Bord 3", "bord 3", "Bord 1"):
        decide(client, idea(group=name).public_id, "group", "approve")
    page = shown(client, FIGURES)
    assert re.search(
        r'<li class="size-4"><span dir="auto">bord 3</span> <span class="live-times">× 2</span>', page
    )
    assert '<li class="size-1"><span dir="auto">Bord 1</span></li>' in page


def test_a_decision_is_a_post_with_the_form_token(client, manager, idea, db):
    response = idea(SECRET)
    data = {"response": response.public_id, "question": "idea", "decision": "approve"}
    assert client.post(MODERATE, data=data).status_code == 400
    assert db.scalar(select(TextApproval)) is None
    assert SECRET not in shown(client, FIGURES)


@pytest.mark.parametrize(
    ("question", "decision", "status"),
    [("idea", "publish", 400), ("category", "approve", 404), ("nope", "approve", 404)],
)
def test_only_free_texts_can_be_approved(client, manager, idea, question, decision, status):
    assert decide(client, idea(SECRET).public_id, question, decision).status_code == status


def test_a_text_of_another_survey_cannot_be_approved_through_this_one(client, login_as, idea):
    login_as(Researcher.RESEARCHER, surveys=[SURVEY, "feedback"], level="manage")
    other = idea("Hej", survey="feedback")
    assert decide(client, other.public_id, "message", "approve").status_code == 404
    assert decide(client, other.public_id, "message", "approve", survey="feedback").status_code == 302


def test_decisions_are_audited_without_the_text(client, manager, idea, db):
    response = idea(SECRET)
    decide(client, response.public_id, "idea", "approve")
    decide(client, response.public_id, "idea", "hide")
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action.like("text_%")).order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["text_approved", "text_hidden"]
    assert events[0].actor == "researcher@example.org" and events[0].survey_id == SURVEY
    assert events[0].detail == {"response": response.public_id, "question": "idea"}
    assert SECRET not in str(events[0].detail)


def test_the_same_decision_twice_keeps_one_row(client, manager, idea, db):
    response = idea(SECRET)
    decide(client, response.public_id, "idea", "approve")
    decide(client, response.public_id, "idea", "approve")
    assert len(db.scalars(select(TextApproval)).all()) == 1


@pytest.mark.parametrize("path", ["", "/figures", "/moderate", "/links"])
def test_a_read_grant_does_not_open_the_live_screen(client, login_as, path):
    login_as(Researcher.RESEARCHER, surveys=[SURVEY], level="read")
    assert client.get(SCREEN + path).status_code == 404
    assert "/live" not in client.get(f"/admin/surveys/{SURVEY}").get_data(as_text=True)


def test_the_results_page_links_the_live_screen_for_managers(client, manager):
    assert f'href="{SCREEN}"' in shown(client, f"/admin/surveys/{SURVEY}")


def test_the_since_filter_counts_from_the_start_time_and_says_so(client, manager, idea):
    idea(category="booking", minutes_ago=120)
    idea(category="machines", minutes_ago=5)
    local = (datetime.now(UTC) - timedelta(minutes=60)).astimezone(ZoneInfo("Europe/Stockholm"))
    since = local.strftime("%Y-%m-%dT%H:%M")
    page = shown(client, f"{FIGURES}?since={since}")
    assert 'class="live-count">1<' in page
    assert f"since {local.strftime('%H:%M')}" in page
    assert f"since={since}" in shown(client, f"{SCREEN}?since={since}")  # the refresh keeps it


def test_a_start_time_that_cannot_be_read_is_a_400_with_a_message(client, manager):
    response = client.get(f"{SCREEN}?since=soon")
    assert response.status_code == 400
    assert "The start time must look like" in response.get_data(as_text=True)
    assert client.get(f"{FIGURES}?since=soon").status_code == 400


def test_the_screen_has_a_qr_code_to_the_survey_and_works_without_javascript(client, manager):
    page = shown(client, f"{SCREEN}?demo=1")
    assert re.search(
        r'<img class="live-qr" src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="[^"]+/s/workshop-ideas"',
        page,
    )
    assert f'href="{SCREEN}?demo=1">Refresh now</a>' in page
    assert f'data-refresh-url="{FIGURES}?demo=1"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script (CSP)
    assert " style=" not in page


def test_refreshing_keeps_no_sign_in_alive(client, manager):
    before = client.get_cookie("session").value
    response = client.get(FIGURES)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert client.get_cookie("session").value == before


def test_refreshing_after_the_sign_in_ended_leads_to_signing_in(app, client, manager):
    app.config["LYSSNA_IDLE_TIMEOUT"] = timedelta(seconds=-1)
    response = client.get(FIGURES)
    assert response.status_code == 302 and response.location.startswith("/admin/login")
