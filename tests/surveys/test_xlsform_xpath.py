"""The XPath subset of XLSForms: parsed by hand, read as Lyssna conditions and limits, and written back."""

import re
from datetime import date

import pytest

from app.surveys.loader import load_text
from app.surveys.xlsform.conditions import Target, condition_to_xpath, relevant_to_condition
from app.surveys.xlsform.constraints import constraint_keys, whole_answer
from app.surveys.xlsform.xpath import And, Call, Compare, Dot, Literal, Not, Or, Ref, XPathError, parse

TARGETS = {
    "size": Target("question", "size", "integer"),
    "kind": Target("question", "kind", "single_choice", {"flat": "flat", "house": "house", "1": 1, "2": 2}),
    "fractions": Target("question", "fractions", "multiple_choice", {"food": "food", "none": "none"}),
    "moved": Target("question", "moved", "date"),
    "name": Target("question", "name", "text"),
    "station": Target("hidden", "station"),
    "info": Target("note", "info"),
    "views": Target("question", "views", "matrix", {}, ("views_a", "views_b")),
    "views_a": Target("row", "views", rows=("views_a",)),
    "views_b": Target("row", "views", rows=("views_b",)),
}


def test_parser_reads_the_subset_into_a_tree():
    assert parse("${a} = 'x' and (${b} > 3 or not(selected(${c}, \"v\")))") == And(
        (
            Compare("=", Ref("a"), Literal("x")),
            Or((Compare(">", Ref("b"), Literal(3)), Not(Call("selected", (Ref("c"), Literal("v")))))),
        )
    )
    assert parse(". >= -1.5") == Compare(">=", Dot(), Literal(-1.5))
    assert parse("${ a }  <=  2") == Compare("<=", Ref("a"), Literal(2))
    assert parse("${a} = ‘yes’") == Compare("=", Ref("a"), Literal("yes"))  # Excel's curly quotes


@pytest.mark.parametrize(
    "text",
    [
        "${a} + 1 > 2",
        "${a} * 2",
        "/data/a = 1",
        "${a} = 1 = 2",
        "(${a} = 1",
        "",
        "${a} = 'x' ${b}",
        "${a}[1]",
    ],
)
def test_parser_refuses_what_is_outside_the_subset(text):
    with pytest.raises(XPathError):
        parse(text)


@pytest.mark.parametrize(
    ("relevant", "show_if"),
    [
        ("${kind} = 'flat'", {"question": "kind", "equals": "flat"}),
        ("${kind} = '1'", {"question": "kind", "equals": 1}),
        ("'flat' = ${kind}", {"question": "kind", "equals": "flat"}),
        ("${kind} != 'flat'", {"not": {"question": "kind", "equals": "flat"}}),
        ("${kind} != '' and ${kind} != 'flat'", {"question": "kind", "not_equals": "flat"}),
        ("${kind} = 'flat' or ${kind} = 'house'", {"question": "kind", "in": ["flat", "house"]}),
        (
            "${kind} != '' and not(${kind} = 'flat' or ${kind} = 'house')",
            {"question": "kind", "not_in": ["flat", "house"]},
        ),
        ("${size} > 2", {"question": "size", "gt": 2}),
        ("${size} >= '2'", {"question": "size", "gte": 2}),
        ("3 > ${size}", {"question": "size", "lt": 3}),
        ("${size} <= 2.5", {"question": "size", "lte": 2.5}),
        ("selected(${fractions}, 'food')", {"question": "fractions", "contains": "food"}),
        ("selected(${kind}, 'flat')", {"question": "kind", "equals": "flat"}),
        ("${fractions} != ''", {"question": "fractions", "answered": True}),
        ("count-selected(${fractions}) > 0", {"question": "fractions", "answered": True}),
        ("count-selected(${fractions}) = 0", {"question": "fractions", "answered": False}),
        ("string-length(${name}) > 0", {"question": "name", "answered": True}),
        ("${name} = ''", {"question": "name", "answered": False}),
        ("${name} = 12", {"question": "name", "equals": "12"}),
        ("${moved} < date('2020-01-01')", {"question": "moved", "lt": date(2020, 1, 1)}),
        ("${moved} >= '2020-01-01'", {"question": "moved", "gte": date(2020, 1, 1)}),
        ("${station} = '12' or ${station} = 13", {"hidden": "station", "in": ["12", "13"]}),
        ("${views_a} != '' or ${views_b} != ''", {"question": "views", "answered": True}),
        ("${views_a} = '' and ${views_b} = ''", {"question": "views", "answered": False}),
        (
            "${size} <= 2 or (${fractions} != '' and not(selected(${fractions}, 'food')))",
            {
                "any": [
                    {"question": "size", "lte": 2},
                    {
                        "all": [
                            {"question": "fractions", "answered": True},
                            {"not": {"question": "fractions", "contains": "food"}},
                        ]
                    },
                ]
            },
        ),
        (
            "${size} > 1 and (${size} < 5 and ${kind} = 'flat')",
            {
                "all": [
                    {"question": "size", "gt": 1},
                    {"question": "size", "lt": 5},
                    {"question": "kind", "equals": "flat"},
                ]
            },
        ),
    ],
)
def test_relevant_becomes_the_show_if_a_person_would_write(relevant, show_if):
    assert relevant_to_condition(relevant, TARGETS) == show_if


@pytest.mark.parametrize(
    ("relevant", "why"),
    [
        ("${unknown} = 'x'", "is not a question Lyssna has"),
        ("${info} = 'x'", "is a note"),
        ("${fractions} = 'food'", "use selected("),
        ("${size} > ${kind}", "not with another answer"),
        ("${moved} < today()", "not with today()"),
        ("${size}", "alone is not a condition"),
        ("${views_a} = 'x'", "one row of the matrix"),
        ("${views_a} != ''", "test all its rows alike"),
        ("string-length(${name}) > 3", "can only tell whether"),
        ("${moved} < '2020'", "not a date"),
        ("selected(${size}, '1')", "tests a select_one or select_multiple"),
        ("position() = 1", "compares ${question} with a value"),
    ],
)
def test_relevant_lyssna_cannot_say_is_refused_with_a_reason(relevant, why):
    with pytest.raises(XPathError, match=re.escape(why)):
        relevant_to_condition(relevant, TARGETS)


@pytest.mark.parametrize(
    ("constraint", "kind", "keys"),
    [
        (". >= 0 and . <= 10", "integer", {"min": 0, "max": 10}),
        (". > 0 and . < 10", "integer", {"min": 1, "max": 9}),
        ("0 <= .", "decimal", {"min": 0}),
        (". <= 2.5", "decimal", {"max": 2.5}),
        (". >= date('1940-01-01') and . <= today()", "date", {"min": date(1940, 1, 1), "max": "today"}),
        ("regex(., '^[0-9]{3} ?[0-9]{2}$')", "text", {"pattern": "^[0-9]{3} ?[0-9]{2}$"}),
        ("regex(., '[0-9]')", "text", {"pattern": ".*(?:[0-9]).*"}),
        ("string-length(.) <= 6", "text", {"max_length": 6}),
        (
            "count-selected(.) >= 1 and count-selected(.) <= 3",
            "multiple_choice",
            {"min_selected": 1, "max_selected": 3},
        ),
        ("not(selected(., 'none') and count-selected(.) > 1)", "multiple_choice", {"exclusive": ["none"]}),
    ],
)
def test_constraint_becomes_lyssnas_limits(constraint, kind, keys):
    assert constraint_keys(constraint, kind, {"none": "none"}) == keys


@pytest.mark.parametrize(
    ("constraint", "kind"),
    [
        (". > 0", "decimal"),
        (". != 3", "integer"),
        (". <= ${other}", "integer"),
        ("string-length(.) >= 3", "text"),
        ("regex(., 'x')", "integer"),
        (". > today()", "date"),
        ("count-selected(.) != 2", "multiple_choice"),
    ],
)
def test_constraint_lyssna_does_not_check_is_refused(constraint, kind):
    with pytest.raises(XPathError):
        constraint_keys(constraint, kind, {})


def test_whole_answer_anchors_a_partial_regex():
    assert whole_answer("^a$") == "^a$"
    assert whole_answer("a") == ".*(?:a).*"


SURVEY = """\
id: conds
title: Conditions
hidden_fields: [station]
pages:
  - id: p
    questions:
      - {id: size, type: integer, label: Size}
      - id: kind
        type: single_choice
        label: Kind
        choices: [{value: flat, label: Flat}, {value: 2, label: Two}]
      - id: fractions
        type: multiple_choice
        label: Fractions
        choices: [{value: food, label: Food}, {value: none, label: None}]
      - {id: moved, type: date, label: Moved}
      - id: views
        type: matrix
        label: Views
        choices: [{value: 1, label: One}]
        rows: [{id: a, label: A}, {id: b, label: B}]
      - id: last
        type: text
        label: Last
        show_if: {question: size, gt: 1}
"""
CONDITIONS = [
    {"question": "kind", "equals": "flat"},
    {"question": "kind", "not_equals": 2},
    {"question": "kind", "in": ["flat", 2]},
    {"question": "kind", "not_in": ["flat", 2]},
    {"question": "size", "gte": 3},
    {"question": "moved", "lt": date(2020, 1, 1)},
    {"question": "fractions", "contains": "none"},
    {"question": "fractions", "answered": True},
    {"question": "views", "answered": True},
    {"question": "views", "answered": False},
    {"hidden": "station", "in": ["12", "13"]},
    {"not": {"question": "kind", "equals": "flat"}},
    {
        "any": [
            {"question": "size", "lte": 2},
            {
                "all": [
                    {"question": "fractions", "answered": True},
                    {"not": {"question": "fractions", "contains": "food"}},
                ]
            },
        ]
    },
    {
        "all": [
            {"any": [{"question": "size", "lt": 1}, {"question": "size", "gt": 9}]},
            {"question": "kind", "equals": 2},
        ]
    },
]


@pytest.mark.parametrize("show_if", CONDITIONS)
def test_show_if_written_as_relevant_reads_back_the_same(show_if):
    survey = load_text(SURVEY, "conds.yaml").survey
    from app.surveys.models import Page

    page = Page.model_validate(
        {"id": "x", "show_if": show_if, "questions": [{"id": "z", "type": "text", "label": "Z"}]}
    )
    targets = {
        **TARGETS,
        "kind": Target("question", "kind", "single_choice", {"flat": "flat", "2": 2}),
        "views": Target("question", "views", "matrix", {}, ("views_a", "views_b")),
    }
    relevant = condition_to_xpath(page.show_if, survey)
    parse(relevant)
    assert (
        relevant_to_condition(relevant, targets)
        == page.model_dump(by_alias=True, exclude_none=True)["show_if"]
    )
