"""A Frictionless Data Package: the CSV and its datapackage.json in a folder of their own, valid
offline with the `frictionless` validator, typed, labelled and with the export's missing values."""

import json
import socket
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from frictionless import Package

from app.exports import ExportError, ExportOptions, export_survey
from tests.exports.conftest import AGES, KITCHEN_COLUMNS, PAYLOADS


@contextmanager
def offline(monkeypatch):
    """No connection can be opened: validation must use the descriptor and the data alone."""

    def refuse(*_args, **_kwargs):
        raise OSError("this test has no network")

    with monkeypatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        yield


def validate(folder: Path, monkeypatch) -> None:
    with offline(monkeypatch):
        report = Package(str(folder / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def descriptor(folder: Path) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def fields(folder: Path) -> dict:
    return {f["name"]: f for f in descriptor(folder)["resources"][0]["schema"]["fields"]}


@pytest.fixture
def filled(kitchen_app, add):
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
    add(name=PAYLOADS[0], people=1, mode="other", mode_other="By boat", fractions=["other"], is_demo=True)
    add(status="in_progress", language="ar", people=2)
    return kitchen_app


def test_cli_writes_the_csv_and_its_datapackage_in_a_folder_of_their_own(filled, monkeypatch, tmp_path):
    out = tmp_path / "kitchen-package" / "kitchen.csv"
    result = filled.test_cli_runner().invoke(
        args=["export", "kitchen", "--format", "csv", "--datapackage", "--include-partial", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    folder = out.parent
    assert sorted(p.name for p in folder.iterdir()) == ["datapackage.json", "kitchen.csv"]
    assert f"Data package: {folder / 'datapackage.json'}" in result.output
    validate(folder, monkeypatch)
    package = descriptor(folder)
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert package["name"] == "kitchen"
    assert package["title"] == "Allt på en gång"
    resource = package["resources"][0]
    assert (resource["path"], resource["type"], resource["format"]) == ("kitchen.csv", "table", "csv")
    header = list(pd.read_csv(out, encoding="utf-8-sig", nrows=0).columns)
    assert [f["name"] for f in resource["schema"]["fields"]] == header == KITCHEN_COLUMNS


def test_field_types_follow_the_column_kinds(filled, tmp_path):
    folder = export_survey("kitchen", "csv", ExportOptions(datapackage=True), out=tmp_path / "p" / "k.csv")
    schema = fields(folder.path.parent)
    kinds = {name: field["type"] for name, field in schema.items()}
    assert kinds["response_id"] == "string"
    assert kinds["survey_version"] == kinds["people"] == kinds["duration_seconds"] == "integer"
    assert kinds["temp"] == "number"
    assert kinds["moved"] == "date"
    assert (kinds["submitted_at"], schema["submitted_at"]["format"]) == ("datetime", "%Y-%m-%d %H:%M:%S")
    assert kinds["name"] == kinds["story"] == kinds["hidden_station"] == kinds["picture"] == "string"
    assert (
        kinds["fractions_food"] == kinds["order_price"] == kinds["stars"] == kinds["views_clean"] == "integer"
    )
    assert schema["people"]["title"] == "Antal personer"
    assert "Antal personer" in schema["people"]["description"]
    assert (
        "mode is bus" in schema["views_clean"]["description"]
        or "mode är bus" in schema["views_clean"]["description"]
    )


def test_choice_columns_carry_their_categories_with_labels(filled, tmp_path, monkeypatch):
    path = export_survey(
        "kitchen", "csv", ExportOptions(lang="en", datapackage=True), out=tmp_path / "p" / "k.csv"
    )
    folder = path.path.parent
    validate(folder, monkeypatch)
    schema = fields(folder)
    assert schema["mode"]["categories"] == [
        {"value": "bike", "label": "Bike"},
        {"value": "bus", "label": "Bus"},
        {"value": "other", "label": "Other"},
    ]
    assert schema["views_clean"]["categories"] == [
        {"value": 1, "label": "No"},
        {"value": 2, "label": "Maybe"},
        {"value": 3, "label": "Yes"},
    ]
    assert schema["fractions_food"]["categories"] == [
        {"value": 0, "label": "not chosen"},
        {"value": 1, "label": "chosen"},
    ]
    assert schema["stars"]["categories"][0] == {"value": 1, "label": "1 star"}
    assert schema["stars"]["categoriesOrdered"] is True
    assert schema["status"]["categories"][0]["value"] == "complete"
    assert schema["demo"]["categories"] == [
        {"value": 0, "label": "real answers"},
        {"value": 1, "label": "demo data"},
    ]
    # Every value in the file is one of its column's categories.
    data = pd.read_csv(path.path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    for name, field in schema.items():
        if "categories" in field:
            allowed = {str(c["value"]) for c in field["categories"]}
            assert set(data[name]) - {""} <= allowed, name


def test_missing_values_are_declared_and_text_codes_among_numbers_are_missing(
    make_app, write_survey, surveys_dir, add, tmp_path, monkeypatch
):
    write_survey(AGES)
    with make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).app_context():
        add("ages", age=1)
        add("ages", age="no_answer")
        add("ages")
        result = export_survey(
            "ages", "csv", ExportOptions(datapackage=True), out=tmp_path / "ages" / "ages.csv"
        )
    folder = result.path.parent
    validate(folder, monkeypatch)
    schema = descriptor(folder)["resources"][0]["schema"]
    assert schema["missingValues"] == [""]
    age = {f["name"]: f for f in schema["fields"]}["age"]
    assert age["type"] == "integer"
    assert age["categories"] == [{"value": 1, "label": "Young"}, {"value": 2, "label": "Old"}]
    assert age["missingValues"] == [
        {"value": "", "label": "tomt: inte frågat eller inte besvarat"},
        {"value": "no_answer", "label": "Prefer not to say"},
    ]
    with offline(monkeypatch):
        rows = Package(str(folder / "datapackage.json")).get_resource("ages").read_rows()
    assert [row["age"] for row in rows] == [1, None, None]


def test_semicolons_and_labels_are_described_too(filled, tmp_path, monkeypatch):
    options = ExportOptions(sep=";", values="labels", lang="en", datapackage=True)
    folder = export_survey("kitchen", "csv", options, out=tmp_path / "p" / "k.csv").path.parent
    validate(folder, monkeypatch)
    resource = descriptor(folder)["resources"][0]
    assert resource["dialect"]["delimiter"] == ";"
    schema = {f["name"]: f for f in resource["schema"]["fields"]}
    assert schema["temp"]["decimalChar"] == ","
    assert schema["mode"]["type"] == "string"
    assert schema["mode"]["categories"] == ["Bike", "Bus", "Other"]  # the labels are the values


def test_default_folder_is_named_after_the_export(filled):
    result = filled.test_cli_runner().invoke(args=["export", "kitchen", "--format", "csv", "--datapackage"])
    assert result.exit_code == 0, result.output
    csv_path = Path(result.output.splitlines()[0])
    assert csv_path.parent.name == csv_path.stem and csv_path.parent.parent == Path(
        filled.config["LYSSNA_EXPORTS_DIR"]
    )
    assert (csv_path.parent / "datapackage.json").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xlsx", "--datapackage"], "--datapackage goes with --format csv"),
        (["--format", "csv", "--datapackage", "--out", "{busy}/k.csv"], "needs a folder of its own"),
    ],
)
def test_datapackage_mistakes_are_explained(filled, tmp_path, args, message):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "other.txt").write_text("someone else's")
    args = [a.replace("{busy}", str(busy)) for a in args]
    result = filled.test_cli_runner().invoke(args=["export", "kitchen", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_datapackage_only_with_csv_from_python(filled, tmp_path):
    with pytest.raises(ExportError, match="--format csv"):
        export_survey("kitchen", "json", ExportOptions(datapackage=True), out=tmp_path / "k.json")


def test_streamed_datapackage_is_a_zip_of_the_folder(filled, tmp_path, monkeypatch):
    import io
    import zipfile

    from app.exports import prepare_export

    prepared = prepare_export("kitchen", "csv", ExportOptions(datapackage=True))
    assert prepared.download_name.endswith(".zip") and prepared.mimetype == "application/zip"
    data = io.BytesIO(b"".join(prepared.chunks()))
    with zipfile.ZipFile(data) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "unzipped")
    stem = prepared.filename.removesuffix(".csv")
    assert sorted(names) == [f"{stem}/datapackage.json", f"{stem}/{prepared.filename}"]
    validate(tmp_path / "unzipped" / stem, monkeypatch)
