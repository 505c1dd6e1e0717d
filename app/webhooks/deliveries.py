"""Deliveries: a notice per webhook recorded in the resident's own transaction, sent from the queue.

A completed response adds one `webhook_delivery` row per hook of its survey (a cheap INSERT, only
when the survey has hooks) and, once committed, hands each to the queue: the resident never waits
for a receiver. A delivery that is not answered 2xx is tried again after 1, 2, 4, 8, ... minutes,
a last time when a day has passed since the response, and then given up. What is due is found by
the ticker (app/jobs/ticker.py), which claims a row by moving its next try on by LEASE first, so
only one process sends it; a job that dies leaves it to be claimed again when the lease runs out.
"""

from __future__ import annotations

import http.client
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.jobs.queue import enqueue
from app.models import SurveyVersion, Webhook, WebhookDelivery, utcnow
from app.webhooks import signing, targets

log = logging.getLogger(__name__)

GIVE_UP_AFTER = timedelta(days=1)
FIRST_RETRY = timedelta(minutes=1)
LEASE = timedelta(minutes=5)  # a claimed (or new) delivery is not claimed again for this long
REQUEST_TIMEOUT = 10  # seconds a receiver has to answer
TIMEOUT = 60  # seconds the job may take on an RQ worker
USER_AGENT = "Lyssna-Webhook/1"

clock: Callable[[], datetime] = utcnow  # what "now" is for deliveries (tests move it on)


def completed(session: Session, response) -> list[int]:
    """Record a notice of a just-completed response for each webhook of its survey (flushed); the
    new deliveries' ids, to hand to `send_soon` once committed. Test responses tell nobody."""
    if response.is_test:
        return []
    hooks = session.execute(
        select(Webhook.id, Webhook.include_answers).where(
            Webhook.survey_id == response.survey_id, Webhook.disabled_at.is_(None)
        )
    ).all()
    if not hooks:
        return []
    now = clock()
    version = session.scalar(
        select(func.count())
        .select_from(SurveyVersion)
        .where(SurveyVersion.survey_id == response.survey_id, SurveyVersion.id <= response.version_id)
    )
    notice = {
        "event": "response.completed",
        "survey": response.survey_id,
        "response_id": response.public_id,
        "version": version,
        "submitted_at": (response.submitted_at or now).isoformat(),
    }
    full = {**notice, "language": response.language, "hidden": response.hidden, "answers": response.answers}
    rows = [
        WebhookDelivery(
            webhook_id=hook_id,
            body=json.dumps(full if answers else notice, ensure_ascii=False, separators=(",", ":")),
            created_at=now,
            next_attempt_at=now + LEASE,  # sent at once by send_soon; by the ticker if that fails
        )
        for hook_id, answers in hooks
    ]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def send_soon(delivery_ids: list[int]) -> None:
    """Hand new deliveries to the queue (after their commit). A queue that cannot take one now (Redis
    down) is logged: the ticker finds the delivery when its lease runs out."""
    for delivery_id in delivery_ids:
        try:
            enqueue(deliver, delivery_id, timeout=TIMEOUT)
        except Exception:  # the resident's answers are saved; the delivery waits for the ticker
            log.warning("webhook delivery %s not queued; it will be tried later", delivery_id, exc_info=True)


def claim_due(now: datetime | None = None) -> list[int]:
    """Claim the deliveries whose next try is due (committed at once, on a connection of their own)."""
    now = now or clock()
    table = WebhookDelivery.__table__
    claimed = []
    with db.engine.begin() as conn:
        due = conn.execute(
            select(table.c.id, table.c.next_attempt_at).where(
                table.c.next_attempt_at <= now, table.c.delivered_at.is_(None), table.c.given_up_at.is_(None)
            )
        ).all()
        for delivery_id, seen in due:
            moved = conn.execute(
                update(table)
                .where(table.c.id == delivery_id, table.c.next_attempt_at == seen)
                .values(next_attempt_at=now + LEASE)
            )
            if moved.rowcount == 1:
                claimed.append(delivery_id)
    return claimed


def deliver(delivery_id: int) -> None:
    """The job: POST the notice once, signed, and record the outcome and when to try again."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.delivered_at or delivery.given_up_at:
        return
    hook = db.session.get(Webhook, delivery.webhook_id)
    now = clock()
    if hook.disabled_at is not None:
        delivery.given_up_at, delivery.next_attempt_at, delivery.last_error = (
            now,
            None,
            "The webhook was removed.",
        )
        db.session.commit()
        return
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.HEADER: signing.signature(hook.secret, body, int(now.timestamp())),
        "Lyssna-Delivery": str(delivery.id),
    }
    try:
        status, error = targets.post(hook.url, body, headers, REQUEST_TIMEOUT), None
    except (OSError, http.client.HTTPException, targets.TargetError) as exc:
        status, error = None, f"{exc.__class__.__name__}: {exc}"[:500]
    delivery.attempts += 1
    delivery.last_status = status
    if status is not None and 200 <= status < 300:
        delivery.delivered_at, delivery.next_attempt_at, delivery.last_error = now, None, None
    else:
        delivery.last_error = error or f"The receiver answered {status}."
        delivery.next_attempt_at = next_try(delivery.created_at, delivery.attempts, now)
        if delivery.next_attempt_at is None:
            delivery.given_up_at = now
    log.info(
        "webhook delivery %s attempt %s: %s",
        delivery.id,
        delivery.attempts,
        "delivered" if delivery.delivered_at else delivery.last_error,
    )
    db.session.commit()


def next_try(created_at: datetime, attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed tries: 1, 2, 4, ... minutes on, the last try when a
    day has passed since the notice was made; None once that one has been made too."""
    deadline = created_at + GIVE_UP_AFTER
    if now >= deadline:
        return None
    return min(now + FIRST_RETRY * 2 ** (attempts - 1), deadline)


def log_of(session: Session, survey_id: str, limit: int = 50) -> list[tuple[WebhookDelivery, Webhook]]:
    """The survey's newest deliveries with their webhooks, newest first."""
    query = (
        select(WebhookDelivery, Webhook)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(Webhook.survey_id == survey_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    return [(delivery, hook) for delivery, hook in session.execute(query)]
