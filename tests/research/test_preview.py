"""Preview: a researcher with a grant can answer a survey before residents can; it is stored as a test."""

import re
from zoneinfo import ZoneInfo

import pytest

from app.models import Response
from app.research.dashboard import build_dashboard
from app.research.filters import Filters
from app.surveys.catalog import current_registry

DRAFT = """\
id: trial
title: A trial
status: {status}
{extra}
pages:
  - id: p
    questions:
      - {{id: q, type: text, label: Q}}
"""


@pytest.fixture(params=[("draft", ""), ("open", "opens_at: 2999-01-01")], ids=["draft", "not-open-yet"])
def app(request, make_app, write_survey, surveys_dir):
    status, extra = request.param
    write_survey(DRAFT.format(status=status, extra=extra))
    write_survey(DRAFT.format(status="open", extra="").replace("id: trial", "id: live"))
    return make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))


def begin(client, survey_id):
    """Consent, then send the first page (which stores the response)."""
    page = client.get(f"/s/{survey_id}")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    consented = client.post(f"/s/{survey_id}", data={"csrf_token": token})
    first = client.get(consented.location).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', first).group(1)
    client.post(consented.location, data={"csrf_token": token, "q": "x", "nav": "next"})
    return consented


def test_residents_cannot_open_it(client, request):
    status, _extra = request.node.callspec.params["app"]
    response = client.get("/s/trial")
    assert response.status_code == (404 if status == "draft" else 200)  # a draft, or "not open yet"
    assert 'name="csrf_token"' not in response.get_data(as_text=True)  # no start form either way


def test_researcher_without_a_grant_cannot_preview(client, login_as):
    login_as(surveys=["live"])
    assert 'name="csrf_token"' not in client.get("/s/trial").get_data(as_text=True)


def test_researcher_with_a_grant_previews_and_it_is_stored_as_a_test(app, client, db, login_as):
    login_as(surveys=["trial"])
    assert begin(client, "trial").status_code == 302
    response = db.query(Response).filter_by(survey_id="trial").one()
    assert response.is_test is True
    survey = current_registry().get("trial")
    tz = ZoneInfo("Europe/Stockholm")
    assert build_dashboard(db, survey, Filters(), tz).started == 0
    assert build_dashboard(db, survey, Filters(test=True), tz).started == 1


def test_share_page_offers_the_preview(client, login_as):
    login_as(surveys=["trial"])
    page = client.get("/admin/surveys/trial/share").get_data(as_text=True)
    assert "Preview the survey" in page


def test_answering_an_open_survey_while_signed_in_is_a_real_response(client, db, login_as):
    login_as(surveys=["live"])
    begin(client, "live")
    assert db.query(Response).filter_by(survey_id="live").one().is_test is False
