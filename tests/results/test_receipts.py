"""On the privacy page a resident types the receipt code and learns only what became of the answers:
included in the results, not sent, or deleted on request. A code that names nothing says so without
telling whether any survey exists, and guessing codes runs out of tries."""

import hashlib

import pytest

from app.models import ErasedReceipt, Researcher

from .conftest import csrf_from


def look_up(client, code: str):
    token = csrf_from(client.get("/privacy?lang=en").get_data(as_text=True))
    answer = client.post("/privacy/receipt", data={"csrf_token": token, "code": code})
    if answer.status_code != 302:
        return answer.status_code, answer.get_data(as_text=True)
    page = client.get(answer.location)
    return page.status_code, page.get_data(as_text=True)


@pytest.fixture
def receipt(answer, db):
    response = answer("12", full=1)[0]
    response.receipt_code = "K7QM-3XPA"
    db.commit()
    return response


def test_the_privacy_page_has_the_lookup_form(client):
    page = client.get("/privacy?lang=en").get_data(as_text=True)
    assert 'action="/privacy/receipt"' in page and 'id="receipt-code"' in page


def test_an_included_response_says_so_and_nothing_else(client, receipt):
    status, page = look_up(client, "k7qm 3xpa")  # as typed: small letters, a space
    assert status == 200
    assert "included in the results" in page
    assert "bins" not in page and "Kärlen" not in page and "12" not in page


def test_the_answer_is_shown_once_and_the_code_never_goes_into_a_url(client, receipt):
    token = csrf_from(client.get("/privacy?lang=en").get_data(as_text=True))
    answer = client.post("/privacy/receipt", data={"csrf_token": token, "code": "K7QM-3XPA"})
    assert "K7QM" not in answer.location
    assert "included" in client.get(answer.location).get_data(as_text=True)
    assert client.get(answer.location).status_code == 302  # to the privacy page's form


def test_an_unsent_response_says_so(client, receipt, db):
    receipt.status = "in_progress"
    db.commit()
    assert "not been sent" in look_up(client, "K7QM-3XPA")[1]


def test_a_wrong_code_and_a_code_of_no_survey_look_the_same(client, receipt):
    assert look_up(client, "AAAA-BBBB") == look_up(client, "not a code at all")
    assert "There are no answers with this code" in look_up(client, "AAAA-BBBB")[1]


def test_erasure_by_receipt_in_the_researcher_area_is_told_to_the_resident(client, receipt, login_as, db):
    login_as(Researcher.RESEARCHER, surveys=["bins"], level="manage")
    path = f"/admin/surveys/bins/responses/{receipt.public_id}/delete"
    deleted = client.post(path, data={"csrf_token": csrf_from(client.get(path).get_data(as_text=True))})
    assert deleted.status_code == 302
    erased = db.query(ErasedReceipt).one()
    assert erased.receipt_hash == hashlib.sha256(b"K7QM-3XPA").hexdigest()
    assert erased.survey_id == "bins"
    assert "K7QM" not in str(vars(erased))
    assert "deleted, as you asked" in look_up(client, "K7QM-3XPA")[1]


def test_guessing_codes_runs_out_of_tries(make_app, surveys_dir):
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir), LYSSNA_RECEIPT_FAILURES_PER_CLIENT="3/hour")
    client = app.test_client()
    for guess in ("AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC"):
        assert look_up(client, guess)[0] == 200
    status, page = look_up(client, "DDDD-DDDD")
    assert status == 429 and "Too many codes were tried" in page
