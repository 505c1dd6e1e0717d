"""The example surveys the browser tests walk, read once from the surveys folder at collection."""

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.config import PROJECT_ROOT
from app.surveys.models import AllOf, AnyOf, NotOf, Survey
from app.surveys.registry import load_registry

EXAMPLES = load_registry(Path(PROJECT_ROOT) / "surveys").surveys
LANGUAGES = ["sv", "ar"]  # the default language, and a right-to-left one


def example(survey_id: str) -> Survey:
    """An example survey; skips the test when it is not open today (the examples have dates)."""
    survey = EXAMPLES[survey_id]
    state = survey.state(datetime.now(UTC), ZoneInfo("Europe/Stockholm"))
    if state != "open":
        pytest.skip(f"{survey_id} is {state} today: update the example's dates")
    return survey


def _subjects(cond) -> set[str]:
    if cond is None:
        return set()
    if isinstance(cond, AllOf):
        return set().union(*(_subjects(c) for c in cond.all_))
    if isinstance(cond, AnyOf):
        return set().union(*(_subjects(c) for c in cond.any_))
    if isinstance(cond, NotOf):
        return _subjects(cond.not_)
    return {cond.question} if cond.question else set()


def same_page_conditions() -> list[tuple[str, str, str]]:
    """(survey, question that decides, question revealed) for every condition on a question of
    the same page, as the examples define them."""
    found = []
    for survey_id, survey in sorted(EXAMPLES.items()):
        for page in survey.pages:
            on_page = {q.id for q in page.questions}
            for question in page.questions:
                for subject in sorted(_subjects(question.show_if) & on_page):
                    found.append((survey_id, subject, question.id))
    return found
