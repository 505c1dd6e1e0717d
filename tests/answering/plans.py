"""Planned answers for walking the example surveys, and the form fields that carry them (the contract)."""

from __future__ import annotations

from typing import Any

from app.surveys.models import OTHER, Survey

HIDDEN = {"waste-sorting": {"station": "12"}, "feedback": {"station": "7"}}

# Answers that show every conditional page and question of the examples.
OVERRIDES: dict[tuple[str, str], Any] = {
    ("waste-sorting", "fractions"): ["none"],
    ("waste-sorting", "why_not"): ["no_space", OTHER],
    ("waste-sorting", "why_not_other"): "Kärlen är för höga",
    ("waste-sorting", "satisfaction"): 2,
    ("waste-sorting", "had_problems"): "yes",
    ("waste-sorting", "age_group"): "no_answer",
    ("housing-follow-up-1", "noticed_difference"): "better",
}


def planned(survey: Survey) -> dict[str, Any]:
    """An answer for every question of the survey, as the stored contract types it."""
    answers: dict[str, Any] = {}
    for _page, q in survey.questions():
        values = [c.value for c in survey.choices(q)]
        answer = {
            "text": "123 45" if getattr(q, "pattern", None) else "Det fungerar – ganska bra",
            "long_text": "Första raden\nAndra raden – med ”citat” och عربي",
            "integer": 3,
            "decimal": 21.5,
            "date": "2019-05-01",
            "single_choice": values[min(1, len(values) - 1)] if values else None,
            "multiple_choice": [v for v in values if v not in getattr(q, "exclusive", [])][:2],
            "matrix": {row.id: values[i % len(values)] for i, row in enumerate(getattr(q, "rows", []))},
            "rating": {"stars5": 4, "smiley5": 4, "nps": 8}.get(getattr(q, "scale", "")),
            "ranking": list(reversed(values)),
        }.get(q.type)
        answer = OVERRIDES.get((survey.id, q.id), answer)
        if answer is not None:
            answers[q.id] = answer
        other = OVERRIDES.get((survey.id, f"{q.id}_other"))
        if other:
            answers[f"{q.id}_other"] = other
    return answers


def fields_for(survey: Survey, question: Any, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The (name, value) pairs a browser sends for one question's answer."""
    value = answers.get(question.id)
    if value is None:
        return []
    qid = question.id
    if question.type == "matrix":
        result = [(f"{qid}_{row}", str(v)) for row, v in value.items()]
    elif question.type == "ranking":
        result = [(f"{qid}_{v}", str(rank)) for rank, v in enumerate(value, start=1)]
    elif isinstance(value, list):
        result = [(qid, str(v)) for v in value]
    elif isinstance(value, float) and value.is_integer():
        result = [(qid, str(int(value)))]
    else:
        result = [(qid, str(value))]
    if f"{qid}_other" in answers:
        result.append((f"{qid}_other", answers[f"{qid}_other"]))
    return result
