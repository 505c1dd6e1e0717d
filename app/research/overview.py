"""The survey list's figures: responses per survey, today and in the last week, in one SQL query."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import Response
from app.surveys.models import Survey


@dataclass
class SurveyFigures:
    """How many residents answered one survey (preview responses left out)."""

    survey: Survey
    state: str
    complete: int = 0
    in_progress: int = 0
    today: int = 0
    last_7_days: int = 0
    demo: int = 0
    last_response: datetime | None = None


def day_start(now: datetime, tz: ZoneInfo, days_back: int = 0) -> datetime:
    """Local midnight `days_back` days before `now`, as an aware datetime."""
    local_day = now.astimezone(tz).date() - timedelta(days=days_back)
    return datetime.combine(local_day, time(), tzinfo=tz)


def survey_figures(
    session: Session, surveys: list[Survey], now: datetime, tz: ZoneInfo
) -> list[SurveyFigures]:
    """The figures of each survey, in the order given; 'today' and '7 days' count responses started then."""
    figures = {s.id: SurveyFigures(s, s.state(now, tz)) for s in surveys}
    if not figures:
        return []
    today, week = day_start(now, tz), day_start(now, tz, days_back=6)

    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = (
        select(
            Response.survey_id,
            count_if(Response.status == Response.COMPLETE),
            count_if(Response.status == Response.IN_PROGRESS),
            count_if(Response.started_at >= today),
            count_if(Response.started_at >= week),
            count_if(Response.is_demo.is_(True)),
            func.max(Response.updated_at),
        )
        .where(Response.survey_id.in_(figures), Response.is_test.is_(False))
        .group_by(Response.survey_id)
    )
    for survey_id, complete, in_progress, n_today, n_week, demo, last in session.execute(query):
        row = figures[survey_id]
        row.complete, row.in_progress, row.today, row.last_7_days, row.demo = (
            complete,
            in_progress,
            n_today,
            n_week,
            demo,
        )
        row.last_response = last
    return list(figures.values())
