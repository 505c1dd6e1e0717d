"""Translators do not edit YAML: `flask surveys translations export|import` and stale translations."""

import difflib
import io
import shutil

import openpyxl
import pandas as pd
import pytest
from babel.messages.pofile import read_po, write_po

from app.surveys.loader import load_file, load_text
from app.surveys.models import Choice, Survey
from app.surveys.translations import read_translations, survey_texts
from tests.conftest import EXAMPLE_SURVEYS

BINS = """\
# Bins: a survey for the translation tests.
id: bins
title: {sv: Soptunnor, en: Bins}
description:
  sv: |
    Första stycket.

    Andra stycket.
  en: |
    First paragraph.

    Second paragraph.
languages: [sv, en]
consent:
  text: {sv: Frivilligt., en: Voluntary.}
privacy_notice: {sv: Kommunen ansvarar., en: The municipality is responsible.}
thank_you: {sv: Tack!, en: Thank you!}  # shown after the last page

# Shared by several questions.
choice_lists:
  yesno:
    - {value: 1, label: {sv: Ja, en: "Yes"}}
    - {value: 0, label: {sv: Nej, en: "No"}}
pages:
  - id: start
    title: {sv: Start, en: Start}
    intro:
      sv: Några frågor om soptunnan.
      en: A few questions about the bin.
    questions:
      - id: welcome
        type: note
        text: {sv: Välkommen, en: Welcome}
      - id: full
        type: single_choice
        label: {sv: "Var den full?", en: "Was it full?"}
        choices: yesno
      - id: code
        type: text
        label: Kod  # the same in every language
        hint: {sv: Fyra siffror, en: Four digits}
        pattern: "^[0-9]{4}$"
        pattern_message: {sv: Skriv fyra siffror, en: Write four digits}
  - id: more
    questions:
      - id: views
        type: matrix
        label:
          sv: Stationen
          en: The station
        # Rows are statements about the station.
        rows:
          - {id: clean, label: {sv: Ren, en: Clean}}
          - {id: signs, label: {sv: Skyltar, en: Signs}}
        choices: yesno
      - id: mood
        type: single_choice
        label: {sv: Humör, en: Mood}
        choices:
          - {value: 1, label: Glad}
          - {value: 2, label: {sv: Ledsen, en: Sad}}
"""
KEYS = [
    "title",
    "description",
    "consent/text",
    "privacy_notice",
    "thank_you",
    "choice_list:yesno/choice:1/label",
    "choice_list:yesno/choice:0/label",
    "page:start/title",
    "page:start/intro",
    "question:welcome/text",
    "question:full/label",
    "question:code/label",
    "question:code/hint",
    "question:code/pattern_message",
    "question:views/label",
    "question:views/row:clean/label",
    "question:views/row:signs/label",
    "question:mood/label",
    "question:mood/choice:1/label",
    "question:mood/choice:2/label",
]


@pytest.fixture
def bins(make_app, write_survey, surveys_dir):
    """An app whose surveys folder holds `bins.yaml`; returns (app, path of the file)."""
    path = write_survey(BINS)
    return make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)), path


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=["surveys", *args])


def export(app, tmp_path, lang: str, fmt: str = "xlsx"):
    out = tmp_path / f"bins-{lang}.{fmt}"
    result = invoke(app, "translations", "export", "bins", "--lang", lang, "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def sheet_rows(path) -> dict[str, list]:
    """The Translations sheet by key: [source, translation, state, notes]."""
    sheet = openpyxl.load_workbook(path)["Translations"]
    return {row[0]: list(row[1:]) for row in sheet.iter_rows(min_row=2, values_only=True)}


def set_cells(path, translations: dict[str, str | None]) -> None:
    """What a translator does: write in the translation column of some rows."""
    book = openpyxl.load_workbook(path)
    sheet = book["Translations"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value in translations:
            row[2].value = translations[row[0].value]
    book.save(path)


def changed_lines(before: str, after: str) -> list[str]:
    """The lines removed (-) and added (+) from one text to the other."""
    return [
        line.rstrip("\n")
        for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


# ----------------------------------------------------------------------------- the texts and their keys


def test_every_text_has_a_stable_key_in_definition_order():
    survey = load_text(BINS, "bins.yaml").survey
    assert [t.key for t in survey_texts(survey)] == KEYS


def test_keys_survive_reordering_pages_questions_and_choices():
    reordered = (
        BINS.replace('    - {value: 1, label: {sv: Ja, en: "Yes"}}\n', "")
        .replace(
            '    - {value: 0, label: {sv: Nej, en: "No"}}\n',
            '    - {value: 0, label: {sv: Nej, en: "No"}}\n    - {value: 1, label: {sv: Ja, en: "Yes"}}\n',
        )
        .replace("          - {id: clean, label: {sv: Ren, en: Clean}}\n", "")
        .replace(
            "        choices: yesno\n      - id: mood",
            "          - {id: clean, label: {sv: Ren, en: Clean}}\n        choices: yesno\n      - id: mood",
        )
    )
    survey = load_text(reordered, "bins.yaml").survey
    assert survey.choice_lists["yesno"][0].value == 0
    assert [r.id for r in survey.question("views").rows] == ["signs", "clean"]
    assert sorted(t.key for t in survey_texts(survey)) == sorted(KEYS)


# ----------------------------------------------------------------------------- export


def test_export_lists_every_text_with_source_translation_and_state(bins, tmp_path):
    app, _ = bins
    path = export(app, tmp_path, "en")
    book = openpyxl.load_workbook(path)
    sheet = book["Translations"]
    assert [c.value for c in sheet[1]] == ["key", "sv (source)", "en (translation)", "state", "notes"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= 40
    assert not sheet.sheet_view.rightToLeft
    rows = sheet_rows(path)
    assert list(rows) == KEYS
    assert rows["title"][:3] == ["Soptunnor", "Bins", "done"]
    assert rows["description"][0] == "Första stycket.\n\nAndra stycket.\n"
    # A text written once stands for every language: translated, as residents see it.
    assert rows["question:code/label"][:3] == ["Kod", "Kod", "done"]
    assert rows["question:mood/choice:1/label"][:3] == ["Glad", "Glad", "done"]
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True) if row[0]}
    assert about["survey"] == "bins"


def test_export_to_a_new_language_lists_every_text_as_missing_right_to_left(bins, tmp_path):
    app, _ = bins
    path = export(app, tmp_path, "ar")
    assert openpyxl.load_workbook(path)["Translations"].sheet_view.rightToLeft
    rows = sheet_rows(path)
    assert {state for _, _, state, _ in rows.values()} == {"missing"}
    assert all(translation is None for _, translation, _, _ in rows.values())


def test_export_refuses_an_unknown_survey_and_the_source_language(bins, tmp_path):
    app, _ = bins
    result = invoke(app, "translations", "export", "nope", "--lang", "en")
    assert result.exit_code != 0
    assert "no survey file for 'nope'" in result.output
    result = invoke(app, "translations", "export", "bins", "--lang", "sv")
    assert result.exit_code != 0
    assert "sv is the survey's first language" in result.output


def test_export_defaults_to_the_exports_folder(bins):
    app, _ = bins
    result = invoke(app, "translations", "export", "bins", "--lang", "en", "--format", "po")
    assert result.exit_code == 0, result.output
    assert "translations-bins-en.po" in result.output
    assert "20 text(s): 20 done, 0 stale, 0 missing" in result.output


def test_exported_sheet_reads_back_with_pandas(bins, tmp_path):
    app, _ = bins
    frame = pd.read_excel(export(app, tmp_path, "en"), sheet_name="Translations")
    assert list(frame.columns) == ["key", "sv (source)", "en (translation)", "state", "notes"]
    assert len(frame) == len(KEYS)
    assert frame.loc[frame["key"] == "question:full/label", "en (translation)"].item() == "Was it full?"


def test_a_text_that_looks_like_a_formula_stays_text(make_app, write_survey, surveys_dir, tmp_path):
    write_survey(BINS.replace("label: Kod  #", 'label: "=SUM(A1)"  #'))
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    sheet = openpyxl.load_workbook(export(app, tmp_path, "en"))["Translations"]
    cell = next(row[1] for row in sheet.iter_rows(min_row=2) if row[0].value == "question:code/label")
    assert (cell.value, cell.data_type) == ("=SUM(A1)", "s")


# ----------------------------------------------------------------------------- import


def test_import_of_an_edited_cell_changes_only_that_line(bins, tmp_path):
    app, path = bins
    sheet = export(app, tmp_path, "en")
    set_cells(sheet, {"question:full/label": "Was the bin full?"})
    result = invoke(app, "translations", "import", str(sheet))
    assert result.exit_code == 0, result.output
    assert "1 text(s) translated, 19 unchanged, 0 empty, 0 skipped" in result.output
    assert changed_lines(BINS, path.read_text(encoding="utf-8")) == [
        '-        label: {sv: "Var den full?", en: "Was it full?"}',
        '+        label: {sv: "Var den full?", en: "Was the bin full?"}',
    ]


def test_import_of_a_block_text_keeps_its_block(bins, tmp_path):
    app, path = bins
    sheet = export(app, tmp_path, "en")
    set_cells(
        sheet, {"description": "The first one.\r\n\r\nThe second one.", "page:start/intro": "Some questions."}
    )
    assert invoke(app, "translations", "import", str(sheet)).exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert "  en: |\n    The first one.\n\n    The second one.\nlanguages:" in text
    assert "      en: Some questions.\n" in text
    survey = load_file(path).survey
    assert survey.description["en"] == "The first one.\n\nThe second one.\n"


def test_import_without_changes_leaves_the_file_byte_identical(bins, tmp_path):
    app, path = bins
    before = path.read_bytes()
    for fmt in ("xlsx", "po"):
        result = invoke(app, "translations", "import", str(export(app, tmp_path, "en", fmt)))
        assert result.exit_code == 0, result.output
        assert "0 text(s) translated, 20 unchanged" in result.output
        assert "nothing to write" in result.output
        assert path.read_bytes() == before


def test_empty_cells_are_no_translation_and_never_written(bins, tmp_path):
    app, path = bins
    before = path.read_bytes()
    sheet = export(app, tmp_path, "en")
    set_cells(sheet, {"title": None, "thank_you": "   "})
    result = invoke(app, "translations", "import", str(sheet))
    assert result.exit_code == 0, result.output
    assert "0 text(s) translated, 18 unchanged, 2 empty, 0 skipped" in result.output
    assert path.read_bytes() == before


def test_unknown_keys_are_skipped_and_listed(bins, tmp_path):
    app, path = bins
    sheet = export(app, tmp_path, "en")
    book = openpyxl.load_workbook(sheet)
    book["Translations"].append(["question:gone/label", "Borta", "Gone", "done", None])
    book.save(sheet)
    set_cells(sheet, {"thank_you": "Thanks!"})
    result = invoke(app, "translations", "import", str(sheet))
    assert result.exit_code == 0, result.output
    assert "1 text(s) translated, 19 unchanged, 0 empty, 1 skipped" in result.output
    assert "skipped: question:gone/label (no such text in bins)" in result.output
    assert "thank_you: {sv: Tack!, en: Thanks!}  # shown after the last page\n" in path.read_text("utf-8")


def test_a_text_written_once_becomes_a_map_when_it_gets_its_own_translation(bins, tmp_path):
    app, path = bins
    sheet = export(app, tmp_path, "en")
    set_cells(sheet, {"question:code/label": "Code", "question:mood/choice:1/label": "Happy"})
    result = invoke(app, "translations", "import", str(sheet))
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert "        label:  # the same in every language\n          sv: Kod\n          en: Code\n" in text
    assert "          - {value: 1, label: {sv: Glad, en: Happy}}\n" in text
    survey = load_file(path).survey
    assert survey.question("code").label == {"sv": "Kod", "en": "Code"}


def test_import_refuses_a_file_for_another_survey(bins, tmp_path):
    app, _ = bins
    sheet = export(app, tmp_path, "en")
    result = invoke(app, "translations", "import", str(sheet), "--survey", "other")
    assert result.exit_code != 0
    assert "is for the survey bins, not other" in result.output


# ----------------------------------------------------------------------------- languages


def test_a_language_the_survey_does_not_declare_is_refused(bins, tmp_path):
    app, path = bins
    before = path.read_bytes()
    sheet = export(app, tmp_path, "so")
    set_cells(sheet, {"title": "Qashin"})
    result = invoke(app, "translations", "import", str(sheet))
    assert result.exit_code != 0
    assert "bins has no so among its languages (sv, en)" in result.output
    assert "--add-language" in result.output
    assert path.read_bytes() == before


def test_add_language_writes_every_translation_and_the_language(bins, tmp_path):
    app, path = bins
    sheet = export(app, tmp_path, "so")
    rows = sheet_rows(sheet)
    set_cells(sheet, {key: f"SO {source.strip()}" for key, (source, *_) in rows.items()})
    result = invoke(app, "translations", "import", str(sheet), "--add-language")
    assert result.exit_code == 0, result.output
    assert "20 text(s) translated" in result.output
    assert "added the language so" in result.output
    after = path.read_text(encoding="utf-8")
    survey = load_file(path).survey
    assert survey.languages == ["sv", "en", "so"]
    assert survey.title == {"sv": "Soptunnor", "en": "Bins", "so": "SO Soptunnor"}
    assert survey.question("code").label == {"sv": "Kod", "en": "Kod", "so": "SO Kod"}
    assert survey.description["so"] == "SO Första stycket.\n\nAndra stycket.\n"
    # Every line of the file is still there, in order, but the languages, the one-line maps that took
    # the language, and the texts written once that became maps.
    removed = [line for line in changed_lines(BINS, after) if line.startswith("-") and "{sv:" not in line]
    assert removed == [
        "-languages: [sv, en]",
        "-        label: Kod  # the same in every language",
        "-          - {value: 1, label: Glad}",
    ]
    assert "languages: [sv, en, so]\n" in after
    assert "# Rows are statements about the station.\n        rows:" in after
    assert "    en: Thank you!\n    so: SO Tack!\n" not in after  # flow maps stay flow
    assert "thank_you: {sv: Tack!, en: Thank you!, so: SO Tack!}  # shown after the last page\n" in after


def test_an_invalid_result_is_refused_with_its_problems(bins, tmp_path):
    app, path = bins
    before = path.read_bytes()
    sheet = export(app, tmp_path, "so")
    set_cells(sheet, {"title": "Qashin"})
    result = invoke(app, "translations", "import", str(sheet), "--add-language")
    assert result.exit_code == 1
    assert f"{path}:3: title: missing translation for so" not in result.output
    assert f"{path}:4: description: missing translation for so" in result.output
    assert "nothing written" in result.output
    assert path.read_bytes() == before


SWEDISH = """\
# A survey in Swedish only, indented as no writer would.
id: bins
title: Soptunnor  # short
description:
  Några frågor.
thank_you: |
  Tack!

  Hej då.

# The pages
pages:
- id: p
  questions:
    - id: q
      type: single_choice
      label: Var den full?
      choices:
      - {value: 1, label: Ja}
      - value: 2
        label: Nej   # no
"""


def test_a_survey_in_one_language_gets_its_languages_keeping_comments_and_indentation(
    make_app, write_survey, surveys_dir, tmp_path
):
    path = write_survey(SWEDISH)
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    sheet = export(app, tmp_path, "en")
    set_cells(sheet, {key: f"EN {source}" for key, (source, *_) in sheet_rows(sheet).items()})
    result = invoke(app, "translations", "import", str(sheet), "--add-language")
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == (
        "# A survey in Swedish only, indented as no writer would.\n"
        "id: bins\n"
        "title:  # short\n"
        "  sv: Soptunnor\n"
        "  en: EN Soptunnor\n"
        "description:\n"
        "  sv: Några frågor.\n"
        "  en: EN Några frågor.\n"
        "languages: [sv, en]\n"
        "thank_you:\n"
        "  sv: |\n"
        "    Tack!\n"
        "\n"
        "    Hej då.\n"
        "  en: |\n"
        "    EN Tack!\n"
        "\n"
        "    Hej då.\n"
        "\n"
        "# The pages\n"
        "pages:\n"
        "- id: p\n"
        "  questions:\n"
        "    - id: q\n"
        "      type: single_choice\n"
        "      label:\n"
        "        sv: Var den full?\n"
        "        en: EN Var den full?\n"
        "      choices:\n"
        "      - {value: 1, label: {sv: Ja, en: EN Ja}}\n"
        "      - value: 2\n"
        "        label:   # no\n"
        "          sv: Nej\n"
        "          en: EN Nej\n"
    )


# ----------------------------------------------------------------------------- PO


def test_po_round_trip(bins, tmp_path):
    app, path = bins
    po = export(app, tmp_path, "en", "po")
    with po.open("rb") as f:
        catalog = read_po(f)
    assert catalog.project == "bins"
    assert str(catalog.locale) == "en"
    message = catalog.get("Var den full?", context="question:full/label")
    assert message.string == "Was it full?"
    assert not message.fuzzy
    message.string = "Was the bin full?"
    catalog.get("Tack!", context="thank_you").string = ""  # empty: no translation
    out = io.BytesIO()
    write_po(out, catalog)
    po.write_bytes(out.getvalue())
    result = invoke(app, "translations", "import", str(po))
    assert result.exit_code == 0, result.output
    assert "1 text(s) translated, 18 unchanged, 1 empty, 0 skipped" in result.output
    assert changed_lines(BINS, path.read_text(encoding="utf-8"))[1] == (
        '+        label: {sv: "Var den full?", en: "Was the bin full?"}'
    )


def test_read_translations_takes_the_survey_and_language_from_the_file(bins, tmp_path):
    app, _ = bins
    for fmt in ("xlsx", "po"):
        found = read_translations(export(app, tmp_path, "en", fmt))
        assert (found.survey_id, found.language) == ("bins", "en")
        assert [row.key for row in found.rows] == KEYS


# ----------------------------------------------------------------------------- pictures and interface texts


@pytest.mark.skipif("image" not in Choice.model_fields, reason="the format has no pictures yet")
def test_alt_texts_of_pictures_are_texts_to_translate(make_app, write_survey, surveys_dir, tmp_path):
    path = write_survey(
        BINS.replace(
            "          - {value: 2, label: {sv: Ledsen, en: Sad}}\n",
            "          - value: 2\n"
            "            label: {sv: Ledsen, en: Sad}\n"
            "            image: {file: sad.svg, alt: {sv: Ett ledset ansikte, en: A sad face}}\n",
        )
    )
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    sheet = export(app, tmp_path, "en")
    assert sheet_rows(sheet)["question:mood/choice:2/image/alt"][:3] == [
        "Ett ledset ansikte",
        "A sad face",
        "done",
    ]
    set_cells(sheet, {"question:mood/choice:2/image/alt": "A face that is sad"})
    assert invoke(app, "translations", "import", str(sheet)).exit_code == 0
    assert "alt: {sv: Ett ledset ansikte, en: A face that is sad}}\n" in path.read_text(encoding="utf-8")


@pytest.mark.skipif("interface" not in Survey.model_fields, reason="the format has no interface texts yet")
def test_interface_texts_of_the_survey_are_texts_to_translate(make_app, write_survey, surveys_dir, tmp_path):
    path = write_survey(
        BINS.replace("languages: [sv, en]\n", "languages: [sv, en]\ninterface:\n  next: {en: Onward}\n")
    )
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    sheet = export(app, tmp_path, "en")
    # Where the survey has no Swedish wording, the source is what Swedish residents see: Lyssna's own.
    assert sheet_rows(sheet)["interface/next"][:3] == ["Nästa", "Onward", "done"]
    set_cells(sheet, {"interface/next": "Go on"})
    assert invoke(app, "translations", "import", str(sheet)).exit_code == 0
    assert "  next: {en: Go on}\n" in path.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- stale translations


def test_a_stale_translation_is_reported_after_the_source_changes(bins, tmp_path):
    app, path = bins
    assert invoke(app, "sync").exit_code == 0
    path.write_text(BINS.replace("title: {sv: Soptunnor,", "title: {sv: Sopkärl,"), encoding="utf-8")
    assert invoke(app, "sync").exit_code == 0
    rows = sheet_rows(export(app, tmp_path, "en"))
    assert rows["title"][:3] == ["Sopkärl", "Bins", "stale"]
    assert "the sv text changed in version 2; the en translation is from version 1" in rows["title"][3]
    assert "Soptunnor" in rows["title"][3]  # what the translation was made from
    assert rows["question:full/label"][2] == "done"
    with export(app, tmp_path, "en", "po").open("rb") as f:
        catalog = read_po(f)
    assert catalog.get("Sopkärl", context="title").fuzzy
    assert not catalog.get("Var den full?", context="question:full/label").fuzzy

    result = invoke(app, "validate", str(path))
    assert result.exit_code == 0, result.output
    assert (
        f"{path}:3: title: warning: the sv text changed in version 2; the en translation is from version 1"
        in result.output
    )


def test_a_source_changed_in_the_file_only_is_stale_too(bins, tmp_path):
    app, path = bins
    invoke(app, "sync")
    path.write_text(BINS.replace("title: {sv: Soptunnor,", "title: {sv: Sopkärl,"), encoding="utf-8")
    result = invoke(app, "validate", str(path))
    assert result.exit_code == 0
    assert "title: warning: the sv text changed in this file (not yet recorded by sync); " in result.output


def test_a_retranslated_text_is_done_again(bins, tmp_path):
    app, path = bins
    invoke(app, "sync")
    path.write_text(BINS.replace("title: {sv: Soptunnor,", "title: {sv: Sopkärl,"), encoding="utf-8")
    invoke(app, "sync")
    sheet = export(app, tmp_path, "en")
    set_cells(sheet, {"title": "Waste bins"})
    assert invoke(app, "translations", "import", str(sheet)).exit_code == 0
    assert sheet_rows(export(app, tmp_path, "en"))["title"][2] == "done"
    invoke(app, "sync")
    result = invoke(app, "validate", str(path))
    assert "warning" not in result.output


def test_validate_without_stored_versions_warns_about_nothing(runner):
    result = runner.invoke(args=["surveys", "validate"])
    assert result.exit_code == 0
    assert "warning" not in result.output


# ----------------------------------------------------------------------------- the example surveys


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLE_SURVEYS.glob("*.yaml")))
def test_every_example_survey_takes_a_new_language_keeping_its_layout(name, make_app, tmp_path):
    folder = tmp_path / "surveys"
    folder.mkdir()
    path = folder / f"{name}.yaml"
    shutil.copy(EXAMPLE_SURVEYS / path.name, path)
    before = path.read_text(encoding="utf-8")
    app = make_app(LYSSNA_SURVEYS_DIR=str(folder))
    out = tmp_path / "so.xlsx"
    result = invoke(app, "translations", "export", name, "--lang", "so", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = sheet_rows(out)
    set_cells(out, {key: f"SO {source.strip()}" for key, (source, *_) in rows.items()})
    result = invoke(app, "translations", "import", str(out), "--add-language")
    assert result.exit_code == 0, result.output
    after = path.read_text(encoding="utf-8")
    survey = load_file(path).survey
    assert survey.languages[-1] == "so"
    for text in survey_texts(survey):
        value = text.text
        if isinstance(value, dict):
            assert value["so"].startswith("SO "), text.key
    # Comments are kept, and no line is lost but those that had a text written once, or the languages.
    comments = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert comments == [line for line in after.splitlines() if line.lstrip().startswith("#")]
    removed = [line for line in changed_lines(before, after) if line.startswith("-")]
    assert all(line.startswith("-languages:") or ": {" in line or "label: " in line for line in removed), (
        removed
    )
