"""How questions are laid out in the page's markup: choice order, the "Other" box, NPS, box widths,
matrix rows and the error summary (what the browser tests then look at on a phone)."""

import re

from app.surveys.loader import load_text


def block(html: str, question_id: str) -> str:
    """The markup of one question block."""
    found = re.search(
        rf'<div class="question[^"]*" id="q-{question_id}".*?(?=<div class="question|<div class="hp")',
        html,
        re.S,
    )
    assert found, question_id
    return found.group(0)


def test_other_and_its_box_come_before_the_exclusive_choices(lab, browse, start):
    html = start(lab.test_client(), "lab", "?lang=en").html
    many = block(html, "many")
    order = re.findall(r'\svalue="(\w+)"|class="(other|or)"', many)
    assert [a or b for a, b in order] == ["a", "b", "c", "other", "other", "or", "none"]
    assert '<div class="other" data-other-for="many" data-other-value="other">' in many
    assert re.search(r'<label class="label-small" for="many_other">', many)
    pick = block(html, "pick")
    assert [v for v in re.findall(r'\svalue="(\w+)"', pick)] == ["1", "2", "x", "other"]
    assert pick.index('value="other"') < pick.index('data-other-for="pick"')


def test_nps_ends_describe_0_and_10_and_do_not_repeat_the_hint(lab, browse, start):
    client = lab.test_client()
    first = start(client, "lab", "?lang=en")
    data = {"word": "abc", "count": "2", "many": "a", "nav": "next"}
    html = browse.get(client, browse.post(client, first, data).location).html
    nps = block(html, "nps")
    assert re.search(r'value="0"\s+aria-describedby="nps-low"', nps)
    assert re.search(r'value="10"\s+aria-describedby="nps-high"', nps)
    assert '<p class="scale-end" id="nps-low">Not at all likely</p>' in nps
    assert (
        nps.index('id="nps-low"')
        < nps.index('value="0"')
        < nps.index('value="10"')
        < nps.index('id="nps-high"')
    )
    assert "0 = " not in nps


def test_short_answers_get_boxes_as_wide_as_the_answer(lab, start):
    html = start(lab.test_client(), "lab", "?lang=en").html
    found = re.findall(r'<input class="input( w\d+)?" type="text" id="(\w+)"', html)
    assert {name: width.strip() for width, name in found} == {
        "word": "w12",  # max_length 10
        "count": "w3",  # 1 to 5
        "size": "w4",  # 0 to 10 in steps of 0.5: "10,5"
        "many_other": "",
        "pick_other": "",
    }
    assert not re.search(r"<input[^>]*\sclass=[^>]*\sclass=", html)  # one class attribute each


QUESTIONS = """\
id: widths
title: Widths
pages:
  - id: p
    questions:
      - {id: postcode, type: text, max_length: 6, label: Postcode}
      - {id: name, type: text, label: Name}
      - {id: people, type: integer, min: 1, max: 20, label: People}
      - {id: any, type: integer, label: Any}
      - {id: below, type: integer, min: -100, max: 5, label: Below}
      - {id: temp, type: decimal, min: 10, max: 35, step: 0.5, label: Temp}
      - {id: price, type: decimal, label: Price}
"""


def test_width_classes_follow_bounds_and_max_length(app):
    from app.answering.pages import input_width

    survey = load_text(QUESTIONS, "widths.yaml").survey
    widths = {q.id: input_width(q) for q in survey.page("p").questions}
    assert widths == {
        "postcode": "w6",
        "name": None,
        "people": "w3",
        "any": "w8",
        "below": "w4",
        "temp": "w4",
        "price": "w12",
    }


def test_the_agreement_scale_of_waste_sorting_stands_in_one_line_in_every_language(app):
    from app.answering.pages import matrix_across
    from app.surveys.catalog import current_registry

    with app.app_context():
        survey = current_registry().get("waste-sorting")
        question = survey.question("station_views")
        assert all(matrix_across(survey, question, lang) for lang in ("sv", "en", "ar"))


def test_a_long_or_wide_scale_is_stacked(app):
    from app.answering.pages import matrix_across

    survey = load_text(
        """\
id: mx
title: M
pages:
  - id: p
    questions:
      - id: six
        type: matrix
        label: Six
        rows: [{id: r, label: R}]
        choices: [{value: 1, label: A}, {value: 2, label: B}, {value: 3, label: C},
                  {value: 4, label: D}, {value: 5, label: E}, {value: 6, label: F}]
      - id: wordy
        type: matrix
        label: Wordy
        rows: [{id: r, label: R}]
        choices: [{value: 1, label: Pappersförpackningar}, {value: 2, label: Nej}]
""",
        "mx.yaml",
    ).survey
    assert not matrix_across(survey, survey.question("six"), "sv")
    assert not matrix_across(survey, survey.question("wordy"), "sv")


def test_matrix_rows_keep_a_fieldset_and_legend_each(lab, browse, start):
    client = lab.test_client()
    first = start(client, "lab", "?lang=en")
    data = {"word": "abc", "count": "2", "many": "a", "nav": "next"}
    page = browse.get(client, browse.post(client, first, data).location)
    grid = block(page.html, "grid")
    assert grid.count('<fieldset class="matrix-row"') == 2
    assert re.findall(r"<legend>(.*?)</legend>", grid) == ["Row one", "Row two"]
    assert grid.count('<div class="scale across">') == 2
    assert re.search(r'<input type="radio" id="grid_r1-1"[^>]*>\s*<label for="grid_r1-1">Low</label>', grid)


def test_error_summary_gives_question_then_row_then_message(lab, browse, start):
    client = lab.test_client()
    first = start(client, "lab", "?lang=en")
    data = {"word": "abc", "count": "2", "many": "a", "nav": "next"}
    page = browse.get(client, browse.post(client, first, data).location)
    again = browse.post(client, page, {"grid_r1": "1", "nps": "11", "nav": "next"})
    summary = re.search(r'<div class="error-summary".*?</div>', again.html, re.S).group(0)
    items = [
        re.sub(r"<[^>]+>", "|", li).strip("|").split("|")
        for li in re.findall(r"<li>(.*?)</li>", summary, re.S)
    ]
    assert [[part.strip() for part in item if part.strip()] for item in items] == [
        ["Grid", "Row two", "Choose an answer."],
        ["Recommend", "Choose one of the answers shown."],
    ]
