"""Post/redirect/get on a phone: a mistake, corrected, then Back twice never asks to resend a form."""

import pytest

from benchmarks.browser_walk import answer_form, forward, make_a_mistake, post_form
from benchmarks.walk import planned_answers
from tests.browser.surveys import example


@pytest.mark.parametrize("javascript", [True, False])
def test_back_twice_after_a_corrected_mistake_never_asks_to_resend(browser, live_server, javascript):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=javascript)
    page = context.new_page()
    survey = example("waste-sorting")
    page_id = make_a_mistake(page, live_server.url, survey, "sv")
    assert page.url.endswith(f"/p/{page_id}")  # the page with its mistakes came by a redirect (a GET)
    assert page.locator(".error-summary").count() == 1
    form = post_form(page)
    answer_form(page, form, survey, planned_answers(survey))
    with page.expect_navigation():
        forward(form).click()
    assert not page.url.endswith(f"/p/{page_id}")
    for _ in range(2):
        answer = page.go_back()
        # Chromium shows "Confirm Form Resubmission" (ERR_CACHE_MISS) for a page that answered a POST.
        assert answer is not None and answer.ok and answer.request.method == "GET", page.url
        assert "ERR_CACHE_MISS" not in page.content()
    context.close()
