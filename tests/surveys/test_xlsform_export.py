"""`flask surveys export-xlsform`: every example survey as an XLSForm that pyxform converts, read
back by import-xlsform as the same questions; and an imported form answered end to end and exported."""

from pathlib import Path

import openpyxl
import pytest
from pyxform.xls2xform import convert
from sqlalchemy import select

from app.models import Response
from app.surveys.catalog import current_registry
from app.surveys.conditions import visible_answers
from app.surveys.loader import load_file
from app.surveys.xlsform.reading import import_xlsform
from app.surveys.xlsform.writing import export_xlsform
from tests.answering.conftest import browse  # noqa: F401 (the fixture the walk uses)
from tests.answering.plans import planned
from tests.answering.test_walk import walk
from tests.conftest import EXAMPLE_SURVEYS

from .xlsforms import rows, write_form

EXAMPLES = sorted(EXAMPLE_SURVEYS.glob("*.yaml"))


def sheet(path: Path, name: str) -> list[dict]:
    """A sheet of the written workbook as {header: value} rows."""
    values = list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_survey_exports_to_an_xlsform_pyxform_converts(path, tmp_path):
    survey = load_file(path).survey
    out = tmp_path / f"{survey.id}.xlsx"
    export_xlsform(survey, out)
    warnings: list[str] = []
    result = convert(xlsform=str(out), validate=False, warnings=warnings)  # ODK Validate needs Java
    assert "<h:html" in result.xform
    assert warnings == []


def by_name(path: Path) -> dict[str, dict]:
    """The survey sheet's rows by name (a group by its begin row)."""
    return {row["name"]: row for row in sheet(path, "survey") if not row["type"].startswith("end")}


def asked(survey) -> list[dict]:
    """What a survey asks, question by question: ids, types, choices, rows, conditions and texts."""

    def condition(cond):
        data = cond.model_dump(by_alias=True, exclude_none=True) if cond is not None else None
        return _one_value_in_as_equals(data)

    out = [{"languages": survey.languages, "hidden": survey.hidden_fields, "consent": survey.consent}]
    for page in survey.pages:
        out.append(
            {"page": page.id, "title": page.title, "intro": page.intro, "show_if": condition(page.show_if)}
        )
        for q in page.questions:
            out.append(
                {
                    "id": q.id,
                    "type": q.type,
                    "label": getattr(q, "label", None),
                    "text": getattr(q, "text", None),
                    "hint": q.hint,
                    "required": q.required,
                    "show_if": condition(q.show_if),
                    "choices": [(c.value, c.label) for c in survey.choices(q)],
                    "rows": [(r.id, r.label) for r in getattr(q, "rows", [])],
                    **{
                        key: getattr(q, key, None)
                        for key in ("scale", "other", "exclusive", "min", "max", "pattern")
                    },
                    **{
                        key: getattr(q, key, None)
                        for key in ("min_selected", "max_selected", "display", "max_length")
                    },
                }
            )
    return out


def _one_value_in_as_equals(data):
    """`in: [x]` is `equals: x`, and XPath writes them alike."""
    if isinstance(data, dict):
        if data.get("in") is not None and len(data["in"]) == 1:
            data = {k: v for k, v in data.items() if k != "in"} | {"equals": data["in"][0]}
        return {k: _one_value_in_as_equals(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_one_value_in_as_equals(item) for item in data]
    return data


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_round_trip_every_example_asks_the_same_questions(path, tmp_path):
    survey = load_file(path).survey
    form = tmp_path / f"{survey.id}.xlsx"
    export_xlsform(survey, form)
    result = import_xlsform(form, form.name)
    assert result.problems == []
    back = tmp_path / f"{survey.id}.yaml"
    back.write_text(result.text, encoding="utf-8")
    loaded = load_file(back)
    assert loaded.problems == []
    assert asked(loaded.survey) == asked(survey)


def test_export_maps_types_pages_conditions_and_languages(tmp_path):
    survey = load_file(EXAMPLE_SURVEYS / "waste-sorting.yaml").survey
    out = tmp_path / "w.xlsx"
    export_xlsform(survey, out)
    rows_ = by_name(out)
    assert "label::Swedish (sv)" in rows_["visits"] and "label::Arabic (ar)" in rows_["visits"]
    assert rows_["consent"]["type"] == "acknowledge" and rows_["consent"]["required"] == "yes"
    assert rows_["station"]["type"] == "hidden"
    assert (rows_["not_sorting"]["type"], rows_["not_sorting"]["appearance"]) == ("begin group", "field-list")
    assert rows_["not_sorting"]["relevant"] == "selected(${fractions}, 'none')"
    assert rows_["fractions"]["type"] == "select_multiple fractions"
    assert rows_["fractions"]["constraint"] == "not(selected(., 'none') and count-selected(.) > 1)"
    assert rows_["fractions_other"]["relevant"] == "selected(${fractions}, 'other')"
    assert (rows_["station_views"]["type"], rows_["station_views"]["appearance"]) == (
        "begin group",
        "table-list",
    )
    assert rows_["station_views_signs"]["type"] == "select_one agree5"
    assert (rows_["satisfaction"]["type"], rows_["satisfaction"]["parameters"]) == (
        "range",
        "start=1 end=5 step=1",
    )
    assert rows_["underground"]["relevant"] == "(${station} = '12' or ${station} = '13')"
    assert rows_["wants_demo"]["relevant"] == (
        "${satisfaction} <= 2 or (${fractions} != '' and not(selected(${fractions}, 'food')))"
    )
    assert rows_["age_group"]["appearance"] == "minimal"
    assert rows_["household_size"]["constraint"] == ". >= 1 and . <= 20"
    assert rows_["comment"]["appearance"] == "multiline"
    settings = sheet(out, "settings")[0]
    assert settings == {
        "form_title": "Sopsortering i ditt område",
        "form_id": "waste-sorting",
        "default_language": "Swedish (sv)",
        "style": "pages",
    }
    choices = [row for row in sheet(out, "choices") if row["list_name"] == "fractions"]
    assert [row["name"] for row in choices][-1] == "other"
    food = survey.choices(survey.question("fractions"))[0]
    if getattr(food, "image", None) is not None:  # a pictogram (app/survey_media) goes along by file name
        assert choices[0]["media::image::Swedish (sv)"] == food.image.file


def test_housing_ranking_photo_stars_nps_and_dates(tmp_path):
    out = tmp_path / "h.xlsx"
    export_xlsform(load_file(EXAMPLE_SURVEYS / "housing-baseline.yaml").survey, out)
    rows_ = by_name(out)
    assert rows_["improvement_rank"]["type"] == "rank improvement_rank"
    assert (rows_["landlord_stars"]["parameters"], rows_["landlord_stars"]["appearance"]) == (
        "start=1 end=5 step=1",
        "rating",
    )
    assert rows_["recommend"]["parameters"] == "start=0 end=10 step=1"
    assert rows_["moved_in"]["constraint"] == ". >= date('1940-01-01') and . <= today()"
    assert rows_["postal_code"]["constraint"] == "regex(., '^[0-9]{3} ?[0-9]{2}$') and string-length(.) <= 6"
    assert rows_["info_channels"]["constraint"] == "count-selected(.) >= 1 and count-selected(.) <= 3"
    out = tmp_path / "s.xlsx"
    export_xlsform(load_file(EXAMPLE_SURVEYS / "station-report.yaml").survey, out)
    assert by_name(out)["photo"]["type"] == "image"


def test_export_command_writes_the_file_and_says_what_it_cannot_carry(app, runner, tmp_path):
    out = tmp_path / "feedback.xlsx"
    result = runner.invoke(args=["surveys", "export-xlsform", "feedback", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (
        "not in the XLSForm: the survey's description, privacy_notice, thank_you, retention_days"
        in result.output
    )
    assert out.exists()
    default = runner.invoke(args=["surveys", "export-xlsform", "feedback"])
    assert default.exit_code == 0, default.output
    assert (Path(app.config["LYSSNA_EXPORTS_DIR"]) / "feedback.xlsx").exists()
    missing = runner.invoke(args=["surveys", "export-xlsform", "nope"])
    assert missing.exit_code == 1 and "no survey file for 'nope'" in missing.output


def test_a_text_that_looks_like_a_formula_stays_text(tmp_path, write_survey):
    path = write_survey("""
        id: formula
        title: "=SUM(A1)"
        pages:
          - id: p
            questions:
              - {id: q, type: text, label: "=HYPERLINK(\\"x\\")"}
    """)
    out = tmp_path / "f.xlsx"
    export_xlsform(load_file(path).survey, out)
    assert by_name(out)["q"]["label::Swedish (sv)"] == '=HYPERLINK("x")'


FORM = rows(
    [
        "type",
        "name",
        "label::Swedish (sv)",
        "label::English (en)",
        "required",
        "relevant",
        "appearance",
        "parameters",
    ],
    {"type": "hidden", "name": "station"},
    {
        "type": "begin group",
        "name": "bins",
        "label::Swedish (sv)": "Kärlen",
        "label::English (en)": "The bins",
        "appearance": "field-list",
    },
    {
        "type": "select_one yes_no",
        "name": "full",
        "label::Swedish (sv)": "Fullt?",
        "label::English (en)": "Full?",
        "required": "yes",
    },
    {
        "type": "text",
        "name": "which",
        "label::Swedish (sv)": "Vilket?",
        "label::English (en)": "Which?",
        "relevant": "${full} = 'yes'",
    },
    {
        "type": "range",
        "name": "happy",
        "label::Swedish (sv)": "Nöjd?",
        "label::English (en)": "Happy?",
        "parameters": "start=1 end=5 step=1",
    },
    {"type": "end group"},
)


def test_an_imported_form_is_answered_end_to_end_and_exported(make_app, surveys_dir, tmp_path, browse):  # noqa: F811
    form = write_form(
        tmp_path / "bins.xlsx",
        FORM,
        [
            ["list_name", "name", "label::Swedish (sv)", "label::English (en)"],
            ["yes_no", "yes", "Ja", "Yes"],
            ["yes_no", "no", "Nej", "No"],
        ],
        {"form_id": "bins", "form_title": "Kärlen"},
    )
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    runner = app.test_cli_runner()
    imported = runner.invoke(args=["surveys", "import-xlsform", str(form)])
    assert imported.exit_code == 0, imported.output
    assert runner.invoke(args=["surveys", "sync"]).exit_code == 0
    with app.app_context():
        survey = current_registry().get("bins")
    answers = planned(survey) | {"full": "yes", "which": "Det gröna"}
    client = app.test_client()
    walk(client, browse, survey, "en", answers)
    with app.app_context():
        from app.extensions import db

        stored = db.session.scalars(select(Response).filter_by(survey_id="bins")).one()
        assert stored.status == Response.COMPLETE
        assert (
            stored.answers
            == visible_answers(survey, answers, {})
            == {"full": "yes", "which": "Det gröna", "happy": 4}
        )
    out = tmp_path / "bins.csv"
    exported = runner.invoke(args=["export", "bins", "--format", "csv", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    text = Path(exported.output.splitlines()[0]).read_text(encoding="utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.split(",")[-4:] == ["hidden_station", "full", "which", "happy"]
    assert row.split(",")[-3:] == ["yes", "Det gröna", "4"]
