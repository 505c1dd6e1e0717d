"""Each question type's field and validators, without HTTP: what is accepted, typed and refused."""

from datetime import date, timedelta

import pytest

from app.answering.forms import build_form_class, formdata_from
from app.surveys.loader import load_text

SURVEY = """\
id: types
title: Types
pages:
  - id: p
    questions:
      - {id: t, type: text, max_length: 6, pattern: "^[0-9]{3} ?[0-9]{2}$", label: T}
      - {id: lt, type: long_text, max_length: 10, label: LT}
      - {id: i, type: integer, min: -2, max: 20, label: I}
      - {id: d, type: decimal, min: 10, max: 35, step: 0.5, label: D}
      - {id: day, type: date, min: 2020-01-01, max: today, label: Day}
      - id: s
        type: single_choice
        other: true
        label: S
        choices: [{value: 1, label: One}, {value: two, label: Two}]
      - id: m
        type: multiple_choice
        min_selected: 2
        max_selected: 3
        exclusive: [none]
        label: M
        choices: [{value: a, label: A}, {value: b, label: B}, {value: c, label: C}, {value: d, label: D},
                  {value: none, label: Nothing}]
      - id: g
        type: matrix
        required: true
        label: G
        rows: [{id: x, label: X}, {id: y, label: Y}]
        choices: [{value: 1, label: Low}, {value: 2, label: High}]
      - {id: n, type: rating, scale: nps, label: N}
      - {id: st, type: rating, scale: stars5, label: St}
      - id: r
        type: ranking
        label: R
        choices: [{value: a, label: A}, {value: b, label: B}, {value: c, label: C}]
      - {id: req, type: text, required: true, label: Req, show_if: {question: s, equals: two}}
"""


@pytest.fixture
def survey():
    result = load_text(SURVEY, "types.yaml")
    assert not result.problems, result.problems
    return result.survey


@pytest.fixture
def check(app, survey):
    """Post `data` to the page's form; return (valid, answers, {field id: messages})."""

    def run(data: dict, shown: set[str] | None = None):
        page = survey.page("p")
        shown = shown if shown is not None else {q.id for q in page.questions} - {"req"}
        with app.test_request_context("/", method="POST", data=data, headers={"Accept-Language": "en"}):
            form = build_form_class(survey, page, "en")(meta={"csrf": False})
            valid = form.validate_shown(shown)
            errors: dict[str, list[str]] = {}
            for target, message, _label in form.errors_in_order(shown):
                errors.setdefault(target, []).append(message)
            return valid, form.answers(shown), errors

    return run


def test_an_empty_optional_page_is_valid_and_stores_nothing(check):
    assert check({}) == (
        False,
        {},
        {"g_x-1": ["Choose an answer."], "g_y-1": ["Choose an answer."]},
    )


GRID = {"g_x": "1", "g_y": "2"}


@pytest.mark.parametrize(
    ("data", "answer"),
    [
        ({"t": "123 45"}, {"t": "123 45"}),
        ({"t": "  12345 "}, {"t": "12345"}),
        ({"lt": "a\r\nb"}, {"lt": "a\nb"}),
        ({"i": " 1 0 "}, {"i": 10}),
        ({"i": "-2"}, {"i": -2}),
        ({"i": "−1"}, {"i": -1}),
        ({"d": "21,5"}, {"d": 21.5}),
        ({"d": "35"}, {"d": 35.0}),
        ({"day": "2020-01-01"}, {"day": "2020-01-01"}),
        ({"day": "31/12/2021"}, {"day": "2021-12-31"}),  # typed where the browser has no date box
        ({"s": "1"}, {"s": 1}),
        ({"s": "two"}, {"s": "two"}),
        ({"s": "other", "s_other": "Mine"}, {"s": "other", "s_other": "Mine"}),
        ({"s": "1", "s_other": "ignored"}, {"s": 1}),
        ({"m": ["c", "a"]}, {"m": ["a", "c"]}),
        ({"n": "0"}, {"n": 0}),
        ({"n": "10"}, {"n": 10}),
        ({"st": "5"}, {"st": 5}),
        ({"r_a": "3", "r_b": "1", "r_c": "2"}, {"r": ["b", "c", "a"]}),
    ],
)
def test_valid_answers_are_typed_as_the_contract_says(check, data, answer):
    valid, answers, errors = check({**GRID, **data})
    assert (valid, errors) == (True, {})
    assert answers == {"g": {"x": 1, "y": 2}, **answer}


@pytest.mark.parametrize(
    ("data", "target", "message"),
    [
        ({"t": "1234"}, "t", "Check the format of your answer."),
        ({"t": "123 456"}, "t", "Write at most 6 characters (you wrote 7)."),
        ({"lt": "x" * 11}, "lt", "Write at most 10 characters (you wrote 11)."),
        ({"i": "2.5"}, "i", "Enter a whole number, like 3."),
        ({"i": "ten"}, "i", "Enter a whole number, like 3."),
        ({"i": "21"}, "i", "Enter a number from -2 to 20."),
        ({"i": "-3"}, "i", "Enter a number from -2 to 20."),
        ({"d": "9.5"}, "d", "Enter a number from 10 to 35."),
        ({"d": "21.25"}, "d", "Enter a number in steps of 0.5."),
        ({"d": "1e3"}, "d", "Enter a number, like 21.5."),
        ({"day": "31/13/2021"}, "day", "Enter a real date, for example 31/3/2024 (day/month/year)."),
        ({"day": "2019-12-31"}, "day", "Enter a date on or after 1 January 2020."),
        ({"day": (date.today() + timedelta(days=2)).isoformat()}, "day", "Enter a date on or before"),
        ({"s": "3"}, "s-1", "Choose one of the answers shown."),
        ({"s": "other"}, "s_other", "Write what “Other” means for you."),
        ({"m": ["a"]}, "m-1", "Choose at least 2 answers."),
        ({"m": ["a", "b", "c", "d"]}, "m-1", "Choose at most 3 answers."),
        ({"m": ["a", "none"]}, "m-1", "“Nothing” cannot be combined with other answers."),
        ({"m": ["a", "zzz"]}, "m-1", "Choose one of the answers shown."),
        ({"n": "11"}, "n-1", "Choose one of the answers shown."),
        ({"st": "0"}, "st-1", "Choose one of the answers shown."),
        ({"g_x": "3"}, "g_x-1", "Choose one of the answers shown."),
        ({"r_a": "1", "r_b": "1", "r_c": "2"}, "r_a", "Give every item a different number from 1 to 3."),
        ({"r_a": "1"}, "r_a", "Give every item a different number from 1 to 3."),
        ({"r_a": "4", "r_b": "1", "r_c": "2"}, "r_a", "Choose one of the answers shown."),
    ],
)
def test_each_rule_refuses_with_its_own_message(check, data, target, message):
    valid, _answers, errors = check({**GRID, **data})
    assert not valid
    assert any(m.startswith(message) for m in errors.get(target, [])), errors


def test_the_error_summary_names_the_question_then_the_row_then_the_message(app, survey):
    data = {"g_x": "1", "i": "99", "r_a": "1", "r_b": "x", "r_c": "2"}
    with app.test_request_context("/", method="POST", data=data, headers={"Accept-Language": "en"}):
        form = build_form_class(survey, survey.page("p"), "en")(meta={"csrf": False})
        shown = {q.id for q in survey.page("p").questions} - {"req"}
        form.validate_shown(shown)
        found = form.errors_in_order(shown)
    assert [(target, labels) for target, _message, labels in found] == [
        ("i", ("I",)),
        ("g_y-1", ("G", "Y")),
        ("r_b", ("R", "B")),
        ("r_a", ("R",)),
    ]
    assert found[1][1] == "Choose an answer."


def test_a_required_question_counts_only_when_shown(check):
    assert check({**GRID}, shown={"g", "req"})[2] == {"req": ["Enter an answer."]}
    assert check({**GRID}, shown={"g"})[0] is True


def test_answers_of_questions_not_shown_are_left_out(check):
    valid, answers, _errors = check({**GRID, "t": "garbage", "i": "5"}, shown={"g", "i"})
    assert valid and answers == {"g": {"x": 1, "y": 2}, "i": 5}


def test_stored_answers_fill_the_form_again(app, survey):
    stored = {
        "s": "other",
        "s_other": "Mine",
        "m": ["a", "b"],
        "g": {"x": 1},
        "r": ["c", "a", "b"],
        "d": 21.5,
    }
    data = formdata_from(survey, survey.page("p"), stored)
    assert data.getlist("m") == ["a", "b"]
    assert data["g_x"] == "1" and data["s_other"] == "Mine"
    assert (data["r_c"], data["r_a"], data["r_b"]) == ("1", "2", "3")
    with app.test_request_context("/"):
        form = build_form_class(survey, survey.page("p"), "en")(formdata=data, meta={"csrf": False})
        assert form.answers() == stored


# Words a WTForms form, or the page form, uses for itself: a question, matrix row or ranking item
# named like one of them must still be a field like any other.
CLASHING = """\
id: clash
title: Clash
pages:
  - id: p
    questions:
      - {id: data, type: text, required: true, label: Data}
      - {id: errors, type: integer, max: 9, label: Errors}
      - id: meta
        type: single_choice
        other: true
        label: Meta
        choices: [{value: 1, label: One}, {value: 2, label: Two}]
      - {id: validate, type: multiple_choice, label: Validate, choices: [{value: a, label: A}]}
      - {id: process, type: date, label: Process}
      - {id: form_errors, type: decimal, label: Form errors}
      - {id: is_submitted, type: rating, scale: nps, label: Is submitted}
      - {id: populate_obj, type: long_text, label: Populate}
      - {id: answers, type: text, label: Answers}
      - {id: page, type: text, label: Page}
      - {id: names, type: text, label: Names}
      - id: survey
        type: matrix
        required: true
        label: Survey
        rows:
          - {id: data, label: Row data}
          - {id: validate, label: Row validate}
          - {id: errors, label: Row errors}
        choices: [{value: 1, label: Low}, {value: 2, label: High}]
      - id: lang
        type: ranking
        label: Lang
        choices: [{value: errors, label: E}, {value: data, label: D}, {value: process, label: P}]
"""

CLASHING_DATA = {
    "data": "x",
    "errors": "3",
    "meta": "other",
    "meta_other": "Mine",
    "validate": "a",
    "process": "2024-03-31",
    "form_errors": "1,5",
    "is_submitted": "10",
    "populate_obj": "long",
    "answers": "a",
    "page": "p",
    "names": "n",
    "survey_data": "1",
    "survey_validate": "2",
    "survey_errors": "1",
    "lang_errors": "2",
    "lang_data": "1",
    "lang_process": "3",
}


def test_question_ids_that_a_form_uses_for_itself_work_like_any_other(app):
    result = load_text(CLASHING, "clash.yaml")
    assert not result.problems, result.problems
    survey, page = result.survey, result.survey.page("p")
    shown = {q.id for q in page.questions}
    with app.test_request_context("/", method="POST", data=CLASHING_DATA, headers={"Accept-Language": "en"}):
        form = build_form_class(survey, page, "en")(meta={"csrf": False})
        assert form.validate_shown(shown), form.errors_in_order(shown)
        assert form.answers(shown) == {
            "data": "x",
            "errors": 3,
            "meta": "other",
            "meta_other": "Mine",
            "validate": ["a"],
            "process": "2024-03-31",
            "form_errors": 1.5,
            "is_submitted": 10,
            "populate_obj": "long",
            "answers": "a",
            "page": "p",
            "names": "n",
            "survey": {"data": 1, "validate": 2, "errors": 1},
            "lang": ["data", "errors", "process"],
        }
    mistakes = {**CLASHING_DATA, "data": "", "errors": "12", "survey_validate": ""}
    with app.test_request_context("/", method="POST", data=mistakes, headers={"Accept-Language": "en"}):
        form = build_form_class(survey, page, "en")(meta={"csrf": False})
        assert not form.validate_shown(shown)
        assert [target for target, _message, _label in form.errors_in_order(shown)] == [
            "data",
            "errors",
            "survey_validate-1",
        ]


def test_a_page_with_clashing_question_ids_is_answered_end_to_end(
    make_app, write_survey, surveys_dir, browse
):
    write_survey(CLASHING)
    client = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).test_client()
    first = browse.get(client, "/s/clash?lang=en")
    page = browse.get(client, browse.post(client, first, {}).location)
    assert page.status == 200, page.html
    assert {"data", "errors", "survey_data", "survey_validate", "lang_errors", "meta_other"} <= page.names
    assert browse.post(client, page, {**CLASHING_DATA, "data": ""}).error_summary() == ["data"]
    done = browse.post(client, page, {**CLASHING_DATA, "nav": "next"})
    assert done.status == 302 and done.location.endswith("/s/clash/thanks")
