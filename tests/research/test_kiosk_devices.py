"""Kiosk is a device, not a survey copy (issue 14): a `manage` grant makes a browser a kiosk, the
researcher is signed out on it, and only a sign-in by someone who manages the survey leaves it."""

from app.answering import kiosk
from app.models import AuditEvent, Researcher

from .conftest import PASSWORD, csrf_from


def make_kiosk(client, survey_id="feedback", language="en"):
    page = client.get(f"/admin/surveys/{survey_id}/kiosk")
    assert page.status_code == 200, page.status_code
    token = csrf_from(page.get_data(as_text=True))
    return client.post(f"/admin/surveys/{survey_id}/kiosk", data={"csrf_token": token, "language": language})


def test_a_manage_grant_makes_the_browser_a_kiosk_and_is_signed_out_on_it(client, login_as, db):
    login_as(Researcher.RESEARCHER, surveys=["feedback"], level="manage")
    made = make_kiosk(client)
    assert made.status_code == 302 and made.location.endswith("/s/feedback?lang=en")
    assert client.get_cookie(kiosk.DEVICE_COOKIE) is not None
    assert client.get("/admin/").status_code == 302  # signed out: the next person cannot reach results
    start = client.get("/s/feedback").get_data(as_text=True)
    assert "Start over (new person)" in start and "Staff: leave kiosk mode" in start
    assert [e.action for e in db.query(AuditEvent).filter_by(survey_id="feedback")] == ["kiosk_started"]


def test_a_read_grant_cannot_make_a_kiosk(client, login_as):
    login_as(Researcher.RESEARCHER, surveys=["feedback"], level="read")
    assert client.get("/admin/surveys/feedback/kiosk").status_code == 404
    token = csrf_from(client.get("/admin/account").get_data(as_text=True))
    refused = client.post("/admin/surveys/feedback/kiosk", data={"csrf_token": token, "language": "sv"})
    assert refused.status_code == 404
    assert client.get_cookie(kiosk.DEVICE_COOKIE) is None


def test_a_language_the_survey_lacks_is_refused_with_a_message(client, login_as):
    login_as(Researcher.RESEARCHER, surveys=["feedback"], level="manage")
    page = client.get("/admin/surveys/feedback/kiosk")
    token = csrf_from(page.get_data(as_text=True))
    refused = client.post("/admin/surveys/feedback/kiosk", data={"csrf_token": token, "language": "xx"})
    assert refused.status_code == 400
    assert "Choose one of the survey&#39;s languages." in refused.get_data(as_text=True)
    assert client.get_cookie(kiosk.DEVICE_COOKIE) is None


def test_leaving_kiosk_mode_needs_a_sign_in_of_someone_who_manages_the_survey(
    client, login_as, make_researcher, sign_in, db
):
    login_as(Researcher.RESEARCHER, surveys=["feedback"], level="manage", email="facilitator@example.org")
    make_kiosk(client)
    leave = client.get("/admin/kiosk/leave")
    assert leave.status_code == 302 and "/admin/login" in leave.location  # a resident meets a sign-in

    make_researcher("reader@example.org", surveys=["feedback"], level="read")
    sign_in("reader@example.org", PASSWORD)
    assert client.get("/admin/kiosk/leave").status_code == 404
    token = csrf_from(client.get("/admin/account").get_data(as_text=True))
    assert client.post("/admin/kiosk/leave", data={"csrf_token": token}).status_code == 404
    assert client.get_cookie(kiosk.DEVICE_COOKIE) is not None
    client.post("/admin/logout", data={"csrf_token": token})

    sign_in("facilitator@example.org", PASSWORD)
    page = client.get("/admin/kiosk/leave")
    assert page.status_code == 200
    left = client.post("/admin/kiosk/leave", data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert left.status_code == 302 and left.location.endswith("/admin/surveys/feedback")
    assert client.get_cookie(kiosk.DEVICE_COOKIE) is None
    assert "kiosk_left" in [e.action for e in db.query(AuditEvent)]


def test_the_dashboard_filters_by_channel_and_carries_it_to_the_export(client, login_as, make_response, db):
    login_as(Researcher.RESEARCHER, surveys=["feedback"], level="read")
    make_response("feedback", message="from the tablet").channel = "kiosk"
    make_response("feedback", message="from a poster")
    db.commit()
    board = client.get("/admin/surveys/feedback?channel=kiosk").get_data(as_text=True)
    assert 'value="kiosk" selected' in board
    assert "channel=kiosk" in board or 'name="channel" value="kiosk"' in board
    assert client.get("/admin/surveys/feedback?channel=nonsense").status_code == 200  # ignored, as a language
