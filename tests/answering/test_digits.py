"""Numbers as residents type them (issue 15): Persian and Arabic-Indic digits, the Arabic decimal
separator and a decimal comma are accepted, and stored as ASCII digits."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Response

NUMBERS = """\
id: numbers
title: {fa: اعداد, sv: Tal}
languages: [fa, sv]
pages:
  - id: p
    questions:
      - {id: postcode, type: text, label: {fa: کد پستی, sv: Postnummer}, pattern: "[0-9]{3} ?[0-9]{2}"}
      - {id: story, type: text, label: {fa: داستان, sv: Berättelse}}
      - {id: people, type: integer, label: {fa: نفر, sv: Personer}, min: 0, max: 5000}
      - {id: kilos, type: decimal, label: {fa: کیلو, sv: Kilo}, min: -10, max: 100}
      - {id: day, type: date, label: {fa: روز, sv: Dag}}
"""


@pytest.fixture
def app(make_app, write_survey, surveys_dir):
    write_survey(NUMBERS)
    return make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            {"postcode": "۵۰۳ ۳۸", "people": "۱۲", "kilos": "۲٫۵", "day": "۳۱/۳/۲۰۲۴"},
            {"postcode": "503 38", "people": 12, "kilos": 2.5, "day": "2024-03-31"},
        ),
        (
            {"postcode": "٥٠٣٣٨", "people": "١٬٢٠٠", "kilos": "٢,٥", "day": "٢٠٢٤-٠٣-٣١"},
            {"postcode": "50338", "people": 1200, "kilos": 2.5, "day": "2024-03-31"},
        ),
        ({"kilos": "−۳٫۵"}, {"kilos": -3.5}),  # a minus sign, as some keyboards type it
        ({"kilos": "۲،۵"}, {"kilos": 2.5}),  # the Arabic comma as a decimal comma
    ],
)
def test_persian_and_arabic_digits_are_accepted_and_stored_as_ascii(app, browse, start, typed, expected):
    client = app.test_client()
    page = start(client, "numbers", "?lang=fa")
    moved = browse.post(client, page, {**typed, "story": "۱۲ سال", "nav": "next"})
    assert moved.status == 302 and moved.location.endswith("/thanks"), moved.html
    [answers] = stored_answers(app)
    assert {k: answers[k] for k in expected} == expected
    assert answers["story"] == "۱۲ سال"  # free text is kept as written


def stored_answers(app) -> list[dict]:
    with app.app_context():
        return [r.answers for r in db.session.scalars(select(Response).order_by(Response.id))]


def test_a_number_in_another_script_that_is_not_a_number_is_still_a_mistake(app, browse, start):
    client = app.test_client()
    page = start(client, "numbers", "?lang=sv")
    again = browse.post(client, page, {"people": "۱۲a", "kilos": "۲٫۵٫۵", "nav": "next"})
    assert again.again
    assert "Enter a whole number" in again.html or "heltal" in again.html
    assert all(not answers for answers in stored_answers(app))
