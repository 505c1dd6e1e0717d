"""Comparing two definitions: what a new version adds, removes, moves, retypes and rewords, in words."""

import textwrap

import pytest

from app.surveys.loader import load_file, load_text, survey_files
from app.surveys.models import Survey
from app.surveys.versions import Change, compare
from tests.conftest import EXAMPLE_SURVEYS

BASE = """\
id: bins
title: {sv: Soptunnor, en: Bins}
languages: [sv, en]
choice_lists:
  yesno:
    - {value: 1, label: {sv: Ja, en: "Yes"}}
    - {value: 0, label: {sv: Nej, en: "No"}}
pages:
  - id: start
    title: {sv: Start, en: Start}
    questions:
      - id: welcome
        type: note
        text: {sv: Välkommen, en: Welcome}
      - id: satisfaction
        type: single_choice
        label: {sv: "Hur nöjd är du?", en: "How satisfied are you?"}
        choices:
          - {value: 1, label: {sv: Missnöjd, en: Unhappy}}
          - {value: 2, label: {sv: Nöjd, en: Happy}}
      - id: full
        type: single_choice
        label: {sv: "Var den full?", en: "Was it full?"}
        choices: yesno
  - id: more
    questions:
      - id: count
        type: integer
        label: {sv: Hur många, en: How many}
      - id: views
        type: matrix
        label: {sv: Stationen, en: The station}
        rows:
          - {id: clean, label: {sv: Ren, en: Clean}}
          - {id: signs, label: {sv: Skyltar, en: Signs}}
        choices: yesno
"""


UNHAPPY = "          - {value: 1, label: {sv: Missnöjd, en: Unhappy}}\n"
HAPPY = "          - {value: 2, label: {sv: Nöjd, en: Happy}}\n"


def survey(text: str) -> Survey:
    result = load_text(textwrap.dedent(text), "bins.yaml")
    assert result.problems == [], result.problems
    return result.survey


def lines(old: str, new: str) -> list[str]:
    return [change.text for change in compare(survey(old), survey(new))]


def test_the_same_definition_has_no_changes():
    assert compare(survey(BASE), survey(BASE)) == []


def test_label_reworded_in_one_language_gives_old_new_and_language():
    new = BASE.replace('sv: "Hur nöjd är du?"', 'sv: "Hur nöjd är du med sorteringen?"')
    changes = compare(survey(BASE), survey(new))
    assert changes == [
        Change(
            "reworded",
            "question 'satisfaction'",
            language="sv",
            old="Hur nöjd är du?",
            new="Hur nöjd är du med sorteringen?",
            question="satisfaction",
        )
    ]
    assert changes[0].text == (
        'question \'satisfaction\' reworded (sv): "Hur nöjd är du?" -> "Hur nöjd är du med sorteringen?"'
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "title: {sv: Soptunnor,",
            "title: {sv: Sopkärl,",
            'survey title reworded (sv): "Soptunnor" -> "Sopkärl"',
        ),
        (
            "title: {sv: Start, en: Start}",
            "title: {sv: Start, en: Begin}",
            'title of page \'start\' reworded (en): "Start" -> "Begin"',
        ),
        ("text: {sv: Välkommen,", "text: {sv: Hej,", 'note \'welcome\' reworded (sv): "Välkommen" -> "Hej"'),
        (
            "en: Happy}",
            "en: Satisfied}",
            'choice 2 of \'satisfaction\' reworded (en): "Happy" -> "Satisfied"',
        ),
        (
            "sv: Skyltar,",
            "sv: Skyltarna,",
            "row 'signs' of 'views' reworded (sv): \"Skyltar\" -> \"Skyltarna\"",
        ),
    ],
)
def test_every_kind_of_text_is_compared(old, new, expected):
    assert lines(BASE, BASE.replace(old, new)) == [expected]


def test_a_consent_step_added_is_a_wording_added_per_language():
    new = BASE.replace(
        "languages: [sv, en]\n", "languages: [sv, en]\nconsent: {text: {sv: Frivilligt, en: Voluntary}}\n"
    )
    assert lines(BASE, new) == [
        'survey consent text wording added (sv): "Frivilligt"',
        'survey consent text wording added (en): "Voluntary"',
    ]


def test_a_reworded_choice_list_is_reported_for_each_question_that_uses_it():
    new = BASE.replace(
        '{value: 1, label: {sv: Ja, en: "Yes"}}', '{value: 1, label: {sv: Ja, en: "Yes, it was"}}'
    )
    assert lines(BASE, new) == [
        'choice 1 of \'full\' reworded (en): "Yes" -> "Yes, it was"',
        'choice 1 of \'views\' reworded (en): "Yes" -> "Yes, it was"',
    ]


def test_a_hint_added_is_a_wording_added_per_language():
    new = BASE.replace(
        "        label: {sv: Hur många, en: How many}\n",
        "        label: {sv: Hur många, en: How many}\n        hint: {sv: Ungefär, en: Roughly}\n",
    )
    assert lines(BASE, new) == [
        "hint of question 'count' wording added (sv): \"Ungefär\"",
        "hint of question 'count' wording added (en): \"Roughly\"",
    ]


def test_a_language_added_to_the_survey_is_listed_then_each_new_wording():
    old = (
        "id: bins\ntitle: Bins\npages:\n  - id: p\n    questions:\n      - {id: q, type: text, label: Name}\n"
    )
    new = old.replace("title: Bins", "title: Bins\nlanguages: [sv, en]")
    assert lines(old, new) == [
        "survey languages changed: sv -> sv, en",
        'survey title wording added (en): "Bins"',
        "question 'q' wording added (en): \"Name\"",
    ]


def test_a_single_text_split_into_languages_reports_only_the_language_that_changed():
    old = (
        "id: bins\ntitle: Bins\nlanguages: [sv, en]\n"
        "pages:\n  - id: p\n    questions:\n      - {id: q, type: text, label: Namn}\n"
    )
    new = old.replace("label: Namn", "label: {sv: Namn, en: Name}")
    assert lines(old, new) == ['question \'q\' reworded (en): "Namn" -> "Name"']


def test_added_and_removed_questions_in_definition_order():
    new = BASE.replace(
        "      - id: count\n        type: integer\n        label: {sv: Hur många, en: How many}\n",
        "      - id: age\n        type: integer\n        label: {sv: Ålder, en: Age}\n",
    )
    changes = compare(survey(BASE), survey(new))
    assert [c.text for c in changes] == [
        "question 'count' was removed from page 'more'",
        "question 'age' was added on page 'more'",
    ]
    assert [c.kind for c in changes] == ["question_removed", "question_added"]
    assert changes[0].drops_data and not changes[1].drops_data


def test_added_and_removed_choices_by_value():
    very_happy = "          - {value: 3, label: {sv: Mycket nöjd, en: Very happy}}\n"
    new = BASE.replace(UNHAPPY, "").replace(HAPPY, HAPPY + very_happy)
    changes = compare(survey(BASE), survey(new))
    assert [c.text for c in changes] == [
        "choice 1 of 'satisfaction' was removed",
        "choice 3 of 'satisfaction' was added",
    ]
    assert [(c.question, c.item) for c in changes] == [("satisfaction", 1), ("satisfaction", 3)]


def test_added_and_removed_matrix_rows():
    clean = "          - {id: clean, label: {sv: Ren, en: Clean}}\n"
    signs = "          - {id: signs, label: {sv: Skyltar, en: Signs}}\n"
    light = "          - {id: light, label: {sv: Ljus, en: Light}}\n"
    new = BASE.replace(clean, "").replace(signs, signs + light)
    assert lines(BASE, new) == ["row 'clean' of 'views' was removed", "row 'light' of 'views' was added"]


def test_a_retyped_question_says_from_and_to():
    changes = compare(survey(BASE), survey(BASE.replace("type: integer", "type: text")))
    assert [c.text for c in changes] == ["question 'count' changed type from integer to text"]
    assert changes[0].drops_data


def test_a_question_moved_to_another_page():
    moved = "      - id: count\n        type: integer\n        label: {sv: Hur många, en: How many}\n"
    new = BASE.replace(moved, "").replace(
        "        choices: yesno\n  - id: more", "        choices: yesno\n" + moved + "  - id: more", 1
    )
    assert lines(BASE, new) == ["question 'count' moved from page 'more' to page 'start'"]


def test_reordered_questions_choices_and_pages_are_said():
    assert lines(BASE, BASE.replace(UNHAPPY + HAPPY, HAPPY + UNHAPPY)) == [
        "choices of 'satisfaction' reordered"
    ]
    start, more = (
        BASE[BASE.index("  - id: start") : BASE.index("  - id: more")],
        BASE[BASE.index("  - id: more") :],
    )
    assert lines(BASE, BASE.replace(start + more, more + start)) == ["pages reordered"]
    count, views = (
        more[more.index("      - id: count") : more.index("      - id: views")],
        more[more.index("      - id: views") :],
    )
    assert lines(BASE, BASE.replace(count + views, views + count)) == ["questions on page 'more' reordered"]


def test_other_settings_are_summarised_never_silent():
    new = BASE.replace(
        "        label: {sv: Hur många, en: How many}\n",
        "        label: {sv: Hur många, en: How many}\n        required: true\n        min: 0\n"
        "        show_if: {question: full, equals: 1}\n",
    )
    assert lines(BASE, new) == ["question 'count': settings changed (required, show_if, min)"]
    assert lines(BASE, BASE.replace("languages: [sv, en]", "languages: [sv, en]\nstatus: closed")) == [
        "survey: settings changed (status)"
    ]


def test_a_removed_page_lists_its_questions():
    new = BASE[: BASE.index("  - id: more")]
    assert lines(BASE, new) == [
        "page 'more' was removed",
        "question 'count' was removed from page 'more'",
        "question 'views' was removed from page 'more'",
    ]


def test_the_example_surveys_compare_equal_to_themselves():
    for path in survey_files([EXAMPLE_SURVEYS]):
        example = load_file(path).survey
        assert compare(example, example) == []
