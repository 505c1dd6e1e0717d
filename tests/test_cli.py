"""`flask surveys validate|sync|list` as a researcher uses them."""

from app.extensions import db
from app.models import Response


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
