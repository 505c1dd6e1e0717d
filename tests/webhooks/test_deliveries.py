"""Webhooks: each completed response is POSTed to the hooks of its survey, signed, from the queue (the
resident never waits), retried with backoff for a day when the receiver fails, and logged."""

import json
import re
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from app.extensions import db
from app.jobs import queue, ticker
from app.models import WebhookDelivery
from app.webhooks import deliveries

from .conftest import answer

ROOT = Path(__file__).resolve().parents[2]


def documented_verify():
    """The receiver's check of the signature exactly as docs/api.md shows it."""
    guide = (ROOT / "docs" / "api.md").read_text()
    snippet = re.search(r"<!-- verify -->\n```python\n(.*?)```", guide, re.DOTALL).group(1)
    namespace: dict = {}
    exec(snippet, namespace)  # noqa: S102 (our own documentation)
    return namespace["verify"]


def _add(app, url: str, *options: str) -> str:
    result = app.test_cli_runner().invoke(args=["webhooks", "add", "hooked", url, *options])
    assert result.exit_code == 0, result.output
    return result.output


def _deliveries(app) -> list[WebhookDelivery]:
    with app.app_context():
        rows = db.session.query(WebhookDelivery).order_by(WebhookDelivery.id).all()
        db.session.expunge_all()
        return rows


def test_a_completed_response_reaches_the_receiver_signed(hooked, receiver):
    output = _add(hooked, receiver.url, "--answers")
    secret = re.search(r"^secret: (whsec_\S+)$", output, re.MULTILINE).group(1)
    sent = answer(hooked.test_client(), mood="glad")
    assert sent.status_code == 302 and "/thanks" in sent.headers["Location"]
    queue.wait_for_jobs(hooked)
    (got,) = receiver.received
    assert got["path"] == "/in" and got["headers"]["Content-Type"] == "application/json"
    assert documented_verify()(secret, got["headers"]["Lyssna-Signature"], got["body"])
    assert not documented_verify()("whsec_another", got["headers"]["Lyssna-Signature"], got["body"])
    notice = json.loads(got["body"])
    assert notice["event"] == "response.completed" and notice["survey"] == "hooked"
    assert (
        notice["version"] == 1
        and notice["answers"] == {"mood": "glad"}
        and notice["hidden"] == {"station": "5"}
    )
    assert datetime.fromisoformat(notice["submitted_at"]).tzinfo is not None
    (delivery,) = _deliveries(hooked)
    assert delivery.delivered_at and delivery.attempts == 1 and delivery.last_status == 200


def test_without_answers_a_notice_says_only_which_response(hooked, receiver):
    output = _add(hooked, receiver.url, "--secret", "a secret of our own, long enough")
    assert "secret:" not in output  # it was given: nothing to print
    answer(hooked.test_client())
    queue.wait_for_jobs(hooked)
    notice = json.loads(receiver.received[0]["body"])
    assert set(notice) == {"event", "survey", "response_id", "version", "submitted_at"}


def test_the_resident_never_waits_for_a_receiver(hooked, receiver):
    _add(hooked, receiver.url)
    receiver.gate.clear()  # the receiver takes the POST and does not answer
    sent = answer(hooked.test_client())
    assert sent.status_code == 302  # the thank-you page, while the receiver still holds the POST
    assert receiver.arrived.wait(5) and len(receiver.received) == 1
    (delivery,) = _deliveries(hooked)
    assert delivery.delivered_at is None and delivery.attempts == 0
    receiver.gate.set()
    queue.wait_for_jobs(hooked)
    assert _deliveries(hooked)[0].delivered_at is not None


def test_a_failing_receiver_is_retried_with_backoff_and_logged(hooked, receiver, monkeypatch, caplog):
    t0 = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    clock = {"now": t0}
    monkeypatch.setattr(deliveries, "clock", lambda: clock["now"])
    receiver.statuses = [500, 503]
    _add(hooked, receiver.url)
    caplog.set_level("INFO", logger="app.webhooks.deliveries")
    answer(hooked.test_client())
    queue.wait_for_jobs(hooked)
    (delivery,) = _deliveries(hooked)
    assert (delivery.attempts, delivery.last_status, delivery.next_attempt_at) == (
        1,
        500,
        t0 + timedelta(minutes=1),
    )

    def tick_at(moment):
        clock["now"] = moment
        with hooked.app_context():
            queued = ticker.tick(moment)
        queue.wait_for_jobs(hooked)
        return queued

    assert tick_at(t0 + timedelta(seconds=59)) == 0  # not due yet
    assert tick_at(t0 + timedelta(minutes=1)) == 1
    (delivery,) = _deliveries(hooked)
    assert (delivery.attempts, delivery.last_status) == (2, 503)
    assert delivery.next_attempt_at == t0 + timedelta(minutes=3)  # two minutes after the second try
    assert tick_at(t0 + timedelta(minutes=3)) == 1
    (delivery,) = _deliveries(hooked)
    assert delivery.delivered_at == t0 + timedelta(minutes=3) and delivery.attempts == 3
    assert len(receiver.received) == 3
    logged = [r.getMessage() for r in caplog.records if r.name == "app.webhooks.deliveries"]
    assert any("attempt 1: The receiver answered 500." in line for line in logged)
    assert any("attempt 3: delivered" in line for line in logged)
    signatures = {got["headers"]["Lyssna-Signature"].split(",")[0] for got in receiver.received}
    assert len(signatures) == 3  # each try is signed at its own time


def test_a_delivery_is_tried_for_a_day_then_given_up():
    created = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    now, tries = created, [created]
    while (after := deliveries.next_try(created, len(tries), now)) is not None:
        now = after
        tries.append(now)
    gaps = [(b - a) // timedelta(minutes=1) for a, b in pairwise(tries)]
    assert gaps[:6] == [1, 2, 4, 8, 16, 32]  # exponential backoff
    assert tries[-1] == created + timedelta(days=1)  # the last try when a day has passed
    assert len(tries) == 12


def test_a_webhook_given_up_on_is_logged_in_the_researcher_area(hooked, receiver, monkeypatch):
    from tests.research.conftest import PASSWORD, csrf_from

    t0 = datetime.now(UTC)
    clock = {"now": t0}
    monkeypatch.setattr(deliveries, "clock", lambda: clock["now"])
    receiver.statuses = [500] * 20
    _add(hooked, receiver.url)
    answer(hooked.test_client())
    queue.wait_for_jobs(hooked)
    clock["now"] = t0 + timedelta(days=1)
    with hooked.app_context():
        ids = deliveries.claim_due(clock["now"])
        assert len(ids) == 1
        deliveries.deliver(ids[0])
    (delivery,) = _deliveries(hooked)
    assert delivery.given_up_at is not None and delivery.attempts == 2
    from app import accounts

    with hooked.app_context():
        boss = accounts.create_researcher(db.session, "boss@example.org", PASSWORD, "researcher")
        accounts.set_grant(db.session, boss, "hooked", "manage")
        db.session.commit()
    client = hooked.test_client()
    token = csrf_from(client.get("/admin/login").get_data(as_text=True))
    client.post("/admin/login", data={"email": "boss@example.org", "password": PASSWORD, "csrf_token": token})
    page = client.get("/admin/surveys/hooked/webhooks").get_data(as_text=True)
    assert receiver.url in page and "Given up" in page and "The receiver answered 500." in page


def test_test_responses_tell_nobody(hooked, receiver):
    from app.answering import responses

    _add(hooked, receiver.url)
    with hooked.app_context():
        record = responses.Answering(
            **{name: None for name in responses.COLUMNS}
            | {"survey_id": "hooked", "is_test": True, "answers": {}, "hidden": {}}
        )
        assert deliveries.completed(db.session, record) == []
