"""The condition evaluator: every operator and combinator, missing answers, and what is shown."""

import textwrap
from datetime import date

import pytest
from pydantic import TypeAdapter

from app.surveys.conditions import evaluate, shown_pages, visible_answers
from app.surveys.loader import load_text
from app.surveys.models import Condition

parse = TypeAdapter(Condition).validate_python


@pytest.mark.parametrize(
    ("condition", "answers", "expected"),
    [
        ({"question": "q", "equals": 1}, {"q": 1}, True),
        ({"question": "q", "equals": 1}, {"q": 2}, False),
        ({"question": "q", "equals": "owner"}, {"q": "owner"}, True),
        ({"question": "q", "not_equals": 1}, {"q": 2}, True),
        ({"question": "q", "not_equals": 1}, {"q": 1}, False),
        ({"question": "q", "in": [1, 2]}, {"q": 2}, True),
        ({"question": "q", "in": [1, 2]}, {"q": 3}, False),
        ({"question": "q", "not_in": [1, 2]}, {"q": 3}, True),
        ({"question": "q", "not_in": [1, 2]}, {"q": 1}, False),
        ({"question": "q", "gt": 3}, {"q": 4}, True),
        ({"question": "q", "gt": 3}, {"q": 3}, False),
        ({"question": "q", "gte": 3}, {"q": 3}, True),
        ({"question": "q", "gte": 3}, {"q": 2}, False),
        ({"question": "q", "lt": 3}, {"q": 2.5}, True),
        ({"question": "q", "lt": 3}, {"q": 3}, False),
        ({"question": "q", "lte": 2}, {"q": 2}, True),
        ({"question": "q", "lte": 2}, {"q": 3}, False),
        ({"question": "q", "contains": "glass"}, {"q": ["food", "glass"]}, True),
        ({"question": "q", "contains": "glass"}, {"q": ["food"]}, False),
        ({"question": "q", "answered": True}, {"q": "text"}, True),
        ({"question": "q", "answered": True}, {"q": ""}, False),
        ({"question": "q", "answered": True}, {"q": []}, False),
        ({"question": "q", "answered": False}, {}, True),
        ({"question": "q", "answered": False}, {"q": 0}, False),
        ({"question": "q", "gte": date(2024, 1, 1)}, {"q": "2024-05-01"}, True),
        ({"question": "q", "lt": date(2024, 1, 1)}, {"q": "2024-05-01"}, False),
        ({"question": "q", "in": [date(2024, 1, 1)]}, {"q": "2024-01-01"}, True),
    ],
)
def test_operator(condition, answers, expected):
    assert evaluate(parse(condition), answers, {}) is expected


@pytest.mark.parametrize(
    "condition",
    [
        {"question": "q", "equals": 1},
        {"question": "q", "not_equals": 1},
        {"question": "q", "in": [1]},
        {"question": "q", "not_in": [1]},
        {"question": "q", "gt": 1},
        {"question": "q", "lte": 1},
        {"question": "q", "contains": "x"},
    ],
)
def test_unanswered_question_satisfies_no_comparison(condition):
    assert evaluate(parse(condition), {}, {}) is False
    assert evaluate(parse(condition), {"q": None}, {}) is False


def test_zero_is_an_answer():
    assert evaluate(parse({"question": "q", "equals": 0}), {"q": 0}, {}) is True


def test_answer_of_another_type_is_false_not_an_error():
    # An answer stored under an older version of the survey may have another type.
    assert evaluate(parse({"question": "q", "gt": 3}), {"q": "many"}, {}) is False
    assert evaluate(parse({"question": "q", "equals": 3}), {"q": ["a"]}, {}) is False


def test_hidden_field():
    cond = parse({"hidden": "station", "in": ["12", "13"]})
    assert evaluate(cond, {}, {"station": "12"}) is True
    assert evaluate(cond, {}, {"station": "14"}) is False
    assert evaluate(cond, {}, {}) is False
    assert evaluate(parse({"hidden": "station", "answered": False}), {}, {}) is True


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"satisfaction": 1}, True),
        ({"satisfaction": 4, "age_group": 1, "tenure": "renter"}, True),
        ({"satisfaction": 4, "age_group": 1, "tenure": "owner"}, False),
        ({"satisfaction": 4, "age_group": 3, "tenure": "renter"}, False),
        ({}, False),
    ],
)
def test_combinators(answers, expected):
    cond = parse(
        {
            "any": [
                {"question": "satisfaction", "lte": 2},
                {
                    "all": [
                        {"question": "age_group", "in": [1, 2]},
                        {"not": {"question": "tenure", "equals": "owner"}},
                    ]
                },
            ]
        }
    )
    assert evaluate(cond, answers, {}) is expected


def test_no_condition_always_holds():
    assert evaluate(None, {}, {}) is True


SURVEY = textwrap.dedent("""\
    id: demo
    title: Demo
    pages:
      - id: one
        questions:
          - id: sorts
            type: single_choice
            label: Sorterar du?
            other: true
            choices: [{value: 1, label: Ja}, {value: 0, label: Nej}]
          - id: why_not
            type: text
            label: Varför inte?
            show_if: {question: sorts, equals: 0}
      - id: two
        show_if: {question: why_not, answered: true}
        questions:
          - id: help
            type: long_text
            label: Vad skulle hjälpa?
      - id: three
        questions:
          - id: age
            type: integer
            label: Ålder
    """)


@pytest.fixture
def survey():
    return load_text(SURVEY, "demo.yaml").survey


def test_answers_of_hidden_questions_are_dropped_in_chain(survey):
    # why_not is hidden because sorts == 1, so page two (which depends on why_not) is hidden too.
    answers = {"sorts": 1, "why_not": "stale", "help": "stale too", "age": 40}
    assert visible_answers(survey, answers, {}) == {"sorts": 1, "age": 40}
    assert [p.id for p in shown_pages(survey, answers, {})] == ["one", "three"]


def test_answers_of_shown_questions_are_kept(survey):
    answers = {"sorts": 0, "why_not": "no room", "help": "a bigger bin", "age": 40}
    assert visible_answers(survey, answers, {}) == answers
    assert [p.id for p in shown_pages(survey, answers, {})] == ["one", "two", "three"]


def test_other_text_is_kept_only_when_other_is_chosen(survey):
    assert visible_answers(survey, {"sorts": 1, "sorts_other": "x"}, {}) == {"sorts": 1}
    kept = visible_answers(survey, {"sorts": "other", "sorts_other": "sometimes"}, {})
    assert kept == {"sorts": "other", "sorts_other": "sometimes"}


def test_every_question_type_that_offers_other_is_known_to_the_conditions():
    from typing import get_args

    from app.surveys import models
    from app.surveys.conditions import OTHER_TYPES

    offering = {
        get_args(cls.model_fields["type"].annotation)[0]
        for cls in vars(models).values()
        if isinstance(cls, type) and issubclass(cls, models.QuestionBase) and "other" in cls.model_fields
    }
    assert offering == OTHER_TYPES
