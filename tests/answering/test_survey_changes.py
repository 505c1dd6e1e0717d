"""A survey changed while residents answer it: nothing they answered is lost, and every export keeps it.

The scenario of the lossless-export issue: a resident answers page 1 on version 1; the pilot team
removes a choice the resident ticked, removes a question the resident answered, rewords a question
and adds one; the app serves version 2; the resident finishes on version 2.
"""

import csv
import io
import json

import openpyxl
import pandas as pd
import pyreadstat
import pytest
from sqlalchemy import select

from app.exports import ExportOptions, export_survey
from app.extensions import db
from app.models import Response
from app.surveys.catalog import sync
from app.surveys.registry import load_registry

VERSION_1 = """\
id: bins
title: {sv: Soptunnorna, en: The bins}
languages: [sv, en]
pages:
  - id: first
    questions:
      - id: fractions
        type: multiple_choice
        label: {sv: "Vad sorterar du?", en: "What do you sort?"}
        choices:
          - {value: food, label: {sv: Mat, en: Food}}
          - {value: glass, label: {sv: Glas, en: Glass}}
          - {value: metal, label: {sv: Metall, en: Metal}}
      - id: bins_full
        type: single_choice
        label: {sv: "Var kärlen fulla?", en: "Were the bins full?"}
        choices:
          - {value: 1, label: {sv: Ja, en: "Yes"}}
          - {value: 0, label: {sv: Nej, en: "No"}}
          - {value: unsure, label: {sv: Vet inte, en: Not sure}}
      - {id: street, type: text, label: {sv: Gata, en: Street}}
  - id: second
    questions:
      - {id: comment, type: long_text, label: {sv: "Något mer?", en: "Anything else?"}}
"""

# Version 2: "glass" and "unsure" are no longer offered, "street" is gone, "comment" is reworded,
# and a question is added on the page the resident has not reached yet.
VERSION_2 = (
    VERSION_1.replace("          - {value: glass, label: {sv: Glas, en: Glass}}\n", "")
    .replace("          - {value: unsure, label: {sv: Vet inte, en: Not sure}}\n", "")
    .replace("      - {id: street, type: text, label: {sv: Gata, en: Street}}\n", "")
    .replace(
        '{sv: "Något mer?", en: "Anything else?"}', '{sv: "Vill du säga något mer?", en: "Anything more?"}'
    )
    .replace(
        "  - id: second\n    questions:\n",
        "  - id: second\n    questions:\n"
        "      - {id: visits, type: integer, min: 0, max: 50, label: {sv: Antal besök, en: Visits}}\n",
    )
)


def serve(app, folder) -> None:
    """Publish the definitions in the folder, as `flask surveys sync` does: served from the next request."""
    with app.app_context():
        sync(db.session, load_registry(folder))
        db.session.commit()


@pytest.fixture
def changed_midway(make_app, write_survey, surveys_dir, browse, start):
    """A response begun on version 1 and finished on version 2, as the scenario above."""
    path = write_survey(VERSION_1)
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    serve(app, surveys_dir)
    client = app.test_client()
    first = start(client, "bins")
    saved = browse.post(
        client,
        first,
        [("fractions", "food"), ("fractions", "glass"), ("bins_full", "unsure"), ("street", "Ekv")],
    )
    assert saved.status == 302
    second = browse.get(client, saved.location)  # page 2 as version 1 shows it
    path.write_text(VERSION_2, encoding="utf-8")
    serve(app, surveys_dir)
    done = browse.post(client, second, {"comment": "Tömningen är för sällan"})
    if done.location and "/p/" in done.location:  # version 2 asks something new on this page
        again = browse.get(client, done.location)
        done = browse.post(client, again, {"comment": "Tömningen är för sällan", "visits": "3"})
    assert done.status == 302 and done.location.endswith("/s/bins/thanks"), done.html
    return app


def test_answers_the_new_version_no_longer_asks_are_kept_with_the_response(changed_midway):
    with changed_midway.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.status == Response.COMPLETE
        assert response.answers["fractions"] == ["food", "glass"]
        assert response.answers["bins_full"] == "unsure"
        assert response.answers["street"] == "Ekv"
        assert response.answers["comment"] == "Tömningen är för sällan"
        assert response.started_version_id != response.version_id  # began on 1, finished on 2


def test_every_format_exports_every_answer_given_on_either_version(changed_midway, tmp_path):
    with changed_midway.app_context():
        expected = {
            "survey_version": 2,
            "started_version": 1,
            "fractions_food": 1,
            "fractions_glass": 1,
            "fractions_metal": 0,
            "bins_full": "unsure",
            "street": "Ekv",
            "comment": "Tömningen är för sällan",
        }
        files = {fmt: export_survey("bins", fmt, out=tmp_path / f"bins.{fmt}").path for fmt in FORMATS}
        for fmt, path in files.items():
            row = READERS[fmt](path)
            for name, value in expected.items():
                assert row[name] == value, (fmt, name, row[name])
        document = json.loads(files["json"].read_text(encoding="utf-8"))
        [record] = document["responses"]
        assert record["answers"]["fractions"] == ["food", "glass"]
        assert record["answers"]["street"] == "Ekv"
        assert (record["survey_version"], record["started_version"]) == (2, 1)


def test_the_codebook_shows_both_wordings_with_their_versions(changed_midway, tmp_path):
    with changed_midway.app_context():
        path = export_survey("bins", "xlsx", ExportOptions(lang="en"), out=tmp_path / "bins.xlsx").path
        sheet = openpyxl.load_workbook(path)["Codebook"]
        rows = list(sheet.iter_rows(values_only=True))
        header = rows[0]
        entries = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
        comment = entries["comment"]
        assert comment["question"] == "Anything more?"  # the current wording labels the variable
        assert comment["versions"] == "1, 2"
        assert comment["wordings"] == "v1: Anything else? | v2: Anything more?"
        assert entries["street"]["versions"] == "1"
        assert entries["fractions_glass"]["versions"] == "1"
        assert entries["visits"]["versions"] == "2"
        document = json.loads(
            export_survey("bins", "json", ExportOptions(lang="en"), out=tmp_path).path.read_text()
        )
        wordings = {e["name"]: e["wordings"] for e in document["codebook"]}["comment"]
        assert wordings == [
            {"text": "Anything else?", "versions": [1]},
            {"text": "Anything more?", "versions": [2]},
        ]


FORMATS = ("xlsx", "csv", "sav", "dta", "json")


def _xlsx(path) -> dict:
    rows = list(openpyxl.load_workbook(path)["Responses"].iter_rows(values_only=True))
    return dict(zip(rows[0], rows[1], strict=True))


def _csv(path) -> dict:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    return {k: int(v) if v.isdigit() else v for k, v in row.items()}


def _sav(path) -> dict:
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    return _numbers(frame.iloc[0].to_dict(), meta)


def _dta(path) -> dict:
    frame, meta = pyreadstat.read_dta(str(path), user_missing=True)
    return _numbers(frame.iloc[0].to_dict(), meta)


def _numbers(row: dict, meta) -> dict:
    """Whole numbers as int; a text code (stored as a number or missing letter) as its code again."""
    out = {}
    for name, value in row.items():
        labels = meta.variable_value_labels.get(name, {})
        label = labels.get(value)
        if label and label.endswith("]"):  # "Not sure [unsure]": the value label carries the text code
            value = label[label.rindex("[") + 1 : -1]
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        out[name] = value
    return out


def _json(path) -> dict:
    [record] = json.loads(path.read_text(encoding="utf-8"))["responses"]
    answers = record["answers"]
    flags = {f"fractions_{v}": int(v in answers.get("fractions", [])) for v in ("food", "glass", "metal")}
    return {**record, **answers, **flags}


READERS = {"xlsx": _xlsx, "csv": _csv, "sav": _sav, "dta": _dta, "json": _json}


def test_pandas_reads_the_csv_with_the_old_columns(changed_midway, tmp_path):
    with changed_midway.app_context():
        path = export_survey("bins", "csv", out=tmp_path / "bins.csv").path
        frame = pd.read_csv(io.StringIO(path.read_text(encoding="utf-8-sig")))
        assert {"fractions_glass", "street", "visits"} <= set(frame.columns)


def test_sending_a_page_again_on_the_new_version_keeps_choices_it_no_longer_offers(
    make_app, write_survey, surveys_dir, browse, start
):
    path = write_survey(VERSION_1)
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    serve(app, surveys_dir)
    client = app.test_client()
    first = start(client, "bins")
    data = [("fractions", "food"), ("fractions", "glass"), ("bins_full", "unsure"), ("street", "Ekv")]
    browse.post(client, first, data)
    path.write_text(VERSION_2, encoding="utf-8")
    serve(app, surveys_dir)
    again = browse.get(client, first.action)  # Back to page 1, as version 2 shows it
    assert again.values("fractions") == ["food"] and again.value("bins_full") is None
    browse.post(client, again, [("fractions", "metal")])  # the resident changes what they can see
    with app.app_context():
        answers = db.session.scalars(select(Response)).one().answers
        assert answers["fractions"] == ["metal", "glass"]
        assert answers["bins_full"] == "unsure"
        assert answers["street"] == "Ekv"


# Version 3 of the scenario's survey: page 2 is gone, and page 1 no longer asks "street".
WITHOUT_PAGE_2 = VERSION_1[: VERSION_1.index("  - id: second")].replace(
    "      - {id: street, type: text, label: {sv: Gata, en: Street}}\n", ""
)


@pytest.mark.parametrize("open_page", ["first", "second"])
def test_a_page_sent_after_the_survey_dropped_it_or_its_questions_keeps_what_was_typed(
    make_app, write_survey, surveys_dir, browse, start, open_page
):
    assert WITHOUT_PAGE_2 != VERSION_1 and "comment" not in WITHOUT_PAGE_2 and "street" not in WITHOUT_PAGE_2
    path = write_survey(VERSION_1)
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    serve(app, surveys_dir)
    client = app.test_client()
    page = start(client, "bins")
    if open_page == "second":
        moved = browse.post(client, page, [("fractions", "food"), ("street", "Ekv")])
        page = browse.get(client, moved.location)
    path.write_text(WITHOUT_PAGE_2, encoding="utf-8")
    serve(app, surveys_dir)
    typed = {"first": [("fractions", "metal"), ("street", "Storgatan 1")], "second": {"comment": "Hej"}}
    sent = browse.post(client, page, typed[open_page])
    assert sent.status == 302  # no error: on to where the current version goes on
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        if open_page == "first":
            assert response.answers["street"] == "Storgatan 1"
            assert response.answers["fractions"] == ["metal"]
        else:
            assert response.answers["comment"] == "Hej"
            assert response.answers["street"] == "Ekv"
