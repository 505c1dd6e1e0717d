"""A pilot's waves side by side: for every question id the surveys share, the baseline and each follow-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.exports.pilot import wave_order
from app.models import Response
from app.research.dashboard import Dashboard, dashboard
from app.research.filters import Filters
from app.research.summaries import Summary
from app.surveys.models import OTHER, Survey


@dataclass
class Row:
    """One line of a shared question's table: a share per wave (count, base) or a number per wave."""

    kind: str  # "share" or "number"
    label: Any  # a survey Text, or a plain string (e.g. a score), or None
    code: Any
    cells: list = field(default_factory=list)  # (count, base) for shares, float | None for numbers


@dataclass
class SharedQuestion:
    """A question id several waves ask, with the answers of each wave next to each other."""

    qid: str
    type: str
    survey: Survey  # the wave whose texts label the rows (the first that has the question)
    question: Any
    answered: list[int | None] = field(default_factory=list)  # per wave; None: that wave does not ask it
    rows: list[Row] = field(default_factory=list)


@dataclass
class Comparison:
    """The pilot's waves (in order) and the questions they share."""

    pilot: str
    waves: list[Dashboard]
    shared: list[SharedQuestion]
    skipped: list[str] = field(default_factory=list)  # ids asked with different types in different waves
    demo_included: bool = False  # demo data (from `flask demo seed`) counted in the figures
    demo_responses: int = 0  # complete demo responses of these waves (left out unless included)


def compare_waves(
    session: Session, pilot: str, surveys: list[Survey], tz: ZoneInfo, include_demo: bool = False
) -> Comparison:
    """Summarise every wave (complete responses, no preview ones, no demo data unless asked) and line
    up the shared questions."""
    surveys = sorted(surveys, key=wave_order)
    boards = [dashboard(session, survey, Filters(demo=include_demo), tz) for survey in surveys]
    by_wave = [{s.question.id: s for s in board.questions} for board in boards]
    order: list[str] = []
    for board in boards:
        order += [s.question.id for s in board.questions if s.question.id not in order]
    comparison = Comparison(pilot, boards, [], demo_included=include_demo)
    comparison.demo_responses = _demo_responses(session, [s.id for s in surveys])
    for qid in order:
        present = [summaries.get(qid) for summaries in by_wave]
        asked = [s for s in present if s is not None]
        if len(asked) < 2:
            continue
        if len({s.question.type for s in asked}) > 1:
            comparison.skipped.append(qid)
            continue
        comparison.shared.append(_shared(qid, present, asked[0]))
    return comparison


def _demo_responses(session: Session, survey_ids: list[str]) -> int:
    """How many complete demo responses the waves hold."""
    query = select(func.count()).where(
        Response.survey_id.in_(survey_ids),
        Response.status == Response.COMPLETE,
        Response.is_demo.is_(True),
        Response.is_test.is_(False),
    )
    return session.scalar(query) or 0


def _shared(qid: str, present: list[Summary | None], first: Summary) -> SharedQuestion:
    shared = SharedQuestion(qid, first.question.type, first.survey, first.question)
    shared.answered = [s.n if s is not None else None for s in present]
    kind = first.kind
    if kind in ("choice", "multiple", "rating"):
        shared.rows = _share_rows(present, first)
        if kind in ("choice", "rating"):
            shared.rows.append(Row("number", None, "mean", [s.mean if s else None for s in present]))
    elif kind == "number":
        shared.rows = [
            Row("number", None, "mean", [s.mean if s else None for s in present]),
            Row("number", None, "median", [s.median if s else None for s in present]),
        ]
    elif kind == "matrix":
        shared.rows = _matrix_rows(present, first)
    elif kind == "ranking":
        shared.rows = _ranking_rows(present, first)
    return shared


def _share_rows(present: list[Summary | None], first: Summary) -> list[Row]:
    """One row per value any wave has, labelled from the first wave that defines it."""
    rows: dict[Any, Row] = {}
    for summary in present:
        if summary is None:
            continue
        for bar in summary.bars():
            label = (
                bar.label if bar.label is not None else (str(bar.value) if first.kind == "rating" else None)
            )
            row = rows.setdefault(bar.value, Row("share", label, bar.value))
            if row.label is None and bar.value != OTHER:
                row.label = label
    for row in rows.values():
        row.cells = [_share_of(summary, row.code) for summary in present]
    return list(rows.values())


def _share_of(summary: Summary | None, value: Any) -> tuple[int, int] | None:
    if summary is None:
        return None
    return next(((bar.count, bar.total) for bar in summary.bars() if bar.value == value), (0, summary.n))


def _matrix_rows(present: list[Summary | None], first: Summary) -> list[Row]:
    """The mean of each statement per wave."""
    means: dict[str, Row] = {}
    for summary in present:
        if summary is None:
            continue
        for label, row_id, _bars, _total, _mean in summary.table():
            means.setdefault(row_id, Row("number", label, row_id))
    for row in means.values():
        for summary in present:
            table = {r[1]: r[4] for r in summary.table()} if summary is not None else {}
            row.cells.append(table.get(row.code))
    return list(means.values())


def _ranking_rows(present: list[Summary | None], first: Summary) -> list[Row]:
    """The mean rank of each choice per wave."""
    rows = [Row("number", label, value) for value, label, _mean, _bar in first.rows()]
    for row in rows:
        for summary in present:
            ranks = {r[0]: r[2] for r in summary.rows()} if summary is not None else {}
            row.cells.append(ranks.get(row.code))
    return rows
