"""Every page residents see passes axe-core's WCAG 2.1 A and AA rules in Swedish and Arabic
(pages of every example survey, their error state, the public pages), and nothing scrolls
sideways on a 320 px wide screen."""

from urllib.parse import urlencode

import pytest

from benchmarks.browser_walk import answer_form, forward, post_form, set_field, start_url
from benchmarks.walk import planned_answers, questions_in_form
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


def error_target(survey) -> tuple[str, dict[str, str]]:
    """Where a resident can make a mistake: the first page with a required question (left empty),
    else the first number with a maximum (answered above it). (page id, wrong field values)."""
    for page in survey.pages:
        if any(q.required for q in page.questions):
            return page.id, {}
    for page in survey.pages:
        for q in page.questions:
            if q.type in ("integer", "decimal") and q.max is not None:
                return page.id, {q.id: str(int(q.max) + 1)}
    raise AssertionError(f"{survey.id}: no question on which to make a mistake")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("survey_id", sorted(EXAMPLES))
def test_page_with_mistakes_has_no_wcag_violations(phone, live_server, survey_id, language):
    survey = example(survey_id)
    page_id, wrong = error_target(survey)
    target = survey.page(page_id)
    answers = planned_answers(survey)
    page = phone
    page.goto(start_url(live_server.url, survey, language))
    for _ in range(len(survey.pages) + 3):
        names = set(page.locator("form[method=post] [name]").evaluate_all("els => els.map(e => e.name)"))
        if any(q in target.questions for q in questions_in_form(survey, names)):
            break
        form = post_form(page)
        answer_form(page, form, survey, answers)
        with page.expect_navigation():
            forward(form).click()
    form = post_form(page)
    for name, value in wrong.items():
        set_field(form, name, value)
    with page.expect_navigation(timeout=5000):
        forward(form).click()

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
