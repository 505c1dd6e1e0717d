"""SPSS and Stata files read back with pyreadstat: typed from the definition (even with no rows), long
texts kept (Stata) or cut and reported (SPSS), mixed codes as missing values, labels that keep codes."""

import math

import pyreadstat
import pytest

from app.exports import ExportOptions, export_survey
from app.exports.codebook import scale_labels
from app.exports.codes import numeric_codes
from app.extensions import db
from app.surveys.catalog import current_registry, sync
from app.surveys.registry import load_registry
from tests.exports.conftest import KITCHEN

STATS = """
id: stats
title: {sv: Statistikfiler, en: Statistics files}
languages: [sv, en]
hidden_fields: [station]
pages:
  - id: p
    questions:
      - id: age
        type: single_choice
        label: {sv: Ålder, en: Age}
        choices:
          - {value: 1, label: {sv: Ung, en: Young}}
          - {value: 2, label: {sv: Gammal, en: Old}}
          - {value: no_answer, label: {sv: Vill inte svara, en: Prefer not to say}}
          - {value: dont_know, label: {sv: Vet inte, en: "Don't know"}}
      - id: travel
        type: single_choice
        label: {sv: Resa, en: Travel}
        choices:
          - {value: bike, label: {sv: Cykel, en: Bike}}
          - {value: bus, label: {sv: Buss, en: Bus}}
      - id: mood
        type: rating
        scale: smiley5
        label: {sv: Humör, en: Mood}
      - id: recommend
        type: rating
        scale: nps
        label: {sv: Rekommendera, en: Recommend}
      - id: stars
        type: rating
        scale: stars5
        label: {sv: Betyg, en: Rating}
      - id: story
        type: long_text
        max_length: 100000
        label: {sv: Berätta, en: Tell us}
      - id: fractions
        type: multiple_choice
        other: true
        label: {sv: Sorterar, en: Sorts}
        choices:
          - {value: food, label: {sv: Mat, en: Food}}
          - {value: glass, label: {sv: Glas, en: Glass}}
      - id: moved
        type: date
        label: {sv: Inflyttning, en: Moved in}
      - id: temp
        type: decimal
        label: {sv: Temperatur, en: Temperature}
"""
# Version 2 adds a question that mixes number and text codes: the rows of version 1 leave it empty.
LATE = """
      - id: late
        type: single_choice
        label: {sv: Senare, en: Later}
        choices:
          - {value: 1, label: {sv: Ja, en: "Yes"}}
          - {value: no_answer, label: {sv: Vill inte svara, en: Prefer not to say}}
"""
PERSIAN = "سلام " * 400  # 2,000 characters, 4,000 bytes: past Stata's 2,045-byte str, a strL
FMTS = ["sav", "zsav", "dta"]
TEXTS = {
    "stats": ["story", "fractions_other"],
    "kitchen": ["name", "story", "mode_other", "fractions_other", "picture", "why"],
}


@pytest.fixture
def stats_app(make_app, write_survey, surveys_dir):
    """An app serving the `stats` survey and the kitchen-sink survey, inside an app context."""
    write_survey(STATS)
    write_survey(KITCHEN)
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    with app.app_context():
        yield app


def export(tmp_path, fmt, survey="stats", name="out", **options):
    folder = tmp_path / "out"
    folder.mkdir(exist_ok=True)
    return export_survey(survey, fmt, ExportOptions(**options), out=folder / f"{name}.{fmt}")


def read(path, **kwargs):
    """A .sav, .zsav or .dta file as (frame, meta)."""
    if path.suffix == ".dta":
        return pyreadstat.read_dta(str(path), **kwargs)
    return pyreadstat.read_sav(str(path), **kwargs)


def layout(path) -> dict:
    """Everything about a file's variables but their values and string widths."""
    _, meta = read(path, metadataonly=True)
    types = meta.readstat_variable_types
    return {
        "names": meta.column_names,
        "types": types,
        "labels": meta.column_labels,
        "value_labels": meta.variable_value_labels,
        "missing": meta.missing_ranges,
        "measures": meta.variable_measure,
        "formats": {n: f for n, f in meta.original_variable_types.items() if types[n] != "string"},
    }


def same(values, expected) -> bool:
    """Lists equal, with NaN equal to NaN."""
    assert len(values) == len(expected), (values, expected)
    for value, wanted in zip(values, expected, strict=True):
        if isinstance(wanted, float) and math.isnan(wanted):
            assert isinstance(value, float) and math.isnan(value), (values, expected)
        else:
            assert value == wanted, (values, expected)
    return True


def add_everything(add) -> None:
    """Rows that give every column of `stats` a value somewhere."""
    add("stats", hidden={"station": "12"}, age=1, travel="bus", mood=4, recommend=10, stars=3)
    add("stats", age="no_answer", story=PERSIAN, fractions=["food", "other"], fractions_other="Kartong")
    add("stats", age="dont_know", moved="2019-05-01", temp=21.5, is_demo=True)


@pytest.mark.parametrize("survey", ["stats", "kitchen"])
@pytest.mark.parametrize("fmt", FMTS)
def test_a_file_without_rows_has_the_variables_types_and_labels_of_one_with_rows(
    stats_app, add, tmp_path, fmt, survey
):
    empty = export(tmp_path, fmt, survey, name="empty", lang="en")
    assert empty.rows == 0
    add_everything(add)
    add(people=2, story="x" * 3000, fractions=["food", "other"], fractions_other="Kartong", mode="bus")
    full = export(tmp_path, fmt, survey, name="full", lang="en")
    assert full.rows == (3 if survey == "stats" else 1)
    assert layout(empty.path) == layout(full.path)
    texts = {name for name, kind in layout(empty.path)["types"].items() if kind == "string"}
    fixed_texts = {"response_id", "status", "language", "channel", "last_page", "hidden_station"}
    assert texts == {*fixed_texts, *TEXTS[survey]}


def test_a_file_without_rows_keeps_labels_missing_codes_and_measures(stats_app, tmp_path):
    _, meta = read(export(tmp_path, "sav", lang="sv").path, user_missing=True)
    assert meta.number_rows == 0
    assert meta.variable_value_labels["age"] == {
        1.0: "Ung",
        2.0: "Gammal",
        -1.0: "Vill inte svara [no_answer]",
        -2.0: "Vet inte [dont_know]",
    }
    assert meta.missing_ranges["age"] == [{"lo": -2.0, "hi": -1.0}]
    assert meta.variable_measure["age"] == "ordinal"
    assert meta.variable_value_labels["travel"] == {1.0: "Cykel [bike]", 2.0: "Buss [bus]"}
    assert meta.variable_measure["travel"] == "nominal"
    assert meta.original_variable_types["moved"] == "DATE11"
    assert meta.original_variable_types["started_at"] == "DATETIME20"
    _, meta = read(export(tmp_path, "dta", lang="sv").path)
    assert meta.variable_value_labels["age"] == {
        1: "Ung",
        2: "Gammal",
        "a": "Vill inte svara [no_answer]",
        "b": "Vet inte [dont_know]",
    }
    assert meta.original_variable_types["moved"] == "%td"
    assert meta.original_variable_types["started_at"] == "%tc"


def test_flag_columns_are_labelled_zero_one_numbers(stats_app, add, tmp_path):
    add("stats", fractions=["glass", "other"], fractions_other="Kartong", is_demo=True)
    add("stats", age=1)
    for fmt in FMTS:
        frame, meta = read(export(tmp_path, fmt, lang="en").path)
        assert same(frame["fractions_glass"].tolist(), [1.0, float("nan")])
        assert same(frame["fractions_other_chosen"].tolist(), [1.0, float("nan")])
        assert frame["demo"].tolist() == [1.0, 0.0]
        for name in ("fractions_food", "fractions_other_chosen"):
            assert meta.variable_value_labels[name] == {1: "chosen", 0: "not chosen"}
        assert meta.variable_value_labels["demo"] == {1: "yes", 0: "no"}


def test_long_texts_survive_in_stata_beside_empty_cells(stats_app, add, tmp_path):
    stories = [None, PERSIAN, None, "y" * 32_767, "", "z" * 100_000, None]
    for story in stories:
        add("stats", story=story) if story is not None else add("stats", age=1)
    frame, meta = read(export(tmp_path, "dta").path)
    # Stata has no missing value for text: an empty answer is "".
    assert frame["story"].tolist() == [s or "" for s in stories]
    assert frame["fractions_other"].tolist() == [""] * len(stories)
    assert meta.readstat_variable_types["story"] == "string"


@pytest.mark.parametrize("fmt", ["sav", "zsav"])
def test_an_answer_over_32767_bytes_is_cut_for_spss_and_reported(stats_app, add, tmp_path, fmt):
    too_long = "ab" + "€" * 13_332 + "cd"  # 40,000 bytes; 32,767 falls inside a euro sign
    assert len(too_long.encode()) == 40_000
    fits = "x" * 32_767
    first = add("stats", story=too_long)
    add("stats", story=fits)
    add("stats", age=1)
    result = export(tmp_path, fmt)
    frame, meta = read(result.path)
    assert frame["story"].tolist() == ["ab" + "€" * 10_921, fits, ""]
    assert [(c.response_id, c.column, c.length, c.limit) for c in result.cuts] == [
        (first.public_id, "story", len(too_long), "32,767 bytes (SPSS)")
    ]
    notes = " ".join(meta.notes)
    assert "cut texts: 1 answer(s) longer than 32,767 bytes" in notes
    assert "in story (1)" in notes
    dta = export(tmp_path, "dta")
    assert dta.cuts == ()
    assert read(dta.path)[0]["story"][0] == too_long


def test_notes_say_nothing_is_cut_when_nothing_is(stats_app, add, tmp_path):
    add("stats", story="kort")
    _, meta = read(export(tmp_path, "sav").path)
    assert not any("cut" in note for note in meta.notes)


NAN = float("nan")
ORDERS = {
    "text code first": ["no_answer", 1, None, 2],
    "empty first": [None, None, None, 2, "dont_know"],
    "text code last": [1, None, None, "no_answer"],
    "text code in the middle": [None, 2, "dont_know", 1, None],
    "all empty": [None, None, None],
    "only text codes": [None, "no_answer", "dont_know"],
}
SAV_CODES = {None: NAN, 1: 1.0, 2: 2.0, "no_answer": -1.0, "dont_know": -2.0}
DTA_CODES = {None: NAN, 1: 1.0, 2: 2.0, "no_answer": "a", "dont_know": "b"}


@pytest.mark.parametrize("answers", ORDERS.values(), ids=ORDERS.keys())
def test_mixed_codes_are_numbers_and_missing_codes_in_any_row_order(stats_app, add, tmp_path, answers):
    for age in answers:
        add("stats", age=age)
    for fmt, codes in (("sav", SAV_CODES), ("zsav", SAV_CODES), ("dta", DTA_CODES)):
        path = export(tmp_path, fmt).path
        frame, meta = read(path, user_missing=True)
        assert same(frame["age"].tolist(), [codes[a] for a in answers])
        assert meta.readstat_variable_types["age"] == "double"
        plain, _ = read(path)  # without user_missing, every text code is missing: never averaged in
        assert same(plain["age"].tolist(), [a if isinstance(a, int) else NAN for a in answers])


def test_a_mixed_question_added_in_a_later_version_after_many_empty_rows(
    make_app, write_survey, surveys_dir, add, tmp_path
):
    write_survey(STATS)
    with make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).app_context():
        for _ in range(50):
            add("stats", age=1)
    write_survey(STATS + LATE)
    with make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).app_context():
        sync(db.session, load_registry(surveys_dir))
        db.session.commit()
        add("stats", late="no_answer")
        add("stats", late=1)
        sav, sav_meta = read(export(tmp_path, "sav").path, user_missing=True)
        assert same(sav["late"].tolist(), [NAN] * 50 + [-1.0, 1.0])
        assert sav_meta.missing_ranges["late"] == [{"lo": -1.0, "hi": -1.0}]
        dta, dta_meta = read(export(tmp_path, "dta").path, user_missing=True)
        assert same(dta["late"].tolist(), [NAN] * 50 + ["a", 1.0])
        assert dta_meta.variable_value_labels["late"] == {1: "Ja", "a": "Vill inte svara [no_answer]"}


def test_numeric_codes_give_each_format_its_numbers_and_letters():
    codes = [1, 2, "no_answer", "dont_know"]
    assert numeric_codes(codes, "sav") == {1: 1, 2: 2, "no_answer": -1, "dont_know": -2}
    assert numeric_codes(codes, "zsav") == numeric_codes(codes, "sav")
    assert numeric_codes(codes, "dta") == {1: 1, 2: 2, "no_answer": "a", "dont_know": "b"}
    assert numeric_codes(["weekly", "never"], "dta") == {"weekly": 1, "never": 2}
    assert numeric_codes([5, 3], "sav") == {5: 5, 3: 3}
    # Text codes go below every number code, so they never take a code a choice has.
    assert numeric_codes(["no_answer", -2, -1, 0, 1, 2], "sav") == {
        "no_answer": -3,
        -2: -2,
        -1: -1,
        0: 0,
        1: 1,
        2: 2,
    }
    many = [1, *(f"t{n}" for n in range(27))]
    assert numeric_codes(many, "dta")["t26"] == -27  # Stata has 26 extended missing values


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_ratings_get_the_scale_labels_residents_saw(stats_app, add, tmp_path, lang):
    add("stats", mood=5, recommend=0, stars=1)
    survey = current_registry().get("stats")
    for fmt in FMTS:
        frame, meta = read(export(tmp_path, fmt, lang=lang).path)
        for qid in ("mood", "recommend", "stars"):
            wanted = scale_labels(survey.question(qid), lang)
            assert meta.variable_value_labels[qid] == wanted
        assert (frame["mood"][0], frame["recommend"][0], frame["stars"][0]) == (5.0, 0.0, 1.0)
    if lang == "en":
        assert meta.variable_value_labels["mood"][1] == "Very dissatisfied"
        assert meta.variable_value_labels["recommend"] == {0: "Not at all likely", 10: "Extremely likely"}
        assert meta.variable_value_labels["stars"][3] == "3 stars"


@pytest.mark.parametrize(("fmt", "compression"), [("sav", 1), ("zsav", 2)])
def test_spss_files_are_row_compressed_and_zsav_zlib_compressed(stats_app, add, tmp_path, fmt, compression):
    add("stats", story="x" * 10_000)
    add("stats", age=1)
    path = export(tmp_path, fmt).path
    header = path.read_bytes()[:76]
    assert header[:4] == (b"$FL3" if fmt == "zsav" else b"$FL2")
    assert int.from_bytes(header[72:76], "little") == compression  # 1 bytecode (rows), 2 zlib
    assert read(path)[0]["story"][0] == "x" * 10_000


def test_flask_export_writes_a_zsav_file(stats_app, add, tmp_path):
    add("stats", age="no_answer")
    runner = stats_app.test_cli_runner()
    result = runner.invoke(args=["export", "stats", "--format", "zsav", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    path = tmp_path / result.output.splitlines()[0].rsplit("/", 1)[1]
    assert path.suffix == ".zsav"
    frame, _ = read(path, user_missing=True)
    assert frame["age"].tolist() == [-1.0]


def test_a_changed_question_type_becomes_text_in_every_row(
    make_app, write_survey, surveys_dir, add, tmp_path
):
    write_survey(STATS)
    with make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).app_context():
        add("stats", age=2)
    age = STATS[STATS.index("      - id: age") : STATS.index("      - id: travel")]
    write_survey(STATS.replace(age, "      - {id: age, type: text, label: Age}\n"))
    with make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).app_context():
        sync(db.session, load_registry(surveys_dir))
        db.session.commit()
        add("stats", age="ganska gammal")
        for fmt in FMTS:
            frame, meta = read(export(tmp_path, fmt).path)
            assert frame["age"].tolist() == ["2", "ganska gammal"]
            assert meta.readstat_variable_types["age"] == "string"


def test_a_code_no_version_offers_is_kept_as_text_never_dropped(stats_app, add, tmp_path):
    add("stats", age="retired")  # e.g. stored before the versions a response lived through were kept
    add("stats", age=2)
    for fmt in FMTS:
        frame, meta = read(export(tmp_path, fmt).path)
        assert frame["age"].tolist() == ["retired", "2"]
        assert meta.readstat_variable_types["age"] == "string"
