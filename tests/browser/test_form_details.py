"""What a resident meets on a phone besides the questions: a spam trap they never meet, a live
character counter, ranking labels that wrap between words at 320 px, an instruction that names the
move buttons, and choice rows whose box and label make one target."""

import re

import pytest

from benchmarks.browser_walk import answer_form, forward, post_form, start_url
from benchmarks.walk import planned_answers
from tests.browser.checks import NARROW, WCAG_TAGS
from tests.browser.surveys import LANGUAGES, example

HOUSING = "housing-baseline"


def _to_page_with(page, base_url: str, survey, name: str, language: str) -> None:
    """Walk (answering as planned) until the page with a control named `name`."""
    answers = planned_answers(survey)
    page.goto(start_url(base_url, survey, language))
    for _ in range(len(survey.pages) + 3):
        if page.locator(f'[name="{name}"]').count():
            return
        form = post_form(page)
        answer_form(page, form, survey, answers)
        with page.expect_navigation():
            forward(form).click()
    raise AssertionError(f"{survey.id}: no page with {name}")


# ----------------------------------------------------------------------------- the spam trap


def _focus_order(page, steps: int = 80) -> list[str]:
    """The names (or ids) of the elements Tab reaches, in order, from the top of the page."""
    page.locator("body").focus()
    reached = []
    for _ in range(steps):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("(e => e && (e.name || e.id || e.tagName))(document.activeElement)"))
    return reached


@pytest.mark.parametrize("language", LANGUAGES)
def test_spam_trap_is_neither_seen_nor_read_out_nor_reached_by_tab(phone, live_server, language):
    survey = example("feedback")
    page = phone
    page.goto(start_url(live_server.url, survey, language))
    trap = page.locator('[name="leave_empty"]')
    assert trap.count() == 1 and not trap.is_visible()
    assert trap.evaluate("e => getComputedStyle(e.closest('.hp')).display") == "none"
    tree = page.locator("body").aria_snapshot()
    assert "leave_empty" not in tree and "Leave this field" not in tree and "Lämna" not in tree, tree
    assert "leave_empty" not in _focus_order(page)
    form = post_form(page)
    answer_form(page, form, survey, planned_answers(survey))
    with page.expect_navigation():
        forward(form).click()
    trap = page.locator('[name="leave_empty"]')
    assert trap.count() == 1 and not trap.is_visible()
    assert "leave_empty" not in _focus_order(page)


# ----------------------------------------------------------------------------- limits and the counter


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_long_text_counts_what_is_left_as_the_resident_types(phone, live_server, language):
    page = phone
    _to_page_with(page, live_server.url, example(HOUSING), "comment", language)
    box = page.locator('[name="comment"]')
    assert box.get_attribute("maxlength") == "1000"
    counter = page.locator("[data-counter-for=comment]")
    assert counter.is_visible() and re.search(r"\b1000\b", counter.inner_text())
    box.fill("Hej hej")
    assert re.search(r"\b993\b", counter.inner_text())
    spoken = page.locator("[data-counter-spoken-for=comment]")
    assert spoken.get_attribute("aria-live") == "polite"
    # Said to a screen reader once the typing pauses, not at every key.
    spoken.filter(has_text="993").wait_for(state="attached", timeout=4000)
    box.press_sequentially("abc", delay=20)
    assert re.search(r"\b990\b", counter.inner_text())
    box.fill("x" * 1200)
    assert box.evaluate("e => e.value.length") == 1000
    assert re.search(r"\b0\b", counter.inner_text())


def test_without_javascript_the_hint_says_the_limit_and_there_is_no_counter(phone_without_js, live_server):
    page = phone_without_js
    _to_page_with(page, live_server.url, example(HOUSING), "comment", "sv")
    assert page.locator("#comment-limits").inner_text() == "Högst 1000 tecken."
    assert page.locator("[data-counter-for=comment]").count() == 0
    assert page.locator("#info_channels-limits").inner_text() == "Välj högst 3 svar."


# ----------------------------------------------------------------------------- rankings

BROKEN_WORDS_JS = """labels => labels.flatMap(label => {
    const broken = [];
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const m of node.data.matchAll(/\\S+/g)) {
            const range = document.createRange();
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            const tops = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
            if (tops.size > 1) broken.push(m[0]);
        }
    }
    return broken;
})"""


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("script", [True, False], ids=["javascript", "no-javascript"])
def test_ranking_labels_wrap_between_words_at_320px(browser, live_server, language, script):
    context = browser.new_context(viewport=NARROW, java_script_enabled=script)
    page = context.new_page()
    try:
        _to_page_with(page, live_server.url, example(HOUSING), "improvement_rank_warmth", language)
        labels = page.locator(".rank-item label")
        assert labels.count() == 4
        assert labels.evaluate_all(BROKEN_WORDS_JS) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
        if script:
            assert page.locator(".rank-move").count() == 8
            for button in page.locator(".rank-move").all():
                box = button.bounding_box()
                assert box["width"] >= 24 and box["height"] >= 24
    finally:
        context.close()


@pytest.mark.parametrize(("script", "buttons"), [(True, True), (False, False)])
def test_ranking_instruction_names_the_move_buttons_only_where_they_are(
    browser, live_server, script, buttons
):
    context = browser.new_context(viewport=NARROW, java_script_enabled=script)
    page = context.new_page()
    try:
        _to_page_with(page, live_server.url, example(HOUSING), "improvement_rank_warmth", "sv")
        how = page.locator("#improvement_rank-how").inner_text()
        assert ("↑" in how and "↓" in how) is buttons, how
        assert "1" in how and "4" in how  # the numbers still work either way
        assert (page.locator(".rank-move").count() > 0) is buttons
    finally:
        context.close()


# ----------------------------------------------------------------------------- targets (WCAG 2.2)

GAPS_JS = """rows => rows.map(row => {
    const box = row.querySelector('input').getBoundingClientRect();
    const label = row.querySelector('label').getBoundingClientRect();
    const rtl = getComputedStyle(row).direction === 'rtl';
    const vertical = label.top >= box.bottom - 1;
    const gap = vertical ? label.top - box.bottom : (rtl ? box.left - label.right : label.left - box.right);
    return {id: row.querySelector('input').id, gap: Math.round(gap * 10) / 10,
            height: Math.round(Math.max(box.height, label.height))};
})"""


def test_the_browser_checks_include_wcag_2_2_aa():
    assert "wcag22aa" in WCAG_TAGS


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_choice_box_and_its_label_make_one_target_with_no_dead_gap(phone, live_server, language):
    page = phone
    _to_page_with(page, live_server.url, example(HOUSING), "info_channels", language)
    rows = page.locator(".choice:visible").evaluate_all(GAPS_JS)
    assert rows, "no choice rows"
    gaps = [r for r in rows if r["gap"] > 0.5]
    assert not gaps, f"a tap between box and label does nothing: {gaps}"
    small = [r for r in rows if r["height"] < 24]
    assert not small, small
    # A tap in the middle of the space between box and text ticks the box.
    first = page.locator(".choice:visible").first
    first.scroll_into_view_if_needed()
    box = first.locator("input").bounding_box()
    x = box["x"] + box["width"] + 4 if language != "ar" else box["x"] - 4
    page.mouse.click(x, box["y"] + box["height"] / 2)
    assert first.locator("input").is_checked()
