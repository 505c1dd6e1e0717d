"""Free text reaches the public results only as quotes a researcher with `manage` approved for them:
never before, not after hiding, not when approved only for the live screen, and not once the answer
changed; the audit log records each decision without the text."""

from datetime import UTC, datetime, timedelta

import pytest

from app.models import AuditEvent, Researcher, TextApproval

from .conftest import csrf_from, figures

PAGE = "/admin/surveys/bins/quotes"


@pytest.fixture
def manager(login_as):
    return login_as(Researcher.RESEARCHER, surveys=["bins"], level="manage")


def decide(client, public_id: str, decision: str, question: str = "comment"):
    token = csrf_from(client.get(f"{PAGE}?show=all").get_data(as_text=True))
    data = {"csrf_token": token, "response": public_id, "question": question, "decision": decision}
    return client.post(PAGE, data=data)


def shown(client, query: str = "") -> list[str]:
    return [q["text"] for q in figures(client, query)["quotes"]]


def test_a_text_is_public_only_once_approved_and_until_hidden(client, manager, answer):
    made = answer("12", full=1, comment="Tömningen funkar bra nu", times=5)
    assert "Tömningen funkar bra nu" in client.get(PAGE).get_data(as_text=True)  # waiting for a decision
    assert shown(client) == []
    assert decide(client, made[0].public_id, "approve").status_code == 302
    assert shown(client) == ["Tömningen funkar bra nu"]  # at once: approving forgets the kept results
    assert shown(client, "?station=12") == ["Tömningen funkar bra nu"]
    page = client.get("/s/bins/results").get_data(as_text=True)
    assert "Tömningen funkar bra nu" in page and 'lang="sv"' in page
    decide(client, made[0].public_id, "hide")
    assert shown(client) == []
    assert "Tömningen funkar bra nu" not in client.get("/s/bins/results").get_data(as_text=True)


def test_an_approval_for_the_live_screen_is_not_one_for_the_public(client, manager, answer, db):
    made = answer("12", full=1, comment="Bara för skärmen", times=5)
    db.add(TextApproval(response_id=made[0].id, question_id="comment", purpose="live", status="approved"))
    db.commit()
    assert shown(client) == []


def test_an_answer_changed_after_its_approval_waits_for_a_new_decision(client, manager, answer, db):
    made = answer("12", full=1, comment="Först", times=5)
    decide(client, made[0].public_id, "approve")
    made[0].answers = {**made[0].answers, "comment": "Sedan ändrat"}
    made[0].updated_at = datetime.now(UTC) + timedelta(seconds=5)
    db.commit()
    from app.results import cache

    with client.application.app_context():
        cache.forget("bins")
    assert shown(client) == []


def test_a_group_too_small_shows_no_quotes(client, manager, answer):
    made = answer("12", full=1, comment="Liten grupp", times=3)
    decide(client, made[0].public_id, "approve")
    assert figures(client)["suppressed"] is True
    assert "Liten grupp" not in client.get("/s/bins/results").get_data(as_text=True)


def test_demo_and_preview_texts_cannot_be_approved(client, manager, answer):
    demo = answer("12", comment="Demo", demo=True)[0]
    preview = answer("12", comment="Förhandsvisning", test=True)[0]
    assert decide(client, demo.public_id, "approve").status_code == 404
    assert decide(client, preview.public_id, "approve").status_code == 404


def test_only_free_texts_can_be_approved(client, manager, answer):
    made = answer("12", full=1, comment="Text", times=5)
    assert decide(client, made[0].public_id, "approve", question="full").status_code == 404
    assert decide(client, made[0].public_id, "publish").status_code == 400


def test_decisions_are_audited_without_the_text(client, manager, answer, db):
    made = answer("12", full=1, comment="Hemligt innehåll", times=5)
    decide(client, made[0].public_id, "approve")
    decide(client, made[0].public_id, "hide")
    events = [(e.action, e.detail) for e in db.query(AuditEvent).filter(AuditEvent.action.like("quote_%"))]
    detail = {"response": made[0].public_id, "question": "comment"}
    assert events == [("quote_approved", detail), ("quote_hidden", detail)]
    assert "Hemligt" not in str(events)


def test_a_read_grant_cannot_approve(client, login_as, answer):
    made = answer("12", full=1, comment="Text", times=5)
    login_as(Researcher.RESEARCHER, surveys=["bins"], level="read")
    assert client.get(PAGE).status_code == 404
    token = csrf_from(client.get("/admin/account").get_data(as_text=True))
    data = {"csrf_token": token, "response": made[0].public_id, "question": "comment", "decision": "approve"}
    assert client.post(PAGE, data=data).status_code == 404
