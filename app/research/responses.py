"""Single responses for researchers: a page of them, lookup by receipt code, answers in words, deletion."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app import attachments
from app.models import RECEIPT_ALPHABET, Response, SurveyVersion
from app.research.filters import Filters
from app.surveys.conditions import is_answered, shown_pages, shown_questions, visible_answers
from app.surveys.loader import survey_from_json
from app.surveys.models import OTHER, Survey

PER_PAGE = 50


def page_of_responses(
    session: Session, survey_id: str, filters: Filters, tz: ZoneInfo, page: int, per_page: int | None = None
) -> tuple[list[Response], int]:
    """One page of the survey's responses (every status), newest first, and how many match in all."""
    per_page = per_page or PER_PAGE
    conditions = filters.conditions(survey_id, tz, statuses=False)
    total = session.scalar(select(func.count()).select_from(Response).where(*conditions)) or 0
    rows = session.scalars(
        select(Response)
        .where(*conditions)
        .order_by(Response.started_at.desc(), Response.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(rows), total


def normalize_receipt(code: str) -> str | None:
    """A receipt code as stored ('K7QM-3XPA'), from what a resident read out; None if it cannot be one."""
    chars = re.sub(r"[\s\-_.]", "", code).upper()
    if len(chars) != 8 or any(c not in RECEIPT_ALPHABET for c in chars):
        return None
    return f"{chars[:4]}-{chars[4:]}"


def find_by_receipt(session: Session, code: str, survey_ids: set[str]) -> Response | None:
    """The response with this receipt code, if it belongs to one of these surveys."""
    normalized = normalize_receipt(code)
    if normalized is None or not survey_ids:
        return None
    query = select(Response).where(Response.receipt_code == normalized, Response.survey_id.in_(survey_ids))
    return session.scalars(query).first()


def definition_of(session: Session, response: Response, current: Survey) -> Survey:
    """The definition the response was answered against (its stored version), else the current one."""
    version = session.get(SurveyVersion, response.version_id)
    if version is None:
        return current
    return survey_from_json(version.definition)


@dataclass
class ShownAnswer:
    """One question the resident was shown, and the answer in words (kind tells the template how)."""

    page: Any
    question: Any
    kind: str  # none | text | choice | choices | matrix | ranking | photo
    value: Any = None  # text, or a list of labels, or [(row label, answer label)], or a photo name
    other: str | None = None


def shown_answers(survey: Survey, response: Response, lang: str) -> list[ShownAnswer]:
    """Each question shown to this resident, in order, with the answer in `lang` (labels, not codes)."""
    answers, hidden = response.answers or {}, response.hidden or {}
    kept = visible_answers(survey, answers, hidden)
    result = []
    for page in shown_pages(survey, answers, hidden):
        for question in shown_questions(page, kept, hidden):
            if question.type == "note":
                continue
            result.append(_shown(survey, page, question, answers, lang))
    return result


def _label(survey: Survey, question: Any, value: Any, lang: str) -> str:
    for choice in survey.choices(question):
        if choice.value == value:
            return survey.text(choice.label, lang)
    return str(value)


def _shown(survey: Survey, page: Any, question: Any, answers: dict, lang: str) -> ShownAnswer:
    value = answers.get(question.id)
    other = answers.get(f"{question.id}_other")
    shown = ShownAnswer(page, question, "none" if not is_answered(value) else "text", value)
    if shown.kind == "none":
        return shown
    if question.type == "single_choice":
        shown.kind, shown.value = "choice", None if value == OTHER else _label(survey, question, value, lang)
        shown.other = other if value == OTHER else None
    elif question.type == "multiple_choice" and isinstance(value, list):
        shown.kind = "choices"
        shown.value = [_label(survey, question, v, lang) for v in value if v != OTHER]
        shown.other = other if OTHER in value else None
    elif question.type == "ranking" and isinstance(value, list):
        shown.kind, shown.value = "ranking", [_label(survey, question, v, lang) for v in value]
    elif question.type == "matrix" and isinstance(value, dict):
        rows = {row.id: survey.text(row.label, lang) for row in question.rows}
        shown.kind = "matrix"
        shown.value = [(rows.get(r, r), _label(survey, question, v, lang)) for r, v in value.items()]
    elif question.type == "photo":
        shown.kind = "photo"
    elif question.type == "rating":
        shown.value = f"{value} / {question.bounds[1]}"
    else:
        shown.value = str(value)
    return shown


def delete_response(session: Session, response: Response) -> dict:
    """Delete a response and (after the commit) its photos; returns what the audit log keeps of it."""
    kept = {
        "response": response.public_id,
        "receipt_code": response.receipt_code,
        "status": response.status,
        "started_on": response.started_at.date().isoformat(),
    }
    attachments.discard_responses(session, [response.id])
    session.execute(delete(Response).where(Response.id == response.id))
    session.flush()
    return kept
