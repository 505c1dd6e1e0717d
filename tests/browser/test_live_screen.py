"""The live screen at 1920x1080 in a real browser: a resident's new answer shows within the refresh
interval, a free text never before a facilitator approves it (and not after it is hidden again), the
headings are large enough for the back of a room, a display link works without any sign-in or cookie,
and the screen is readable and refreshable without JavaScript."""

import secrets
import time

import pytest
from playwright.sync_api import Page, expect

from app import accounts
from app.extensions import db
from app.live.figures import REFRESH_SECONDS
from benchmarks.browser_walk import answer_form, forward, post_form, start_url
from benchmarks.walk import planned_answers
from tests.browser.checks import report, violations
from tests.browser.surveys import example

PASSWORD = "a long enough password"
PROJECTOR = {"width": 1920, "height": 1080}
SURVEY = "workshop-ideas"
SCREEN = f"/admin/surveys/{SURVEY}/live"
WITHIN = (REFRESH_SECONDS + 4) * 1000  # the refresh interval, and time for one request and rendering


@pytest.fixture(scope="module")
def facilitator(live_server) -> str:
    """An admin account on the live server (admins may manage every survey)."""
    email = f"facilitator-{secrets.token_hex(3)}@example.org"
    with live_server.app.app_context():
        accounts.create_researcher(db.session, email, PASSWORD, "admin")
        db.session.commit()
        db.session.remove()
    return email


@pytest.fixture
def projector(browser, live_server, facilitator):
    """A 1920x1080 page signed in as the facilitator."""
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.goto(live_server.url + "/admin/login")
    page.fill("#email", facilitator)
    page.fill("#password", PASSWORD)
    page.click("form.stack input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    yield page
    context.close()


def answer_as_a_resident(browser, base: str, idea: str, group: str) -> None:
    """A resident answers the workshop survey on a phone, with this idea and group name."""
    survey = example(SURVEY)
    answers = {**planned_answers(survey), "idea": idea, "group": group, "category": "together"}
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(start_url(base, survey, "en"))
        for _ in range(5):
            form = post_form(page)
            if form is None:
                return
            answer_form(page, form, survey, answers)
            with page.expect_navigation():
                forward(form).click()
        raise AssertionError("no thank-you page")
    finally:
        context.close()


def decide(page: Page, base: str, text: str, button: str) -> None:
    """Press Approve or Hide for the text on the moderation page."""
    page.goto(f"{base}{SCREEN}/moderate?show=all")
    page.locator("tr", has_text=text).get_by_role("button", name=button).click()
    page.wait_for_load_state()


def test_a_new_answer_shows_within_the_refresh_interval_and_its_text_only_once_approved(
    browser, live_server, projector
):
    base = live_server.url
    projector.goto(f"{base}{SCREEN}")
    count = projector.locator(".live-count")
    before = int(count.inner_text())
    idea, group = f"Idé {secrets.token_hex(4)}", f"Grupp {secrets.token_hex(3)}"

    answer_as_a_resident(browser, base, idea, group)
    answered = time.monotonic()
    expect(count).to_have_text(str(before + 1), timeout=WITHIN)
    assert time.monotonic() - answered <= WITHIN / 1000
    projector.wait_for_timeout(REFRESH_SECONDS * 1000 + 500)  # one more refresh
    assert idea not in projector.content() and group not in projector.content()

    moderation = projector.context.new_page()
    decide(moderation, base, idea, "Approve")
    expect(projector.locator("#live-figures")).to_contain_text(idea, timeout=WITHIN)
    assert group not in projector.content()  # each text is approved on its own
    decide(moderation, base, idea, "Hide")
    expect(projector.locator("#live-figures")).not_to_contain_text(idea, timeout=WITHIN)


def test_the_screen_is_large_and_clean_at_1920x1080(live_server, projector):
    projector.goto(f"{live_server.url}{SCREEN}?demo=1&lang=sv&labels=sv")
    sizes = projector.eval_on_selector_all(
        "h1, h2", "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert sizes and min(sizes) >= 48, sizes
    assert projector.evaluate("document.documentElement.scrollWidth") <= PROJECTOR["width"]
    qr = projector.locator("img.live-qr").bounding_box()
    assert qr["width"] >= 200 and qr["y"] + qr["height"] <= PROJECTOR["height"]
    problems = {"live screen": violations(projector)}
    projector.goto(f"{live_server.url}{SCREEN}/moderate?show=all")
    problems["moderation"] = violations(projector)
    projector.goto(f"{live_server.url}{SCREEN}/links")
    problems["display links"] = violations(projector)
    assert not any(problems.values()), "\n" + report(problems)


def test_a_display_link_shows_the_screen_without_a_sign_in_or_a_cookie(browser, live_server, projector):
    base = live_server.url
    projector.goto(f"{base}{SCREEN}/links")
    projector.fill("#label", "Room 2")
    projector.get_by_role("button", name="Make the link").click()
    url = projector.locator("#new-link").input_value()

    room = browser.new_context(viewport=PROJECTOR)
    try:
        page = room.new_page()
        response = page.goto(url)
        assert response.status == 200
        assert response.headers["referrer-policy"] == "no-referrer"
        expect(page.locator("h1")).to_be_visible()
        page.wait_for_timeout(REFRESH_SECONDS * 1000 + 1000)  # a refresh or two
        assert page.locator(".live-problems").count() == 0
        assert room.cookies() == []
        assert page.locator("form").count() == 0
        assert violations(page) == []
    finally:
        room.close()

    projector.goto(f"{base}{SCREEN}/links")
    projector.get_by_role("button", name="Revoke").first.click()
    room = browser.new_context(viewport=PROJECTOR)
    try:
        assert room.new_page().goto(url).status == 404
    finally:
        room.close()


def test_without_javascript_the_figures_are_there_and_a_link_refreshes_them(
    browser, live_server, facilitator
):
    context = browser.new_context(viewport=PROJECTOR, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/admin/login")
        page.fill("#email", facilitator)
        page.fill("#password", PASSWORD)
        page.click("form.stack input[type=submit]")
        page.goto(f"{live_server.url}{SCREEN}?demo=1")
        expect(page.locator(".live-count")).to_be_visible()
        expect(page.locator(".live-panel h2").first).to_be_visible()
        page.get_by_role("link", name="Refresh now").click()
        assert page.url.endswith(f"{SCREEN}?demo=1")
    finally:
        context.close()
