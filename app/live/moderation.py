"""Which free texts the live screen may show: a facilitator approves or hides each one, per answer.

A text nobody approved is never shown; hiding deletes nothing (the answer stays in the response and
its exports). An approval holds only while the response is unchanged since: an answer edited after it
was approved waits for a new decision.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app import audit
from app.models import Response, TextApproval, utcnow
from app.research.filters import Filters
from app.surveys.models import Survey

TEXT_TYPES = ("text", "long_text")
PENDING = "pending"
VIEWS = (PENDING, TextApproval.APPROVED, TextApproval.HIDDEN, "all")
LISTED = 500  # responses the moderation page looks at, newest first
SHOWN = 200  # approved texts the screen reads per refresh, newest first
DECISIONS = {"approve": TextApproval.APPROVED, "hide": TextApproval.HIDDEN}
AUDIT_ACTIONS = {TextApproval.APPROVED: "text_approved", TextApproval.HIDDEN: "text_hidden"}


class NotModerated(LookupError):
    """No free text of a complete response of this survey answers that question."""


@dataclass
class Item:
    """One free-text answer on the moderation page, with the decision on it."""

    response: str  # the response's public id
    question: Any
    text: str
    language: str
    submitted_at: datetime | None
    demo: bool
    test: bool
    status: str  # pending, approved or hidden
    decided_by: str | None = None
    decided_at: datetime | None = None
    changed: bool = False  # approved once, but the response changed since: pending again


def text_questions(survey: Survey) -> list:
    """The survey's free-text questions (short and long), in order."""
    return [q for _, q in survey.questions() if q.type in TEXT_TYPES]


def items(session: Session, survey: Survey, view: str = PENDING) -> tuple[list[Item], Counter]:
    """The free texts of the newest complete responses in one view, newest first, and how many each
    view holds."""
    questions = text_questions(survey)
    rows = session.execute(
        select(
            Response.id,
            Response.public_id,
            Response.submitted_at,
            Response.updated_at,
            Response.language,
            Response.is_demo,
            Response.is_test,
            Response.answers,
        )
        .where(Response.survey_id == survey.id, Response.status == Response.COMPLETE)
        .order_by(Response.submitted_at.desc(), Response.id.desc())
        .limit(LISTED)
    ).all()
    decisions = _decisions(session, [row.id for row in rows])
    found, counts = [], Counter()
    for row in rows:
        for question in questions:
            text = (row.answers or {}).get(question.id)
            if not isinstance(text, str) or not text.strip():
                continue
            item = _item(row, question, text, decisions.get((row.id, question.id)))
            counts[item.status] += 1
            if view in (item.status, "all"):
                found.append(item)
    return found, counts


def waiting(session: Session, survey: Survey) -> int:
    """How many free texts of the newest complete responses wait for a decision."""
    return items(session, survey)[1][PENDING]


def _decisions(session: Session, response_ids: list[int]) -> dict:
    if not response_ids:
        return {}
    query = select(TextApproval).where(
        TextApproval.response_id.in_(response_ids), TextApproval.purpose == TextApproval.LIVE
    )
    return {(a.response_id, a.question_id): a for a in session.scalars(query)}


def _item(row, question, text: str, decision: TextApproval | None) -> Item:
    item = Item(
        row.public_id, question, text, row.language, row.submitted_at, row.is_demo, row.is_test, PENDING
    )
    if decision is None:
        return item
    item.decided_by, item.decided_at = decision.decided_by, decision.decided_at
    if decision.status == TextApproval.HIDDEN:
        item.status = TextApproval.HIDDEN
    elif decision.decided_at >= row.updated_at:
        item.status = TextApproval.APPROVED
    else:
        item.changed = True
    return item


def decide(
    session: Session,
    survey: Survey,
    public_id: str,
    question_id: str,
    decision: str,
    now: datetime | None = None,
) -> str:
    """Approve or hide one free text for the live screen (flushes, audited); returns the new status.

    NotModerated when the response or the question is not one of this survey's free texts.
    """
    status = DECISIONS[decision]
    question = survey.question(question_id)
    response = session.scalars(
        select(Response).filter_by(survey_id=survey.id, public_id=public_id, status=Response.COMPLETE)
    ).first()
    if question is None or question.type not in TEXT_TYPES or response is None:
        raise NotModerated(public_id)
    if not isinstance((response.answers or {}).get(question_id), str):
        raise NotModerated(public_id)
    upsert_approval(
        session, response.id, question_id, TextApproval.LIVE, status, audit.current_actor(), now or utcnow()
    )
    audit.record(
        session, AUDIT_ACTIONS[status], survey_id=survey.id, response=public_id, question=question_id
    )
    return status


def upsert_approval(
    session: Session, response_id: int, question_id: str, purpose: str, status: str, actor, now
) -> None:
    """One row per text and purpose (live screen, public results), written in one statement, so two
    people deciding at once cannot clash."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    decided = {"status": status, "decided_by": actor, "decided_at": now}
    statement = insert(TextApproval).values(
        response_id=response_id, question_id=question_id, purpose=purpose, **decided
    )
    statement = statement.on_conflict_do_update(
        index_elements=["response_id", "question_id", "purpose"], set_=decided
    )
    session.execute(statement)
    session.flush()


def approved_texts(
    session: Session, survey: Survey, filters: Filters, tz: ZoneInfo, question_ids: list[str]
) -> dict[str, list[str]]:
    """Per question, the approved texts of complete responses the filters select, newest first.

    The only way texts reach the live screen: anything not approved since the response last changed
    stays out of the query's result, so it cannot be rendered by mistake.
    """
    if not question_ids:
        return {}
    complete_only = replace(filters, partial=False)
    query = (
        select(TextApproval.question_id, Response.answers)
        .join(Response, Response.id == TextApproval.response_id)
        .where(
            *complete_only.conditions(survey.id, tz),
            TextApproval.purpose == TextApproval.LIVE,
            TextApproval.status == TextApproval.APPROVED,
            TextApproval.decided_at >= Response.updated_at,
            TextApproval.question_id.in_(question_ids),
        )
        .order_by(Response.submitted_at.desc(), Response.id.desc())
        .limit(SHOWN)
    )
    texts: dict[str, list[str]] = {}
    for question_id, answers in session.execute(query):
        text = (answers or {}).get(question_id)
        if isinstance(text, str) and text.strip():
            texts.setdefault(question_id, []).append(text.strip())
    return texts
