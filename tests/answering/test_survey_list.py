"""The list of open surveys on `/`, where residents pick a survey and its language."""

import re

import pytest


def item_of(page: str, survey_id: str) -> str:
    """The list item of one survey on the index."""
    items = re.findall(r"<li lang=.*?</ul>\s*</li>", page, re.S)
    return next(item for item in items if f'href="/s/{survey_id}' in item)


@pytest.mark.parametrize(
    ("lang", "direction", "title"),
    [
        ("sv", "ltr", "Sopsortering i ditt område"),
        ("en", "ltr", "Waste sorting in your neighbourhood"),
        ("ar", "rtl", "فرز النفايات في حيّك"),
    ],
)
def test_each_survey_is_listed_in_the_chosen_language(client, lang, direction, title):
    page = client.get(f"/?lang={lang}").get_data(as_text=True)
    item = item_of(page, "waste-sorting")
    assert item.startswith(f'<li lang="{lang}" dir="{direction}">')
    assert f'<a href="/s/waste-sorting?lang={lang}">{title}</a>' in item


def test_a_survey_without_the_chosen_language_is_listed_in_its_default(make_app, write_survey, surveys_dir):
    write_survey("""\
        id: only-swedish
        title: {sv: Bara svenska, en: Only Swedish}
        description: {sv: Beskrivning, en: Description}
        languages: [sv, en]
        pages:
          - id: p
            questions:
              - {id: q, type: text, label: Q}
        """)
    page = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).test_client().get("/?lang=ar").get_data(as_text=True)
    item = item_of(page, "only-swedish")
    assert item.startswith('<li lang="sv" dir="ltr">')
    assert '<a href="/s/only-swedish">Bara svenska</a>' in item  # the start page picks its language
    assert "<p>Beskrivning</p>" in item


def test_language_names_start_the_survey_in_that_language(client):
    item = item_of(client.get("/?lang=en").get_data(as_text=True), "waste-sorting")
    links = re.findall(
        r'<a href="(/s/waste-sorting\?lang=\w+)" lang="(\w+)" hreflang="(\w+)"[^>]*>([^<]+)</a>', item
    )
    assert links == [
        ("/s/waste-sorting?lang=sv", "sv", "sv", "svenska"),
        ("/s/waste-sorting?lang=en", "en", "en", "English"),
        ("/s/waste-sorting?lang=ar", "ar", "ar", "العربية"),
    ]
    started = client.get(links[2][0]).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in started and "فرز النفايات في حيّك" in started
