"""The `results` block of a survey file: checked like every other key, each mistake with its file, line
and path (docs/survey-format.md, "Results for residents")."""

import textwrap
from datetime import date

import pytest

from app.surveys.loader import content_hash, load_text

SURVEY = """\
id: bins
title: {sv: Kärlen, en: The bins}
languages: [sv, en]
hidden_fields: [station]
pages:
  - id: main
    questions:
      - id: full
        type: single_choice
        label: {sv: "Fullt?", en: "Full?"}
        choices:
          - {value: 1, label: {sv: Ja, en: "Yes"}}
          - {value: 0, label: {sv: Nej, en: "No"}}
      - {id: happy, type: rating, scale: smiley5, label: {sv: "Nöjd?", en: "Happy?"}}
      - {id: comment, type: long_text, label: {sv: Kommentar, en: Comment}}
      - {id: when, type: date, label: {sv: "När?", en: "When?"}}
"""


def load(results: str):
    text = SURVEY + textwrap.dedent(results)
    return load_text(text, "bins.yaml", expected_id="bins")


def problems(results: str) -> list[str]:
    return [str(p) for p in load(results).problems]


def test_a_results_block_loads_with_its_defaults():
    survey = load("results: {public: true, questions: [full, happy], by: station}\n").survey
    assert survey.results.public and survey.results.min_group == 5
    assert survey.results.questions == ("full", "happy") and survey.results.by == "station"
    assert survey.results.from_ is None


def test_from_is_a_day_and_by_label_a_text():
    survey = load(
        "results:\n  public: true\n  from: 2026-03-01\n  by: station\n"
        "  by_label: {sv: Station, en: Station}\n"
    ).survey
    assert survey.results.from_ == date(2026, 3, 1)
    assert survey.text(survey.results.by_label, "en") == "Station"


def test_a_survey_without_results_keeps_its_version():
    without = load("").survey
    assert without.results is None
    assert content_hash(without) == content_hash(load("results: null\n").survey)


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            "results: {public: true, questions: [fulll]}\n",
            "bins.yaml:17: results.questions[0]: unknown question 'fulll'",
        ),
        (
            "results: {public: true, by: stop}\n",
            "bins.yaml:17: results.by: 'stop' is not one of the survey's hidden_fields (known: station)",
        ),
        (
            "results: {public: true, questions: [comment]}\n",
            "bins.yaml:17: results.questions[0]: 'comment' is a free-text question: its answers are never "
            "figures in public results, only quotes a researcher approves (leave it out of questions)",
        ),
        (
            "results: {public: true, questions: [when]}\n",
            "bins.yaml:17: results.questions[0]: a date question is not shown in public results (types: "
            "single_choice, multiple_choice, rating, matrix, integer, decimal)",
        ),
        (
            "results: {public: true, questions: [full, full]}\n",
            "bins.yaml:17: results.questions[1]: question 'full' is listed twice",
        ),
        (
            "results: {public: true, min_group: 2}\n",
            "bins.yaml:17: results.min_group: min_group must be at least 3 (got 2): smaller groups "
            "single out people",
        ),
        (
            "results: {public: true, min_grup: 5}\n",
            "bins.yaml:17: results.min_grup: unknown key 'min_grup' (did you mean 'min_group'?)",
        ),
    ],
)
def test_mistakes_in_the_results_block_are_located(block, expected):
    assert expected in problems(block)


def test_mistakes_are_on_their_own_line():
    found = problems("results:\n  public: true\n  questions:\n    - full\n    - comment\n  by: stop\n")
    assert any(p.startswith("bins.yaml:21: results.questions[1]: 'comment'") for p in found)
    assert any(p.startswith("bins.yaml:22: results.by:") for p in found)


def test_a_by_label_needs_every_language():
    found = problems("results: {public: true, by: station, by_label: {sv: Station}}\n")
    assert "bins.yaml:17: results.by_label: missing translation for en" in found


def test_translators_are_given_the_by_label_and_nothing_else_of_the_block():
    from app.surveys.translations import survey_texts

    survey = load(
        "results: {public: true, questions: [full], by: station, by_label: {sv: Station, en: Stop}}\n"
    )
    keys = [text.key for text in survey_texts(survey.survey) if text.path[0] == "results"]
    assert keys == ["results/by_label"]
