"""The loader: valid definitions load; every kind of mistake is reported with its line and path."""

import textwrap

import pytest

from app.surveys.loader import content_hash, load_text
from app.surveys.models import Survey

VALID = """\
id: demo
title:
  sv: Demo
  en: Demo
languages: [sv, en]
hidden_fields: [station]
choice_lists:
  agree:
    - {value: 1, label: {sv: Nej, en: No}}
    - {value: 2, label: {sv: Ja, en: Yes}}
pages:
  - id: first
    questions:
      - id: fractions
        type: multiple_choice
        label: {sv: Vad sorterar du, en: What do you sort}
        choices:
          - {value: food, label: {sv: Matavfall, en: Food waste}}
          - {value: none, label: {sv: Inget, en: Nothing}}
        exclusive: [none]
        other: true
      - id: size
        type: integer
        label: {sv: Hur många, en: How many}
        min: 1
        max: 20
  - id: second
    show_if: {question: fractions, contains: food}
    questions:
      - id: happy
        type: single_choice
        label: {sv: Nöjd, en: Happy}
        choices: agree
      - id: why
        type: text
        label: {sv: Varför, en: Why}
        show_if:
          any:
            - {question: happy, equals: 1}
            - {hidden: station, in: ["12"]}
"""


def load(text: str):
    return load_text(textwrap.dedent(text), "demo.yaml", expected_id="demo")


def problems(text: str) -> list[str]:
    return [str(p) for p in load(text).problems]


def test_valid_definition_loads_into_typed_models():
    result = load(VALID)
    assert result.problems == []
    survey = result.survey
    assert isinstance(survey, Survey)
    assert [p.id for p in survey.pages] == ["first", "second"]
    assert [c.value for c in survey.choices(survey.question("happy"))] == [1, 2]
    assert survey.columns(survey.question("fractions")) == [
        "fractions_food",
        "fractions_none",
        "fractions_other_chosen",
        "fractions_other",
    ]
    assert survey.text(survey.title, "en") == "Demo"


def test_defaults_apply():
    survey = load("""\
        id: demo
        title: Hej
        pages:
          - id: p
            questions:
              - {id: q, type: text, label: Namn}
        """).survey
    assert survey.languages == ["sv"]
    assert survey.status == "open"
    assert survey.access == "open"
    assert survey.question("q").max_length == 200


def test_layout_and_comments_do_not_change_the_hash():
    first = load(VALID).survey
    second = load("# a comment\n" + VALID.replace("min: 1", "min:   1   # at least one")).survey
    assert content_hash(first) == content_hash(second)
    changed = load(VALID.replace("max: 20", "max: 30")).survey
    assert content_hash(changed) != content_hash(first)


def test_yes_and_no_stay_words():
    # YAML 1.1 would read `yes` as true; the format follows YAML 1.2 so a slug value `yes` works.
    survey = load(
        VALID.replace("value: food", "value: yes").replace("contains: food", "contains: yes")
    ).survey
    assert survey.choices(survey.question("fractions"))[0].value == "yes"


# Each case: (what to replace in VALID, with what, expected line, expected path, part of the message)
MISTAKES = [
    (
        "unknown key",
        "        min: 1\n",
        "        min: 1\n        requird: true\n",
        26,
        "pages[0].questions[1].requird",
        "unknown key 'requird' (did you mean 'required'?)",
    ),
    ("bad survey id", "id: demo", "id: Demo Survey", 1, "id", "'Demo Survey' is not valid here"),
    ("bad question id", "id: size", "id: 2size", 22, "pages[0].questions[1].id", "is not valid here"),
    (
        "id with hidden_ prefix",
        "id: size",
        "id: hidden_size",
        22,
        "pages[0].questions[1].id",
        "may not start with 'hidden_'",
    ),
    (
        "reserved id",
        "id: size",
        "id: language",
        22,
        "pages[0].questions[1].id",
        "reserved for an export column",
    ),
    (
        "id the form uses",
        "id: size",
        "id: nav",
        22,
        "pages[0].questions[1].id",
        "a name the survey pages' form uses",
    ),
    (
        "duplicate question id",
        "id: why",
        "id: size",
        34,
        "pages[1].questions[1].id",
        "question id 'size' is used twice (also pages[0].questions[1])",
    ),
    ("duplicate page id", "id: second", "id: first", 27, "pages[1].id", "page id 'first' is used twice"),
    (
        "unknown question type",
        "type: integer",
        "type: number",
        22,
        "pages[0].questions[1]",
        "unknown question type 'number'",
    ),
    ("missing type", "        type: integer\n", "", 22, "pages[0].questions[1]", "question has no 'type'"),
    (
        "missing label",
        "        label: {sv: Hur många, en: How many}\n",
        "",
        22,
        "pages[0].questions[1].label",
        "required key is missing",
    ),
    ("missing pages", "pages:\n", "pagez:\n", 11, "pagez", "unknown key 'pagez' (did you mean 'pages'?)"),
    (
        "empty page",
        "questions:\n      - id: happy",
        "questions: []\n    other_questions:\n      - id: happy",
        29,
        "pages[1].questions",
        "needs at least 1 item(s)",
    ),
    (
        "unknown choice list",
        "choices: agree",
        "choices: agree7",
        33,
        "pages[1].questions[0].choices",
        "unknown choice list 'agree7' (known: agree)",
    ),
    (
        "duplicate choice value",
        "{value: 2, label",
        "{value: 1, label",
        10,
        "choice_lists.agree[1].value",
        "choice value 1 is used twice",
    ),
    (
        "exclusive not a choice",
        "exclusive: [none]",
        "exclusive: [nothing]",
        20,
        "pages[0].questions[0].exclusive[0]",
        "exclusive value 'nothing' is not one of the choices",
    ),
    (
        "min greater than max",
        "min: 1",
        "min: 25",
        25,
        "pages[0].questions[1].min",
        "min (25) is greater than max (20)",
    ),
    (
        "missing translation",
        "label: {sv: Nöjd, en: Happy}",
        "label: {sv: Nöjd}",
        32,
        "pages[1].questions[0].label",
        "missing translation for en",
    ),
    (
        "undeclared language",
        "label: {sv: Nöjd, en: Happy}",
        "label: {sv: Nöjd, en: Happy, ar: سعيد؟}",
        32,
        "pages[1].questions[0].label",
        "language ar is not in the survey's languages",
    ),
    (
        "condition on unknown question",
        "{question: happy, equals: 1}",
        "{question: hapy, equals: 1}",
        39,
        "pages[1].questions[1].show_if.any[0].question",
        "unknown question 'hapy'",
    ),
    (
        "condition on a later question",
        "show_if: {question: fractions, contains: food}",
        "show_if: {question: happy, equals: 1}",
        28,
        "pages[1].show_if.question",
        "is not asked before this point",
    ),
    (
        "condition value not a choice",
        "{question: happy, equals: 1}",
        "{question: happy, equals: 3}",
        39,
        "pages[1].questions[1].show_if.any[0].equals",
        "3 is not a choice value of 'happy' (values: [1, 2])",
    ),
    (
        "condition operator wrong for type",
        "contains: food}",
        "equals: food}",
        28,
        "pages[1].show_if.equals",
        "'equals' cannot test a multiple_choice question",
    ),
    (
        "condition with unknown operator",
        "{question: happy, equals: 1}",
        "{question: happy, eq: 1}",
        39,
        "pages[1].questions[1].show_if.any[0].eq",
        "unknown key 'eq'",
    ),
    (
        "condition with two operators",
        "{question: happy, equals: 1}",
        "{question: happy, equals: 1, in: [1]}",
        39,
        "pages[1].questions[1].show_if.any[0]",
        "exactly one operator",
    ),
    (
        "condition on undeclared hidden field",
        "{hidden: station, in",
        "{hidden: stop, in",
        40,
        "pages[1].questions[1].show_if.any[1].hidden",
        "'stop' is not one of the survey's hidden_fields",
    ),
    (
        "hidden values not quoted",
        'in: ["12"]',
        "in: [12]",
        40,
        "pages[1].questions[1].show_if.any[1].in",
        "hidden field values are text",
    ),
    (
        "number compared with text",
        "{question: fractions, contains: food}",
        "{question: size, gte: lots}",
        28,
        "pages[1].show_if.gte",
        "'lots' cannot be compared with 'size': expected a number",
    ),
    (
        "bad regular expression",
        "        label: {sv: Varför, en: Why}\n",
        "        label: {sv: Varför, en: Why}\n        pattern: '[0-9'\n",
        37,
        "pages[1].questions[1].pattern",
        "not a valid regular expression",
    ),
    (
        "bad status",
        "languages: [sv, en]",
        "languages: [sv, en]\nstatus: published",
        6,
        "status",
        "'published' is not allowed here; expected 'draft', 'open' or 'closed'",
    ),
    (
        "column clash",
        "id: size",
        "id: fractions_food",
        22,
        "pages[0].questions[1].id",
        "export column 'fractions_food' of 'fractions_food' clashes with question 'fractions'",
    ),
    (
        "id does not match file name",
        "id: demo",
        "id: other-demo",
        1,
        "id",
        "id 'other-demo' does not match the file name 'demo.yaml'",
    ),
    (
        "duplicate yaml key",
        "        min: 1\n",
        "        min: 1\n        min: 2\n",
        26,
        "pages[0].questions[1].min",
        "duplicate key 'min' (first at line 25)",
    ),
    (
        "yaml syntax error",
        "  en: Demo\n",
        "  en: Demo: oops\n",
        4,
        "syntax",
        "mapping values are not allowed",
    ),
    ("wrong value type", "min: 1", "min: many", 25, "pages[0].questions[1].min", "valid integer"),
    (
        "true as a choice value",
        "{value: 2, label",
        "{value: true, label",
        10,
        "choice_lists.agree[1].value",
        "True is not a valid choice value",
    ),
    (
        "closes before it opens",
        "languages: [sv, en]",
        "languages: [sv, en]\nopens_at: 2026-05-01\ncloses_at: 2026-04-01",
        7,
        "closes_at",
        "not after opens_at",
    ),
    (
        "min_selected above max_selected",
        "exclusive: [none]",
        "exclusive: [none]\n        min_selected: 2\n        max_selected: 1",
        21,
        "pages[0].questions[0].min_selected",
        "greater than max_selected",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "line", "path", "message"),
    [case[1:] for case in MISTAKES],
    ids=[case[0] for case in MISTAKES],
)
def test_mistake_is_reported_with_line_and_path(old, new, line, path, message):
    assert old in VALID, "the test case must change the valid definition"
    found = problems(VALID.replace(old, new, 1))
    matching = [p for p in found if f"demo.yaml:{line}: {path}: " in p and message in p]
    assert matching, f"expected line {line}, {path}: {message}\ngot:\n" + "\n".join(found)


def test_every_problem_is_reported_not_just_the_first():
    text = (
        VALID.replace("id: size", "id: Size").replace("min: 1", "min: x").replace("type: text", "type: txt")
    )
    assert len(problems(text)) == 3


def test_not_a_mapping_is_a_clear_problem():
    assert problems("- just\n- a list\n") == [
        "demo.yaml:1: (survey): a survey file must be a mapping of keys (id, title, pages, ...)"
    ]


def test_empty_file_is_a_clear_problem():
    assert "mapping of keys" in problems("")[0]


def test_conditions_can_test_the_other_choice_and_quoted_dates():
    text = VALID.replace("{question: fractions, contains: food}", "{question: fractions, contains: other}")
    assert problems(text) == []
    dated = VALID.replace("        min: 1\n        max: 20\n", "").replace("type: integer", "type: date")
    condition = "{question: fractions, contains: food}"
    assert problems(dated.replace(condition, '{question: size, lt: "2020-01-01"}')) == []
    found = problems(dated.replace(condition, '{question: size, lt: "soon"}'))
    assert any("'soon' cannot be compared with 'size': expected a date" in p for p in found)


def test_a_known_key_in_the_wrong_place_is_not_a_typo():
    text = (
        VALID.replace("        type: integer\n", "        type: note\n        text: Hej\n")
        .replace("        min: 1\n        max: 20\n", "        required: true\n")
        .replace("        label: {sv: Hur många, en: How many}\n", "")
    )
    found = problems(text)
    assert "demo.yaml:25: pages[0].questions[1].required: key 'required' is not allowed here" in found


def test_bad_choice_value_is_one_plain_message():
    found = problems(VALID.replace("{value: food,", "{value: Food Waste,"))
    assert len(found) == 1
    assert found[0].startswith(
        "demo.yaml:18: pages[0].questions[0].choices[0].value: 'Food Waste' is not a valid choice value: "
        "use a whole number, or lowercase letters"
    )


def test_duplicate_choice_is_reported_once():
    found = problems(
        VALID.replace("{value: none, label", "{value: food, label").replace(
            "exclusive: [none]", "exclusive: [food]"
        )
    )
    assert found == [
        "demo.yaml:19: pages[0].questions[0].choices[1].value: choice value 'food' is used twice"
    ]
