"""Demo data follows the definition: conditions, ranges, languages, hidden fields, times, demo marks."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app import demo
from app.extensions import db
from app.models import Response
from app.surveys.catalog import current_registry
from app.surveys.conditions import visible_answers


def seed(survey_id: str, count: int, seed_value: int = 1, force: bool = False) -> list[Response]:
    registry = current_registry()
    demo.seed(
        db.session,
        registry.get(survey_id),
        registry.version_id(db.session, survey_id),
        count,
        seed_value,
        force,
    )
    db.session.commit()
    return list(
        db.session.scalars(select(Response).where(Response.survey_id == survey_id).order_by(Response.id))
    )


@pytest.mark.parametrize(
    "survey_id", ["waste-sorting", "housing-baseline", "housing-follow-up-1", "feedback"]
)
def test_seeded_answers_respect_conditions_and_definitions(app, survey_id):
    with app.app_context():
        survey = current_registry().get(survey_id)
        responses = seed(survey_id, 400)
        assert len(responses) == 400 and all(r.is_demo and not r.is_test for r in responses)
        for response in responses:
            # Nothing stored that the conditions would not show.
            assert visible_answers(survey, response.answers, response.hidden) == response.answers
            for key, value in response.answers.items():
                question = survey.question(key)
                if question is None:  # an "<id>_other" text
                    assert survey.question(key.removesuffix("_other")).other
                    continue
                _check_value(survey, question, value)
            if response.status == Response.COMPLETE:
                for _, question in survey.questions():
                    if question.required and survey.question(question.id) and question.id in response.answers:
                        assert response.answers[question.id] not in (None, "", [], {})


def _check_value(survey, question, value) -> None:
    values = [c.value for c in survey.choices(question)]
    kind = question.type
    if kind == "single_choice":
        assert value in values or (question.other and value == "other")
    elif kind == "multiple_choice":
        assert value and set(value) <= {*values, "other"}
        assert sorted(value, key=[*values, "other"].index) == value
        if set(value) & set(question.exclusive):
            assert len(value) == 1
        assert question.min_selected is None or len(value) >= question.min_selected
        assert question.max_selected is None or len(value) <= question.max_selected
    elif kind == "matrix":
        assert set(value) == {row.id for row in question.rows} and set(value.values()) <= set(values)
    elif kind == "ranking":
        assert sorted(value, key=str) == sorted(values, key=str)
    elif kind == "rating":
        low, high = question.bounds
        assert low <= value <= high
    elif kind in ("integer", "decimal"):
        assert question.min is None or value >= question.min
        assert question.max is None or value <= question.max
    elif kind == "date":
        assert date.fromisoformat(value) <= date.today()
    elif kind in ("text", "long_text"):
        assert 0 < len(value) <= question.max_length


def test_seeded_responses_look_like_a_real_pilot(app):
    with app.app_context():
        responses = seed("waste-sorting", 1000)
    languages = Counter(r.language for r in responses)
    assert set(languages) == {"sv", "en", "ar"} and languages["sv"] > languages["ar"]
    stations = {r.hidden.get("station") for r in responses} - {None}
    assert stations <= {str(n) for n in range(1, 41)} and len(stations) > 30
    partial = [r for r in responses if r.status == Response.IN_PROGRESS]
    assert 30 < len(partial) < 150
    assert all(r.submitted_at is None and r.current_page for r in partial)
    now = datetime.now(UTC)
    for r in responses:
        assert now - timedelta(weeks=7) < r.started_at < now
        if r.submitted_at:
            assert r.started_at < r.submitted_at <= now
    # The conditional page only for those who sort nothing.
    not_sorting = [r for r in responses if "why_not" in r.answers]
    assert not_sorting and all(r.answers["fractions"] == ["none"] for r in not_sorting)
    # Realistic, not uniform: one answer is clearly the most common.
    visits = Counter(r.answers.get("visits") for r in responses if "visits" in r.answers)
    assert max(visits.values()) > 1.5 * min(visits.values())


def test_the_same_seed_gives_the_same_answers(app):
    with app.app_context():
        first = [(r.language, r.answers) for r in seed("feedback", 30, seed_value=5)]
        demo.clear(db.session, "feedback")
        second = [(r.language, r.answers) for r in seed("feedback", 30, seed_value=5)]
    assert first == second


def test_seeding_a_survey_with_real_responses_needs_force(app, make_response):
    with app.app_context():
        make_response("feedback", message="Hej")
        db.session.commit()
        with pytest.raises(demo.DemoError, match="has 1 real response"):
            seed("feedback", 5)
        assert len(seed("feedback", 5, force=True)) == 6
        assert demo.clear(db.session, "feedback") == 5
        db.session.commit()
        assert [r.is_demo for r in db.session.scalars(select(Response))] == [False]


def test_other_text_only_where_other_is_chosen_even_when_max_selected_cuts_the_choices(
    make_app, write_survey, surveys_dir
):
    write_survey(
        """
        id: capped
        title: Capped
        languages: [sv]
        pages:
          - id: p
            questions:
              - id: pick
                type: multiple_choice
                other: true
                max_selected: 1
                required: true
                label: Välj
                choices:
                  - {value: a, label: A}
                  - {value: b, label: B}
                  - {value: c, label: C}
        """
    )
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    with app.app_context():
        responses = seed("capped", 600)
        assert any("other" in r.answers.get("pick", []) for r in responses)
        for response in responses:
            chosen = response.answers.get("pick", [])
            assert ("pick_other" in response.answers) == ("other" in chosen), response.answers
