"""The pictogram grid of waste-sorting in a real browser: two cards a row at 390 px and one at 320 px,
a tap on the picture ticks the box without JavaScript, and every picture is loaded and drawn."""

import pytest

from benchmarks.browser_walk import answer_form, forward, post_form, start_url
from tests.browser.checks import NARROW
from tests.browser.surveys import example

CARDS = '[data-question="fractions"] label.card:not(.wide)'


def to_fractions(page, base_url: str, language: str) -> None:
    """Open waste-sorting and give consent: the first page holds the fractions."""
    survey = example("waste-sorting")
    page.goto(start_url(base_url, survey, language))
    form = post_form(page)
    answer_form(page, form, survey, {})
    with page.expect_navigation():
        forward(form).click()
    page.wait_for_load_state("networkidle")


def columns(page) -> int:
    return len(
        {
            round(box["x"])
            for box in page.locator(CARDS).evaluate_all(
                "els => els.map(e => e.getBoundingClientRect().toJSON())"
            )
        }
    )


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_the_pictograms_are_two_a_row_at_390px_and_every_one_is_drawn(
    phone_without_js, live_server, language
):
    page = phone_without_js
    to_fractions(page, live_server.url, language)
    assert page.locator(CARDS).count() == 5
    assert columns(page) == 2
    drawn = page.locator(f"{CARDS} img").evaluate_all("els => els.map(e => e.complete && e.naturalWidth > 0)")
    assert drawn == [True] * 5
    page.locator(f"{CARDS} img").nth(3).click()  # a tap on the glass pictogram
    assert page.locator('[name="fractions"][value="glass"]').is_checked()


def test_the_pictograms_are_one_a_row_at_320px(browser, live_server):
    context = browser.new_context(viewport=NARROW)
    try:
        page = context.new_page()
        to_fractions(page, live_server.url, "sv")
        assert columns(page) == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    finally:
        context.close()
