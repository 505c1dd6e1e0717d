"""A resident answers each example survey on a phone, with JavaScript on and off, in Swedish and
Arabic; the stored response holds exactly the answers of the questions that were shown."""

import pytest

from app.models import Response
from benchmarks.browser_walk import answer_form, forward, post_form, set_field, start_url, walk
from benchmarks.walk import HIDDEN, expected_answers, form_fields, planned_answers
from tests.browser.checks import language_of
from tests.browser.surveys import EXAMPLES, LANGUAGES, example, same_page_conditions


def _assert_answered(survey_id: str, language: str, labels, languages, responses) -> None:
    survey = EXAMPLES[survey_id]
    assert labels[0] == "start" and labels[-1] == "thank-you", labels
    direction = "rtl" if language == "ar" else "ltr"
    wrong = {label: found for label, found in languages.items() if found != (language, direction)}
    assert not wrong, f"<html lang dir> should be {(language, direction)}: {wrong}"
    assert [r.status for r in responses] == [Response.COMPLETE]
    response = responses[0]
    assert response.answers == expected_answers(survey)
    assert response.language == language
    assert response.hidden == HIDDEN.get(survey_id, {})


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("survey_id", sorted(EXAMPLES))
def test_resident_answers_survey_with_javascript(tour, survey_id, language):
    found = tour(survey_id, language)  # the walk the axe and width tests look at too
    _assert_answered(survey_id, language, found.labels, found.languages, found.responses)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("survey_id", sorted(EXAMPLES))
def test_resident_answers_survey_without_javascript(
    phone_without_js, live_server, stored, survey_id, language
):
    survey = example(survey_id)
    before = stored.last_id()
    languages = {}

    def read_language(label, page):
        languages[label] = language_of(page)

    labels = walk(phone_without_js, live_server.url, survey, language, on_load=read_language)

    _assert_answered(survey_id, language, labels, languages, stored.since(before, survey_id))


@pytest.mark.parametrize(("survey_id", "decides", "revealed"), same_page_conditions())
def test_question_revealed_on_the_same_page_appears_at_once_with_javascript(
    phone, live_server, survey_id, decides, revealed
):
    survey = example(survey_id)
    answers = planned_answers(survey)
    page_of = next(p for p in survey.pages if survey.question(decides) in p.questions)
    # Walk until the page that asks `decides`, without answering it.
    page = phone
    page.goto(start_url(live_server.url, survey, "sv"))
    for _ in range(len(survey.pages) + 3):
        if page.locator(f'[name="{decides}"]').count():
            break
        form = post_form(page)
        answer_form(page, form, survey, answers)
        with page.expect_navigation():
            forward(form).click()
    assert page.locator(f'[name="{decides}"]').count(), f"never reached page {page_of.id}"
    hidden_field = next(name for name, _ in form_fields(survey, survey.question(revealed), answers))
    assert not page.locator(f'[name="{hidden_field}"]').first.is_visible()

    form = post_form(page)
    for name, value in form_fields(survey, survey.question(decides), answers):
        set_field(form, name, value)

    # No navigation: the small script shows the question at once.
    page.locator(f'[name="{hidden_field}"]').first.wait_for(state="visible", timeout=2000)


def _to_page_with(page, base_url: str, survey, name: str) -> None:
    """Walk (answering as planned) until the page with a control named `name`."""
    answers = planned_answers(survey)
    page.goto(start_url(base_url, survey, "sv"))
    for _ in range(len(survey.pages) + 3):
        if page.locator(f'[name="{name}"]').count():
            return
        form = post_form(page)
        answer_form(page, form, survey, answers)
        with page.expect_navigation():
            forward(form).click()
    raise AssertionError(f"{survey.id}: no page with {name}")


@pytest.mark.parametrize(("survey_id", "question", "ordinary"), [("waste-sorting", "fractions", "food")])
def test_other_text_box_appears_only_when_other_is_ticked(phone, live_server, survey_id, question, ordinary):
    page = phone
    _to_page_with(page, live_server.url, example(survey_id), question)
    box = page.locator(f'[name="{question}_other"]')
    other = page.locator(f'[name="{question}"][value="other"]')
    assert not box.is_visible() and box.is_disabled()  # hidden: neither focusable nor required
    assert not box.evaluate("e => e.required")
    page.locator(f'[name="{question}"][value="{ordinary}"]').check()
    assert not box.is_visible()

    other.check()
    assert box.is_visible() and box.is_enabled()
    assert box.evaluate("e => e.required && e.labels.length === 1 && e.labels[0].offsetParent !== null")
    other.focus()
    page.keyboard.press("Tab")
    assert box.evaluate("e => document.activeElement === e")

    page.locator(f'[name="{question}"][value="none"]').check()  # exclusive: unticks Other
    assert not other.is_checked() and not box.is_visible() and not box.evaluate("e => e.required")


def test_other_text_box_of_a_single_choice_follows_the_choice(phone, live_server):
    page = phone
    survey = example("station-report")
    question = next(q for p in survey.pages for q in p.questions if getattr(q, "other", False))
    _to_page_with(page, live_server.url, survey, question.id)
    box = page.locator(f'[name="{question.id}_other"]')
    assert not box.is_visible()
    page.locator(f'[name="{question.id}"][value="other"]').check()
    assert box.is_visible() and box.evaluate("e => e.required")
    first = survey.choices(question)[0].value
    page.locator(f'[name="{question.id}"][value="{first}"]').check()
    assert not box.is_visible()


def test_other_text_box_is_always_shown_without_javascript(phone_without_js, live_server):
    page = phone_without_js
    _to_page_with(page, live_server.url, example("waste-sorting"), "fractions")
    assert page.locator('[name="fractions_other"]').is_visible()
    order = page.locator('[data-question="fractions"] .choices > *').evaluate_all(
        "els => els.map(e => e.querySelector('input') && !e.classList.contains('other') ? "
        "e.querySelector('input').value : e.className)"
    )
    # Other (its box right after it) belongs with the ordinary choices; the exclusive one comes apart.
    assert order == ["food", "paper", "plastic", "glass", "metal", "other", "other", "or", "none"]
