""" "You said, we did": short updates for residents, written by those who manage a survey, shown on its
public results (newest first) and in its Atom feed. An update is for one survey, or for every survey of
its pilot, and optionally about one value of the results' `by` field (one station). Withdrawing one
takes it off the page and the feed; nothing is deleted, so the researcher area still lists it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app import audit
from app.models import ResultUpdate, utcnow
from app.surveys.models import Survey

MAX_LENGTH = 1000  # characters per language: an update is short
SHOWN = 50  # the newest updates a page or feed shows


def _of(survey: Survey):
    """The rows of this survey's updates: its own, and its pilot's."""
    mine = ResultUpdate.survey_id == survey.id
    if not survey.pilot:
        return mine
    return or_(mine, and_(ResultUpdate.survey_id.is_(None), ResultUpdate.pilot == survey.pilot))


def listed(session: Session, survey: Survey, *, station: str | None = None, withdrawn: bool = False) -> list:
    """The survey's updates, newest first: for a station's page those about it or about no station, else
    all; withdrawn ones too when asked (the researcher area)."""
    query = select(ResultUpdate).where(_of(survey), ResultUpdate.published_at <= utcnow())
    if not withdrawn:
        query = query.where(ResultUpdate.withdrawn_at.is_(None))
    if station is not None:
        query = query.where(or_(ResultUpdate.station.is_(None), ResultUpdate.station == station))
    query = query.order_by(ResultUpdate.published_at.desc(), ResultUpdate.id.desc()).limit(SHOWN)
    return list(session.scalars(query))


def find(session: Session, survey: Survey, update_id: int) -> ResultUpdate | None:
    """One of the survey's updates (its own or its pilot's), by id."""
    return session.scalars(select(ResultUpdate).where(_of(survey), ResultUpdate.id == update_id)).first()


def write(
    session: Session, survey: Survey, texts: dict[str, str], station: str | None, whole_pilot: bool
) -> ResultUpdate:
    """Publish an update now (flushes, audited); empty texts are left out."""
    update = ResultUpdate(
        survey_id=None if whole_pilot else survey.id,
        pilot=survey.pilot,
        station=station or None,
        texts={lang: text.strip() for lang, text in texts.items() if text and text.strip()},
        created_by=audit.current_actor(),
    )
    session.add(update)
    session.flush()
    where = {"pilot": survey.pilot} if whole_pilot else {}
    audit.record(
        session, "update_published", survey_id=survey.id, update=update.id, station=update.station, **where
    )
    return update


def withdraw(session: Session, survey: Survey, update: ResultUpdate, now: datetime | None = None) -> None:
    """Take an update off the page and the feed (flushes, audited); its text stays for the record."""
    if update.withdrawn_at is None:
        update.withdrawn_at = now or utcnow()
        session.flush()
        audit.record(session, "update_withdrawn", survey_id=survey.id, update=update.id)


def as_data(update: ResultUpdate) -> dict:
    """An update as the JSON shows it."""
    return {
        "id": update.id,
        "published_at": update.published_at.isoformat().replace("+00:00", "Z"),
        "group": update.station,  # a value of the results' `by` field, or None: every group
        "texts": dict(update.texts or {}),
    }


def text_in(update: ResultUpdate, lang: str, survey: Survey) -> tuple[str, str]:
    """The update's text in `lang`, else in the survey's first language, else any: (language, text)."""
    texts = update.texts or {}
    for code in (lang, survey.default_language, *texts):
        if texts.get(code):
            return code, texts[code]
    return lang, ""
