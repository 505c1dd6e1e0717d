"""Fixtures for the live screen: the researcher area's accounts and signing in, and workshop answers."""

from datetime import UTC, datetime, timedelta

import pytest

from app.models import Response
from tests.research.conftest import (  # noqa: F401  (fixtures used by the tests here)
    client,
    csrf,
    csrf_from,
    login_as,
    make_researcher,
    sign_in,
)

SURVEY = "workshop-ideas"


@pytest.fixture
def idea(db, make_response):
    """Store a complete answer to the workshop survey (committed): idea('Fler maskiner', category=...)."""

    def make(text: str | None = None, *, minutes_ago: float = 1, survey: str = SURVEY, **answers) -> Response:
        when = datetime.now(UTC) - timedelta(minutes=minutes_ago)
        if text is not None:
            answers.setdefault("idea" if survey == SURVEY else "message", text)
        if survey == SURVEY:
            answers.setdefault("category", "machines")
        response = make_response(survey, **answers)
        response.started_at = response.updated_at = response.submitted_at = when
        db.commit()
        return response

    return make


def decide(
    signed_in, public_id: str, question: str, decision: str, survey: str = SURVEY, show: str = "pending"
):
    """Press Approve or Hide on the moderation page (POST with the page's form token)."""
    page = signed_in.get(f"/admin/surveys/{survey}/live/moderate?show=all").get_data(as_text=True)
    data = {"response": public_id, "question": question, "decision": decision, "show": show}
    return signed_in.post(
        f"/admin/surveys/{survey}/live/moderate", data={**data, "csrf_token": csrf_from(page)}
    )
