"""The response lifecycle without HTTP: start, save pages, go back, complete exactly once."""

import pytest
from sqlalchemy import select

from app.answering import responses
from app.extensions import db
from app.models import ParticipantCode, Response, SurveyVersion
from app.surveys.catalog import current_registry


@pytest.fixture
def survey(lab):
    with lab.app_context():
        yield current_registry().get("lab")


def _start(survey, hidden=None):
    version = current_registry().version_id(db.session, survey.id)
    return responses.start(db.session, survey, version, "en", hidden or {}), version


def test_start_stores_consent_and_a_hash_of_the_resume_token(survey):
    (response, token), _version = _start(survey, {"station": "3"})
    assert response.status == Response.IN_PROGRESS and response.consented_at is not None
    assert response.current_page == "first" and response.answers == {}
    assert response.resume_token_hash == responses.hash_token(token) != token
    # Read back by its token: every column as it was started (the INSERT wrote them all).
    assert vars(responses.find_by_token(db.session, "lab", token)) == vars(response)
    assert responses.find_by_token(db.session, "kiosk", token) is None
    assert responses.find_by_token(db.session, "lab", "x" * 200) is None


def test_save_page_moves_on_and_keeps_only_shown_answers(survey):
    (response, _token), version = _start(survey)
    first = survey.page("first")
    target = responses.save_page(
        db.session, survey, response, first, {"word": "a", "count": 4, "why": "hidden"}, version, "sv"
    )
    assert target == "second"
    assert response.answers == {"word": "a", "count": 4}
    assert response.language == "sv" and response.page_history == ["first"]
    assert responses.progress(survey, response, "second") == (2, 4)

    back = responses.save_page(
        db.session, survey, response, survey.page("second"), {}, version, "sv", forward=False
    )
    assert back == "first" and response.current_page == "first"
    assert responses.may_visit(survey, response, "second")
    assert not responses.may_visit(survey, response, "third")


def test_changing_an_earlier_answer_drops_answers_of_pages_now_skipped(survey):
    (response, _token), version = _start(survey)
    for page, answers in (("first", {"count": 4}), ("second", {"stars": 3}), ("third", {"later": "x"})):
        responses.save_page(db.session, survey, response, survey.page(page), answers, version, "en")
    assert response.answers["later"] == "x"
    responses.save_page(db.session, survey, response, survey.page("first"), {"count": 1}, version, "en")
    assert response.answers == {"count": 1, "stars": 3}
    assert responses.page_ids(survey, response) == ["first", "second", "fourth"]


def test_complete_happens_once_with_a_receipt_code(survey):
    (response, _token), _version = _start(survey)
    assert responses.complete(db.session, survey, response) is True
    receipt = response.receipt_code
    assert response.status == Response.COMPLETE and response.submitted_at is not None
    assert responses.complete(db.session, survey, response) is False
    assert response.receipt_code == receipt
    # A complete response is never changed by a late save either.
    responses.save_page(db.session, survey, response, survey.page("first"), {"word": "late"}, 1, "en")
    assert "word" not in response.answers


def test_a_taken_receipt_code_is_drawn_again(survey, monkeypatch):
    (first, _t1), _v = _start(survey)
    (second, _t2), _v = _start(survey)
    codes = iter(["AAAA-AAAA", "AAAA-AAAA", "BBBB-BBBB"])
    monkeypatch.setattr(responses, "new_receipt_code", lambda: next(codes))
    assert responses.complete(db.session, survey, first)
    assert responses.complete(db.session, survey, second)
    assert (first.receipt_code, second.receipt_code) == ("AAAA-AAAA", "BBBB-BBBB")


def test_the_pages_shown_follow_every_save(survey):
    # page_ids is worked out once per state of the response: a save must be seen at once.
    (response, _token), version = _start(survey)
    for page, answers in (("first", {"count": 4}), ("second", {"stars": 3})):
        responses.save_page(db.session, survey, response, survey.page(page), answers, version, "en")
    assert responses.page_ids(survey, response) == ["first", "second", "third", "fourth"]
    assert responses.progress(survey, response, "fourth") == (4, 4)
    responses.save_page(db.session, survey, response, survey.page("first"), {"count": 1}, version, "en")
    assert responses.page_ids(survey, response) == ["first", "second", "fourth"]
    assert responses.progress(survey, response, "fourth") == (3, 3)
    db.session.commit()  # expired: read again from the database, and worked out again
    assert responses.previous_page(survey, response, "fourth") == "second"


def test_a_save_stores_a_new_version_and_language_and_keeps_unchanged_ones(survey):
    # A save writes the version and the language only when they change: the row must still follow.
    (response, _token), version = _start(survey)
    first, second = survey.page("first"), survey.page("second")
    responses.save_page(db.session, survey, response, first, {"count": 4}, version, "en")
    db.session.commit()
    stored = db.session.get(Response, response.id)
    assert (stored.version_id, stored.language) == (version, "en")

    newer = SurveyVersion(survey_id="lab", content_hash="f" * 64, definition={})
    db.session.add(newer)
    db.session.flush()
    responses.save_page(db.session, survey, response, second, {"stars": 3}, newer.id, "ar")
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Response, response.id)
    assert (
        (stored.version_id, stored.language) == (response.version_id, response.language) == (newer.id, "ar")
    )
    assert stored.answers == response.answers == {"count": 4, "stars": 3}


def test_the_answering_record_holds_every_column_of_a_response():
    # The pages read a response into an Answering record: a new column must be added to it too.
    columns = [column.key for column in Response.__table__.columns]
    assert sorted(responses.COLUMNS) == sorted(columns) and len(set(columns)) == len(columns)


def test_a_late_save_from_another_tab_changes_nothing_and_sees_the_completion(survey):
    (response, token), version = _start(survey)
    other_tab = responses.find_by_token(db.session, "lab", token)
    assert responses.complete(db.session, survey, response)
    responses.save_page(db.session, survey, other_tab, survey.page("first"), {"word": "late"}, version, "en")
    assert other_tab.status == Response.COMPLETE and other_tab.receipt_code == response.receipt_code
    assert "word" not in other_tab.answers
    db.session.commit()
    assert "word" not in db.session.get(Response, response.id).answers


def test_a_code_used_meanwhile_refuses_the_completion_and_leaves_the_response_as_it_was(survey):
    # Two phones started with one code at once; the first to finish uses it.
    db.session.add(ParticipantCode(survey_id="lab", code="K7P2"))
    version = current_registry().version_id(db.session, survey.id)
    first, _t1 = responses.start(db.session, survey, version, "en", {}, participant_code="K7P2")
    second, _t2 = responses.start(db.session, survey, version, "en", {}, participant_code="K7P2")
    assert responses.complete(db.session, survey, first)
    with pytest.raises(responses.CodeAlreadyUsed):
        responses.complete(db.session, survey, second)
    assert (second.status, second.receipt_code, second.submitted_at) == (Response.IN_PROGRESS, None, None)
    db.session.commit()
    stored = db.session.get(Response, second.id)
    assert (stored.status, stored.receipt_code) == (Response.IN_PROGRESS, None)
    code = db.session.scalar(select(ParticipantCode).filter_by(code="K7P2"))
    assert code.response_id == first.id
