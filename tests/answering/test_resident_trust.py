"""The resident's side hardened: a planted resume link cannot attach a stranger's phone to a response."""

import re

from app.models import Response

from .test_pages import FIRST, next_


def _planted_link(lab, browse, start) -> tuple[str, object]:
    """An attacker starts a response, answers page 1, and copies its resume link (to put on a QR sticker)."""
    attacker = lab.test_client()
    page = start(attacker, "lab")
    second = browse.get(attacker, next_(browse, attacker, page, FIRST).location)
    link = re.search(r'id="resume-link" value="([^"]+)"', second.html).group(1)
    return link.replace("http://localhost", ""), attacker


def test_opening_a_resume_link_asks_first_and_attaches_nothing(lab, browse, start, stored):
    link, _ = _planted_link(lab, browse, start)
    victim = lab.test_client()
    asked = browse.get(victim, link)
    assert asked.status == 200  # a page that asks, not a redirect that sets the cookie
    assert victim.get_cookie("lyssna-lab", path="/s/lab") is None
    assert "Continue these answers" in asked.html and "Start new" in asked.html
    assert "abc" not in asked.html  # what was answered is never shown before the choice
    # Opening the first page without choosing: the start page, not the attacker's answers.
    assert browse.get(victim, "/s/lab/p/first").location.endswith("/s/lab")


def test_continuing_from_the_asking_page_attaches_the_response(lab, browse, start, stored):
    link, _ = _planted_link(lab, browse, start)
    laptop = lab.test_client()
    asked = browse.get(laptop, link)
    moved = browse.post(laptop, asked, {})
    assert moved.location.endswith("/s/lab/p/second")
    assert browse.get(laptop, "/s/lab/p/first").value("word") == "abc"
    assert len(stored("lab")) == 1


def test_a_resume_link_says_how_far_and_when_without_the_answers(lab, browse, start, stored):
    link, _ = _planted_link(lab, browse, start)
    asked = browse.get(lab.test_client(), link + "?lang=en")
    assert "1 of 3 pages answered" in asked.html
    assert "Last saved" in asked.html


def test_a_resume_link_of_a_sent_response_neither_attaches_nor_shows_its_receipt(lab, browse, start, stored):
    link, _ = _planted_link(lab, browse, start)
    [response] = stored("lab")
    from app.extensions import db

    with lab.app_context():
        row = db.session.get(Response, response.id)
        row.status, row.receipt_code = Response.COMPLETE, "ABCD-EFGH"
        db.session.commit()
    victim = lab.test_client()
    page = browse.get(victim, link)
    assert page.status == 200 and "ABCD-EFGH" not in page.html
    assert victim.get_cookie("lyssna-lab", path="/s/lab") is None
    assert "Continue these answers" not in page.html


def test_the_resume_link_is_shown_as_private(lab, browse, start):
    client = lab.test_client()
    page = start(client, "lab", "?lang=en")
    second = browse.get(client, next_(browse, client, page, FIRST).location)
    assert "Anyone with this link can see your answers" in second.html
