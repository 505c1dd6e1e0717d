"""A kiosk forgets each resident (issue 14): the findings of a tablet passed from person to person.

Resident A answers page 1 ("my neighbour Ahmed broke it") and walks away on page 2; resident B must
never see it: not by Back, not by the page's URL, not after the idle time, "Start over" or sending.
"""

import pytest
from sqlalchemy import select

from app.answering import kiosk
from app.extensions import db
from app.models import Response

from .conftest import read

WORKSHOP = """\
id: workshop
title: {sv: Tvättstugan, en: The laundry room, ar: غرفة الغسيل}
languages: [sv, en, ar]
kiosk_idle_seconds: 60
pages:
  - id: first
    questions:
      - {id: what, type: text, label: {sv: "Vad hände?", en: "What happened?", ar: "ماذا حدث؟"}}
  - id: second
    questions:
      - {id: mood, type: rating, scale: smiley5, label: {sv: Humör, en: Mood, ar: المزاج}}
"""
SECRET = "my neighbour Ahmed broke it"


@pytest.fixture
def app(make_app, write_survey, surveys_dir):
    write_survey(WORKSHOP)
    write_survey(WORKSHOP.replace("id: workshop", "id: anywhere").replace("kiosk_idle_seconds: 60\n", ""))
    return make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))


@pytest.fixture
def clock(monkeypatch):
    """The kiosk's clock, moved on by hand."""

    class Clock:
        at = 1_800_000_000.0

        def forward(self, seconds: float) -> None:
            self.at += seconds

    clock = Clock()
    monkeypatch.setattr(kiosk, "now", lambda: clock.at)
    return clock


def make_kiosk(client, survey_id="workshop", lang="en"):
    """A browser a researcher made a kiosk for the survey (the device cookie, as the setup page sets it)."""
    with client.application.test_request_context():
        value = kiosk.device_cookie(survey_id, lang, "facilitator@example.org")
    client.set_cookie(kiosk.DEVICE_COOKIE, value)


def a_leaves_on_page_two(client, browse, start):
    """Resident A starts, answers page 1 with the secret, and walks away on page 2."""
    first = start(client, "workshop")
    moved = browse.post(client, first, {"what": SECRET, "nav": "next"})
    assert moved.location.endswith("/s/workshop/p/second")
    return browse.get(client, moved.location)


def nothing_of_a(client, browse) -> None:
    """Every way B could look for A's answers shows none of them."""
    for url in ("/s/workshop", "/s/workshop/p/first", "/s/workshop/p/second", "/s/workshop/thanks"):
        page = browse.get(client, url)
        while page.status == 302:
            page = browse.get(client, page.location)
        assert SECRET not in page.html, url


def stored_responses(app):
    with app.app_context():
        rows = db.session.scalars(select(Response).order_by(Response.id)).all()
        db.session.expunge_all()
        return rows


def test_after_the_idle_time_the_next_person_gets_nothing_of_the_last(app, browse, start, clock):
    client = app.test_client()
    make_kiosk(client)
    a_leaves_on_page_two(client, browse, start)
    assert SECRET in browse.get(client, "/s/workshop/p/first").html  # A, pressing Back in time

    clock.forward(61)
    back = browse.get(client, "/s/workshop/p/first")  # B presses Back, or opens page 1's address
    assert back.status == 302 and back.location.endswith("/s/workshop?lang=en")
    restarted = browse.get(client, back.location)
    assert "because nobody used it for a while" in restarted.html
    nothing_of_a(client, browse)
    [a] = stored_responses(app)
    assert a.answers == {"what": SECRET} and a.status == Response.IN_PROGRESS  # kept, unfinished
    assert a.resume_token_hash is None  # no copy of the cookie reaches it either


def test_start_over_forgets_at_once_and_is_a_form_of_its_own(app, browse, start, clock):
    client = app.test_client()
    make_kiosk(client)
    second = a_leaves_on_page_two(client, browse, start)
    assert 'id="kiosk-new-person"' in second.html
    assert "Start over (new person)" in second.html
    page_form = second.html.split('id="page-form"', 1)[1].split("</form>", 1)[0]
    assert "new-person" not in page_form  # never the page form's default button
    token = second.value("csrf_token")
    moved = client.post("/s/workshop/new-person", data={"csrf_token": token})
    assert moved.status_code == 302 and moved.location.endswith("/s/workshop?lang=en")
    nothing_of_a(client, browse)
    assert stored_responses(app)[0].resume_token_hash is None


def test_pressing_start_on_a_kiosk_is_a_new_person_even_while_the_last_is_unfinished(
    app, browse, start, clock
):
    client = app.test_client()
    make_kiosk(client)
    a_leaves_on_page_two(client, browse, start)
    first = start(client, "workshop")  # B, within the idle time
    assert SECRET not in first.html
    browse.post(client, first, {"what": "the door sticks", "nav": "next"})
    a, b = stored_responses(app)
    assert (a.answers, b.answers) == ({"what": SECRET}, {"what": "the door sticks"})
    assert a.resume_token_hash is None


def test_after_sending_the_thank_you_page_returns_to_the_start_in_the_first_language(
    app, browse, start, clock
):
    client = app.test_client()
    make_kiosk(client, lang="sv")
    first = start(client, "workshop", "?lang=ar")  # A reads Arabic
    second = read(client.get(browse.post(client, first, {"what": SECRET, "nav": "next"}).location))
    done = browse.post(client, second, {"mood": "4", "nav": "next"})
    thanks = browse.get(client, done.location)
    [a] = stored_responses(app)
    assert a.receipt_code in thanks.html
    assert 'http-equiv="refresh"' in thanks.html and "/s/workshop?lang=sv" in thanks.html
    assert 'data-kiosk-return="20"' in thanks.html
    assert a.receipt_code not in browse.get(client, done.location).html  # the receipt is shown once
    next_person = browse.get(client, "/s/workshop?lang=sv")
    assert 'lang="sv"' in next_person.html
    nothing_of_a(client, browse)


def test_a_copied_kiosk_cookie_reaches_nothing(app, browse, start, clock):
    client = app.test_client()
    make_kiosk(client)
    a_leaves_on_page_two(client, browse, start)
    cookie = client.get_cookie("lyssna-workshop", path="/s/workshop")
    other = app.test_client()
    make_kiosk(other)
    other.set_cookie("lyssna-workshop", cookie.value, path="/s/workshop")
    stolen = browse.get(other, "/s/workshop/p/first")
    while stolen.status == 302:
        stolen = browse.get(other, stolen.location)
    assert SECRET not in stolen.html
    assert stored_responses(app)[0].resume_token_hash is None
    assert browse.get(other, f"/s/workshop/r/{cookie.value}").location.endswith("/s/workshop")


def test_kiosk_pages_are_never_cached_and_offer_nothing_typed_before(app, browse, start, clock):
    client = app.test_client()
    make_kiosk(client)
    first = start(client, "workshop")
    assert 'autocomplete="off"' in first.html.split('id="page-form"', 1)[1].split(">", 1)[0]
    assert 'id="what"' in first.html
    for url in ("/s/workshop", "/s/workshop/p/first"):
        assert client.get(url).headers["Cache-Control"] == "no-store"


def test_the_idle_time_counts_from_the_last_request_and_a_sign_of_life_resets_it(app, browse, start, clock):
    client = app.test_client()
    make_kiosk(client)
    second = a_leaves_on_page_two(client, browse, start)
    clock.forward(50)
    assert (
        client.post("/s/workshop/still-here", data={"csrf_token": second.value("csrf_token")}).status_code
        == 204
    )
    clock.forward(50)
    assert SECRET in browse.get(client, "/s/workshop/p/first").html  # 100 s since page 2, 50 since the sign


def test_a_kiosk_device_marks_its_responses_and_a_link_does_not(app, browse, start, clock):
    kiosk_client, phone = app.test_client(), app.test_client()
    make_kiosk(kiosk_client)
    browse.post(kiosk_client, start(kiosk_client, "workshop"), {"what": "x", "nav": "next"})
    browse.post(phone, start(phone, "workshop"), {"what": "y", "nav": "next"})
    browse.post(kiosk_client, start(kiosk_client, "anywhere"), {"what": "z", "nav": "next"})  # another survey
    channels = [(r.survey_id, r.answers["what"], r.channel) for r in stored_responses(app)]
    assert channels == [("workshop", "x", "kiosk"), ("workshop", "y", "link"), ("anywhere", "z", "link")]
    # The phone is not a kiosk: its page keeps its answers, offers a resume link, has no kiosk bar.
    assert "kiosk-new-person" not in browse.get(phone, "/s/workshop/p/second").html


def test_a_forged_device_cookie_is_no_kiosk(app, browse, start, clock):
    client = app.test_client()
    client.set_cookie(kiosk.DEVICE_COOKIE, "eyJzdXJ2ZXkiOiJ3b3Jrc2hvcCJ9.forged")
    assert "kiosk-new-person" not in browse.get(client, "/s/workshop").html
