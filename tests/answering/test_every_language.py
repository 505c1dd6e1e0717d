"""Every resident page in every catalog language (issue 15): no English text is left outside an
element marked lang="en", so a screen reader never reads English with another language's voice."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.languages.coverage import for_residents

CATALOGS = Path(__file__).resolve().parents[2] / "app" / "translations"
LANGUAGES = sorted(p.name for p in CATALOGS.iterdir() if p.is_dir() and p.name != "en")

SURVEY = """\
id: every
title: {{{lang}: "Tvättstugan ({lang})", {other}: Tvättstugan}}
languages: [{lang}, {other}]
consent: {{text: {{{lang}: "Ok? ({lang})", {other}: "Okej?"}}}}
pages:
  - id: one
    questions:
      - {{id: what, type: text, required: true, label: {{{lang}: "Vad? ({lang})", {other}: "Vad?"}}}}
      - {{id: people, type: integer, min: 1, max: 20, label: {{{lang}: "Antal ({lang})", {other}: "Antal"}}}}
      - id: mood
        type: rating
        scale: smiley5
        label: {{{lang}: "Humör ({lang})", {other}: "Humör"}}
      - id: bins
        type: multiple_choice
        other: true
        label: {{{lang}: "Kärl ({lang})", {other}: "Kärl"}}
        choices: [{{value: glass, label: {{{lang}: "Glas ({lang})", {other}: Glas}}}}]
  - id: two
    questions:
      - id: nps
        type: rating
        scale: nps
        label: {{{lang}: "Rekommendera ({lang})", {other}: Rekommendera}}
"""


def english_texts() -> set[str]:
    """The English texts residents may see, as a page shows them (short ones, without values)."""
    with (CATALOGS / "messages.pot").open("rb") as file:
        template = read_po(file)
    texts = set()
    for message in template:
        if not message.id or not for_residents(message):
            continue
        for text in message.id if isinstance(message.id, tuple) else (message.id,):
            if "%(" not in text and "<" not in text and len(text) > 2:
                texts.add(text.strip())
    return texts


class Texts(HTMLParser):
    """Each text of a page with the language of the element it is in (script and style left out)."""

    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if any(tag in ("script", "style", "title") for tag, _ in self.stack):
            return
        lang = next((code for _, code in reversed(self.stack) if code), "")
        if data.strip():
            self.found.append((lang, " ".join(data.split())))


def unmarked_english(html: str, english: set[str]) -> list[str]:
    parser = Texts()
    parser.feed(html)
    return [text for lang, text in parser.found if not lang.startswith("en") and text in english]


@pytest.fixture
def english():
    return english_texts()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_english_outside_an_element_marked_english(
    make_app, write_survey, surveys_dir, browse, lang, english
):
    write_survey(SURVEY.format(lang=lang, other="en" if lang == "sv" else "sv"))
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    client = app.test_client()
    pages = [browse.get(client, f"/s/every?lang={lang}")]
    start = pages[0]
    moved = browse.post(client, start, {})
    first = browse.get(client, moved.location)
    pages.append(first)
    pages.append(browse.post(client, first, {"what": "", "people": "99", "nav": "next"}))  # mistakes
    second = browse.get(client, browse.post(client, first, {"what": "x", "nav": "next"}).location)
    pages.append(second)
    thanks = browse.post(client, second, {"nav": "next"})
    pages.append(browse.get(client, thanks.location))
    for url in (
        f"/privacy?lang={lang}",
        f"/accessibility?lang={lang}",
        f"/nowhere?lang={lang}",
        f"/?lang={lang}",
    ):
        pages.append(browse.get(client, url))
    for page in pages:
        assert re.search(rf'<html lang="{lang}"', page.html) or "/privacy" in (page.location or ""), (
            page.html[:200]
        )
        assert not unmarked_english(page.html, english), (lang, unmarked_english(page.html, english))
