"""Every resident's language (issue 15): a survey words the interface itself, and a text a language's
catalog lacks falls back along the survey's fallback_languages, marked with its own lang and dir.

Amharic stands for a language without a catalog (Somali, of the first tries, has one now)."""

import re

import pytest

from app.surveys.loader import load_text

SOMALI = """\
id: somali
title: {sv: Tvättstugan, am: Qolka dharka lagu dhaqo, en: The laundry room}
languages: [sv, am, en]
consent:
  text: {sv: "Vill du vara med?", am: "Ma rabtaa inaad ka qayb qaadato?", en: "Do you want to take part?"}
interface:
  next: {am: "Horey u soco"}
  consent_button: {sv: "Jag vill vara med", am: "Haa, waan ogolahay"}
  page_of: {am: "Bogga %(number)s ee %(total)s"}
pages:
  - id: one
    questions:
      - {id: what, type: text, required: true, label: {sv: "Vad?", am: "Maxay?", en: "What?"}}
  - id: two
    questions:
      - {id: more, type: text, label: {sv: "Mer?", am: "Wax kale?", en: "More?"}}
"""


@pytest.fixture
def app(make_app, write_survey, surveys_dir):
    write_survey(SOMALI)
    write_survey(
        SOMALI.replace("id: somali", "id: somali-en").replace(
            "languages: [sv, am, en]", "languages: [sv, am, en]\nfallback_languages: [en]"
        )
    )
    return make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))


def spans(html: str, lang: str) -> list[str]:
    return re.findall(rf'<span lang="{lang}" dir="(?:ltr|rtl)">([^<]*)</span>', html)


def test_the_survey_wording_wins_and_other_texts_fall_back_to_its_first_language_marked(app, browse, start):
    client = app.test_client()
    start_page = browse.get(client, "/s/somali?lang=am")
    assert '<html lang="am" dir="ltr">' in start_page.html
    assert ">Haa, waan ogolahay</button>" in start_page.html  # the survey's own wording, unmarked
    first = start(client, "somali", "?lang=am")
    assert ">Horey u soco</button>" in first.html
    assert "Bogga 1 ee 2" in first.html
    # Texts with no Amharic catalog come from the survey's first language, Swedish, and say so.
    assert "Personuppgifter" in spans(first.html, "sv") or "Integritetsmeddelande" in spans(first.html, "sv")
    assert not re.search(r">\s*(Next|Back|Send answers|Privacy notice)\s*<", first.html)  # no bare English
    again = browse.post(client, first, {"what": "", "nav": "next"})
    assert any("Svara på frågan" in text or "Skriv ett svar" in text for text in spans(again.html, "sv")), (
        again.html
    )


def test_fallback_languages_name_where_texts_come_from(app, browse, start):
    client = app.test_client()
    first = start(client, "somali-en", "?lang=am")
    assert "Privacy notice" in spans(first.html, "en")
    assert not spans(first.html, "sv")


def test_a_swedish_page_uses_the_swedish_wording_and_the_catalog_unmarked(app, browse, start):
    client = app.test_client()
    page = browse.get(client, "/s/somali?lang=sv")
    assert ">Jag vill vara med</button>" in page.html
    first = start(client, "somali", "?lang=sv")
    assert ">Nästa</button>" in first.html  # the catalog's, no marking: it is the page's language
    assert "<span lang=" not in first.html


def test_an_english_page_is_never_marked(app, browse, start):
    first = start(app.test_client(), "somali", "?lang=en")
    assert ">Next</button>" in first.html and "<span lang=" not in first.html


def test_markers_never_reach_attributes_titles_or_options(app, browse, start):
    first = start(app.test_client(), "somali", "?lang=am")
    assert "\ue000" not in first.html and "\ue002" not in first.html
    for tag in re.findall(r"<[^>]+>", first.html):
        assert "<span" not in tag[1:], tag


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("interface: {nxt: {am: x}}", "somali.yaml:6: interface.nxt: 'nxt' is not allowed here"),
        (
            "interface: {next: {fi: Seuraava}}",
            "somali.yaml:6: interface.next.fi: language fi is not in the survey's languages",
        ),
        (
            'interface: {page_of: {am: "%(n)s / %(total)s"}}',
            "somali.yaml:6: interface.page_of.am: %(n)s is not a value of 'page_of'",
        ),
        ("fallback_languages: [xx]", "somali.yaml:6: fallback_languages[0]: 'xx' has no interface texts"),
    ],
)
def test_interface_mistakes_are_located(extra, message):
    text = SOMALI.replace("interface:\n", f"{extra}\nignored:\n", 1).split("ignored:\n")[0]
    text += SOMALI.split('  page_of: {am: "Bogga %(number)s ee %(total)s"}\n', 1)[1]
    problems = [str(p) for p in load_text(text, "somali.yaml").problems]
    assert any(p.startswith(message) for p in problems), problems
