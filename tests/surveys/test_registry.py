"""Versioning: a changed file adds a version, an unchanged one does not; sync says what changed and
warns about lost data."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Response, SurveyVersion
from app.surveys.catalog import current_registry, sync
from app.surveys.registry import load_registry

SURVEY = """\
id: bins
title: Bins
pages:
  - id: p
    questions:
      - id: colour
        type: single_choice
        label: Colour
        choices: [{value: green, label: Green}, {value: brown, label: Brown}]
      - id: count
        type: integer
        label: How many
"""


def versions(survey_id: str) -> int:
    return db.session.scalar(select(func.count()).select_from(SurveyVersion).filter_by(survey_id=survey_id))


def test_sync_records_a_version_once(make_app, write_survey, surveys_dir):
    write_survey(SURVEY)
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    with app.app_context():
        first = sync(db.session, load_registry(surveys_dir))
        again = sync(db.session, load_registry(surveys_dir))
        db.session.commit()
        assert [r.new_version for r in first] == [True]
        assert [r.new_version for r in again] == [False]
        assert versions("bins") == 1


def test_changed_file_adds_a_version_and_old_responses_keep_theirs(make_app, write_survey, surveys_dir):
    write_survey(SURVEY)
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    with app.app_context():
        registry = current_registry()
        old_version = registry.version_id(db.session, "bins")
        db.session.add(
            Response(
                survey_id="bins",
                version_id=old_version,
                language="sv",
                answers={"colour": "brown", "count": 2},
            )
        )
        db.session.commit()

        write_survey(
            SURVEY.replace("{value: brown, label: Brown}", "{value: blue, label: Blue}").replace(
                "type: integer", "type: text"
            )
        )
        reports = sync(db.session, load_registry(surveys_dir))
        db.session.commit()

        assert versions("bins") == 2
        assert reports[0].new_version
        warnings = "\n".join(reports[0].warnings)
        assert "choice 'brown' of 'colour' was removed while 1 response(s) exist" in warnings
        assert "question 'count' changed type from integer to text" in warnings
        stored = db.session.scalars(select(Response)).one()
        assert stored.version_id == old_version
        assert stored.answers == {"colour": "brown", "count": 2}


def test_removed_matrix_row_warns_while_responses_exist(make_app, write_survey, surveys_dir):
    matrix = (
        "      - id: views\n        type: matrix\n        label: Views\n"
        "        rows: [{id: clean, label: Clean}, {id: signs, label: Signs}]\n"
        "        choices: [{value: 1, label: Agree}, {value: 0, label: Disagree}]\n"
    )
    write_survey(SURVEY + matrix)
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    with app.app_context():
        version_id = current_registry().version_id(db.session, "bins")
        db.session.add(Response(survey_id="bins", version_id=version_id, language="sv", answers={}))
        db.session.commit()
        write_survey(SURVEY + matrix.replace(", {id: signs, label: Signs}", ""))
        reports = sync(db.session, load_registry(surveys_dir))
        assert [c.text for c in reports[0].changes] == ["row 'signs' of 'views' was removed"]
        assert reports[0].warnings == [
            "row 'signs' of 'views' was removed while 1 response(s) exist on earlier versions; "
            "their answers stay stored and exported as they were"
        ]


def test_change_without_responses_does_not_warn(make_app, write_survey, surveys_dir):
    write_survey(SURVEY)
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    with app.app_context():
        sync(db.session, current_registry())
        write_survey(
            SURVEY.replace("      - id: count\n        type: integer\n        label: How many\n", "")
        )
        reports = sync(db.session, load_registry(surveys_dir))
        assert reports[0].new_version and reports[0].warnings == []


def test_invalid_files_are_left_out_with_their_problems(write_survey, surveys_dir):
    write_survey(SURVEY)
    write_survey(SURVEY.replace("id: bins", "id: broken").replace("type: integer", "type: integr"), "broken")
    registry = load_registry(surveys_dir)
    assert list(registry.surveys) == ["bins"]
    assert "unknown question type 'integr'" in str(registry.problems[0])


def test_stored_definition_rebuilds_the_same_survey(app, db):
    from app.surveys.loader import survey_from_json

    registry = current_registry()
    for survey_id, survey in registry.surveys.items():
        version = db.get(SurveyVersion, registry.version_id(db, survey_id))
        assert survey_from_json(version.definition) == survey


def test_a_version_recorded_without_sync_logs_its_changes(make_app, write_survey, surveys_dir, caplog):
    write_survey(SURVEY)
    with make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).app_context():
        sync(db.session, current_registry())
        db.session.commit()
    write_survey(SURVEY.replace("label: Colour", "label: Which colour"))
    with make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).app_context():
        current_registry().version_id(db.session, "bins")
    logged = [record.getMessage() for record in caplog.records]
    assert "survey bins: version 2 recorded without `flask surveys sync`, changes since version 1:" in logged
    assert 'survey bins: question \'colour\' reworded (sv): "Colour" -> "Which colour"' in logged
