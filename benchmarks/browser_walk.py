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


def answer_form(page: Page, form: Locator, survey: Survey, answers: dict[str, Any]) -> None:
    """Fill the form's questions with the planned answers, in question order, so that a question
    revealed by an earlier answer (with JavaScript) is filled once it appears; tick consent."""
    names = set(form.evaluate("f => Array.from(f.elements).map(e => e.name).filter(Boolean)"))
    for question in questions_in_form(survey, names):
        for name, value in form_fields(survey, question, answers):
            set_field(form, name, value)
    for box in form.locator("input[type=checkbox]").all():
        name = box.get_attribute("name") or ""
        if not any(name in field_names(survey, q) for _, q in survey.questions()) and box.is_visible():
            box.check()


def set_field(form: Locator, name: str, value: str) -> None:
    """Set one field as a person would: tick a radio or checkbox, pick an option, or type."""
    controls = form.locator(f'[name="{name}"]')
    if controls.count() == 0 or not controls.first.is_visible():
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
        labels.append(label)
        if on_load:
            on_load(label, page)
        form = post_form(page)
        if form is None:
            return labels
        answer_form(page, form, survey, answers)
        if on_filled:
            on_filled(label, page)
        before = page.content()
        with page.expect_navigation() as navigation:
            forward(form).click()
        response = navigation.value
        if page.content() == before:
            raise AssertionError(f"{survey.id} [{language}] {page.url} does not move on")
        label = page_label(survey, page.content(), label)
    raise AssertionError(f"{survey.id} [{language}]: no thank-you page after {max_steps} steps")
