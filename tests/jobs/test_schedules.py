"""Scheduled exports: saved from the export form, made by whoever looks first (once), the newest file
in the researcher area and through the API; with Redis, `flask worker` makes them."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import accounts
from app.api import tokens
from app.extensions import db
from app.jobs import queue, schedules, ticker
from app.models import AuditEvent, Response, ScheduledExport
from app.surveys.catalog import current_registry
from tests.research.conftest import PASSWORD, IsolatedClient, csrf_from

from .conftest import needs_redis

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


@pytest.mark.parametrize(
    "every, after, expected",
    [
        ("daily", local(2026, 12, 4, 9, 30), local(2026, 12, 5, 3, 0)),
        ("daily", local(2026, 12, 4, 2, 59), local(2026, 12, 4, 3, 0)),
        ("daily", local(2026, 12, 4, 3, 0), local(2026, 12, 5, 3, 0)),
        ("daily", local(2026, 3, 28, 12, 0), local(2026, 3, 29, 3, 0)),  # the night clocks go forward
        ("weekly", local(2026, 12, 4, 9, 30), local(2026, 12, 7, 3, 0)),  # a Friday: the next Monday
        ("weekly", local(2026, 12, 7, 2, 0), local(2026, 12, 7, 3, 0)),  # a Monday before three
        ("weekly", local(2026, 12, 7, 4, 0), local(2026, 12, 14, 3, 0)),
    ],
)
def test_the_next_run_is_at_three_at_night_local_time(every, after, expected):
    assert schedules.next_run(every, after.astimezone(UTC), STOCKHOLM) == expected


def _setup(app, level="read"):
    """Three waste-sorting responses, an account that may read them, signed in on a client."""
    with app.app_context():
        version = current_registry().version_id(db.session, "waste-sorting")
        for station in ("12", "12", "7"):
            db.session.add(
                Response(
                    survey_id="waste-sorting",
                    version_id=version,
                    status=Response.COMPLETE,
                    language="sv",
                    hidden={"station": station},
                    answers={"visits": "weekly"},
                )
            )
        person = accounts.create_researcher(db.session, "r@example.org", PASSWORD, "researcher")
        accounts.set_grant(db.session, person, "waste-sorting", level)
        token = tokens.create(db.session, person, "pipeline")[1]
        db.session.commit()
    app.test_client_class = IsolatedClient  # bodies read whole: downloads close their files
    client = app.test_client()
    csrf = csrf_from(client.get("/admin/login").get_data(as_text=True))
    client.post("/admin/login", data={"email": "r@example.org", "password": PASSWORD, "csrf_token": csrf})
    return client, token


def _save(client, **fields):
    csrf = csrf_from(client.get("/admin/account").get_data(as_text=True))
    data = {
        "format": "csv",
        "values": "codes",
        "sep": "comma",
        "every": "daily",
        "csrf_token": csrf,
        **fields,
    }
    return client.post("/admin/surveys/waste-sorting/scheduled-exports", data=data)


def _schedule(app) -> ScheduledExport:
    with app.app_context():
        row = db.session.query(ScheduledExport).one()
        db.session.expunge(row)
        return row


def test_a_saved_export_is_made_by_the_ticker_and_found_in_the_area_and_the_api(app):
    client, token = _setup(app)
    dashboard = client.get("/admin/surveys/waste-sorting").get_data(as_text=True)
    assert "Save as a scheduled export" in dashboard
    saved = _save(client, hidden_station="12")
    assert saved.status_code == 302 and saved.location.endswith(
        "/admin/surveys/waste-sorting/scheduled-exports"
    )
    assert "Not made yet" in client.get(saved.location).get_data(as_text=True)
    with app.app_context():
        assert ticker.tick() == 1  # due at once
        assert ticker.tick() == 0  # and now not before three at night
    queue.wait_for_jobs(app)
    schedule = _schedule(app)
    assert schedule.rows == 2 and schedule.last_error is None and schedule.file_name.endswith(".csv")
    assert schedule.next_run_at.astimezone(STOCKHOLM).hour == 3
    page = client.get("/admin/surveys/waste-sorting/scheduled-exports").get_data(as_text=True)
    assert schedule.file_name in page and "2 responses" in page
    download = client.get(f"/admin/surveys/waste-sorting/scheduled-exports/{schedule.public_id}/file")
    assert download.status_code == 200 and download.data.count(b"\r\n") == 3  # header and two rows
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/surveys/waste-sorting/scheduled-exports", headers=headers).json
    (entry,) = listed["scheduled_exports"]
    assert (
        entry["every"] == "daily" and entry["rows"] == 2 and entry["options"]["where"] == [["station", "12"]]
    )
    from_api = client.get(entry["file"].removeprefix("http://localhost"), headers=headers)
    assert from_api.data == download.data
    with app.app_context():
        actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert "scheduled_export_saved" in actions and actions[-1] == "export"


def test_a_due_run_is_claimed_once_however_many_look(app):
    client, _token = _setup(app)
    _save(client, every="weekly")
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    with app.app_context():
        first, second = schedules.claim_due(now), schedules.claim_due(now)
    assert len(first) == 1 and second == []
    assert _schedule(app).next_run_at == local(2026, 12, 7, 3, 0)


def test_a_schedule_whose_owner_lost_the_survey_makes_no_file(app):
    client, _token = _setup(app)
    _save(client)
    with app.app_context():
        accounts.revoke(db.session, accounts.find_researcher(db.session, "r@example.org"), "waste-sorting")
        db.session.commit()
        ticker.tick()
    queue.wait_for_jobs(app)
    schedule = _schedule(app)
    assert schedule.made_at is None and "can no longer see" in schedule.last_error
    assert not schedules.file_path(schedule, app).exists()


def test_only_its_owner_or_an_admin_sees_and_removes_a_schedule(app):
    client, _token = _setup(app)
    _save(client)
    with app.app_context():
        ticker.tick()
    queue.wait_for_jobs(app)
    schedule = _schedule(app)
    with app.app_context():
        other = accounts.create_researcher(db.session, "o@example.org", PASSWORD, "researcher")
        accounts.set_grant(db.session, other, "waste-sorting", "read")
        db.session.commit()
    stranger = app.test_client()
    csrf = csrf_from(stranger.get("/admin/login").get_data(as_text=True))
    stranger.post("/admin/login", data={"email": "o@example.org", "password": PASSWORD, "csrf_token": csrf})
    assert schedule.file_name not in stranger.get("/admin/surveys/waste-sorting/scheduled-exports").get_data(
        as_text=True
    )
    assert (
        stranger.get(f"/admin/surveys/waste-sorting/scheduled-exports/{schedule.public_id}/file").status_code
        == 404
    )
    csrf = csrf_from(client.get("/admin/account").get_data(as_text=True))
    removed = client.post(
        f"/admin/surveys/waste-sorting/scheduled-exports/{schedule.public_id}/remove",
        data={"csrf_token": csrf},
    )
    assert removed.status_code == 302
    with app.app_context():
        assert db.session.query(ScheduledExport).count() == 0
    assert not schedules.file_path(schedule, app).exists()


def test_a_schedule_needs_daily_or_weekly(app):
    client, _token = _setup(app)
    refused = _save(client, every="hourly")
    assert refused.status_code == 400 and "daily or weekly" in refused.get_data(as_text=True)


@needs_redis
def test_with_redis_flask_worker_makes_the_scheduled_exports(redis_app):
    client, _token = _setup(redis_app)
    _save(client, format="xlsx")
    result = redis_app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    schedule = _schedule(redis_app)
    assert schedule.rows == 3 and schedules.file_path(schedule, redis_app).is_file()


def test_without_redis_each_web_process_ticks_from_its_first_request(make_app, monkeypatch):
    started = []
    monkeypatch.setattr(ticker, "start", lambda app: started.append(app) or object())
    app = make_app(TESTING=False, LYSSNA_TICK_SECONDS=15)
    client = app.test_client()
    client.get("/healthz")
    client.get("/healthz")
    assert started == [app]
    tested = make_app()  # tests tick by hand
    tested.test_client().get("/healthz")
    assert started == [app]
    assert timedelta(seconds=app.config["LYSSNA_TICK_SECONDS"]) == timedelta(seconds=15)
