"""axe-core finds nothing on resident pages in Persian, Somali, Tigrinya and Central Kurdish (issue 15):
a survey in each is published on the running server (it reloads within a second), and its start
page, question page and page with mistakes are checked, with the public pages in the same language."""

from urllib.parse import urlencode

import pytest

from app.extensions import db
from app.models import Publication
from app.surveys.catalog import publish
from app.surveys.loader import load_text
from app.surveys.registry import record_version
from tests.answering.test_every_language import SURVEY
from tests.browser.checks import violations

LANGUAGES = ["fa", "so", "ti", "ckb"]


def publish_survey(app, lang: str) -> str:
    survey_id = f"every-{lang}"
    text = SURVEY.format(lang=lang, other="sv").replace("id: every", f"id: {survey_id}")
    with app.app_context():
        survey = load_text(text, f"{survey_id}.yaml").survey
        assert survey is not None
        version, _created = record_version(db.session, survey)
        publish(db.session, version, Publication.SYNC)
        db.session.commit()
    return survey_id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_resident_pages_in_the_languages_of_norrby_have_no_wcag_violations(phone, live_server, lang):
    survey_id = publish_survey(live_server.app, lang)
    found: dict[str, list[str]] = {}
    phone.wait_for_timeout(1100)  # the server's workers look for a new publication once a second
    phone.goto(f"{live_server.url}/s/{survey_id}?{urlencode({'lang': lang})}")
    assert phone.locator(f'html[lang="{lang}"]').count() == 1
    found["start"] = violations(phone)
    with phone.expect_navigation():
        phone.click("form.start-form button[type=submit]")
    found["page"] = violations(phone)
    with phone.expect_navigation():
        phone.click("#page-form button[name=nav][value=next]")  # a required answer left out
    assert phone.locator("[role=alert]").count() >= 1
    found["mistakes"] = violations(phone)
    for path in ("/", "/privacy", "/accessibility"):
        phone.goto(f"{live_server.url}{path}?{urlencode({'lang': lang})}")
        found[path] = violations(phone)
    assert not any(found.values()), {k: v for k, v in found.items() if v}
