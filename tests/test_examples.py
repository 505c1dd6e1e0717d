"""The example surveys are valid and show what the issue promises."""

from pathlib import Path

import pytest

from app.surveys.loader import load_file

EXAMPLES = sorted((Path(__file__).parent.parent / "surveys").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_is_valid_in_sv_en_ar(path):
    result = load_file(path)
    assert result.problems == []
    assert result.survey.languages[:1] == ["sv"]
    assert {"sv", "en", "ar"} <= set(result.survey.languages)


def test_housing_waves_share_question_ids():
    baseline = load_file(Path("surveys/housing-baseline.yaml")).survey
    follow_up = load_file(Path("surveys/housing-follow-up-1.yaml")).survey
    assert baseline.pilot == follow_up.pilot
    assert (baseline.wave, follow_up.wave) == ("baseline", "follow-up-1")
    shared = {q.id for _, q in baseline.questions()} & {q.id for _, q in follow_up.questions()}
    assert len(shared) >= 10


def test_waste_survey_uses_the_promised_features():
    survey = load_file(Path("surveys/waste-sorting.yaml")).survey
    types = {q.type for _, q in survey.questions()}
    assert {"matrix", "rating", "multiple_choice"} <= types
    assert survey.hidden_fields == ["station"] and survey.consent is not None
    assert any(getattr(q, "exclusive", None) and q.other for _, q in survey.questions())


def test_station_report_asks_for_an_optional_photo():
    survey = load_file(Path("surveys/station-report.yaml")).survey
    types = [q.type for _, q in survey.questions()]
    assert types == ["single_choice", "photo", "long_text"]
    problem, photo, _comment = (q for _, q in survey.questions())
    assert len(survey.choices(problem)) == 5 and problem.other
    assert not photo.required and photo.max_mb == 10
    assert survey.hidden_fields == ["station"]
