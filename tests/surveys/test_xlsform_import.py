"""`flask surveys import-xlsform`: XLSForms written by the tests, every mapped type and column, and
what Lyssna refuses (located, all at once, exit 1) or leaves out with --skip-unsupported."""

from datetime import date

import pytest

from app.surveys.loader import load_file, parse_yaml

from .xlsforms import rows, write_form

HEADER = [
    "type",
    "name",
    "label::Swedish (sv)",
    "label::English (en)",
    "hint::Swedish (sv)",
    "hint::English (en)",
    "required",
    "relevant",
    "constraint",
    "constraint_message::Swedish (sv)",
    "constraint_message::English (en)",
    "appearance",
    "parameters",
    "default",
    "choice_filter",
    "calculation",
]
CHOICES = [
    ["list_name", "name", "label::Swedish (sv)", "label::English (en)"],
    ["yes_no", "yes", "Ja", "Yes"],
    ["yes_no", "no", "Nej", "No"],
    ["fractions", "food", "Mat", "Food"],
    ["fractions", "paper", "Papper", "Paper"],
    ["fractions", "none", "Inget", "None"],
    ["fractions", "other", "Annat", "Other"],
    ["agree", "1", "Nej", "Disagree"],
    ["agree", "2", "Ja", "Agree"],
]
SETTINGS = {
    "form_title": "Bins",
    "form_id": "bins_2026",
    "default_language": "Swedish (sv)",
    "style": "pages",
}


def line(type_, name="", sv="", en="", **cells):
    return {"type": type_, "name": name, "label::Swedish (sv)": sv, "label::English (en)": en, **cells}


EVERY_TYPE = rows(
    HEADER,
    line("start", "start"),
    line("acknowledge", "consent", "Jag vill vara med", "I agree", required="yes"),
    line("hidden", "station"),
    line("calculate", "wave", calculation="'baseline'"),
    line("calculate", "stop", calculation="${station}"),
    line(
        "begin group",
        "home",
        "Hemma",
        "At home",
        appearance="field-list",
        **{"hint::Swedish (sv)": "Om ditt hem", "hint::English (en)": "About your home"},
    ),
    line("note", "welcome", "Välkommen", "Welcome"),
    line(
        "text",
        "code",
        "Kod",
        "Code",
        constraint="regex(., '^[0-9]{4}$') and string-length(.) <= 4",
        **{
            "constraint_message::Swedish (sv)": "Fyra siffror",
            "constraint_message::English (en)": "Four digits",
        },
    ),
    line("text", "story", "Berätta", "Tell us", appearance="multiline"),
    line("integer", "size", "Hur många?", "How many?", required="yes", constraint=". >= 1 and . <= 20"),
    line("decimal", "temp", "Grader", "Degrees", constraint=". >= 10 and . <= 35"),
    line("date", "moved", "Inflyttad", "Moved in", constraint=". >= date('1940-01-01') and . <= today()"),
    line("select_one yes_no", "full", "Full?", "Full?", relevant="${size} > 1"),
    line("select_one agree", "likes", "Gillar", "Likes", appearance="minimal"),
    line(
        "select_multiple fractions",
        "fractions",
        "Sortera",
        "Sort",
        constraint="not(selected(., 'none') and count-selected(.) > 1) and count-selected(.) <= 3",
    ),
    line(
        "text", "fractions_other", "Vad?", "What?", required="yes", relevant="selected(${fractions}, 'other')"
    ),
    line("select_one yes_no or_other", "bin", "Kärl", "Bin"),
    line("end group", "home"),
    line("begin group", "rate", "Betyg", "Ratings", relevant="${full} = 'yes' or ${station} = '12'"),
    line("range", "stars", "Stjärnor", "Stars", appearance="rating", parameters="start=1 end=5 step=1"),
    line("range", "smile", "Nöjd", "Happy", parameters="start=1 end=5 step=1"),
    line("range", "nps", "Rekommendera", "Recommend", parameters="start=0 end=10 step=1"),
    line("range", "floors", "Våningar", "Floors", parameters="start=1 end=30 step=1"),
    line("rank yes_no", "order", "Ordna", "Order"),
    line("image", "photo", "Foto", "Photo"),
    line("begin group", "views", "Åsikter", "Views", appearance="table-list"),
    line("select_one agree", "views_clean", "Ren", "Clean", required="yes"),
    line("select_one agree", "views_signs", "Skyltar", "Signs", required="yes"),
    line("end group"),
    line(
        "text",
        "why",
        "Varför?",
        "Why?",
        relevant="not(selected(${fractions}, 'food')) and ${wave} = 'baseline'",
    ),
    line("end group"),
)


@pytest.fixture
def imported(make_app, surveys_dir, tmp_path):
    """Run import-xlsform on a form written from sheets; returns (result, the survey file's text or None)."""

    def run(survey, choices=CHOICES, settings=SETTINGS, *args):
        form = write_form(tmp_path / "form.xlsx", survey, choices, settings)
        app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
        result = app.test_cli_runner().invoke(args=["surveys", "import-xlsform", str(form), *args])
        files = list(surveys_dir.glob("*.yaml"))
        return result, files[0].read_text(encoding="utf-8") if files else None

    return run


def test_every_mapped_type_and_column_becomes_a_valid_survey(imported, surveys_dir):
    result, _ = imported(EVERY_TYPE)
    assert result.exit_code == 0, result.output
    loaded = load_file(surveys_dir / "bins-2026.yaml")
    assert loaded.problems == [], loaded.problems
    survey = loaded.survey
    assert (survey.id, survey.title, survey.languages) == ("bins-2026", "Bins", ["sv", "en"])
    assert survey.consent.text == {"sv": "Jag vill vara med", "en": "I agree"}
    assert survey.hidden_fields == ["station", "wave"]
    home, rate = survey.pages
    assert (home.id, home.title, home.intro) == (
        "home",
        {"sv": "Hemma", "en": "At home"},
        {"sv": "Om ditt hem", "en": "About your home"},
    )
    q = {question.id: question for _, question in survey.questions()}
    assert [question.type for question in home.questions] == [
        "note",
        "text",
        "long_text",
        "integer",
        "decimal",
        "date",
        "single_choice",
        "single_choice",
        "multiple_choice",
        "single_choice",
    ]
    assert (q["code"].pattern, q["code"].max_length) == ("^[0-9]{4}$", 4)
    assert q["code"].pattern_message == {"sv": "Fyra siffror", "en": "Four digits"}
    assert (q["size"].required, q["size"].min, q["size"].max) == (True, 1, 20)
    assert (q["temp"].min, q["temp"].max) == (10, 35)
    assert (q["moved"].min, q["moved"].max) == (date(1940, 1, 1), "today")
    assert q["full"].show_if.model_dump(exclude_none=True) == {"question": "size", "gt": 1}
    assert q["likes"].display == "dropdown" and [c.value for c in survey.choices(q["likes"])] == [1, 2]
    fractions = q["fractions"]
    assert (fractions.other, fractions.exclusive, fractions.max_selected) == (True, ["none"], 3)
    assert [c.value for c in survey.choices(fractions)] == ["food", "paper", "none"]  # "other" is other: true
    assert "fractions_other" not in q
    assert q["bin"].other is True
    assert [(question.id, question.type) for question in rate.questions] == [
        ("stars", "rating"),
        ("smile", "rating"),
        ("nps", "rating"),
        ("floors", "integer"),
        ("order", "ranking"),
        ("photo", "photo"),
        ("views", "matrix"),
        ("why", "text"),
    ]
    assert [q["stars"].scale, q["smile"].scale, q["nps"].scale] == ["stars5", "smiley5", "nps"]
    assert (q["floors"].min, q["floors"].max) == (1, 30)
    assert [row.id for row in q["views"].rows] == ["clean", "signs"] and q["views"].required
    assert rate.show_if.model_dump(by_alias=True, exclude_none=True) == {
        "any": [{"question": "full", "equals": "yes"}, {"hidden": "station", "equals": "12"}]
    }
    assert q["why"].show_if.model_dump(by_alias=True, exclude_none=True) == {
        "all": [
            {"not": {"question": "fractions", "contains": "food"}},
            {"hidden": "wave", "equals": "baseline"},
        ]
    }
    # Lists used by two or more questions are shared by name; the others are written in place.
    assert set(survey.choice_lists) == {"yes_no", "agree"} and q["full"].choices == "yes_no"
    assert isinstance(fractions.choices, list)


def test_the_file_reads_like_one_written_by_hand(imported):
    result, text = imported(EVERY_TYPE)
    assert result.exit_code == 0, result.output
    assert text.startswith("# Imported from form.xlsx (an XLSForm)")
    assert "      - id: size  # survey!11\n" in text
    assert "  - id: home  # survey!7\n" in text
    assert '  yes_no:  # choices!2\n    - {value: "yes", label: {sv: Ja, en: "Yes"}}\n' in text
    assert '        label: {sv: "Hur många?", en: "How many?"}\n' in text
    assert "hidden_fields: [station, wave]  # survey!4, survey!5 ('baseline' in the form" in text
    assert "        show_if: {question: size, gt: 1}\n" in text
    data, _ = parse_yaml(text)
    assert data["pages"][0]["questions"][0] == {
        "id": "welcome",
        "type": "note",
        "text": {"sv": "Välkommen", "en": "Welcome"},
    }


def test_notes_say_what_came_over_differently(imported):
    survey = rows(HEADER, line("integer", "n", "Antal", "Count", default="3"), line("start", "start"))
    result, text = imported(survey)
    assert result.exit_code == 0, result.output
    assert "note: " in result.output
    assert (
        "form.xlsx:survey!2: default: '3' left out: Lyssna does not fill in answers in advance"
        in result.output
    )
    assert "# survey!2: default: '3' left out" in text


UNSUPPORTED = rows(
    HEADER,
    line("text", "name", "Namn", "Name"),
    line("geopoint", "where", "Var?", "Where?"),
    line("begin repeat", "people", "Personer", "People"),
    line("text", "person", "Person", "Person"),
    line("end repeat"),
    line("calculate", "sum", calculation="${name} + 1"),
    line("select_one yes_no", "pick", "Välj", "Pick", choice_filter="name = ${name}"),
    line("audio", "voice", "Röst", "Voice"),
    line("text", "later", "Sen", "Later", relevant="${name} = 'x' and ${undefined} > 3"),
    line("integer", "n", "Antal", "Count", constraint=". mod 2 = 0"),
    line("select_one_from_file towns.csv", "town", "Ort", "Town"),
    line("text", "asked_late", "Fråga", "Question", relevant="${afterwards} = 'x'"),
    line("text", "afterwards", "Efteråt", "Afterwards"),
)


def test_what_lyssna_cannot_do_is_refused_all_at_once_with_its_place(imported):
    result, text = imported(UNSUPPORTED)
    assert result.exit_code == 1
    assert text is None
    lines = result.output.splitlines()
    for expected in [
        "form.xlsx:survey!3: type: Lyssna does not ask for locations",
        "form.xlsx:survey!4: type: Lyssna has no repeats: each question is asked once per response",
        "form.xlsx:survey!7: calculation: '${name} + 1': Lyssna calculates nothing",
        "form.xlsx:survey!8: choice_filter: Lyssna cannot filter choices by earlier answers",
        "form.xlsx:survey!9: type: Lyssna takes photos, not recordings",
        "form.xlsx:survey!10: relevant: \"${name} = 'x' and ${undefined} > 3\": ${undefined} is not a",
        "form.xlsx:survey!11: constraint: '. mod 2 = 0': arithmetic",
        "form.xlsx:survey!12: type: Lyssna cannot take choices from a file",
        "form.xlsx:survey!13: relevant: question 'afterwards' is not asked before this point",
    ]:
        assert any(expected in line for line in lines), (expected, result.output)
    assert "problem(s): nothing written; --skip-unsupported converts the rest." in result.output


def test_skip_unsupported_converts_the_rest_and_lists_what_was_left_out(imported, surveys_dir):
    result, text = imported(UNSUPPORTED, CHOICES, SETTINGS, "--skip-unsupported")
    assert result.exit_code == 0, result.output
    left = [line for line in result.output.splitlines() if line.startswith("left out: ")]
    assert len(left) == 9, result.output
    assert any(line.endswith("form.xlsx:survey!3: type: Lyssna does not ask for locations") for line in left)
    survey = load_file(surveys_dir / "bins-2026.yaml").survey
    assert [q.id for _, q in survey.questions()] == ["name", "pick", "later", "n", "asked_late", "afterwards"]
    assert survey.question("later").show_if is None and survey.question("asked_late").show_if is None
    assert survey.question("n").min is None
    assert "# left out: survey!3: Lyssna does not ask for locations\n" in text


@pytest.mark.parametrize(
    ("survey", "choices", "expected"),
    [
        (
            rows(HEADER, line("select_one nope", "q", "F", "Q")),
            CHOICES,
            "survey!2: type: there is no choice list 'nope'",
        ),
        (
            rows(HEADER, line("text", "q", "F", "")),
            CHOICES,
            "survey!2: label::English (en): missing translation for en",
        ),
        (
            rows(HEADER, line("text", "q", "F", "Q"), line("text", "q", "G", "R")),
            CHOICES,
            "survey!3: name: 'q' is used twice",
        ),
        (
            rows(HEADER, line("begin group", "g", "G", "G"), line("text", "q", "F", "Q")),
            CHOICES,
            "survey!2: type: 'begin group' has no end",
        ),
        (rows(HEADER, line("integer", "q", "", "")), CHOICES, "survey!2: label: integer needs a label"),
        (
            rows(HEADER, line("select_one yes_no", "q", "F", "Q")),
            [CHOICES[0], ["yes_no", "Ja-Nej", "Ja", "Yes"], ["yes_no", "ja-nej", "J", "Y"]],
            "choices!3: name: 'ja-nej' is the value 'ja-nej' twice",
        ),
    ],
)
def test_mistakes_in_the_form_are_located(imported, survey, choices, expected):
    result, _ = imported(survey, choices)
    assert result.exit_code == 1
    assert f"form.xlsx:{expected}" in result.output


def test_id_and_out_options_and_an_existing_file(imported, make_app, surveys_dir, tmp_path):
    form = write_form(
        tmp_path / "Household Survey.xlsx",
        rows(["type", "name", "label"], {"type": "text", "name": "q", "label": "Q"}),
    )
    runner = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).test_cli_runner()
    result = runner.invoke(args=["surveys", "import-xlsform", str(form)])
    assert result.exit_code == 0, result.output
    text = (surveys_dir / "household-survey.yaml").read_text(encoding="utf-8")
    assert "\nlanguages:" not in text and "Swedish (sv): add `languages:`" in text
    again = runner.invoke(args=["surveys", "import-xlsform", str(form)])
    assert again.exit_code == 1 and "exists: --force replaces it" in again.output
    out = tmp_path / "hh.yaml"
    named = runner.invoke(args=["surveys", "import-xlsform", str(form), "--id", "hh", "--out", str(out)])
    assert named.exit_code == 0, named.output
    assert load_file(out).survey.id == "hh"
    wrong = runner.invoke(
        args=["surveys", "import-xlsform", str(form), "--id", "hh", "--out", str(tmp_path / "x.yaml")]
    )
    assert wrong.exit_code == 1 and "must be named hh.yaml" in wrong.output


def test_a_file_that_is_no_xlsx_workbook(imported, make_app, surveys_dir, tmp_path):
    bad = tmp_path / "old.xls"
    bad.write_bytes(b"not a zip")
    result = (
        make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
        .test_cli_runner()
        .invoke(args=["surveys", "import-xlsform", str(bad)])
    )
    assert result.exit_code == 1
    assert "old.xls:survey!1: file: not an .xlsx workbook (save it as .xlsx)" in result.output


def test_language_columns_without_codes_and_curly_quotes(imported, surveys_dir):
    header = ["type", "name", "label:English", "label:Español", "relevant"]
    survey = rows(
        header,
        {"type": "select_one yes_no", "name": "a", "label:English": "A", "label:Español": "A"},
        {"type": "text", "name": "b", "label:English": "B", "label:Español": "B", "relevant": "${a} = ‘yes’"},
    )
    choices = [
        ["list name", "name", "label:English", "label:Español"],
        ["yes_no", "yes", "Yes", "Sí"],
        ["yes_no", "no", "No", "No"],
    ]
    result, _ = imported(survey, choices, {"form_id": "langs"})
    assert result.exit_code == 0, result.output
    loaded = load_file(surveys_dir / "langs.yaml").survey
    assert loaded.languages == ["en", "es"]
    assert loaded.question("b").show_if.model_dump(exclude_none=True) == {"question": "a", "equals": "yes"}
