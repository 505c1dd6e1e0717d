"""A response's lifecycle: start, save a page, go back or on, complete once, resume. No HTTP here.

Helpers add and flush; the view that calls them commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Update, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.models import ParticipantCode, Response, new_receipt_code, utcnow
from app.surveys.conditions import shown_pages, visible_answers
from app.surveys.models import Page, Survey


def new_token() -> str:
    """A random resume token: only the resident's phone (cookie) and resume link ever hold it."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The sha256 of a resume token, the only form of it the database keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


# The statements every page request runs, built once: SQLAlchemy then reuses their cache keys too.
BY_TOKEN = select(Response).where(
    Response.survey_id == bindparam("survey_id"),
    Response.resume_token_hash == bindparam("token_hash"),
)


def find_by_token(session: Session, survey_id: str, token: str | None) -> Response | None:
    """The response this resume token belongs to, if it is one of this survey's."""
    if not token or len(token) > 128:
        return None
    found = session.scalars(BY_TOKEN, {"survey_id": survey_id, "token_hash": hash_token(token)})
    return found.first()


def start(
    session: Session,
    survey: Survey,
    version_id: int,
    language: str,
    hidden: dict[str, str],
    participant_code: str | None = None,
    now: datetime | None = None,
    is_test: bool = False,
) -> tuple[Response, str]:
    """A new response after consent, with its resume token; the first page shown is where it stands.

    Everything is set before the INSERT (a value set after it would cost an UPDATE at the commit)."""
    now = now or utcnow()
    token = new_token()
    response = Response(
        survey_id=survey.id,
        version_id=version_id,
        status=Response.IN_PROGRESS,
        started_at=now,
        updated_at=now,
        language=language,
        hidden=dict(hidden),
        answers={},
        page_history=[],
        consented_at=now,
        resume_token_hash=hash_token(token),
        participant_code=participant_code,
        is_test=is_test,
    )
    response.current_page = page_ids(survey, response)[0]
    session.add(response)
    session.flush()
    return response, token


def renew_token(response: Response) -> str:
    """A fresh resume token for a response (the old one stops working)."""
    token = new_token()
    response.resume_token_hash = hash_token(token)
    return token


# A page request asks several times which pages a response will show (to check the page may be
# visited, for its number, for Back): worked out once per state of the response. The entry holds
# the very answers and hidden values it was worked out from, and is used only while the response
# still holds those same objects (a save gives it new ones).
_SHOWN_PAGES: WeakKeyDictionary = WeakKeyDictionary()


def page_ids(survey: Survey, response: Response, answers: dict | None = None) -> list[str]:
    """The ids of the pages this resident will see, given the answers so far (default: the stored ones)."""
    if answers is not None:
        return [p.id for p in shown_pages(survey, answers, response.hidden or {})]
    state = (survey, response.answers, response.hidden)
    known = _SHOWN_PAGES.get(response)
    if known is not None and all(a is b for a, b in zip(known[0], state, strict=True)):
        return list(known[1])
    ids = [p.id for p in shown_pages(survey, response.answers or {}, response.hidden or {})]
    _SHOWN_PAGES[response] = (state, tuple(ids))
    return ids


def progress(survey: Survey, response: Response, page_id: str) -> tuple[int, int]:
    """(number of this page, number of pages that will be shown), e.g. (2, 4)."""
    ids = page_ids(survey, response)
    return (ids.index(page_id) + 1 if page_id in ids else len(ids)), len(ids)


def current_page(survey: Survey, response: Response) -> str:
    """The page a resumed resident continues on (the first shown page if that one is skipped now)."""
    ids = page_ids(survey, response)
    return response.current_page if response.current_page in ids else ids[0]


def may_visit(survey: Survey, response: Response, page_id: str) -> bool:
    """A resident may open the shown pages they went on from, and the first one they have not, but
    not skip ahead."""
    ids = page_ids(survey, response)
    done = set(response.page_history or [])
    for shown in ids:
        if shown == page_id:
            return True
        if shown not in done:
            return False
    return False


def previous_page(survey: Survey, response: Response, page_id: str) -> str | None:
    """The shown page before this one, or None on the first page."""
    ids = page_ids(survey, response)
    if page_id not in ids:
        return None
    position = ids.index(page_id)
    return ids[position - 1] if position > 0 else None


def merged_answers(survey: Survey, response: Response, page: Page, page_answers: dict[str, Any]) -> dict:
    """The stored answers with this page's replaced, keeping only those of questions that are shown."""
    keys = {f"{q.id}_other" for q in page.questions} | {q.id for q in page.questions}
    answers = {k: v for k, v in (response.answers or {}).items() if k not in keys}
    answers.update(page_answers)
    return visible_answers(survey, answers, response.hidden or {})


def save_page(
    session: Session,
    survey: Survey,
    response: Response,
    page: Page,
    page_answers: dict[str, Any],
    version_id: int,
    language: str,
    forward: bool = True,
    now: datetime | None = None,
) -> str | None:
    """Store one page's answers; return the page to show next (None: this was the last page)."""
    now = now or utcnow()
    answers = merged_answers(survey, response, page, page_answers)
    ids = page_ids(survey, response, answers)
    history = list(response.page_history or [])
    if forward and page.id not in history:
        history.append(page.id)
    position = ids.index(page.id) if page.id in ids else 0
    if forward:
        target = ids[position + 1] if position + 1 < len(ids) else None
    else:
        target = ids[position - 1] if position > 0 else page.id
    values = {
        "answers": answers,
        "updated_at": now,
        "page_history": history,
        "current_page": target or page.id,
    }
    # The version and the language seldom change between pages: write them only when they do
    # (version_id is in two indexes, which SQLite would otherwise rewrite at every save).
    if response.version_id != version_id:
        values["version_id"] = version_id
    if response.language != language:
        values["language"] = language
    _update_in_progress(session, response, values)
    return target


def complete(session: Session, survey: Survey, response: Response, now: datetime | None = None) -> bool:
    """Mark the response complete with a unique receipt code; False if it already was (double submit).

    The status check is part of the UPDATE itself, so of two simultaneous submits exactly one wins,
    whichever worker or database serves them.
    """
    now = now or utcnow()
    for _attempt in range(5):
        values = {"status": Response.COMPLETE, "submitted_at": now, "updated_at": now}
        values["receipt_code"] = new_receipt_code()
        try:
            with session.begin_nested():
                if not _update_in_progress(session, response, values):
                    return False
                if response.participant_code and not claim_code(session, survey, response, now):
                    raise CodeAlreadyUsed(response.participant_code)
            return True
        except IntegrityError:  # the receipt code was taken by another response: draw again
            session.expire(response)
    raise RuntimeError("could not find a free receipt code")


class CodeAlreadyUsed(Exception):
    """The participant code has answered already (on another device or in another tab)."""


def claim_code(session: Session, survey: Survey, response: Response, now: datetime) -> bool:
    """Mark the participant code as used by this response, if nobody used it before."""
    result = session.execute(
        update(ParticipantCode)
        .where(
            ParticipantCode.survey_id == survey.id,
            ParticipantCode.code == response.participant_code,
            ParticipantCode.used_at.is_(None),
        )
        .values(used_at=now, response_id=response.id)
    )
    return result.rowcount == 1


@lru_cache(maxsize=16)
def _conditional_update(names: tuple[str, ...]) -> Update:
    """UPDATE response SET <names> WHERE id = :row_id AND status = :in_progress, built once per set of
    columns (a page save and a completion each always write the same ones)."""
    table = Response.__table__
    new_values = {name: bindparam(f"new_{name}", type_=table.c[name].type) for name in names}
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.status == bindparam("in_progress"))
        .values(new_values)
    )


def _update_in_progress(session: Session, response: Response, values: dict[str, Any]) -> bool:
    """A conditional UPDATE: a response that is complete already is never changed again.

    When it changed the row, the loaded response takes the new values as they now are in the
    database (no SELECT to read back what was just written); when it did not, the response is read
    again, so the caller sees it as another request left it.
    """
    statement = _conditional_update(tuple(values))
    params = {f"new_{name}": value for name, value in values.items()}
    result = session.execute(
        statement, {"row_id": response.id, "in_progress": Response.IN_PROGRESS, **params}
    )
    if result.rowcount != 1:
        session.refresh(response)
        return False
    for name, value in values.items():
        set_committed_value(response, name, value)
    return True
