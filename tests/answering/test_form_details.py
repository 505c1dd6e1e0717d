"""What a page tells a resident before they press Next: an honest progress line, the limits of an
answer, a date hint that agrees with the phone's date box, a ranking's instruction; and a spam trap
that neither a screen reader nor a sighted resident ever meets."""

import re
from datetime import date
from pathlib import Path

import pytest

from app.answering.pages import progress_of
from app.answering.validators import parse_date
from app.config import PROJECT_ROOT
from app.surveys.loader import load_text

from .test_markup import block
from .test_pages import FIRST, next_

DETAILS = """\
id: details
title: {sv: Detaljer, en: Details, ar: تفاصيل}
languages: [sv, en, ar]
hidden_fields: [station]
pages:
  - id: one
    title: One
    questions:
      - {id: story, type: long_text, max_length: 300, label: Story}
      - {id: name, type: text, label: Name}
      - {id: code, type: text, max_length: 6, label: Code}
      - {id: postcode, type: text, max_length: 6, pattern: "^[0-9]{5}$", label: Postcode}
      - id: three
        type: multiple_choice
        max_selected: 3
        label: Three
        choices: [{value: a, label: A}, {value: b, label: B}, {value: c, label: C}, {value: d, label: D}]
      - id: some
        type: multiple_choice
        min_selected: 2
        max_selected: 3
        label: Some
        choices: [{value: a, label: A}, {value: b, label: B}, {value: c, label: C}, {value: d, label: D}]
      - id: pair
        type: multiple_choice
        min_selected: 2
        max_selected: 2
        label: Pair
        choices: [{value: a, label: A}, {value: b, label: B}, {value: c, label: C}]
      - id: many
        type: multiple_choice
        min_selected: 2
        label: Many
        choices: [{value: a, label: A}, {value: b, label: B}, {value: c, label: C}]
      - id: any
        type: multiple_choice
        label: Any
        choices: [{value: a, label: A}, {value: b, label: B}]
      - {id: people, type: integer, min: 1, max: 20, label: People}
      - {id: size, type: decimal, min: 0.5, label: Size}
      - id: go_on
        type: single_choice
        label: Go on
        choices: [{value: 1, label: Yes}, {value: 0, label: No}]
  - id: two
    title: Two
    show_if: {question: go_on, equals: 1}
    questions:
      - {id: day, type: date, min: 2020-01-01, max: today, label: Day}
      - {id: free_day, type: date, label: Free day}
      - {id: until, type: date, max: 2030-06-30, label: Until}
      - id: rank
        type: ranking
        label: Rank
        choices: [{value: a, label: Fler människor i trapphuset}, {value: b, label: Bättre belysning}]
  - id: three
    title: Three
    questions:
      - {id: last, type: text, label: Last}
  - id: four
    title: Four
    show_if: {hidden: station, equals: "12"}
    questions:
      - {id: station_q, type: text, label: Station question}
"""

ONE_PAGE = """\
id: single
title: {sv: En sida, en: One page, ar: صفحة}
languages: [sv, en, ar]
pages:
  - id: only
    questions:
      - {id: q, type: text, label: Q}
"""


@pytest.fixture
def details(make_app, write_survey, surveys_dir):
    """An app serving the details survey, a one-page survey and the lab (every question type)."""
    from .surveys import LAB

    for text in (DETAILS, ONE_PAGE, LAB):
        write_survey(text)
    return make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))


def _survey(text: str):
    result = load_text(text, "survey.yaml")
    assert not result.problems, result.problems
    return result.survey


def _progress_line(html: str) -> str | None:
    found = re.search(r'<p id="progress-label">([^<]*)</p>', html)
    return found.group(1) if found else None


def _bar(html: str) -> tuple[str, str] | None:
    found = re.search(r'<progress max="(\d+)" value="(\d+)"', html)
    return found.groups() if found else None


# ----------------------------------------------------------------------------- the spam trap


def test_spam_trap_is_hidden_by_the_stylesheet_and_left_out_of_tab_order_and_autofill(details, browse, start):
    client = details.test_client()
    for page in (browse.get(client, "/s/details?lang=en"), start(client, "details", "?lang=en")):
        trap = re.search(r'<div class="hp">(.*?)</div>', page.html, re.S)
        assert trap, "no spam trap"
        field = re.search(r"<input[^>]*>", trap.group(1)).group(0)
        assert 'name="leave_empty"' in field and 'value=""' in field
        assert 'tabindex="-1"' in field and 'autocomplete="off"' in field
        assert "style=" not in trap.group(0)  # the CSP allows no inline styles: the stylesheet hides it
    css = (Path(PROJECT_ROOT) / "app" / "static" / "lyssna.css").read_text(encoding="utf-8")
    rule = re.search(r"(?m)^\.hp\s*\{([^}]*)\}", css)
    assert rule and re.search(r"display:\s*none", rule.group(1)), "the trap must be display: none"
    assert not re.search(r"[,\s]\.hp[\s,{]", css.replace(rule.group(0), "")), "the trap has one rule"


# ----------------------------------------------------------------------------- progress


def test_progress_says_at_most_while_a_later_page_depends_on_answers_still_to_come(details, browse, start):
    client = details.test_client()
    first = start(client, "details", "?lang=en&station=12")
    # two (go_on, asked on this page) may come or not; three always; four is decided by the station.
    assert _progress_line(first.html) == "Page 1 of at most 4"
    assert _bar(first.html) == ("4", "0")  # pages done, not the page being answered
    assert "Send answers" not in first.html


def test_progress_without_the_hidden_page_counts_it_out_exactly(details, browse, start):
    first = start(details.test_client(), "details", "?lang=en")
    assert _progress_line(first.html) == "Page 1 of at most 3"


def test_progress_is_plain_once_no_later_page_can_be_skipped(details, browse, start):
    client = details.test_client()
    first = start(client, "details", "?lang=en&station=12")
    second = browse.get(client, next_(browse, client, first, {"go_on": "1"}).location)
    assert _progress_line(second.html) == "Page 2 of 4"
    assert _bar(second.html) == ("4", "1")
    last = browse.get(client, next_(browse, client, second, {}).location)
    last = browse.get(client, next_(browse, client, last, {}).location)
    assert _progress_line(last.html) == "Page 4 of 4"
    assert _bar(last.html) == ("4", "3")
    assert "Send answers" in last.html


def test_progress_never_changes_its_total_upwards_in_the_lab(details, browse, start):
    client = details.test_client()
    first = start(client, "lab", "?lang=en")
    assert _progress_line(first.html) == "Page 1 of at most 4"  # third depends on count, asked here
    second = browse.get(client, next_(browse, client, first, {**FIRST, "count": "2"}).location)
    assert _progress_line(second.html) == "Page 2 of 3"


def test_a_one_page_survey_shows_no_page_count_and_no_full_bar(details, browse, start):
    page = start(details.test_client(), "single", "?lang=en")
    assert "Page 1 of 1" not in page.html
    assert _progress_line(page.html) is None and "<progress" not in page.html
    assert "Send answers" in page.html


@pytest.mark.parametrize(
    ("lang", "plain", "at_most"), [("sv", "Sida 2 av 4", "av högst"), ("ar", "", "على الأكثر")]
)
def test_progress_is_said_in_the_residents_language(details, browse, start, lang, plain, at_most):
    client = details.test_client()
    first = start(client, "details", f"?lang={lang}&station=12")
    assert at_most in _progress_line(first.html)
    second = browse.get(client, next_(browse, client, first, {"go_on": "1"}).location)
    assert plain in _progress_line(second.html) and at_most not in _progress_line(second.html)


CONDITIONS = """\
id: shapes
title: Shapes
hidden_fields: [h]
pages:
  - id: a
    questions: [{id: x, type: integer, label: X}]
  - id: b
    show_if: {not: {question: x, equals: 1}}
    questions: [{id: y, type: integer, label: Y}]
  - id: c
    show_if: {question: x, equals: 2}
    questions: [{id: z, type: integer, label: Z}]
  - id: d
    show_if: {hidden: h, equals: "1"}
    questions: [{id: w, type: integer, label: W}]
"""


@pytest.mark.parametrize(
    ("page_id", "number", "total", "expected"),
    [
        # On a: b and c depend on x, asked here, so they count in; d is decided by the link.
        ("a", 1, 3, (1, 4, False)),  # never more pages than are left
        ("a", 1, 1, (1, 3, False)),  # b and c not shown now, d not either: a, b, c at most
        # On b: c depends on x (an earlier page) and d on the link: decided, so exact.
        ("b", 2, 3, (2, 3, True)),
        ("b", 2, 2, (2, 2, True)),
        ("d", 2, 2, (2, 2, True)),
    ],
)
def test_progress_counts_only_pages_whose_condition_can_still_change_as_at_most(
    page_id, number, total, expected
):
    survey = _survey(CONDITIONS)
    found = progress_of(survey, survey.page(page_id), number, total)
    assert (found.number, found.total, found.exact) == expected
    assert found.done == number - 1


def test_progress_of_a_single_page_is_nothing():
    survey = _survey(ONE_PAGE)
    assert progress_of(survey, survey.page("only"), 1, 1) is None


# ----------------------------------------------------------------------------- limits said up front


def _hints(html: str, question_id: str) -> list[str]:
    return re.findall(r'<p class="hint" id="[^"]+"[^>]*>([^<]*)</p>', block(html, question_id))


def test_limits_are_said_before_next(details, browse, start):
    html = start(details.test_client(), "details", "?lang=en").html
    assert _hints(html, "story") == ["Up to 300 characters."]
    assert _hints(html, "code") == ["Up to 6 characters."]
    assert _hints(html, "name") == []  # the usual limit of a short answer is not worth a line
    assert _hints(html, "postcode") == []  # its pattern decides what fits
    assert _hints(html, "three") == ["Choose up to 3 answers."]
    assert _hints(html, "some") == ["Choose 2 to 3 answers."]
    assert _hints(html, "pair") == ["Choose 2 answers."]
    assert _hints(html, "many") == ["Choose at least 2 answers."]
    assert _hints(html, "any") == []
    assert _hints(html, "people") == ["A number from 1 to 20."]
    assert _hints(html, "size") == ["A number of 0.5 or more."]


def test_limits_are_part_of_the_fields_description_and_text_boxes_keep_maxlength(details, browse, start):
    html = start(details.test_client(), "details", "?lang=en").html
    story = block(html, "story")
    assert re.search(r'<textarea[^>]*\smaxlength="300"', story)
    assert re.search(r'<textarea[^>]*\saria-describedby="story-limits"', story)
    assert re.search(r'<p class="hint" id="story-limits"[^>]*>', story)
    assert re.search(r'<input[^>]*\smaxlength="200"', block(html, "name"))
    assert re.search(r'<input[^>]*\smaxlength="6"[^>]*\saria-describedby="code-limits"', block(html, "code"))
    assert re.search(r'<fieldset class="fieldset" aria-describedby="three-limits"', block(html, "three"))
    assert re.search(r'<input[^>]*\saria-describedby="people-limits"', block(html, "people"))


def test_texts_follow_the_direction_of_what_is_typed(details, browse, start):
    html = start(details.test_client(), "details", "?lang=ar").html
    assert re.search(r'<textarea[^>]*\sdir="auto"', block(html, "story"))
    assert re.search(r'<input[^>]*\sdir="auto"', block(html, "name"))
    assert not re.search(r"<input[^>]*\sdir=", block(html, "people"))  # digits need no guessing


def test_a_long_text_carries_what_its_counter_says(details, browse, start):
    story = block(start(details.test_client(), "details", "?lang=en").html, "story")
    hint = re.search(r'<p class="hint" id="story-limits"([^>]*)>', story).group(1)
    assert 'data-counter="Characters left: %(num)s"' in hint
    assert 'data-over="Characters too many: %(num)s"' in hint


@pytest.mark.parametrize(("lang", "text"), [("sv", "Högst 300 tecken."), ("ar", "300")])
def test_limits_are_said_in_the_residents_language(details, browse, start, lang, text):
    html = start(details.test_client(), "details", f"?lang={lang}").html
    [said] = _hints(html, "story")
    assert text in said and "Up to" not in said
    assert "Choose" not in _hints(html, "three")[0]


# ----------------------------------------------------------------------------- dates


def _to_dates(details, browse, start, lang: str = "en"):
    client = details.test_client()
    first = start(client, "details", f"?lang={lang}")
    return client, browse.get(client, next_(browse, client, first, {"go_on": "1"}).location)


def test_date_hint_gives_the_range_and_no_format_the_phone_would_contradict(details, browse, start):
    _client, page = _to_dates(details, browse, start)
    day = block(page.html, "day")
    assert "year-month-day" not in page.html and "2024-03-31" not in page.html
    assert _hints(page.html, "day") == ["From 1 January 2020 to today."]
    assert _hints(page.html, "free_day") == []
    assert _hints(page.html, "until") == ["No later than 30 June 2030."]
    assert re.search(r'<input class="input short" type="date" id="day" name="day"', day)
    assert re.search(r'aria-describedby="day-limits"', day)
    assert re.findall(r'name="(day[^"]*)"', day) == ["day"]  # one field, named after the question


def test_date_hint_in_swedish_and_arabic(details, browse, start):
    _client, page = _to_dates(details, browse, start, "sv")
    assert _hints(page.html, "day") == ["Från 1 januari 2020 till i dag."]
    _client, page = _to_dates(details, browse, start, "ar")
    [said] = _hints(page.html, "day")
    assert "2020" in said and "From" not in said


@pytest.mark.parametrize(
    "typed",
    [
        "2024-03-31",
        "31/3/2024",
        "31/03/2024",
        "31.3.2024",
        "31-3-2024",
        " 31 / 3 / 2024 ",
        "2024/3/31",
        "٣١/٣/٢٠٢٤",
    ],
)
def test_a_date_typed_in_a_common_way_is_understood(typed):
    assert parse_date(typed) == date(2024, 3, 31)


@pytest.mark.parametrize(
    "typed", ["31/13/2024", "30/2/2024", "2024-02-30", "31/3/24", "31 March", "3/31/2024", "x"]
)
def test_a_date_that_is_not_one_is_refused(typed):
    with pytest.raises(ValueError):
        parse_date(typed)


def test_a_date_typed_on_a_phone_without_a_date_box_is_stored_as_an_iso_date(details, browse, start):
    client, page = _to_dates(details, browse, start)
    moved = next_(browse, client, page, {"day": "31.3.2024"})
    assert moved.status == 302
    wrong = next_(browse, client, browse.get(client, "/s/details/p/two"), {"day": "31/13/2024"})
    assert "Enter a real date, for example 31/3/2024 (day/month/year)." in wrong.html
    assert "From 1 January 2020 to today." in wrong.html


# ----------------------------------------------------------------------------- rankings


def test_ranking_instruction_names_the_buttons_only_where_there_are_buttons(details, browse, start):
    _client, page = _to_dates(details, browse, start)
    rank = block(page.html, "rank")
    how = re.search(r'<p class="hint" id="rank-how"([^>]*)>([^<]*)</p>', rank)
    assert how.group(2) == "Give each item a number: 1 for the most important, 2 for the least."
    # The page script adds the move buttons, and then says so with this text.
    assert (
        'data-with-buttons="Move the items with the ↑ and ↓ buttons, or give each a number: 1 for the '
        in how.group(1)
    )
