"""Every format, every size, exact: no rows, long texts, text that looks like a formula, row marks.

Each file is read back the way researchers read it: pandas for CSV and Excel, pyreadstat for SPSS
and Stata, json for JSON.
"""

import csv
import json

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from app.exports import ExportOptions, export_survey
from tests.exports.conftest import AGES, KITCHEN_COLUMNS

FORMATS = ("xlsx", "csv", "sav", "zsav", "dta", "json")
PERSIAN = ("نظر من درباره‌ی سطل‌های زباله " * 80)[:2000]  # 2,000 characters, about 3,700 bytes


def export(tmp_path, fmt, **options):
    return export_survey("kitchen", fmt, ExportOptions(**options), out=tmp_path / f"k.{fmt}")


def read(path, fmt) -> tuple[list[str], list[dict]]:
    """(column names, rows as dicts) of an exported file."""
    if fmt == "xlsx":
        rows = list(openpyxl.load_workbook(path)["Responses"].iter_rows(values_only=True))
        return list(rows[0]), [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    if fmt == "csv":
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    elif fmt in ("sav", "zsav"):
        frame, _ = pyreadstat.read_sav(str(path))
    elif fmt == "dta":
        frame, _ = pyreadstat.read_dta(str(path))
    else:
        document = json.loads(path.read_text(encoding="utf-8"))
        names = [entry["name"] for entry in document["codebook"]]
        return names, [
            {**r, **r["answers"], **{f"hidden_{k}": v for k, v in r["hidden"].items()}}
            for r in document["responses"]
        ]
    return list(frame.columns), frame.to_dict("records")


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_export_with_no_rows_is_a_valid_file_with_every_column(kitchen_app, add, tmp_path, fmt):
    add(people=2)  # a response the filter leaves out
    path = export(tmp_path, fmt, language="en").path
    names, rows = read(path, fmt)
    assert names == KITCHEN_COLUMNS and rows == []
    if fmt == "csv":
        assert path.read_bytes() == ("\ufeff" + ",".join(KITCHEN_COLUMNS) + "\r\n").encode("utf-8")


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_no_rows_keeps_the_types_and_labels_of_the_same_export_with_rows(kitchen_app, add, tmp_path, fmt):
    add(people=2, mode="bus", fractions=["food"], stars=4, name="Kim")
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    _, full = reader(str(export(tmp_path / "a", fmt).path))
    _, empty = reader(str(export(tmp_path / "b", fmt, language="en").path))
    assert empty.readstat_variable_types == full.readstat_variable_types
    assert empty.column_labels == full.column_labels
    assert empty.variable_value_labels == full.variable_value_labels


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_long_persian_answer_reads_back_whole(kitchen_app, add, tmp_path, fmt):
    add(people=1, story=PERSIAN)
    add(people=2)  # an empty story in the same column
    _, rows = read(export(tmp_path, fmt).path, fmt)
    assert rows[0]["story"] == PERSIAN
    assert rows[1].get("story") in (None, "")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_longest_text_a_cell_holds_reads_back_whole(kitchen_app, add, tmp_path, fmt):
    longest = "å" + "x" * 32_766  # 32,767 characters: what an Excel cell holds
    add(people=2)
    add(people=1, story=longest)
    result = export(tmp_path, fmt)
    _, rows = read(result.path, fmt)
    if fmt in ("sav", "zsav"):  # 32,768 bytes: one more than an SPSS string holds
        assert rows[1]["story"] == longest[:-1] and [c.column for c in result.cuts] == ["story"]
    else:
        assert rows[1]["story"] == longest and result.cuts == ()


@pytest.mark.parametrize("fmt", FORMATS)
def test_values_that_look_like_formulas_are_exact_except_in_csv(kitchen_app, add, tmp_path, fmt):
    add(people=1, name="-2", story="+46 70 123 45 67", hidden={"station": "-2"})
    _, [row] = read(export(tmp_path, fmt).path, fmt)
    prefix = "'" if fmt == "csv" else ""
    assert (row["name"], row["story"], row["hidden_station"]) == (
        prefix + "-2",
        prefix + "+46 70 123 45 67",
        prefix + "-2",
    )


def test_rows_say_what_they_are_demo_and_where_an_unfinished_one_stopped(kitchen_app, add, tmp_path):
    add(people=1, is_demo=True)
    unfinished = add(people=2, status="in_progress", seconds=600)
    unfinished.current_page = "second"
    from app.extensions import db

    db.session.commit()
    path = export(tmp_path, "csv", include_partial=True).path
    with path.open(encoding="utf-8-sig", newline="") as handle:
        demo, partial = list(csv.DictReader(handle))
    assert (demo["demo"], demo["last_page"], demo["last_active_at"]) == ("1", "", "")
    assert (partial["demo"], partial["last_page"]) == ("0", "second")
    assert partial["last_active_at"] == "2026-02-10 13:50:30"  # 30 s after it started, local time


def test_other_chosen_has_a_0_1_column_beside_its_text(kitchen_app, add, tmp_path):
    add(people=1, fractions=["food", "other"], fractions_other="Batterier")
    add(people=1, fractions=["glass"])
    add(people=1)
    _, rows = read(export(tmp_path, "xlsx").path, "xlsx")
    assert [(r["fractions_other_chosen"], r["fractions_other"]) for r in rows] == [
        (1, "Batterier"),
        (0, None),
        (None, None),
    ]


@pytest.mark.parametrize(
    ("lang", "chosen", "demo_text"),
    [
        ("en", "chosen", "1 for demo data"),
        ("sv", "valt", "1 för demodata"),
        ("ar", "مختار", "1 لبيانات العرض"),
    ],
)
def test_the_codebooks_fixed_words_follow_the_language(kitchen_app, add, tmp_path, lang, chosen, demo_text):
    add(people=1, stars=4)
    document = json.loads(export(tmp_path, "json", lang=lang).path.read_text(encoding="utf-8"))
    entries = {e["name"]: e for e in document["codebook"]}
    assert entries["fractions_food"]["values"][0] == {"code": 1, "label": chosen}
    assert entries["demo"]["question"].startswith(demo_text)
    stars = {v["code"]: v["label"] for v in entries["stars"]["values"]}
    assert list(stars) == [1, 2, 3, 4, 5]
    assert (stars[3] == "3 stars") == (lang == "en")


def test_smiley_and_nps_scales_get_value_labels_in_the_codebook(
    make_app, write_survey, surveys_dir, add, tmp_path
):
    write_survey(
        """
        id: faces
        title: Faces
        languages: [sv, en]
        pages:
          - id: p
            questions:
              - {id: face, type: rating, scale: smiley5, label: {sv: Ansikte, en: Face}}
              - {id: nps, type: rating, scale: nps, label: {sv: Rekommendera, en: Recommend}}
        """
    )
    with make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).app_context():
        add("faces", face=5, nps=9)
        result = export_survey("faces", "json", ExportOptions(lang="sv"), out=tmp_path / "f.json")
        entries = {e["name"]: e for e in json.loads(result.path.read_text(encoding="utf-8"))["codebook"]}
        assert entries["face"]["values"][4] == {"code": 5, "label": "Mycket nöjd"}
        assert entries["nps"]["values"] == [
            {"code": 0, "label": "Inte alls troligt"},
            {"code": 10, "label": "Mycket troligt"},
        ]
        _, meta = pyreadstat.read_sav(
            str(export_survey("faces", "sav", ExportOptions(lang="en"), out=tmp_path / "f.sav").path)
        )
        assert meta.variable_value_labels["face"][5.0] == "Very satisfied"
        assert meta.variable_value_labels["nps"] == {0.0: "Not at all likely", 10.0: "Extremely likely"}


def test_the_codebook_maps_text_codes_to_what_spss_and_stata_store(
    make_app, write_survey, surveys_dir, add, tmp_path
):
    write_survey(AGES)
    with make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).app_context():
        add("ages", age="no_answer")
        document = json.loads(export_survey("ages", "json", out=tmp_path / "a.json").path.read_text())
        values = {e["name"]: e["values"] for e in document["codebook"]}["age"]
        assert values == [
            {"code": 1, "label": "Young"},
            {"code": 2, "label": "Old"},
            {"code": "no_answer", "label": "Prefer not to say", "spss": -1, "stata": ".a"},
        ]
        rows = list(
            openpyxl.load_workbook(export_survey("ages", "xlsx", out=tmp_path / "a.xlsx").path)[
                "Codebook"
            ].iter_rows(values_only=True)
        )
        age = next(r for r in rows if r[0] == "age")
        assert age[4] == "1 = Young; 2 = Old; no_answer = Prefer not to say (SPSS -1, Stata .a)"
