"""Evaluate `show_if` conditions over answers, and decide which pages and questions are shown."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from app.surveys.models import OTHER, AllOf, AnyOf, Comparison, NotOf, Page, Survey


def is_answered(value: Any) -> bool:
    """An answer counts when it is not missing or empty."""
    return value not in (None, "", [], {})


def _comparable(answer: Any, target: Any) -> Any:
    # Stored answers are JSON: dates come back as ISO strings (a quoted date in a condition
    # stays a string too, and ISO dates order correctly as strings).
    if isinstance(target, date) and isinstance(answer, str):
        try:
            return date.fromisoformat(answer)
        except ValueError:
            return None
    return answer


def _compare(cond: Comparison, answer: Any) -> bool:
    op, target = cond.operator, cond.value
    if op == "answered":
        return is_answered(answer) == target
    if not is_answered(answer):
        # An unanswered (or skipped) question satisfies no comparison, not even not_equals.
        return False
    if op == "contains":
        return isinstance(answer, list) and target in answer
    if op in ("in", "not_in"):
        sample = target[0] if target else None
        inside = _comparable(answer, sample) in target
        return inside if op == "in" else not inside
    answer = _comparable(answer, target)
    if answer is None or isinstance(answer, (list, dict)):
        return False
    try:
        if op == "equals":
            return answer == target
        if op == "not_equals":
            return answer != target
        if op == "gt":
            return answer > target
        if op == "gte":
            return answer >= target
        if op == "lt":
            return answer < target
        if op == "lte":
            return answer <= target
    except TypeError:  # a stored answer of another type (e.g. from an older version)
        return False
    raise ValueError(f"unknown operator {op!r}")


def evaluate(cond: Any, answers: Mapping[str, Any], hidden: Mapping[str, str]) -> bool:
    """True when the condition holds for these answers and hidden-field values; None holds always."""
    if cond is None:
        return True
    if isinstance(cond, AllOf):
        return all(evaluate(c, answers, hidden) for c in cond.all_)
    if isinstance(cond, AnyOf):
        return any(evaluate(c, answers, hidden) for c in cond.any_)
    if isinstance(cond, NotOf):
        return not evaluate(cond.not_, answers, hidden)
    if cond.hidden is not None:
        return _compare(cond, hidden.get(cond.hidden))
    return _compare(cond, answers.get(cond.question))


# The question types that may offer "Other, please specify" (`other: true`). Asking the others for
# `other` would go through pydantic's slow path for a missing attribute (a raised AttributeError),
# and this is asked for every question whenever the shown questions are worked out.
OTHER_TYPES = frozenset({"single_choice", "multiple_choice"})


def answer_keys(question: Any) -> list[str]:
    """The keys under which a question's answer is stored."""
    if question.type == "note":
        return []
    if question.type in OTHER_TYPES and question.other:
        return [question.id, f"{question.id}_other"]
    return [question.id]


def _keep(question: Any, answers: Mapping[str, Any]) -> dict[str, Any]:
    keys = answer_keys(question)
    kept = {k: answers[k] for k in keys if is_answered(answers.get(k))}
    other_key = keys[-1] if len(keys) == 2 else None
    if other_key in kept:
        chosen = kept.get(question.id)
        picked_other = chosen == OTHER or (isinstance(chosen, list) and OTHER in chosen)
        if not picked_other:
            del kept[other_key]
    return kept


def visible_answers(survey: Survey, answers: Mapping[str, Any], hidden: Mapping[str, str]) -> dict:
    """Only the answers of questions that are shown, given the answers that are themselves kept.

    Conditions refer only to earlier questions, so one pass in definition order settles it.
    """
    kept: dict[str, Any] = {}
    for page in survey.pages:
        if not evaluate(page.show_if, kept, hidden):
            continue
        for question in page.questions:
            if evaluate(question.show_if, kept, hidden):
                kept.update(_keep(question, answers))
    return kept


def shown_pages(survey: Survey, answers: Mapping[str, Any], hidden: Mapping[str, str]) -> list[Page]:
    """The pages that will be shown given the answers so far (for progress and navigation)."""
    kept = visible_answers(survey, answers, hidden)
    return [page for page in survey.pages if evaluate(page.show_if, kept, hidden)]


def shown_questions(page: Page, answers: Mapping[str, Any], hidden: Mapping[str, str]) -> list:
    """The questions of a page that are shown given the answers so far."""
    return [q for q in page.questions if evaluate(q.show_if, answers, hidden)]
