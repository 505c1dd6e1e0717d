"""The export table: column layout, cell values, codes and labels, filters, versions, the codebook."""

from datetime import UTC, date, datetime

import pytest

from app.exports.codebook import about, codebook, condition_text
from app.exports.table import ExportError, ExportOptions, build_table
from app.extensions import db
from app.models import Response
from app.surveys.catalog import current_registry, sync
from app.surveys.registry import load_registry
from tests.exports.conftest import KITCHEN, KITCHEN_COLUMNS


def table_of(survey_id="kitchen", **options):
    return build_table(db.session, survey_id, ExportOptions(**options))


def rows_of(survey_id="kitchen", **options) -> list[dict]:
    table = table_of(survey_id, **options)
    return [dict(zip(table.names, row, strict=True)) for row in table.rows()]


def test_columns_follow_the_export_layout_for_every_question_type(kitchen_app):
    assert table_of().names == KITCHEN_COLUMNS


def test_fixed_columns_hold_local_times_duration_and_language(kitchen_app, add):
    response = add(language="en", people=2)
    [row] = rows_of()
    assert row["response_id"] == response.public_id
    assert row["survey_version"] == 1
    assert row["status"] == "complete"
    # 13:00 UTC in February is 14:00 in Stockholm; the times are whole seconds.
    assert row["submitted_at"] == datetime(2026, 2, 10, 14, 0, 0)
    assert row["started_at"] == datetime(2026, 2, 10, 13, 56, 55)
    assert row["duration_seconds"] == 185
    assert row["language"] == "en"


def test_duration_is_right_across_a_change_to_winter_time(kitchen_app, add):
    # 2026-10-25 01:00 UTC the clocks go back: 02:58 local summer time, then 02:01 winter time.
    add(submitted=datetime(2026, 10, 25, 1, 1, 0, tzinfo=UTC), seconds=180, people=1)
    [row] = rows_of()
    assert row["started_at"] == datetime(2026, 10, 25, 2, 58, 0)
    assert row["submitted_at"] == datetime(2026, 10, 25, 2, 1, 0)
    assert row["duration_seconds"] == 180


def test_simple_questions_have_one_column_with_typed_values(kitchen_app, add):
    add(name="Kim", story="Two\nlines", people=3, temp=21.5, moved="2019-05-01", mode="bike")
    [row] = rows_of()
    assert row["name"] == "Kim"
    assert row["story"] == "Two\nlines"
    assert row["people"] == 3
    assert row["temp"] == 21.5
    assert row["moved"] == date(2019, 5, 1)
    assert row["mode"] == "bike"
    assert row["mode_other"] is None


def test_other_choice_keeps_its_code_and_text(kitchen_app, add):
    add(
        people=1,
        mode="other",
        mode_other="Skateboard",
        fractions=["food", "other"],
        fractions_other="Batteries",
    )
    [row] = rows_of()
    assert (row["mode"], row["mode_other"]) == ("other", "Skateboard")
    assert row["fractions_other"] == "Batteries"


def test_multiple_choice_is_one_0_1_column_per_choice_and_empty_when_not_shown(kitchen_app, add):
    add(people=1, fractions=["food", "glass"])
    add(people=1)  # the question was not answered (or not shown)
    chosen, skipped = rows_of()
    assert [chosen[f"fractions_{v}"] for v in ("food", "glass", "none")] == [1, 1, 0]
    assert [skipped[f"fractions_{v}"] for v in ("food", "glass", "none")] == [None, None, None]


def test_matrix_rows_rating_and_ranking_ranks(kitchen_app, add):
    add(people=1, mode="bus", views={"clean": 3, "close": 1}, stars=4, order=["speed", "comfort", "price"])
    add(people=1, mode="bike")  # the second page was not shown
    shown, hidden = rows_of()
    assert (shown["views_clean"], shown["views_close"], shown["stars"]) == (3, 1, 4)
    assert (shown["order_speed"], shown["order_comfort"], shown["order_price"]) == (1, 2, 3)
    assert all(hidden[name] is None for name in KITCHEN_COLUMNS[19:])


def test_hidden_field_and_photo_name(kitchen_app, add):
    add(people=1, hidden={"station": "12"}, mode="bus", picture="a1b2c3.jpg")
    [row] = rows_of()
    assert row["hidden_station"] == "12"
    assert row["picture"] == "a1b2c3.jpg"


@pytest.mark.parametrize(
    ("lang", "mode", "view", "other"),
    [("sv", "Buss", "Ja", "Annat"), ("en", "Bus", "Yes", "Other"), ("ar", "حافلة", "نعم", "أخرى")],
)
def test_labels_in_each_language(kitchen_app, add, lang, mode, view, other):
    add(people=2, mode="bus", views={"clean": 3}, fractions=["glass"])
    add(people=2, mode="other", mode_other="Tåg")
    bus, elsewise = rows_of(values="labels", lang=lang)
    assert (bus["mode"], bus["views_clean"]) == (mode, view)
    assert elsewise["mode"] == other
    # Numbers stay numbers; multiple choice stays 0/1.
    assert (bus["people"], bus["fractions_glass"]) == (2, 1)


def test_codes_are_the_default(kitchen_app, add):
    add(people=2, mode="bus", views={"clean": 3})
    [row] = rows_of()
    assert (row["mode"], row["views_clean"]) == ("bus", 3)


def test_texts_that_a_spreadsheet_would_run_get_a_leading_apostrophe_when_guarded(kitchen_app, add):
    add(people=1, name='=HYPERLINK("http://x","y")', story="@SUM(1+1)", hidden={"station": "-2+3"})
    add(people=1, name="+1", story="\tTAB", mode="other", mode_other="\rCR")
    add(people=1, name="Fine - really", story="")
    table = table_of()
    first, second, third = [dict(zip(table.names, row, strict=True)) for row in table.rows(guard=True)]
    assert first["name"] == '\'=HYPERLINK("http://x","y")'
    assert first["story"] == "'@SUM(1+1)"
    assert first["hidden_station"] == "'-2+3"
    assert (second["name"], second["story"], second["mode_other"]) == ("'+1", "'\tTAB", "'\rCR")
    assert third["name"] == "Fine - really"


def test_texts_are_exact_unless_guarded(kitchen_app, add):
    add(
        people=1,
        name="-2",
        story="+46 70 123 45 67",
        hidden={"station": "-2+3"},
        mode="other",
        mode_other="=1",
    )
    [row] = rows_of()
    assert (row["name"], row["story"], row["hidden_station"], row["mode_other"]) == (
        "-2",
        "+46 70 123 45 67",
        "-2+3",
        "=1",
    )
    record = next(table_of().records())
    assert record["answers"]["story"] == "+46 70 123 45 67"
    assert record["hidden"] == {"station": "-2+3"}


def test_test_responses_are_never_exported_and_partials_only_on_request(kitchen_app, add):
    add(people=1)
    add(people=1, is_test=True)
    add(people=1, status=Response.IN_PROGRESS)
    assert [r["status"] for r in rows_of()] == ["complete"]
    assert [r["status"] for r in rows_of(include_partial=True)] == ["complete", "in_progress"]
    partial = rows_of(include_partial=True)[1]
    assert partial["submitted_at"] is None and partial["duration_seconds"] is None


def test_filters_by_submitted_dates_hidden_field_and_language(kitchen_app, add):
    add(people=1, submitted=datetime(2026, 3, 1, 22, 30, tzinfo=UTC))  # 23:30 local, 1 March
    add(people=2, submitted=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))  # 00:30 local, 2 March
    add(people=3, submitted=datetime(2026, 3, 5, 12, 0, tzinfo=UTC), hidden={"station": "12"}, language="ar")

    def people(**options):
        return [r["people"] for r in rows_of(**options)]

    assert people(submitted_to=date(2026, 3, 1)) == [1]
    assert people(submitted_from=date(2026, 3, 2)) == [2, 3]
    assert people(submitted_from=date(2026, 3, 2), submitted_to=date(2026, 3, 2)) == [2]
    assert people(where=(("station", "12"),)) == [3]
    assert people(where=(("station", "13"),)) == []
    assert people(language="ar") == [3]


def test_demo_rows_are_exported_and_counted(kitchen_app, add):
    add(people=1)
    add(people=1, is_demo=True)
    table = table_of()
    assert (table.total, table.demo_rows) == (2, 1)
    facts = dict(about(table, "test"))
    assert facts["demo data"].startswith("1 of 2 rows are DEMO DATA")
    assert table_of(include_demo=False).total == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"lang": "fi"}, "Language 'fi' is not one of the survey's languages (sv, en, ar)"),
        ({"where": (("floor", "2"),)}, "'floor' is not a hidden field of this survey"),
        ({"language": "fi"}, "No response can be in 'fi': the survey's languages are sv, en, ar."),
    ],
)
def test_bad_options_are_plain_errors(kitchen_app, options, message):
    with pytest.raises(ExportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        table_of(**options)


def test_unknown_survey_is_a_plain_error(kitchen_app):
    with pytest.raises(ExportError, match=r"Unknown survey 'nope'\. Known surveys: kitchen\."):
        table_of("nope")


def test_codebook_says_what_every_column_means(kitchen_app):
    entries = {e.name: e for e in codebook(table_of(lang="en"))}
    assert list(entries) == KITCHEN_COLUMNS
    assert entries["people"].question == "Number of people"
    assert (entries["people"].type, entries["people"].page, entries["people"].required) == (
        "integer",
        "first (First)",
        "yes",
    )
    assert (
        entries["mode"].values_text
        == "bike = Bike (SPSS and Stata 1); bus = Bus (SPSS and Stata 2); other = Other (SPSS and Stata 3)"
    )
    assert entries["fractions_glass"].question == "What do you sort? [Glass]"
    assert entries["fractions_glass"].values_text == "1 = chosen; 0 = not chosen"
    assert entries["views_close"].question == "Do you find the bus [close]"
    assert entries["views_close"].values_text == "1 = No; 2 = Maybe; 3 = Yes"
    assert entries["views_close"].required == "yes (every row)"
    assert entries["views_close"].condition == "mode is bus (Bus)"
    assert entries["order_speed"].type == "ranking (rank)"
    assert entries["why"].condition == (
        "(mode is bus (Bus)) and (stars is at most 2 or hidden field station is one of 12)"
    )
    assert entries["hidden_station"].type == "hidden field"
    assert "Europe/Stockholm" in entries["started_at"].question


def test_codebook_texts_follow_the_chosen_language(kitchen_app):
    entries = {e.name: e for e in codebook(table_of(lang="ar"))}
    assert entries["people"].question == "عدد الأشخاص"
    assert (
        entries["mode"].values_text
        == "bike = دراجة (SPSS and Stata 1); bus = حافلة (SPSS and Stata 2); other = أخرى (SPSS and Stata 3)"
    )


def test_condition_text_reads_combinators_in_words(kitchen_app):
    from app.surveys.models import Survey

    survey = current_registry().get("kitchen")
    cond = (
        Survey.model_validate(
            {
                "id": "x1",
                "title": "x",
                "pages": [
                    {
                        "id": "p",
                        "questions": [{"id": "q", "type": "text", "label": "q"}],
                        "show_if": {
                            "all": [
                                {"question": "fractions", "contains": "none"},
                                {"not": {"question": "people", "gte": 3}},
                                {"question": "name", "answered": False},
                                {"question": "mode", "not_in": ["bike", "bus"]},
                            ]
                        },
                    }
                ],
            }
        )
        .pages[0]
        .show_if
    )
    assert condition_text(cond, survey, "en") == (
        "fractions includes none (Nothing) and not people is at least 3 and name is not answered "
        "and mode is none of bike (Bike), bus (Bus)"
    )


VERSION_2 = KITCHEN.replace(
    "          - {value: glass, label: {sv: Glas, en: Glass, ar: زجاج}}\n", ""
).replace(
    "      - id: intro\n",
    "      - id: newer\n        type: integer\n        label: {sv: Ny, en: New, ar: جديد}\n"
    "      - id: intro\n",
)


def test_several_definition_versions_in_one_export(make_app, write_survey, surveys_dir, add):
    write_survey(KITCHEN)
    with make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).app_context():
        add(people=1, fractions=["glass"])
    write_survey(VERSION_2)  # removes the choice "glass", adds the question "newer"
    with make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).app_context():
        sync(db.session, load_registry(surveys_dir))
        db.session.commit()
        add(people=2, newer=7, fractions=["food"])
        table = table_of()
        # The current version's columns first, then the columns only older versions had.
        assert table.names[13:15] == ["newer", "name"]
        assert table.names[-1] == "fractions_glass"
        old, new = [dict(zip(table.names, row, strict=True)) for row in table.rows()]
        assert (old["survey_version"], new["survey_version"]) == (1, 2)
        assert (old["newer"], new["newer"]) == (None, 7)
        assert (old["fractions_glass"], old["fractions_food"]) == (1, 0)
        # "glass" was not offered in version 2: unknown there, not "not chosen".
        assert (new["fractions_glass"], new["fractions_food"]) == (None, 1)
        assert [v.number for v in table.versions] == [2, 1]
        entry = {e.name: e for e in codebook(table)}["fractions_glass"]
        assert entry.question == "Vad sorterar du? [Glas]"


def test_a_changed_question_type_is_exported_as_text_not_lost(make_app, write_survey, surveys_dir, add):
    write_survey(KITCHEN)
    with make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).app_context():
        add(people=1, fractions=["food", "glass"])
    changed = KITCHEN.replace(
        "      - id: fractions\n        type: multiple_choice\n",
        "      - id: fractions\n        type: single_choice\n",
    ).replace("        exclusive: [none]\n", "")
    write_survey(changed)
    with make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).app_context():
        sync(db.session, load_registry(surveys_dir))
        db.session.commit()
        add(people=1, fractions="food")
        old, new = rows_of()
        assert (old["fractions"], new["fractions"]) == ("food; glass", "food")


def test_token_surveys_have_a_participant_column(make_app, write_survey, surveys_dir, add):
    write_survey("""
        id: panel
        title: Panel
        access: token
        hidden_fields: [wave]
        pages:
          - id: p
            questions:
              - {id: happy, type: rating, scale: smiley5, label: Happy}
        """)
    with make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir)).app_context():
        response = add("panel", hidden={"wave": "2"}, happy=4)
        response.participant_code = "-AB12"
        db.session.commit()
        table = table_of("panel")
        assert table.names[12:] == ["hidden_wave", "participant", "happy"]
        [row] = table.rows()
        assert row[12:] == ["2", "-AB12", 4]
        [row] = table.rows(guard=True)
        assert row[12:] == ["2", "'-AB12", 4]
        assert next(table.records())["participant"] == "-AB12"
