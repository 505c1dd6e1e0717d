"""`flask export` and `flask demo` as a researcher uses them."""

import re
from pathlib import Path

import openpyxl
import pytest

from app.exports import cli as export_cli
from app.extensions import db
from app.models import Response, utcnow
from app.surveys.catalog import current_registry
from tests.conftest import EXAMPLE_SURVEYS

EXAMPLES = sorted(p.stem for p in EXAMPLE_SURVEYS.glob("*.yaml"))


def written(output: str) -> Path:
    return Path(output.splitlines()[0])


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "sav", "dta", "json"])
def test_export_works_on_every_example_survey_in_every_format(app, runner, tmp_path, fmt):
    for survey_id in EXAMPLES:
        seeded = runner.invoke(args=["demo", "seed", survey_id, "--responses", "40", "--seed", "3"])
        assert seeded.exit_code == 0, seeded.output
        result = runner.invoke(args=["export", survey_id, "--format", fmt, "--out", str(tmp_path)])
        assert result.exit_code == 0, result.output
        path = written(result.output)
        assert path.parent == tmp_path and path.suffix == f".{fmt}" and path.stat().st_size > 0
        assert re.fullmatch(r"\d+ row\(s\) \(\d+ of them demo data\)\.", result.output.splitlines()[1])


def test_export_default_path_name_and_row_count(app, runner, add_waste):
    add_waste(visits="weekly")
    result = runner.invoke(args=["export", "waste-sorting", "--format", "csv"])
    assert result.exit_code == 0, result.output
    path = written(result.output)
    assert path.parent == Path(app.config["LYSSNA_EXPORTS_DIR"])
    assert re.fullmatch(r"waste-sorting-\d{8}-\d{6}\.csv", path.name)
    assert result.output.splitlines()[1] == "1 row(s)."


def test_export_options_reach_the_file(app, runner, add_waste, tmp_path):
    add_waste(visits="weekly", hidden={"station": "12"}, language="en")
    add_waste(visits="never", hidden={"station": "13"})
    out = tmp_path / "x.xlsx"
    options = ["--values", "labels", "--lang", "en", "--where", "station=12"]
    dates = ["--from", "2020-01-01", "--to", "2100-12-31"]
    result = runner.invoke(args=["export", "waste-sorting", *options, *dates, "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out)["Responses"]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    assert rows[0][header.index("visits")] == "About once a week"
    assert rows[0][header.index("hidden_station")] == "12"


def test_export_csv_with_semicolons_and_codebook(app, runner, add_waste, tmp_path):
    add_waste(visits="weekly")
    out = tmp_path / "w.csv"
    result = runner.invoke(
        args=["export", "waste-sorting", "--format", "csv", "--sep", ";", "--codebook", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8-sig").startswith("response_id;survey_version;")
    assert f"Codebook: {tmp_path / 'w-codebook.csv'}" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "nope"], "Unknown survey 'nope'. Known surveys: feedback, housing-baseline"),
        (["export", "waste-sorting", "--from", "2026-13-01"], "Invalid value for '--from'"),
        (["export", "waste-sorting", "--lang", "fi"], "Language 'fi' is not one of the survey's languages"),
        (["export", "waste-sorting", "--where", "station"], "'station' is not name=value"),
        (["export", "waste-sorting", "--where", "floor=2"], "'floor' is not a hidden field of this survey"),
        (["export", "waste-sorting", "--from", "2026-05-02", "--to", "2026-05-01"], "--from is after --to"),
        (["export", "waste-sorting", "--format", "pdf"], "Invalid value for '--format'"),
    ],
)
def test_export_errors_are_plain_messages(app, runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_progress_bar_only_on_a_terminal(app, runner, add_waste, tmp_path, monkeypatch):
    add_waste(visits="weekly")
    quiet = runner.invoke(args=["export", "waste-sorting", "--out", str(tmp_path)])
    assert "Exporting" not in quiet.output
    monkeypatch.setattr(export_cli, "_interactive", lambda: True)
    shown = runner.invoke(args=["export", "waste-sorting", "--out", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    assert "Exporting 1 rows" in shown.output


def test_demo_seed_and_clear(app, runner, add_waste):
    result = runner.invoke(args=["demo", "seed", "waste-sorting", "--responses", "25", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Added 25 demo response(s) to waste-sorting")
    with app.app_context():
        assert db.session.query(Response).filter_by(is_demo=True).count() == 25
    cleared = runner.invoke(args=["demo", "clear", "waste-sorting"])
    assert cleared.output.strip() == "Deleted 25 demo response(s) of waste-sorting."


def test_demo_seed_refuses_a_survey_with_real_responses_without_force(app, runner, add_waste):
    add_waste(visits="weekly")
    refused = runner.invoke(args=["demo", "seed", "waste-sorting", "--responses", "5"])
    assert refused.exit_code == 1
    assert "has 1 real response(s)" in refused.output and "--force" in refused.output
    forced = runner.invoke(args=["demo", "seed", "waste-sorting", "--responses", "5", "--force"])
    assert forced.exit_code == 0, forced.output
    cleared = runner.invoke(args=["demo", "clear", "waste-sorting"])
    assert "Deleted 5" in cleared.output
    with app.app_context():
        assert db.session.query(Response).count() == 1  # the real one stays


def test_demo_seed_unknown_survey(app, runner):
    result = runner.invoke(args=["demo", "seed", "nope"])
    assert result.exit_code == 1
    assert "Unknown survey 'nope'" in result.output


@pytest.fixture
def add_waste(app):
    """Store a real response to waste-sorting (committed)."""

    def add(hidden=None, language="sv", **answers):
        with app.app_context():
            db.session.add(
                Response(
                    survey_id="waste-sorting",
                    version_id=current_registry().version_id(db.session, "waste-sorting"),
                    status=Response.COMPLETE,
                    language=language,
                    hidden=hidden or {},
                    answers=answers,
                    submitted_at=utcnow(),
                )
            )
            db.session.commit()

    return add


def test_export_says_which_answers_the_format_had_to_cut(app, runner, tmp_path):
    from app.extensions import db
    from app.models import Response
    from app.surveys.catalog import current_registry

    with app.app_context():
        response = Response(
            survey_id="feedback",
            version_id=current_registry().version_id(db.session, "feedback"),
            status=Response.COMPLETE,
            language="sv",
            answers={"message": "ord " * 10_000},
        )
        db.session.add(response)
        db.session.commit()
        public_id = response.public_id
    result = runner.invoke(args=["export", "feedback", "--format", "xlsx", "--out", str(tmp_path / "f.xlsx")])
    assert result.exit_code == 0, result.output
    assert f"Cut: response {public_id}, message: 40,000 characters" in result.stderr
    assert "32,767 characters (Excel)" in result.stderr
