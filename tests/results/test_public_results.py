"""Public results at /s/<id>/results (HTML) and /s/<id>/results.json: complete, real responses only,
per station, with every group below min_group kept out, also by difference; free text never, except
quotes a researcher approved; the page and the JSON say the same."""

import re

from lxml import html as lxml_html

from .conftest import counts, figures, hidden, question


def page(client, query: str = "", survey: str = "bins") -> str:
    response = client.get(f"/s/{survey}/results{query}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_a_survey_without_public_results_has_no_results_page(client, answer):
    answer(full=1, times=6, survey="private-bins")
    for path in ("/s/private-bins/results", "/s/private-bins/results.json", "/s/private-bins/results.atom"):
        assert client.get(path).status_code == 404, path
    assert client.get("/s/no-such-survey/results").status_code == 404


def test_fewer_responses_than_min_group_show_nothing_but_that(client, answer):
    answer("12", full=1, happy=5, times=4)
    data = figures(client)
    assert data["suppressed"] is True
    assert "responses" not in data and "questions" not in data and "groups" not in data
    text = page(client)
    assert "För få svar för att visa ännu" in text or "Too few answers to show yet" in text
    assert ">4<" not in text


def test_the_count_is_of_complete_real_responses_only(client, answer):
    answer("12", full=1, times=5)
    answer("12", full=0, times=9, demo=True)
    answer("12", full=0, times=9, test=True)
    answer("12", full=0, times=9, status="in_progress")
    data = figures(client)
    assert data["responses"] == 5
    assert counts(question(data, "full")) == {1: 5, 0: 0, 2: 0}


def test_three_stations_of_7_6_and_2_the_2_cannot_be_worked_out(client, answer):
    answer("12", full=1, times=7)
    answer("13", full=1, times=6)
    answer("14", full=1, times=2)
    data = figures(client)
    assert data["responses"] == 15
    shown = {g["value"]: g["responses"] for g in data["groups"]}
    assert shown == {"12": 7}  # 13 is hidden too: 15 - 7 - 6 would give station 14's 2 away
    assert data["groups_not_shown"] is True
    assert data["responses"] - sum(shown.values()) >= 5
    for station in ("13", "14", "99"):  # hidden, and one nobody answered at, look the same
        assert figures(client, f"?station={station}") == {
            **figures(client, "?station=99"),
            "group": {"field": "station", "value": station},
        }
        assert figures(client, f"?station={station}")["suppressed"] is True
    assert figures(client, "?station=12")["responses"] == 7


def test_a_station_page_counts_that_station_only(client, answer):
    answer("12", full=1, happy=4, times=5)
    answer("12", full=0, happy=2, times=5)
    answer("13", full=1, happy=5, times=6)
    data = figures(client, "?station=12")
    assert data["group"] == {"field": "station", "value": "12"}
    assert data["responses"] == 10
    assert counts(question(data, "full")) == {1: 5, 0: 5, 2: 0}
    assert question(data, "happy")["mean"] == 3.0
    assert "groups" not in data
    assert "Station 12" in page(client, "?station=12")


def test_a_choice_below_min_group_is_hidden_and_cannot_be_worked_out_from_100_percent(client, answer):
    answer(full=1, happy=4, times=8)
    answer(full=0, happy=5, times=2)
    entry = question(figures(client), "full")
    assert entry["answered"] == 10
    assert hidden(entry) == {0, 1}  # 2 said no; showing yes (80 %) would give that away
    assert counts(entry) == {2: 0}
    assert entry["mean"] is None  # with the mean, the hidden counts could be worked out


def test_the_choices_hidden_together_hold_at_least_min_group(client, answer):
    answer(full=1, times=7)
    answer(full=0, times=5)
    answer(full=2, times=3)
    entry = question(figures(client), "full")
    assert counts(entry) == {1: 7}
    assert hidden(entry) == {0, 2}
    assert {c["value"]: c["share"] for c in entry["choices"] if "share" in c} == {1: round(7 / 15, 4)}


def test_shares_and_means_when_every_group_is_large_enough(client, answer):
    answer(full=1, happy=5, household=2, grade={"clean": 3, "near": 1}, fractions=["food", "paper"], times=6)
    answer(full=0, happy=3, household=4, grade={"clean": 3, "near": 3}, fractions=["paper"], times=6)
    data = figures(client)
    assert counts(question(data, "full")) == {1: 6, 0: 6, 2: 0}
    assert question(data, "full")["mean"] is None  # choices with codes, not a scale of at least 3 numbers
    assert question(data, "happy")["mean"] == 4.0
    assert counts(question(data, "happy")) == {1: 0, 2: 0, 3: 6, 4: 0, 5: 6}
    assert question(data, "household") == {
        "id": "household",
        "type": "integer",
        "label": {"sv": "Hushåll", "en": "Household", "ar": "الأسرة"},
        "answered": 12,
        "mean": 3.0,
    }
    grade = question(data, "grade")
    clean, near = grade["rows"]
    assert counts(clean) == {1: 0, 2: 0, 3: 12} and clean["mean"] == 3.0
    assert counts(near) == {1: 6, 2: 0, 3: 6} and near["mean"] == 2.0
    fractions = question(data, "fractions")
    assert counts(fractions) == {"food": 6, "paper": 12, "glass": 0}
    assert fractions["answered"] == 12


def test_ticks_by_too_few_or_by_all_but_too_few_are_hidden(client, answer):
    answer(fractions=["food", "paper"], times=3)
    answer(fractions=["paper"], times=9)
    answer(fractions=["glass"], times=1)
    entry = question(figures(client), "fractions")
    assert hidden(entry) == {"food", "glass", "paper"}  # 3 food, 1 glass; paper: all but 1 ticked it


def test_a_question_too_few_answered_is_hidden_whole(client, answer):
    answer(full=1, times=6)
    answer(full=1, household=3, times=2)
    entry = question(figures(client), "household")
    assert entry == {
        "id": "household",
        "type": "integer",
        "label": {"sv": "Hushåll", "en": "Household", "ar": "الأسرة"},
        "suppressed": True,
    }


def test_the_answers_outside_the_shown_stations_cannot_be_worked_out_by_difference(client, answer):
    answer("12", full=1, times=6)
    answer("12", full=0, times=5)
    answer("13", full=1, times=5)
    answer("13", full=0, times=6)
    answer(None, full=1, times=4)  # five answers without a station: 4 yes, 1 no
    answer(None, full=0, times=1)
    assert counts(question(figures(client, "?station=12"), "full")) == {1: 6, 0: 5, 2: 0}
    assert counts(question(figures(client, "?station=13"), "full")) == {1: 5, 0: 6, 2: 0}
    overall = question(figures(client), "full")
    # Yes 15 - 6 - 5 = 4 and no 12 - 5 - 6 = 1 would give the five without a station away.
    assert hidden(overall) == {0, 1}
    assert overall["mean"] is None


def test_free_text_never_appears_until_approved(client, answer):
    answer("12", full=1, comment="SECRET-TEXT-123", times=5)
    assert "SECRET-TEXT-123" not in page(client)
    assert "SECRET-TEXT-123" not in page(client, "?station=12")
    assert "SECRET-TEXT-123" not in client.get("/s/bins/results.json").get_data(as_text=True)
    assert figures(client)["quotes"] == []


def test_json_and_html_say_the_same(client, answer):
    answer("12", full=1, happy=5, fractions=["food"], grade={"clean": 3, "near": 2}, times=6)
    answer("12", full=0, happy=2, fractions=["food", "paper"], grade={"clean": 1, "near": 2}, times=5)
    answer("13", full=2, happy=4, fractions=["glass"], times=3)
    for query in ("", "?station=12", "?station=13"):
        data = figures(client, query + ("&" if query else "?") + "lang=en")
        tree = lxml_html.fromstring(page(client, query + ("&" if query else "?") + "lang=en"))
        if data["suppressed"]:
            assert not tree.xpath("//*[@data-figure]")
            continue
        assert tree.xpath("string(//*[@data-responses])").strip() == str(data["responses"])
        for entry in data["questions"]:
            tables = [(entry, f"q-{entry['id']}")]
            tables += [(row, f"q-{entry['id']}-{row['id']}") for row in entry.get("rows", [])]
            for part, table_id in tables:
                if "choices" not in part:
                    continue
                rows = tree.xpath(f"//table[@id='{table_id}']/tbody/tr")
                assert len(rows) == len(part["choices"]), table_id
                for row, choice in zip(rows, part["choices"], strict=True):
                    cells = [re.sub(r"\s+", " ", c.text_content()).strip() for c in row.xpath("td")]
                    if choice.get("suppressed"):
                        assert not any(ch.isdigit() for ch in "".join(cells)), (table_id, cells)
                    else:
                        assert cells[0] == str(choice["count"]), (table_id, cells)
                        assert re.sub(r"\D", "", cells[1]) == str(round(100 * choice["share"])), cells


def test_the_page_speaks_each_survey_language_and_arabic_right_to_left(client, answer):
    answer("12", full=1, times=6)
    arabic = lxml_html.fromstring(page(client, "?lang=ar"))
    assert arabic.get("lang") == "ar" and arabic.get("dir") == "rtl"
    assert "الحاويات في المحطة" in arabic.text_content()
    swedish = lxml_html.fromstring(page(client, "?lang=sv"))
    assert swedish.get("lang") == "sv" and "Kärlen vid stationen" in swedish.text_content()
    links = swedish.xpath("//nav[contains(@class, 'lang-switch')]//a/@hreflang")
    assert links == ["sv", "en", "ar"]


def test_the_json_is_open_to_other_sites(client, answer):
    answer("12", full=1, times=6)
    response = client.get("/s/bins/results.json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response.mimetype == "application/json"


def test_the_page_needs_no_script_and_draws_charts_with_tables(client, answer):
    answer("12", full=1, happy=5, times=6)
    tree = lxml_html.fromstring(page(client))
    assert not tree.xpath("//script")
    svg = tree.xpath("//svg[@role='img']")
    assert svg and all(s.xpath("./title") for s in svg)
    assert tree.xpath("//table[@id='q-full']/caption")


def test_a_chart_holds_nothing_that_would_end_the_drawing(client, answer):
    # An interface text a catalog lacks is marked with its language by a span, which inside SVG would
    # end the drawing in an HTML parser: charts hold plain text only.
    answer("12", happy=5, fractions=["food"], times=6)
    answer("12", happy=1, fractions=["paper"], times=2)
    for lang in ("sv", "ar", "en"):
        text = page(client, f"?lang={lang}")
        drawings = re.findall(r"<svg.*?</svg>", text, flags=re.DOTALL)
        assert drawings
        assert not any("<span" in drawing for drawing in drawings)
