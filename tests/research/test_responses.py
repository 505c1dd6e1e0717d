"""Single responses: the paged list, one response in words, deletion with confirmation, receipt lookup."""

import pytest

from app.models import AuditEvent, MediaFile, Response
from app.research.responses import normalize_receipt

from .conftest import csrf_from


@pytest.fixture
def feedback(db, make_response):
    """Three feedback responses, the newest last; one has a receipt code."""
    made = [make_response("feedback", message=f"message {i}") for i in range(3)]
    made[2].receipt_code = "K7QM-3XPA"
    db.commit()
    return made


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("K7QM-3XPA", "K7QM-3XPA"),
        ("k7qm3xpa", "K7QM-3XPA"),
        (" k7qm 3xpa ", "K7QM-3XPA"),
        ("K7QM-3XP", None),
        ("K7QM-0XPA", None),
    ],
)
def test_receipt_codes_are_read_forgivingly(typed, stored):
    assert normalize_receipt(typed) == stored


def test_list_is_newest_first_and_paged(client, db, login_as, make_response, monkeypatch):
    from app.research import responses

    monkeypatch.setattr(responses, "PER_PAGE", 2)
    made = [make_response("feedback", message=f"m{i}") for i in range(3)]
    for i, response in enumerate(made):
        response.started_at = response.started_at.replace(year=2026, month=5, day=1 + i)
    db.commit()
    login_as(surveys=["feedback"])
    first = client.get("/admin/surveys/feedback/responses").get_data(as_text=True)
    assert first.index(made[2].public_id) < first.index(made[1].public_id)
    assert made[0].public_id not in first
    assert "Page 1 of 2" in first
    second = client.get("/admin/surveys/feedback/responses?page=2").get_data(as_text=True)
    assert made[0].public_id in second


def test_single_response_shows_labels_in_the_chosen_language(client, db, login_as, make_response):
    response = make_response(
        "waste-sorting",
        language="ar",
        hidden={"station": "12"},
        visits="weekly",
        fractions=["food", "other"],
        fractions_other="Batteries",
        station_views={"signs": 4},
        satisfaction=2,
        underground=3,
    )
    db.commit()
    login_as(surveys=["waste-sorting"])
    url = f"/admin/surveys/waste-sorting/responses/{response.public_id}"
    english = client.get(url + "?labels=en").get_data(as_text=True)
    for text in (
        "About once a week",
        "Food waste",
        "Batteries",
        "It is easy to understand which bin to use.",
        "Agree",
        "Quite easy",
        "2 / 5",  # the smiley rating, out of its scale
    ):
        assert text in english, text
    assert "No answer" in english  # shown but skipped, e.g. household_size
    assert "Why" not in english  # the not_sorting page was not shown
    swedish = client.get(url + "?labels=sv").get_data(as_text=True)
    assert "Ungefär en gång i veckan" in swedish


def test_delete_asks_first_and_needs_the_form_token(client, db, login_as, feedback):
    login_as(surveys=["feedback"], level="manage")
    target_id, public_id = feedback[2].id, feedback[2].public_id
    url = f"/admin/surveys/feedback/responses/{public_id}/delete"
    page = client.get(url)
    assert page.status_code == 200 and "Yes, delete it" in page.get_data(as_text=True)
    assert client.post(url).status_code == 400  # no CSRF token: refused
    assert db.get(Response, target_id) is not None
    response = client.post(url, data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Response, target_id) is None
    event = db.query(AuditEvent).filter_by(action="response_deleted").one()
    assert event.actor == "researcher@example.org"
    assert event.survey_id == "feedback"
    assert event.detail["receipt_code"] == "K7QM-3XPA"
    assert "message" not in str(event.detail)  # no answers in the audit log


def test_delete_removes_the_photo_files_too(app, client, db, login_as, make_response, tmp_path):
    from app import media

    response = make_response("feedback", message="with a photo")
    folder = media.media_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = "0123456789abcdef0123456789abcdef.jpg"
    (folder / name).write_bytes(b"jpeg")
    db.add(
        MediaFile(name=name, response_id=response.id, question_id="photo", size_bytes=4, width=1, height=1)
    )
    db.commit()
    login_as(surveys=["feedback"], level="manage")
    url = f"/admin/surveys/feedback/responses/{response.public_id}/delete"
    token = csrf_from(client.get(url).get_data(as_text=True))
    client.post(url, data={"csrf_token": token})
    assert not (folder / name).exists()


def test_receipt_lookup_finds_the_response(client, login_as, feedback):
    login_as(surveys=["feedback"])
    response = client.get("/admin/receipt?code=k7qm 3xpa")
    assert response.status_code == 302
    assert response.location == f"/admin/surveys/feedback/responses/{feedback[2].public_id}"


def test_unknown_receipt_code_says_so(client, login_as, feedback):
    login_as(surveys=["feedback"])
    response = client.get("/admin/receipt?code=AAAA-BBBB")
    assert response.status_code == 404
    assert "No response with this code" in response.get_data(as_text=True)
