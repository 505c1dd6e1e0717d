"""The interface language in templates: strings translated once per rendering, escaped, formatted."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import render_template_string


def test_template_strings_follow_the_language_chosen_for_the_request(app):
    template = '{{ _("Next") }} | {{ _("Page %(number)s of %(total)s", number=2, total=4) }}'
    with app.test_request_context("/?lang=sv"):
        assert render_template_string(template) == "Nästa | Sida 2 av 4"
    with app.test_request_context("/?lang=en"):
        assert render_template_string(template) == "Next | Page 2 of 4"


def test_values_put_into_a_translated_string_are_escaped(app):
    with app.test_request_context("/?lang=en"):
        html = render_template_string('{{ _("Page %(number)s of %(total)s", number="<b>", total=1) }}')
    assert html == "Page &lt;b&gt; of 1"


def test_plural_strings_count_with_num(app):
    template = '{{ ngettext("%(num)d poster to print", "%(num)d posters to print", n) }}'
    with app.test_request_context("/?lang=en"):
        assert render_template_string(template, n=1) == "1 poster to print"
        assert render_template_string(template, n=3) == "3 posters to print"


CATALOGS = Path(__file__).resolve().parent.parent / "app" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def _catalog(lang: str):
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file)


def _translations(message) -> list[str]:
    """The translated texts of a message: one, or one per plural form."""
    return list(message.string) if isinstance(message.id, tuple) else [message.string]


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("lang", sorted(p.name for p in CATALOGS.iterdir() if p.is_dir()))
def test_no_translation_asks_for_a_value_its_message_does_not_give(lang):
    # A translation with a placeholder the code does not fill breaks the page that shows it
    # (KeyError). Leaving one out is fine: Arabic says "one star" and "two stars" without a digit.
    problems = [
        (message.id, text)
        for message in _catalog(lang)
        if message.id
        for text in _translations(message)
        if not _placeholders(text) <= set().union(*map(_placeholders, _sources(message)))
    ]
    assert problems == []


def _sources(message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def test_everything_is_in_swedish():
    # The city's and the university's staff work in Swedish: residents' pages and the researcher area.
    missing = [m.id for m in _catalog("sv") if m.id and not all(_translations(m))]
    assert missing == []
