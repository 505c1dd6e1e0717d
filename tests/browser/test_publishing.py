"""Publishing in the browser, end to end in Chromium (issue 17): an admin uploads a survey with a
mistake, sees the located message, fixes it on the page, previews it as a resident and publishes it;
a resident answers it; the audit log shows each step. The pages pass axe and fit 320 px.

The server has a surveys folder of its own (publishing writes to it) and its own database.
Screenshots of the upload page and of the preview banner at 390 px are kept in LYSSNA_SCREENSHOTS
when that names a folder.
"""

import os
import re
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import pytest
from sqlalchemy import select

from app import accounts
from app.extensions import db
from app.models import Response
from app.surveys.loader import load_text
from benchmarks.browser_walk import PHONE, walk
from benchmarks.server import Served, serve
from tests.browser.checks import report, violations, width_at_320
from tests.databases import postgres_schema, schema_config

PASSWORD = "a long enough password"
EMAIL = "publisher@example.org"

BINS = """\
# Bin feedback: a short survey for the QR code on each bin.
id: bins
title:
  sv: Hur fungerar soptunnan?
  en: How is the bin working?
languages: [sv, en]
pages:
  - id: main
    questions:
      - id: full
        type: single_choice
        required: true
        label: {sv: "Var den full?", en: "Was it full?"}
        choices:
          - {value: 1, label: {sv: Ja, en: "Yes"}}
          - {value: 0, label: {sv: Nej, en: "No"}}
      - id: comment
        type: long_txt
        label: {sv: Kommentar, en: Comment}
"""
PROBLEM = "bins.yaml:17: pages[0].questions[1]: unknown question type 'long_txt'"


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory) -> Iterator[tuple[Served, Path]]:
    """The app with an empty surveys folder of its own, on its own database, and an admin."""
    folder = tmp_path_factory.mktemp("surveys")
    url = os.environ.get("TEST_DATABASE_URL")
    with postgres_schema(url, "lyssna_publish") if url else nullcontext() as schema:
        config = {"LYSSNA_SURVEYS_DIR": str(folder), **(schema_config(url, schema) if url else {})}
        with serve(config) as served:
            with served.app.app_context():
                accounts.create_researcher(db.session, EMAIL, PASSWORD, "admin")
                db.session.commit()
                db.session.remove()
            yield served, folder


def _shot(page, name: str) -> None:
    folder = os.environ.get("LYSSNA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _look(page, where: str, problems: dict, widths: dict) -> None:
    problems[where] = violations(page)
    widths[where] = width_at_320(page)


def _responses(served: Served) -> list[tuple[bool, dict]]:
    with served.app.app_context():
        rows = db.session.scalars(select(Response).filter_by(survey_id="bins").order_by(Response.id)).all()
        found = [(row.is_test, dict(row.answers)) for row in rows]
        db.session.remove()
    return found


def test_an_admin_publishes_a_survey_with_a_mistake_fixed_and_a_resident_answers_it(browser, server):
    served, folder = server
    base = served.url
    problems, widths = {}, {}
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(base + "/admin/login")
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.click("form.stack button[type=submit], form.stack input[type=submit]")
        page.wait_for_url(base + "/admin/")

        page.click("text=New survey")
        page.wait_for_url(base + "/admin/surveys/new")
        _look(page, "new survey", problems, widths)
        page.set_input_files(
            "#file", {"name": "bins.yaml", "mimeType": "application/yaml", "buffer": BINS.encode()}
        )
        page.click("button:has-text('Upload and check'), input[value='Upload and check']")
        page.wait_for_url(re.compile(r".*/admin/uploads/[0-9a-f]{32}$"))
        assert PROBLEM in page.locator("#problems").inner_text()
        assert page.locator("text=Preview as a resident").count() == 0
        _shot(page, "upload-with-a-mistake")
        _look(page, "upload with a mistake", problems, widths)

        page.fill("#text", BINS.replace("type: long_txt", "type: long_text"))
        page.click("#text-submit")
        page.wait_for_load_state()
        assert "The file is valid" in page.content()
        _look(page, "valid upload", problems, widths)

        page.click("text=Preview as a resident")
        page.wait_for_url(re.compile(r".*/s/bins\?lang=sv$"))
        banner = page.locator(".preview-banner")
        assert "Förhandsvisning: inte publicerad" in banner.inner_text()  # the page is in Swedish
        _shot(page, "preview-banner")
        _look(page, "preview start", problems, widths)
        page.locator(".lang-switch a[lang=en]").click()
        page.wait_for_url(re.compile(r".*/s/bins\?lang=en$"))
        assert "How is the bin working?" in page.content()
        survey = load_text(BINS.replace("type: long_txt", "type: long_text"), "bins.yaml").survey
        page.click("form.start-form button[type=submit]")  # the real resident pages, in the preview
        page.wait_for_url(re.compile(r".*/s/bins/p/main$"))
        assert page.locator(".preview-banner").count() == 1
        page.check("#page-form input[name=full][value='0']")
        page.fill("#page-form textarea[name=comment]", "Tried in the preview")
        page.click("#page-form button[value=next]")
        page.wait_for_url(re.compile(r".*/s/bins/thanks$"))
        assert page.locator(".preview-banner").count() == 1
        page.click("text=End preview")
        page.wait_for_url(re.compile(r".*/admin/uploads/[0-9a-f]{32}$"))

        page.click("text=Publish version 1")
        page.wait_for_url(base + "/admin/surveys/bins/publish")
        assert "is published" in page.content()
        _look(page, "publishing page", problems, widths)
        assert (folder / "bins.yaml").read_text(encoding="utf-8") == BINS.replace("long_txt", "long_text")

        resident = browser.new_context(viewport=PHONE)
        try:
            labels = walk(resident.new_page(), base, survey, "sv")
        finally:
            resident.close()
        assert labels[-1] != "start"
        assert [is_test for is_test, _answers in _responses(served)] == [True, False]

        page.goto(base + "/admin/audit")
        rows = [row.inner_text() for row in page.locator("tbody tr").all()]
        steps = [
            next(words for words in WORDS if words in row)
            for row in reversed(rows)
            if any(w in row for w in WORDS)
        ]
        assert steps == [
            "Survey file uploaded",
            "Survey file uploaded",
            "Survey previewed",
            "Survey published",
        ], rows
        assert all("bins" in row and EMAIL in row for row in rows if any(w in row for w in WORDS))
    finally:
        context.close()
    assert not any(problems.values()), "\n" + report(problems)
    assert {where: width for where, width in widths.items() if width > 320} == {}


WORDS = ("Survey file uploaded", "Survey previewed", "Survey published")
