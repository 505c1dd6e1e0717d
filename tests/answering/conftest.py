"""Helpers for answering tests: read a page's form as a browser would, and post it with its CSRF token."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest


@dataclass
class FormPage:
    """A page as the test client sees it: status, text, the last POST form's action and fields."""

    status: int
    html: str
    location: str | None = None
    action: str | None = None
    fields: list[tuple[str, str]] = field(default_factory=list)  # hidden inputs and typed values
    names: set[str] = field(default_factory=set)  # every control's name
    hidden_questions: set[str] = field(default_factory=set)  # question blocks with the hidden attribute
    again: bool = False  # shown after the redirect that answered a page sent with mistakes

    def value(self, name: str) -> str | None:
        """The value a control of this name holds (text, checked radio/checkbox, selected option)."""
        return next((v for n, v in self.fields if n == name), None)

    def values(self, name: str) -> list[str]:
        """All values of a control name (checked checkboxes)."""
        return [v for n, v in self.fields if n == name]

    @property
    def csrf(self) -> str:
        """The page's CSRF token."""
        return self.value("csrf_token") or ""

    def error_summary(self) -> list[str]:
        """The link targets of the error summary, in order."""
        box = re.search(r'<div class="error-summary" role="alert".*?</div>', self.html, re.S)
        return re.findall(r'href="#([^"]+)"', box.group(0)) if box else []


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = FormPage(0, "")
        self._in_form = False
        self._select: str | None = None
        self._option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "div" and "data-question" in a and "hidden" in a:
            self.page.hidden_questions.add(a["data-question"])
        if tag == "form" and a.get("method") == "post":
            self._in_form = True
            self.page.action = a.get("action")
            self.page.fields = []
            self.page.names = set()
        if not self._in_form:
            return
        if tag == "input" and a.get("name"):
            self.page.names.add(a["name"])
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.page.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.page.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a.get("name")
            self.page.names.add(self._select)
        elif tag == "option" and self._select and "selected" in a:
            self.page.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.page.names.add(self._textarea)
            self._text = []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.page.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None


def read(response) -> FormPage:
    """Parse a test-client response into a FormPage."""
    html = response.get_data(as_text=True)
    reader = _FormReader()
    reader.feed(html)
    page = reader.page
    page.status = response.status_code
    page.html = html
    page.location = response.headers.get("Location")
    return page


@pytest.fixture
def browse():
    """Functions to GET and POST like a browser: browse.get(client, url), browse.post(client, page, data)."""

    class Browse:
        @staticmethod
        def get(client, url: str, **kwargs) -> FormPage:
            return read(client.get(url, **kwargs))

        @staticmethod
        def post(client, page: FormPage, data: list[tuple[str, str]] | dict, keep=("csrf_token", "shown")):
            """Post to the page's form: its csrf token (and shown list) plus `data`. Like a browser, it
            follows the redirect back to the same page that answers a page sent with mistakes (the
            result's `again` is True then); a redirect elsewhere is returned as it is."""
            items = list(data.items()) if isinstance(data, dict) else list(data)
            base = [(n, v) for n, v in page.fields if n in keep]
            sent = read(client.post(page.action, data=_multidict(base + items)))
            return follow_back(client, page.action, sent)

    return Browse


def follow_back(client, action: str | None, sent: FormPage) -> FormPage:
    """The page a browser shows after a POST: the GET its redirect asks for when that is the page the
    form was on (post/redirect/get after mistakes); anything else as it came."""
    if sent.status == 302 and sent.location and action and _path(sent.location) == _path(action):
        again = read(client.get(sent.location))
        again.again = True
        return again
    return sent


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def _multidict(items):
    from werkzeug.datastructures import MultiDict

    return MultiDict(items)


@pytest.fixture
def lab(make_app, write_survey, surveys_dir):
    """An app serving the small test surveys (every question type, kiosk, participant codes)."""
    from .surveys import KIOSK, LAB, PERSIAN, TOKEN

    for text in (LAB, KIOSK, TOKEN, PERSIAN):
        write_survey(text)
    return make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))


@pytest.fixture
def start(browse):
    """Open a survey's start page (with a query string) and press Start; returns the first page."""

    def begin(client, survey_id: str, query: str = "") -> FormPage:
        first = browse.get(client, f"/s/{survey_id}{query}")
        assert first.status == 200, first.html
        moved = browse.post(client, first, {})
        assert moved.status == 302, moved.html
        return browse.get(client, moved.location)

    return begin


@pytest.fixture
def stored(lab):
    """The responses stored for a survey: stored('lab') -> list of Response, oldest first."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Response

    def fetch(survey_id: str):
        with lab.app_context():
            rows = db.session.scalars(
                select(Response).filter_by(survey_id=survey_id).order_by(Response.id)
            ).all()
            db.session.expunge_all()
            return rows

    return fetch


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """Compile the sv/en/ar message catalogs when their .mo files are missing or stale (make does it too)."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (Path(__file__).resolve().parents[2] / "app" / "translations").glob(
        "*/LC_MESSAGES/messages.po"
    ):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalog)
