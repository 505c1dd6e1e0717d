"""DDI Codebook 2.5: the study, the data file and one variable per export column, in every survey
language, checked against the structure the specification gives (and against its XSD where one is at
hand: LYSSNA_DDI_XSD=/path/to/codebook.xsd)."""

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.exports import ExportOptions, export_survey, prepare_export
from tests.exports.conftest import AGES, KITCHEN_COLUMNS

NS = {"ddi": "ddi:codebook:2_5"}
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def parse(path: Path) -> ET.Element:
    return ET.parse(path).getroot()  # noqa: S314 (our own export)


def local(element: ET.Element) -> str:
    return element.tag.split("}", 1)[1]


def langs(elements) -> list[str]:
    return [e.get(LANG) for e in elements]


@pytest.fixture
def kitchen_ddi(kitchen_app, add, tmp_path) -> ET.Element:
    add(mode="bus", people=2, stars=4, fractions=["food"], views={"clean": 3, "close": 2})
    add(mode="bike", people=1, language="en")
    result = export_survey("kitchen", "ddi", out=tmp_path / "kitchen.xml")
    assert result.path.read_bytes().startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return parse(result.path)


def test_codebook_has_study_file_and_data_descriptions_in_the_order_the_schema_gives(kitchen_ddi):
    root = kitchen_ddi
    assert local(root) == "codeBook" and root.get("version") == "2.5"
    assert [local(child) for child in root] == ["docDscr", "stdyDscr", "fileDscr", "dataDscr"]
    study = root.find("ddi:stdyDscr", NS)
    assert [local(c) for c in study][:2] == ["citation", "stdyInfo"]
    titles = root.find("ddi:stdyDscr/ddi:citation/ddi:titlStmt", NS)
    assert [local(t) for t in titles] == ["titl", "parTitl", "parTitl", "IDNo"]
    assert [(t.get(LANG), t.text) for t in titles][:3] == [
        ("sv", "Allt på en gång"),
        ("en", "Everything at once"),
        ("ar", "كل شيء معًا"),
    ]
    assert titles.find("ddi:IDNo", NS).text == "kitchen"
    dates = root.findall("ddi:stdyDscr/ddi:stdyInfo/ddi:sumDscr/ddi:collDate", NS)
    assert [(d.get("event"), d.get("date")) for d in dates] == [
        ("start", "2026-02-10"),
        ("end", "2026-02-10"),
    ]


def test_file_description_names_the_data_file_with_its_rows_and_columns(kitchen_ddi):
    text = kitchen_ddi.find("ddi:fileDscr/ddi:fileTxt", NS)
    assert text.find("ddi:fileName", NS).text.endswith(".csv")
    assert text.find("ddi:dimensns/ddi:caseQnty", NS).text == "2"
    assert text.find("ddi:dimensns/ddi:varQnty", NS).text == str(len(KITCHEN_COLUMNS))
    file_id = kitchen_ddi.find("ddi:fileDscr", NS).get("ID")
    assert {var.get("files") for var in kitchen_ddi.iter("{ddi:codebook:2_5}var")} == {file_id}


def test_one_var_per_column_with_labels_question_text_and_categories_in_every_language(kitchen_ddi):
    variables = kitchen_ddi.findall("ddi:dataDscr/ddi:var", NS)
    assert [v.get("name") for v in variables] == KITCHEN_COLUMNS
    by_name = {v.get("name"): v for v in variables}
    mode = by_name["mode"]
    assert langs(mode.findall("ddi:labl", NS)) == ["sv", "en", "ar"]
    questions = mode.findall("ddi:qstn", NS)
    assert langs(questions) == ["sv", "en", "ar"]
    assert [q.find("ddi:qstnLit", NS).text for q in questions] == [
        "Hur reser du?",
        "How do you travel?",
        "كيف تسافر؟",
    ]
    categories = mode.findall("ddi:catgry", NS)
    assert [c.find("ddi:catValu", NS).text for c in categories] == ["bike", "bus", "other"]
    assert [lab.text for lab in categories[0].findall("ddi:labl", NS)] == ["Cykel", "Bike", "دراجة"]
    assert langs(categories[0].findall("ddi:labl", NS)) == ["sv", "en", "ar"]
    # The order of a var's children is the schema's: labl, qstn, ..., universe, ..., catgry, ..., varFormat.
    order = [local(c) for c in by_name["views_clean"]]
    assert order.index("labl") < order.index("qstn") < order.index("universe") < order.index("catgry")
    assert order.index("catgry") < order.index("varFormat")
    assert [c.find("ddi:catValu", NS).text for c in by_name["views_clean"].findall("ddi:catgry", NS)] == [
        "1",
        "2",
        "3",
    ]
    assert [c.find("ddi:catValu", NS).text for c in by_name["fractions_food"].findall("ddi:catgry", NS)] == [
        "0",
        "1",
    ]
    assert by_name["people"].get("representationType") == "numeric"
    assert by_name["mode"].get("representationType") == "code"
    assert by_name["started_at"].get("representationType") == "datetime"
    assert by_name["response_id"].find("ddi:qstn", NS) is None  # not a question: labels only


def test_missing_codes_are_marked_as_missing(make_app, write_survey, surveys_dir, add, tmp_path):
    write_survey(AGES)
    with make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).app_context():
        add("ages", age="no_answer")
        root = parse(export_survey("ages", "ddi", out=tmp_path / "ages.xml").path)
    age = next(v for v in root.iter("{ddi:codebook:2_5}var") if v.get("name") == "age")
    assert [item.get("VALUE") for item in age.findall("ddi:invalrng/ddi:item", NS)] == ["no_answer"]
    flags = {c.find("ddi:catValu", NS).text: c.get("missing", "N") for c in age.findall("ddi:catgry", NS)}
    assert flags == {"1": "N", "2": "N", "no_answer": "Y"}
    stored = next(c for c in age.findall("ddi:catgry", NS) if c.find("ddi:catValu", NS).text == "no_answer")
    assert "SPSS -1" in stored.find("ddi:txt", NS).text


def test_ddi_describes_codes_even_when_labels_are_asked_and_streams(kitchen_app, add):
    add(mode="bus", people=2)
    prepared = prepare_export("kitchen", "ddi", ExportOptions(values="labels"))
    assert prepared.filename.endswith(".xml") and prepared.mimetype == "application/xml"
    root = ET.fromstring(b"".join(prepared.chunks()))  # noqa: S314 (our own export)
    mode = next(v for v in root.iter("{ddi:codebook:2_5}var") if v.get("name") == "mode")
    assert [c.find("ddi:catValu", NS).text for c in mode.findall("ddi:catgry", NS)] == [
        "bike",
        "bus",
        "other",
    ]


XSD = os.environ.get("LYSSNA_DDI_XSD")


def assert_valid(root: ET.Element) -> None:
    """Valid against the DDI Alliance's codebook.xsd (a local copy: nothing is fetched)."""
    etree = pytest.importorskip("lxml.etree")
    schema = etree.XMLSchema(etree.parse(XSD, etree.XMLParser(no_network=True)))
    document = etree.fromstring(ET.tostring(root))
    assert schema.validate(document), schema.error_log


@pytest.mark.skipif(not XSD, reason="LYSSNA_DDI_XSD names no local codebook.xsd")
def test_valid_against_the_ddi_codebook_xsd(kitchen_ddi):
    assert_valid(kitchen_ddi)


@pytest.mark.skipif(not XSD, reason="LYSSNA_DDI_XSD names no local codebook.xsd")
def test_missing_codes_and_waves_valid_against_the_xsd(make_app, write_survey, surveys_dir, add, tmp_path):
    from app.exports.pilot import export_pilot

    first = AGES.replace("title: Ages", "title: Ages\npilot: ages\nwave: baseline")
    write_survey(first)
    write_survey(first.replace("id: ages", "id: ages-two").replace("wave: baseline", "wave: '2'"))
    with make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).app_context():
        add("ages", age="no_answer")
        add("ages-two", age=1)
        assert_valid(parse(export_survey("ages", "ddi", out=tmp_path / "ages.xml").path))
        assert_valid(parse(export_pilot("ages", "ddi", out=tmp_path / "pilot.xml").path))
