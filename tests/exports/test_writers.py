"""Every file format reads back with the expected columns and values, and never carries a formula."""

import csv
import io
import json
import re
from datetime import date, datetime

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from app.exports import ExportError, ExportOptions, export_survey, prepare_export
from app.exports import xlsx as xlsx_module
from app.exports.stata_spss import DTA, SAV, safe_names, truncate
from tests.exports.conftest import AGES, KITCHEN_COLUMNS, PAYLOADS


@pytest.fixture
def filled(kitchen_app, add):
    """Three responses: a full one, one with formula payloads, one partial in Arabic."""
    add(
        language="en",
        hidden={"station": "12"},
        name="Kim",
        people=3,
        temp=21.5,
        moved="2019-05-01",
        mode="bus",
        fractions=["food", "glass"],
        views={"clean": 3, "close": 1},
        stars=2,
        order=["speed", "comfort", "price"],
        why="Too full",
    )
    add(
        hidden={"station": PAYLOADS[2]},
        name=PAYLOADS[0],
        story=PAYLOADS[1],
        people=1,
        mode="other",
        mode_other=PAYLOADS[3],
        fractions=["other"],
        fractions_other=PAYLOADS[4],
        is_demo=True,
    )
    add(status="in_progress", language="ar", people=2, name=PAYLOADS[5])
    return kitchen_app


def export(tmp_path, fmt, **options):
    folder = tmp_path / "out"
    folder.mkdir(exist_ok=True)
    return export_survey("kitchen", fmt, ExportOptions(**options), out=folder / f"out.{fmt}")


def no_formula_text(values) -> None:
    """No text begins with a character that makes a spreadsheet evaluate it."""
    for value in values:
        if isinstance(value, str) and value:
            assert value[0] not in "=+-@\t\r", repr(value)


EXPECTED_PAYLOAD_CELLS = {
    "name": PAYLOADS[0],
    "story": PAYLOADS[1],
    "hidden_station": PAYLOADS[2],
    "mode_other": PAYLOADS[3],
    "fractions_other": PAYLOADS[4],
}


def test_xlsx_has_three_sheets_typed_cells_frozen_filtered_header(filled, tmp_path):
    result = export(tmp_path, "xlsx", include_partial=True)
    assert (result.rows, result.demo_rows) == (3, 1)
    book = openpyxl.load_workbook(result.path)
    assert book.sheetnames == ["Responses", "Codebook", "About"]
    sheet = book["Responses"]
    assert [c.value for c in sheet[1]] == KITCHEN_COLUMNS
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(KITCHEN_COLUMNS))}4"
    row = {name: cell for name, cell in zip(KITCHEN_COLUMNS, sheet[2], strict=True)}
    assert row["submitted_at"].value == datetime(2026, 2, 10, 14, 0)
    assert row["submitted_at"].is_date and row["submitted_at"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert row["moved"].value == datetime(2019, 5, 1) and row["moved"].number_format == "yyyy-mm-dd"
    assert (row["people"].data_type, row["people"].value) == ("n", 3)
    assert row["temp"].value == 21.5
    assert (row["hidden_station"].data_type, row["hidden_station"].value) == ("s", "12")
    assert (row["order_speed"].value, row["views_clean"].value) == (1, 3)
    assert sheet.column_dimensions["A"].width > 30  # response ids are readable


def test_xlsx_never_holds_a_formula_and_keeps_texts_exact(filled, tmp_path):
    path = export(tmp_path, "xlsx", include_partial=True).path
    sheet = openpyxl.load_workbook(path)["Responses"]
    cells = {name: cell for name, cell in zip(KITCHEN_COLUMNS, sheet[3], strict=True)}
    # Cells typed as text: Excel shows them and never runs them, so they need no leading '.
    for name, text in EXPECTED_PAYLOAD_CELLS.items():
        assert (cells[name].data_type, cells[name].value) == ("s", text)
    # A carriage return is stored as Excel's escape _x000D_, which openpyxl leaves as it is.
    carriage = sheet.cell(row=4, column=KITCHEN_COLUMNS.index("name") + 1).value
    assert carriage.replace("_x000D_", "\r") == PAYLOADS[5]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_xlsx_codebook_and_about(filled, tmp_path):
    book = openpyxl.load_workbook(export(tmp_path, "xlsx", lang="en").path)
    codebook = list(book["Codebook"].iter_rows(values_only=True))
    assert codebook[0] == (
        "name",
        "question",
        "type",
        "page",
        "values",
        "condition",
        "required",
        "versions",
        "wordings",
    )
    assert [r[0] for r in codebook[1:]] == KITCHEN_COLUMNS
    mode = next(r for r in codebook if r[0] == "mode")
    assert mode[1:5] == (
        "How do you travel?",
        "single_choice",
        "first (First)",
        "bike = Bike (SPSS and Stata 1); bus = Bus (SPSS and Stata 2); other = Other (SPSS and Stata 3)",
    )
    about = dict(book["About"].iter_rows(values_only=True))
    assert about["survey"] == "kitchen"
    assert about["rows"] == "2"
    assert about["demo data"].startswith("1 of 2 rows are DEMO DATA")
    assert about["language of labels"] == "en"
    assert "complete only" in about["filters"]


def test_xlsx_refuses_more_rows_than_excel_holds(filled, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_module, "MAX_ROWS", 3)
    with pytest.raises(ExportError, match=r"do not fit in an Excel sheet .* Export as CSV \(--format csv\)"):
        export(tmp_path, "xlsx", include_partial=True)
    assert list((tmp_path / "out").iterdir()) == []


def test_xlsx_cuts_a_text_longer_than_a_cell_and_says_so_while_csv_keeps_it(kitchen_app, add, tmp_path):
    response = add(people=1, story="x" * 40_000)
    result = export(tmp_path, "xlsx")
    book = openpyxl.load_workbook(result.path)
    story = book["Responses"].cell(row=2, column=KITCHEN_COLUMNS.index("story") + 1).value
    assert story == "x" * 32_767
    assert [(c.response_id, c.column, c.length) for c in result.cuts] == [
        (response.public_id, "story", 40_000)
    ]
    about = dict(book["About"].iter_rows(values_only=True))
    assert "1 answer(s)" in about["cut answers"] and "story" in about["cut answers"]
    frame = pd.read_csv(export(tmp_path, "csv").path, encoding="utf-8-sig")
    assert frame["story"][0] == "x" * 40_000


def test_csv_reads_back_with_pandas(filled, tmp_path):
    path = export(tmp_path, "csv", include_partial=True).path
    assert path.read_bytes().startswith(b"\xef\xbb\xbfresponse_id,")
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype={"hidden_station": str})
    assert list(frame.columns) == KITCHEN_COLUMNS
    first = frame.iloc[0]
    assert first["submitted_at"] == "2026-02-10 14:00:00"
    assert first["moved"] == "2019-05-01"
    assert (first["people"], first["temp"], first["hidden_station"]) == (3, 21.5, "12")
    assert (first["fractions_food"], first["fractions_none"]) == (1, 0)
    assert pd.isna(frame.iloc[2]["submitted_at"])
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # CSV is the one format a spreadsheet may run: there, and only there, such texts get a leading '.
    for name, text in EXPECTED_PAYLOAD_CELLS.items():
        assert rows[1][name] == "'" + text
    for row in rows:
        no_formula_text(row.values())


def test_csv_with_semicolons_and_decimal_commas_for_excel_in_swedish(filled, tmp_path):
    path = export(tmp_path, "csv", sep=";")
    frame = pd.read_csv(path.path, sep=";", decimal=",", encoding="utf-8-sig")
    assert frame.iloc[0]["temp"] == 21.5
    assert "21,5" in path.path.read_text(encoding="utf-8-sig")


def test_csv_codebook_beside_the_file_when_asked(filled, tmp_path):
    result = export(tmp_path, "csv", codebook=True, lang="en")
    assert result.codebook_path == tmp_path / "out" / "out-codebook.csv"
    frame = pd.read_csv(result.codebook_path, encoding="utf-8-sig")
    assert list(frame["name"]) == KITCHEN_COLUMNS
    assert frame.set_index("name").loc["people", "question"] == "Number of people"
    assert export(tmp_path, "csv").codebook_path is None


def test_sav_reads_back_with_value_labels_variable_labels_and_measures(filled, tmp_path):
    path = export(tmp_path, "sav", lang="en", include_partial=True).path
    frame, meta = pyreadstat.read_sav(str(path))
    assert list(frame.columns) == KITCHEN_COLUMNS
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["people"] == "Number of people"
    assert labels["views_clean"] == "Do you find the bus [clean]"
    # Text codes become 1..n in choice order, labelled; numeric codes stay as they are.
    # The value labels carry the text codes, so a number can be traced back to the code it stands for.
    assert meta.variable_value_labels["mode"] == {1.0: "Bike [bike]", 2.0: "Bus [bus]", 3.0: "Other [other]"}
    assert meta.variable_value_labels["views_clean"] == {1.0: "No", 2.0: "Maybe", 3.0: "Yes"}
    assert list(frame["mode"][:2]) == [2.0, 3.0]
    assert frame["views_clean"][0] == 3.0
    assert meta.variable_measure["views_clean"] == "ordinal"
    assert meta.variable_measure["mode"] == "nominal"
    assert meta.variable_measure["people"] == "scale"
    assert frame["submitted_at"][0] == pd.Timestamp("2026-02-10 14:00:00")
    assert frame["moved"][0] == date(2019, 5, 1)
    assert frame["name"][1] == PAYLOADS[0]
    assert any("DEMO DATA" in note for note in meta.notes)
    labelled, _ = pyreadstat.read_sav(str(path), apply_value_formats=True)
    assert labelled["mode"][0] == "Bus [bus]"


def test_dta_reads_back_with_valid_names_and_labels(filled, tmp_path):
    path = export(tmp_path, "dta", lang="sv").path
    frame, meta = pyreadstat.read_dta(str(path))
    assert list(frame.columns) == KITCHEN_COLUMNS
    assert dict(zip(meta.column_names, meta.column_labels, strict=True))["people"] == "Antal personer"
    assert meta.variable_value_labels["mode"] == {1: "Cykel [bike]", 2: "Buss [bus]", 3: "Annat [other]"}
    assert frame["people"].tolist() == [3.0, 1.0]
    assert frame["story"][1] == PAYLOADS[1]


def test_mixed_codes_keep_numbers_and_make_text_codes_missing(
    make_app, write_survey, surveys_dir, add, tmp_path
):
    write_survey(AGES)
    with make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).app_context():
        add("ages", language="sv", age=2)
        add("ages", language="sv", age="no_answer")
        sav = export_survey("ages", "sav", out=tmp_path / "a.sav").path
        frame, meta = pyreadstat.read_sav(str(sav), user_missing=True)
        assert frame["age"].tolist() == [2.0, -1.0]
        assert meta.variable_value_labels["age"][-1.0] == "Prefer not to say [no_answer]"
        assert meta.missing_ranges["age"] == [{"lo": -1.0, "hi": -1.0}]
        plain, _ = pyreadstat.read_sav(str(sav))
        assert plain["age"].isna().tolist() == [False, True]  # never averaged in
        dta = export_survey("ages", "dta", out=tmp_path / "a.dta").path
        frame, meta = pyreadstat.read_dta(str(dta), apply_value_formats=True)
        assert frame["age"][0] == "Old"
        plain, _ = pyreadstat.read_dta(str(dta))
        assert plain["age"].isna().tolist() == [False, True]


def test_names_are_valid_for_each_format():
    names = ["a" * 70, "a" * 70 + "b", "in", "with", "x.y"]
    assert safe_names(names, SAV) == ["a" * 64, "a" * 62 + "_2", "in", "with_", "x.y"]
    dta = safe_names(names, DTA)
    assert dta == ["a" * 32, "a" * 30 + "_2", "in_", "with_", "x_y"]
    assert truncate("å" * 200, 256).encode() == ("å" * 126 + "...").encode()


def test_json_has_about_codebook_and_one_object_per_response(filled, tmp_path):
    path = export(tmp_path, "json", include_partial=True, values="labels", lang="en").path
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["about"]["survey"] == "kitchen"
    assert [e["name"] for e in document["codebook"]] == KITCHEN_COLUMNS
    first, second, third = document["responses"]
    assert first["submitted_at"] == "2026-02-10T14:00:00+01:00"
    assert first["hidden"] == {"station": "12"}
    assert first["answers"]["mode"] == "Bus"
    assert first["answers"]["views"] == {"clean": "Yes", "close": "No"}
    assert first["answers"]["order"] == ["Speed", "Comfort", "Price"]
    assert first["answers"]["people"] == 3
    assert second["answers"]["name"] == PAYLOADS[0]
    assert second["answers"]["fractions_other"] == PAYLOADS[4]
    assert second["hidden"]["station"] == PAYLOADS[2]
    assert third["status"] == "in_progress" and third["submitted_at"] is None


def test_json_codes_by_default(filled, tmp_path):
    document = json.loads(export(tmp_path, "json").path.read_text(encoding="utf-8"))
    assert document["responses"][0]["answers"]["mode"] == "bus"
    assert document["responses"][0]["answers"]["fractions"] == ["food", "glass"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "sav", "dta", "json"])
def test_file_is_written_under_a_temporary_name_then_renamed(filled, tmp_path, fmt):
    folder = tmp_path / "exports"
    folder.mkdir()
    result = export_survey("kitchen", fmt, out=folder)
    assert result.path.parent == folder
    assert re.fullmatch(rf"kitchen-\d{{8}}-\d{{6}}\.{fmt}", result.path.name)
    assert [p.name for p in folder.iterdir()] == [result.path.name]


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "sav", "dta", "json"])
def test_streamed_bytes_equal_a_written_file_and_progress_is_reported(filled, tmp_path, fmt):
    export = prepare_export("kitchen", fmt, ExportOptions(include_partial=True))
    assert export.filename.startswith("kitchen-") and export.rows == 3
    seen = []
    data = b"".join(export.chunks(lambda done, total: seen.append((done, total))))
    assert seen == [(3, 3)]
    assert len(data) > 100
    buffer = io.BytesIO()
    result = export_survey("kitchen", fmt, ExportOptions(include_partial=True), out=buffer)
    assert result.rows == 3 and result.path is None
    if fmt in ("csv", "json"):  # deterministic text formats: byte for byte the same
        assert buffer.getvalue().split(b"made at")[0] == data.split(b"made at")[0]
