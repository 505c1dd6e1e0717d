"""One file across the waves of a pilot: a `wave` column, questions matched by id, and the columns only
one wave asked left empty for the others, in every format."""

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from app.exports import ExportError, ExportOptions
from app.exports.pilot import export_pilot
from tests.exports.test_datapackage import validate

BASE = """
id: tide-{n}
title: {{sv: Våg {n}, en: Wave {n}}}
languages: [sv, en]
pilot: tide
wave: {wave}
pages:
  - id: p
    questions:
{questions}
"""

FIRST = """\
      - id: mood
        type: single_choice
        label: {sv: Humör, en: Mood}
        choices:
          - {value: 1, label: {sv: Dåligt, en: Bad}}
          - {value: 2, label: {sv: Bra, en: Good}}
          - {value: 3, label: {sv: Strålande, en: Great}}
      - id: kind
        type: single_choice
        label: Kind
        choices:
          - {value: a, label: A}
          - {value: b, label: B}
      - id: early
        type: text
        label: {sv: Bara först, en: First only}
"""

SECOND = """\
      - id: mood
        type: single_choice
        label: {sv: Humör nu, en: Mood now}
        choices:
          - {value: 1, label: {sv: Uselt, en: Awful}}
          - {value: 2, label: {sv: Bra, en: Good}}
      - id: kind
        type: multiple_choice
        label: Kinds
        choices:
          - {value: a, label: A}
          - {value: b, label: B}
      - id: late
        type: integer
        label: {sv: Bara sen, en: Second only}
"""


@pytest.fixture
def tide(make_app, write_survey, surveys_dir, add):
    """A pilot of two waves (written out of order): `mood` in both, reworded and with a choice dropped;
    `kind` changes type; `early` and `late` are asked by one wave each."""
    write_survey(BASE.format(n=2, wave="follow-up", questions=SECOND))
    write_survey(BASE.format(n=1, wave="baseline", questions=FIRST))
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    with app.app_context():
        add("tide-1", mood=3, kind="a", early="before")
        add("tide-1", mood=1, kind="b", early="=1+1")
        add("tide-2", mood=2, kind=["a", "b"], late=7, language="en")
        yield app


EXPECTED = [
    "wave",
    "survey",
    "response_id",
    "survey_version",
    "started_version",
    "status",
    "started_at",
    "submitted_at",
    "duration_seconds",
    "language",
    "channel",
    "demo",
    "last_page",
    "last_active_at",
    "mood",
    "kind_w2_a",
    "kind_w2_b",
    "late",
    "kind_w1",
    "early",
]


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_cli_pilot_export_has_a_wave_column_matched_ids_and_empty_cells_for_the_other_wave(tide, tmp_path):
    out = tmp_path / "tide.csv"
    result = tide.test_cli_runner().invoke(
        args=["export", "--pilot", "tide", "--format", "csv", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == "3 row(s) in 2 wave(s): baseline (2), follow-up (1)."
    data = read_csv(out)
    assert list(data.columns) == EXPECTED
    assert data["wave"].tolist() == ["baseline", "baseline", "follow-up"]
    assert data["survey"].tolist() == ["tide-1", "tide-1", "tide-2"]
    assert data["mood"].tolist() == ["3", "1", "2"]  # one column: matched by question id
    assert data["early"].tolist() == ["before", "'=1+1", ""]  # the formula guard of CSV, as always
    assert data["late"].tolist() == ["", "", "7"]
    assert data["kind_w1"].tolist() == ["a", "b", ""]
    assert data["kind_w2_a"].tolist() == ["", "", "1"]


def test_default_file_name_and_the_waves_in_about(tide):
    result = tide.test_cli_runner().invoke(args=["export", "--pilot", "tide"])
    assert result.exit_code == 0, result.output
    path = Path(result.output.splitlines()[0])
    assert path.name.startswith("tide-waves-") and path.suffix == ".xlsx"
    book = openpyxl.load_workbook(path)
    about = dict(book["About"].iter_rows(values_only=True))
    assert about["pilot"] == "tide"
    assert about["waves"].startswith("1. baseline (tide-1")
    assert "2. follow-up (tide-2" in about["waves"]
    assert about["rows"] == "3"
    codebook = {row[0]: row for row in book["Codebook"].iter_rows(values_only=True)}
    assert codebook["mood"][1] == "Humör nu"  # the newest wave's wording
    # Choices merged by value, labels from the newest wave; the value only the baseline had stays.
    assert codebook["mood"][4] == "1 = Uselt; 2 = Bra; 3 = Strålande"
    assert codebook["mood"][7] == "baseline v1, follow-up v1"
    assert codebook["mood"][8] == "baseline v1: Humör | follow-up v1: Humör nu"
    assert codebook["late"][7] == "follow-up v1"
    kind = codebook["kind_w1"][1]  # in Swedish, the survey's first language
    assert "baseline" in kind and "typen skiljer sig mellan omgångarna" in kind
    assert (
        codebook["wave"][4]
        == "baseline = baseline (SPSS and Stata 1); follow-up = follow-up (SPSS and Stata 2)"
    )


@pytest.mark.parametrize("fmt", ["sav", "zsav", "dta"])
def test_spss_and_stata_read_back_with_the_wave_labelled(tide, tmp_path, fmt):
    result = export_pilot("tide", fmt, out=tmp_path / f"tide.{fmt}")
    reader = pyreadstat.read_dta if fmt == "dta" else pyreadstat.read_sav
    frame, meta = reader(str(result.path))
    assert list(frame.columns)[:2] == ["wave", "survey"]
    assert frame["wave"].tolist() == [1, 1, 2]
    assert meta.variable_value_labels["wave"] == {1: "baseline [baseline]", 2: "follow-up [follow-up]"}
    assert frame["mood"].tolist() == [3, 1, 2]
    assert meta.variable_value_labels["mood"][1] == "Uselt"
    assert frame["late"].isna().tolist() == [True, True, False]


def test_json_records_carry_their_wave(tide, tmp_path):
    path = export_pilot("tide", "json", out=tmp_path / "tide.json").path
    document = json.loads(path.read_text(encoding="utf-8"))
    assert [(r["wave"], r["survey"]) for r in document["responses"]] == [
        ("baseline", "tide-1"),
        ("baseline", "tide-1"),
        ("follow-up", "tide-2"),
    ]
    assert document["responses"][2]["answers"] == {"mood": 2, "kind": ["a", "b"], "late": 7}
    assert document["about"]["pilot"] == "tide"
    assert [e["name"] for e in document["codebook"]] == EXPECTED


def test_labels_come_from_the_newest_wave(tide, tmp_path):
    options = ExportOptions(values="labels", lang="en")
    data = read_csv(export_pilot("tide", "csv", options, out=tmp_path / "tide.csv").path)
    assert data["mood"].tolist() == ["Great", "Awful", "Good"]


def test_xlsx_datapackage_and_ddi_across_waves(tide, tmp_path, monkeypatch):
    book = openpyxl.load_workbook(export_pilot("tide", "xlsx", out=tmp_path / "t.xlsx").path)
    assert [c.value for c in book["Responses"][1]] == EXPECTED
    package = export_pilot("tide", "csv", ExportOptions(datapackage=True), out=tmp_path / "pkg" / "t.csv")
    validate(package.path.parent, monkeypatch)  # frictionless, offline
    descriptor = json.loads(package.package_path.read_text(encoding="utf-8"))
    wave = descriptor["resources"][0]["schema"]["fields"][0]
    assert wave["name"] == "wave" and wave["categoriesOrdered"] is True
    assert [c["value"] for c in wave["categories"]] == ["baseline", "follow-up"]
    root = ET.parse(export_pilot("tide", "ddi", out=tmp_path / "t.xml").path).getroot()  # noqa: S314 (our own export)
    names = [v.get("name") for v in root.iter("{ddi:codebook:2_5}var")]
    assert names == EXPECTED
    titles = root.find("{ddi:codebook:2_5}stdyDscr/{ddi:codebook:2_5}citation/{ddi:codebook:2_5}titlStmt")
    assert "tide" in titles[0].text


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_r_haven_reads_the_pilot_file(tide, tmp_path):
    path = export_pilot("tide", "sav", out=tmp_path / "tide.sav").path
    script = (
        "library(haven); d <- read_sav(commandArgs(TRUE)[1]); cat(as.character(as_factor(d$wave)), sep=',')"
    )
    out = subprocess.run(
        ["Rscript", "-e", script, str(path)], check=True, capture_output=True, text=True, timeout=120
    )
    assert out.stdout.split(",") == ["baseline [baseline]", "baseline [baseline]", "follow-up [follow-up]"]


def test_example_pilot_with_two_waves(app, make_response, db, runner, tmp_path):
    make_response("housing-baseline", landlord_stars=3, winter_comfort=2)
    make_response("housing-follow-up-1", landlord_stars=5, winter_comfort=3, noticed_difference=1)
    db.commit()
    out = tmp_path / "housing.csv"
    result = runner.invoke(args=["export", "--pilot", "housing-2026", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = read_csv(out)
    assert data["wave"].tolist() == ["baseline", "follow-up-1"]
    assert data["landlord_stars"].tolist() == ["3", "5"]
    assert data["noticed_difference"].tolist() == ["", "1"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "--pilot", "nope"], "Unknown pilot 'nope'. Known pilots: tide"),
        (["export", "tide-1", "--pilot", "tide"], "either a SURVEY or --pilot"),
        (["export"], "Name a SURVEY, or a pilot with --pilot"),
        (["export", "--pilot", "tide", "--lang", "fi"], "Language 'fi' is not one of the pilot's languages"),
        (["export", "--pilot", "tide", "--where", "station=1"], "'station' is not a hidden field"),
    ],
)
def test_pilot_mistakes_are_explained(tide, args, message):
    result = tide.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output


def test_export_pilot_refuses_an_unknown_pilot_from_python(tide):
    with pytest.raises(ExportError, match="Unknown pilot"):
        export_pilot("nope", "csv")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_pilot_workbook(tide, tmp_path):
    path = export_pilot("tide", "xlsx", out=tmp_path / "tide.xlsx").path
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "csv", "--outdir", str(tmp_path / "lo"), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    data = read_csv(tmp_path / "lo" / "tide.csv")  # the first sheet: Responses
    assert list(data.columns) == EXPECTED
    assert data["wave"].tolist() == ["baseline", "baseline", "follow-up"]
