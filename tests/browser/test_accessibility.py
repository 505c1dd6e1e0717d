"""Every page residents see passes axe-core's WCAG 2.1 A and AA rules in Swedish and Arabic
(pages of every example survey, their error state, the public pages), and nothing scrolls
sideways on a 320 px wide screen."""

from urllib.parse import urlencode

import pytest

from benchmarks.browser_walk import make_a_mistake
from tests.browser.checks import NARROW, report, scroll_width, violations
from tests.browser.surveys import EXAMPLES, LANGUAGES, example

PUBLIC_PAGES = ["/", "/accessibility", "/privacy"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_have_no_wcag_violations(phone, live_server, path, language):
    response = phone.goto(f"{live_server.url}{path}?{urlencode({'lang': language})}")
    assert response.status == 200
    found = violations(phone)
    assert not found, f"{path} [{language}]:\n" + "\n".join(found)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("survey_id", sorted(EXAMPLES))
def test_every_survey_page_has_no_wcag_violations(tour, survey_id, language):
    found = tour(survey_id, language).violations
    assert not any(found.values()), f"{survey_id} [{language}]:\n{report(found)}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("survey_id", sorted(EXAMPLES))
def test_survey_pages_do_not_scroll_sideways_at_320px(tour, survey_id, language):
    widths = tour(survey_id, language).widths
    too_wide = {label: w for label, w in widths.items() if w > NARROW["width"]}
    assert not too_wide, f"{survey_id} [{language}] wider than 320 px: {too_wide}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("survey_id", sorted(EXAMPLES))
def test_page_with_mistakes_has_no_wcag_violations(phone, live_server, survey_id, language):
    survey = example(survey_id)
    page = phone
    page_id = make_a_mistake(page, live_server.url, survey, language)

    summary = page.locator("[role=alert]")
    assert summary.count() >= 1, "no error summary (role=alert) after a mistake"
    assert page.locator("[aria-invalid=true]").count() >= 1, "no field marked aria-invalid"
    found = violations(page)
    assert not found, f"{survey_id} [{language}] {page_id} with mistakes:\n" + "\n".join(found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_do_not_scroll_sideways_at_320px(browser, live_server, language):
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    try:
        widths = {}
        for path in PUBLIC_PAGES:
            page.goto(f"{live_server.url}{path}?{urlencode({'lang': language})}")
            widths[path] = scroll_width(page)
    finally:
        context.close()
    assert all(w <= NARROW["width"] for w in widths.values()), widths
