"""Webhooks of a survey: added (the URL checked, a secret made when none is given), listed, removed.

Removing keeps the row and its delivery log, for the record; it stops every delivery still waiting.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import Webhook, WebhookDelivery, utcnow
from app.webhooks import signing, targets

SECRET_MIN, SECRET_MAX = 16, 128


class HookError(ValueError):
    """A webhook that cannot be added as asked; the message says why."""


def add(
    session: Session,
    survey_id: str,
    url: str,
    secret: str | None = None,
    include_answers: bool = False,
    by: str | None = None,
) -> tuple[Webhook, str | None]:
    """A new webhook (flushed), and the secret made for it when none was given (shown once)."""
    url = url.strip()
    try:
        targets.check(url)
    except targets.TargetError as exc:
        raise HookError(str(exc)) from None
    made = None
    if secret is None or not secret.strip():
        secret = made = signing.new_secret()
    elif not SECRET_MIN <= len(secret.strip()) <= SECRET_MAX:
        raise HookError(f"A webhook secret has {SECRET_MIN} to {SECRET_MAX} characters.")
    hook = Webhook(
        survey_id=survey_id, url=url, secret=secret.strip(), include_answers=include_answers, created_by=by
    )
    session.add(hook)
    session.flush()
    return hook, made


def active(session: Session, survey_id: str | None = None) -> list[Webhook]:
    """The webhooks not removed (of one survey, or all), oldest first."""
    query = select(Webhook).where(Webhook.disabled_at.is_(None)).order_by(Webhook.id)
    if survey_id is not None:
        query = query.where(Webhook.survey_id == survey_id)
    return list(session.scalars(query))


def remove(session: Session, hook: Webhook, now: datetime | None = None) -> None:
    """Stop the webhook: nothing more is sent to it (flushes)."""
    hook.disabled_at = now or utcnow()
    session.flush()


def tallies(session: Session, hook_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per webhook: deliveries delivered, still being tried, given up."""
    d = WebhookDelivery
    rows = session.execute(
        select(
            d.webhook_id,
            func.count(d.delivered_at),
            func.count(d.given_up_at),
            func.sum(case((d.delivered_at.is_(None) & d.given_up_at.is_(None), 1), else_=0)),
        )
        .where(d.webhook_id.in_(hook_ids))
        .group_by(d.webhook_id)
    )
    found = {
        hook_id: {"delivered": ok, "given_up": lost, "trying": int(trying or 0)}
        for hook_id, ok, lost, trying in rows
    }
    return {hook_id: found.get(hook_id, {"delivered": 0, "given_up": 0, "trying": 0}) for hook_id in hook_ids}
