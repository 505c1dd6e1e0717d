"""The audit log: what is recorded, and the admin's page of it."""

import pytest

from app import audit
from app.models import AuditEvent, Researcher

from .conftest import csrf_from


def test_sign_in_and_out_are_recorded(client, db, login_as, csrf):
    login_as(surveys=["feedback"])
    client.post("/admin/logout", data={"csrf_token": csrf()})
    actions = [(e.action, e.actor) for e in db.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions == [("sign_in", "researcher@example.org"), ("sign_out", "researcher@example.org")]


def test_failed_sign_in_records_what_happened_for_admins_only(db, make_researcher, sign_in):
    make_researcher("r@example.org")
    page = sign_in("nobody@example.org", password="whatever it is")
    assert "unknown" not in page.get_data(as_text=True)
    event = db.query(AuditEvent).one()
    assert (event.action, event.actor, event.detail) == (
        "sign_in_failed",
        "nobody@example.org",
        {"outcome": "unknown_account"},
    )


def test_password_change_is_recorded(client, db, login_as, csrf):
    login_as()
    new = "another long password"
    client.post(
        "/admin/account",
        data={
            "current_password": "a long enough password",
            "new_password": new,
            "repeat_password": new,
            "csrf_token": csrf(),
        },
    )
    assert db.query(AuditEvent).filter_by(action="password_changed").count() == 1


def test_unknown_actions_are_refused(db):
    with pytest.raises(ValueError):
        audit.record(db, "made_up")


def test_audit_page_lists_events_newest_first_in_pages(client, db, login_as, monkeypatch):
    from app.research.views import audit as audit_views

    login_as(Researcher.ADMIN)
    for i in range(3):
        audit.record(db, "grant", actor="cli:ops", survey_id="feedback", email=f"r{i}@example.org")
    db.commit()
    monkeypatch.setattr(audit_views, "PER_PAGE", 2)
    first = client.get("/admin/audit").get_data(as_text=True)
    assert first.index("r2@example.org") < first.index("r1@example.org")
    assert "Survey granted" in first and "Page 1 of 2" in first  # three grants and the sign-in
    last = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert "Signed in" in last


def test_a_purge_by_the_retention_timer_reads_as_words_on_the_audit_page(client, db, login_as):
    login_as(Researcher.ADMIN)
    audit.record(db, "purge", actor="cli:lyssna", survey_id="feedback", complete=3, in_progress=1)
    db.commit()
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Responses purged (retention)" in page
    assert "<td>purge</td>" not in page


def test_sign_out_needs_the_form_token(client, login_as):
    login_as()
    assert client.post("/admin/logout").status_code == 400
    assert client.get("/admin/").status_code == 200
    token = csrf_from(client.get("/admin/account").get_data(as_text=True))
    assert client.post("/admin/logout", data={"csrf_token": token}).status_code == 302
