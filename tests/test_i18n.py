"""The interface language in templates: strings translated once per rendering, escaped, formatted."""

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
