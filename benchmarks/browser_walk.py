"""Answer a survey in a real browser (Playwright driving Debian's Chromium), page by page, as a
resident would on a phone; callers look at each page on the way (axe, screenshots, checks).

Shared by tests/browser/ and benchmarks/screenshots.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from playwright.sync_api import Browser, Locator, Page, Playwright

from app.surveys.models import Survey
from benchmarks.walk import (
    HIDDEN,
    field_names,
    form_fields,
    page_label,
    planned_answers,
    questions_in_form,
)

CHROMIUM = os.environ.get("LYSSNA_CHROMIUM", "/usr/bin/chromium")
# The team's flags for headless Chromium; Playwright adds a fresh profile (user data dir) itself.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}

OnPage = Callable[[str, Page], None]


def chromium_available() -> bool:
    """True when Debian's Chromium is installed where the tests expect it."""
    return Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)


def launch(playwright: Playwright) -> Browser:
    """Start headless Chromium (Debian's, never a downloaded one)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def start_url(base_url: str, survey: Survey, language: str) -> str:
    """The survey's start page in a language, with the hidden fields of its QR-code link."""
    return f"{base_url}/s/{survey.id}?{urlencode({'lang': language, **HIDDEN.get(survey.id, {})})}"


CONTROLS_JS = """f => Array.from(f.elements).filter(e => e.name).map(e => ({
    name: e.name, kind: e.tagName.toLowerCase() + ':' + (e.type || '')}))"""


def answer_form(page: Page, form: Locator, survey: Survey, answers: dict[str, Any]) -> None:
    """Fill the form's questions with the planned answers, in question order, so that a question
    revealed by an earlier answer (with JavaScript) is filled once it appears; tick consent."""
    kinds = {c["name"]: c["kind"] for c in form.evaluate(CONTROLS_JS)}
    asked = questions_in_form(survey, set(kinds))
    for question in asked:
        fields = [(n, v) for n, v in form_fields(survey, question, answers) if n in kinds]
        # Only a conditional question can be hidden; ask the browser about those alone (speed).
        if (
            fields
            and question.show_if is not None
            and not form.locator(f'[name="{fields[0][0]}"]').first.is_visible()
        ):
            continue
        for name, value in fields:
            set_field(form, name, value, kinds[name])
    taken = set().union(*(field_names(survey, q) for q in asked)) if asked else set()
    for name, kind in kinds.items():
        if kind == "input:checkbox" and name not in taken:  # consent and the like
            box = form.locator(f'[name="{name}"]').first
            if box.is_visible():
                box.check()


def set_field(form: Locator, name: str, value: str, kind: str | None = None) -> None:
    """Set one field as a person would: tick a radio or checkbox, pick an option, or type."""
    controls = form.locator(f'[name="{name}"]')
    if kind is None:
        if controls.count() == 0:
            return
        kind = controls.first.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
    if kind in ("input:radio", "input:checkbox"):
        form.locator(f'[name="{name}"][value="{value}"]').check()
    elif kind.startswith("select"):
        controls.first.select_option(value)
    else:
        controls.first.fill(value)


def post_form(page: Page) -> Locator | None:
    """The page's last POST form (the survey form), or None on the thank-you page."""
    forms = page.locator("form[method=post], form[method=POST]")
    return forms.last if forms.count() else None


def forward(form: Locator) -> Locator:
    """The button that goes forward: the last submit button that is not Back."""
    buttons = form.locator("button:not([type=button]):not([type=reset]), input[type=submit]")
    for button in reversed(buttons.all()):
        text = " ".join(
            filter(None, [button.get_attribute("name"), button.get_attribute("value"), button.inner_text()])
        )
        if "back" not in text.lower():
            return button
    return buttons.last


def walk(
    page: Page,
    base_url: str,
    survey: Survey,
    language: str,
    on_load: OnPage | None = None,
    on_filled: OnPage | None = None,
    max_steps: int = 40,
) -> list[str]:
    """Answer the survey from its start page to the thank-you page; the labels of the pages seen.

    `on_load(label, page)` runs when a page has loaded, `on_filled(label, page)` once its answers
    are in, just before it is submitted.
    """
    answers = planned_answers(survey)
    response = page.goto(start_url(base_url, survey, language))
    labels: list[str] = []
    label = "start"
    for _ in range(max_steps):
        if response is None or response.status != 200:
            status = None if response is None else response.status
            raise AssertionError(f"{survey.id} [{language}] {page.url} answered {status}")
        if labels[-2:] == [label, label]:
            raise AssertionError(f"{survey.id} [{language}] {page.url} does not move on")
        labels.append(label)
        if on_load:
            on_load(label, page)
        form = post_form(page)
        if form is None:
            return labels
        answer_form(page, form, survey, answers)
        if on_filled:
            on_filled(label, page)
        with page.expect_navigation() as navigation:
            forward(form).click()
        response = navigation.value
        label = page_label(survey, page.content(), label)
    raise AssertionError(f"{survey.id} [{language}]: no thank-you page after {max_steps} steps")


def mistake(survey: Survey) -> tuple[str, dict[str, str]]:
    """Where a resident can make a mistake: the first page with a required question (left empty),
    else the first number with a maximum (answered above it): (page id, wrong field values)."""
    for page in survey.pages:
        if any(q.required for q in page.questions):
            return page.id, {}
    for page in survey.pages:
        for q in page.questions:
            if q.type in ("integer", "decimal") and q.max is not None:
                return page.id, {q.id: str(int(q.max) + 1)}
    raise AssertionError(f"{survey.id}: no question on which to make a mistake")


def make_a_mistake(page: Page, base_url: str, survey: Survey, language: str) -> str:
    """Answer up to the page of `mistake(survey)`, submit it wrongly, and return its page id; the
    browser is left on the page that comes back with its errors."""
    page_id, wrong = mistake(survey)
    target = survey.page(page_id)
    answers = planned_answers(survey)
    page.goto(start_url(base_url, survey, language))
    for _ in range(len(survey.pages) + 3):
        form = post_form(page)
        if form is None:
            raise AssertionError(f"{survey.id} [{language}]: the survey ended before page {page_id}")
        names = {c["name"] for c in form.evaluate(CONTROLS_JS)}
        if any(q in target.questions for q in questions_in_form(survey, names)):
            break
        answer_form(page, form, survey, answers)
        with page.expect_navigation():
            forward(form).click()
    form = post_form(page)
    for name, value in wrong.items():
        set_field(form, name, value)
    # A form without `novalidate` would be stopped by the browser: the short timeout says so.
    with page.expect_navigation(timeout=5000):
        forward(form).click()
    return page_id
