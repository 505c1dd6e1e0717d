"""Quotes on the public results page: free texts a researcher approved for it, one answer at a time.

A text nobody approved is never shown; hiding deletes nothing (the answer stays in the response and its
exports). An approval holds only while the response is unchanged since: an answer edited after it was
approved waits for a new decision. Approvals for the live screen (app/live/) are apart: a text approved
for a workshop's screen is not approved for the public page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from app import audit
from app.live.moderation import upsert_approval
from app.models import Response, TextApproval, utcnow
from app.results.figures import counted
from app.surveys.models import Survey

TEXT_TYPES = ("text", "long_text")
PENDING = "pending"
VIEWS = (PENDING, TextApproval.APPROVED, TextApproval.HIDDEN, "all")
LISTED = 500  # responses the page looks at, newest first
SHOWN = 200  # approved texts read for the results, newest first
DECISIONS = {"approve": TextApproval.APPROVED, "hide": TextApproval.HIDDEN}
AUDIT_ACTIONS = {TextApproval.APPROVED: "quote_approved", TextApproval.HIDDEN: "quote_hidden"}


class NotAQuote(LookupError):
    """No free text of a counted response of this survey answers that question."""


@dataclass
class Item:
    """One free-text answer on the approval page, with the decision on it."""

    response: str  # the response's public id
    question: Any
    text: str
    language: str
    group: str | None  # the value of the results' `by` field (the station)
    submitted_at: datetime | None
    status: str  # pending, approved or hidden
    decided_by: str | None = None
    decided_at: datetime | None = None
    changed: bool = False  # approved once, but the response changed since: pending again


def text_questions(survey: Survey) -> list:
    """The survey's free-text questions (short and long), in order."""
    return [q for _, q in survey.questions() if q.type in TEXT_TYPES]


def _group_column(survey: Survey):
    by = survey.results.by if survey.results else None
    return Response.hidden[by].as_string() if by else literal(None)


def items(session: Session, survey: Survey, tz: ZoneInfo, view: str = PENDING) -> tuple[list[Item], Counter]:
    """The free texts of the newest responses the results count, in one view, newest first, and how
    many each view holds."""
    questions = text_questions(survey)
    rows = session.execute(
        select(
            Response.id,
            Response.public_id,
            Response.submitted_at,
            Response.updated_at,
            Response.language,
            Response.answers,
            _group_column(survey).label("group"),
        )
        .where(*counted(survey, tz))
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


def _decisions(session: Session, response_ids: list[int]) -> dict:
    if not response_ids:
        return {}
    query = select(TextApproval).where(
        TextApproval.response_id.in_(response_ids), TextApproval.purpose == TextApproval.PUBLIC
    )
    return {(a.response_id, a.question_id): a for a in session.scalars(query)}


def _item(row, question, text: str, decision: TextApproval | None) -> Item:
    item = Item(row.public_id, question, text, row.language, row.group, row.submitted_at, PENDING)
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
    tz: ZoneInfo,
    now: datetime | None = None,
) -> str:
    """Approve or hide one free text for the public results (flushes, audited); the new status.

    NotAQuote when the response or the question is not one of this survey's counted free texts.
    """
    status = DECISIONS[decision]
    question = survey.question(question_id)
    response = session.scalars(
        select(Response).where(*counted(survey, tz), Response.public_id == public_id)
    ).first()
    if question is None or question.type not in TEXT_TYPES or response is None:
        raise NotAQuote(public_id)
    if not isinstance((response.answers or {}).get(question_id), str):
        raise NotAQuote(public_id)
    upsert_approval(
        session, response.id, question_id, TextApproval.PUBLIC, status, audit.current_actor(), now or utcnow()
    )
    audit.record(
        session, AUDIT_ACTIONS[status], survey_id=survey.id, response=public_id, question=question_id
    )
    return status


def approved(session: Session, survey: Survey, tz: ZoneInfo) -> list[tuple[str | None, str, str, str]]:
    """The approved quotes of the responses the results count, newest first, as (group, question id,
    text, language): the only way free text reaches the public results. Anything not approved since
    the response last changed stays out of the query's result, so it cannot be shown by mistake."""
    question_ids = [q.id for q in text_questions(survey)]
    if not question_ids:
        return []
    query = (
        select(_group_column(survey), TextApproval.question_id, Response.answers, Response.language)
        .join(Response, Response.id == TextApproval.response_id)
        .where(
            *counted(survey, tz),
            TextApproval.purpose == TextApproval.PUBLIC,
            TextApproval.status == TextApproval.APPROVED,
            TextApproval.decided_at >= Response.updated_at,
            TextApproval.question_id.in_(question_ids),
        )
        .order_by(Response.submitted_at.desc(), Response.id.desc())
        .limit(SHOWN)
    )
    quotes = []
    for group, question_id, answers, language in session.execute(query):
        text = (answers or {}).get(question_id)
        if isinstance(text, str) and text.strip():
            quotes.append((group or None, question_id, text.strip(), language))
    return quotes
