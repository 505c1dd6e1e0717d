"""`flask surveys validate|sync|diff|list` as a researcher uses them."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Response, SurveyVersion

BINS = """\
id: bins
title: {sv: Soptunnor, en: Bins}
languages: [sv, en]
pages:
  - id: p
    questions:
      - id: satisfaction
        type: single_choice
        label: {sv: "Hur nöjd är du?", en: "How satisfied are you?"}
        choices:
          - {value: 1, label: {sv: Missnöjd, en: Unhappy}}
          - {value: 2, label: {sv: Nöjd, en: Happy}}
      - id: count
        type: integer
        label: {sv: Hur många, en: How many}
"""
REWORDED = BINS.replace('sv: "Hur nöjd är du?"', 'sv: "Hur nöjd är du med sorteringen?"')


def test_validate_passes_on_the_example_surveys(runner):
    result = runner.invoke(args=["surveys", "validate"])
    assert result.exit_code == 0, result.output
    assert "survey file(s) are valid" in result.output


def test_validate_prints_file_line_path_message_and_exits_1(runner, write_survey):
    path = write_survey("""\
        id: bad
        title: Bad
        pages:
          - id: p
            questions:
              - id: q
                type: text
                label: Q
                requird: true
        """)
    result = runner.invoke(args=["surveys", "validate", str(path)])
    assert result.exit_code == 1
    assert (
        f"{path}:9: pages[0].questions[0].requird: unknown key 'requird' (did you mean 'required'?)"
        in result.output
    )
    assert "1 problem(s) in 1 of 1 file(s)" in result.output


def test_validate_takes_folders_and_reports_yaml_syntax_errors(runner, write_survey, surveys_dir):
    write_survey("id: broken\ntitle: [unclosed\n", "broken")
    result = runner.invoke(args=["surveys", "validate", str(surveys_dir)])
    assert result.exit_code == 1
    assert f"{surveys_dir / 'broken.yaml'}:3: syntax:" in result.output
    assert "Traceback" not in result.output


def test_validate_missing_path_is_a_problem(runner, tmp_path):
    result = runner.invoke(args=["surveys", "validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "no such file or folder" in result.output


def test_sync_then_list(runner, app, make_response):
    result = runner.invoke(args=["surveys", "sync"])
    assert result.exit_code == 0, result.output
    assert "waste-sorting: new version" in result.output
    assert "unchanged" in runner.invoke(args=["surveys", "sync"]).output
    with app.app_context():
        make_response("feedback", message="Hej")
        make_response("feedback", status=Response.IN_PROGRESS)
        db.session.commit()
    listing = runner.invoke(args=["surveys", "list"]).output
    line = next(row for row in listing.splitlines() if row.startswith("feedback "))
    assert line.split()[-4:] == ["open", "1", "1", "1"]


def stored_versions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SurveyVersion))


def test_diff_before_any_sync_says_version_1_and_writes_nothing(make_app, write_survey, surveys_dir):
    write_survey(BINS)
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    result = app.test_cli_runner().invoke(args=["surveys", "diff", "bins"])
    assert result.exit_code == 0, result.output
    assert result.output == "bins: would record version 1 (nothing stored yet)\n"
    assert stored_versions(app) == 0


def test_diff_of_an_unchanged_file_exits_0(make_app, write_survey, surveys_dir):
    write_survey(BINS)
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    runner = app.test_cli_runner()
    runner.invoke(args=["surveys", "sync"])
    result = runner.invoke(args=["surveys", "diff", "bins"])
    assert result.exit_code == 0, result.output
    assert result.output == "bins: unchanged (version 1)\n"


def test_diff_shows_a_rewording_and_what_sync_would_record_without_writing(
    make_app, write_survey, surveys_dir
):
    write_survey(BINS)
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    runner = app.test_cli_runner()
    runner.invoke(args=["surveys", "sync"])
    write_survey(REWORDED.replace("type: integer", "type: text"))
    before = stored_versions(app)
    result = runner.invoke(args=["surveys", "diff", "bins"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "bins: would record version 2, changes since version 1:",
        '  question \'satisfaction\' reworded (sv): "Hur nöjd är du?" -> "Hur nöjd är du med sorteringen?"',
        "  question 'count' changed type from integer to text",
    ]
    assert stored_versions(app) == before == 1


def test_diff_of_a_file_changed_back_says_sync_records_nothing(make_app, write_survey, surveys_dir):
    write_survey(BINS)
    make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).test_cli_runner().invoke(args=["surveys", "sync"])
    write_survey(REWORDED)
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    runner = app.test_cli_runner()
    runner.invoke(args=["surveys", "sync"])
    write_survey(BINS)
    result = runner.invoke(args=["surveys", "diff", "bins"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "bins: the file is version 1 again, so sync would record nothing new and publish version 1 "
        "again; changes since version 2:",
        '  question \'satisfaction\' reworded (sv): "Hur nöjd är du med sorteringen?" -> "Hur nöjd är du?"',
    ]
    assert stored_versions(app) == 2


def test_diff_counts_responses_on_earlier_versions_for_what_drops_data(make_app, write_survey, surveys_dir):
    write_survey(BINS)
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    with app.app_context():
        from app.surveys.catalog import current_registry

        version_id = current_registry().version_id(db.session, "bins")
        db.session.add(Response(survey_id="bins", version_id=version_id, language="sv", answers={"count": 2}))
        db.session.commit()
    write_survey(BINS.replace("          - {value: 1, label: {sv: Missnöjd, en: Unhappy}}\n", ""))
    result = app.test_cli_runner().invoke(args=["surveys", "diff", "bins"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        "  choice 1 of 'satisfaction' was removed",
        "  warning: choice 1 of 'satisfaction' was removed while 1 response(s) exist on earlier versions; "
        "their answers stay stored and exported as they were",
    ]


def test_diff_of_an_invalid_file_prints_its_problems_and_exits_1(make_app, write_survey, surveys_dir):
    path = write_survey(BINS.replace("type: integer", "type: integr"))
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    result = app.test_cli_runner().invoke(args=["surveys", "diff", "bins"])
    assert result.exit_code == 1
    assert f"{path}:13: pages[0].questions[1]: unknown question type 'integr'" in result.output
    assert stored_versions(app) == 0


def test_diff_of_an_unknown_survey_says_so_and_exits_1(make_app, surveys_dir):
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    for name in ("nope", "../nope"):
        result = app.test_cli_runner().invoke(args=["surveys", "diff", name])
        assert result.exit_code == 1
        assert f"no survey file for '{name}'" in result.output
        assert "Traceback" not in result.output


def test_sync_prints_rewordings_of_the_new_version(make_app, write_survey, surveys_dir):
    write_survey(BINS)
    make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).test_cli_runner().invoke(args=["surveys", "sync"])
    write_survey(REWORDED)
    result = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).test_cli_runner().invoke(args=["surveys", "sync"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "bins: new version 2, changes since version 1:",
        '  question \'satisfaction\' reworded (sv): "Hur nöjd är du?" -> "Hur nöjd är du med sorteringen?"',
        "1 survey(s) synced, 1 new version(s).",
    ]


def test_diff_compares_with_the_live_version_not_one_only_previewed(make_app, write_survey, surveys_dir):
    from app.surveys.loader import load_text
    from app.surveys.registry import record_version

    write_survey(BINS)
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    runner = app.test_cli_runner()
    runner.invoke(args=["surveys", "sync"])
    with app.app_context():  # a version recorded for a preview in the browser, never published
        candidate = load_text(REWORDED.replace("type: integer", "type: text"), "bins.yaml").survey
        record_version(db.session, candidate)
        db.session.commit()
    write_survey(REWORDED)
    result = runner.invoke(args=["surveys", "diff", "bins"])
    assert result.output.splitlines() == [
        "bins: would record version 3, changes since version 1:",
        '  question \'satisfaction\' reworded (sv): "Hur nöjd är du?" -> "Hur nöjd är du med sorteringen?"',
    ]
