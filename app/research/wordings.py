"""Earlier wordings of a survey's questions: residents who answered an older version were asked them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.exports.table import lived_through, version_spans
from app.models import SurveyVersion
from app.surveys.catalog import current_registry
from app.surveys.loader import content_hash
from app.surveys.models import Survey


def earlier_wordings(
    session: Session, survey: Survey, lang: str
) -> dict[str, list[tuple[str, tuple[int, ...]]]]:
    """Per question id, each wording in `lang` that differs from the current one, with the numbers of
    the versions responses were answered on that asked it so: {'comment': [('Anything else?', (1, 2))]}."""
    stored = session.execute(
        select(SurveyVersion.id, SurveyVersion.content_hash)
        .where(SurveyVersion.survey_id == survey.id)
        .order_by(SurveyVersion.id)
    ).all()
    answered = lived_through([row.id for row in stored], version_spans(session, survey.id))
    current = content_hash(survey)
    older = [
        (n, row.id)
        for n, row in enumerate(stored, start=1)
        if row.id in answered and row.content_hash != current
    ]
    if not older:
        return {}
    now = {q.id: survey.text(q.label, lang) for _, q in survey.questions()}
    found: dict[str, dict[str, list[int]]] = {}
    for number, version_id in older:
        definition = current_registry().stored(session, version_id)
        for _, question in definition.questions():
            text = definition.text(question.label, lang)
            if question.id in now and text != now[question.id]:
                found.setdefault(question.id, {}).setdefault(text, []).append(number)
    return {qid: [(text, tuple(numbers)) for text, numbers in texts.items()] for qid, texts in found.items()}
