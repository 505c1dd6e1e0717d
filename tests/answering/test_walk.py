"""Residents walk every example survey to the end in every language, with CSRF protection on."""

from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from app.models import Response
from app.surveys.catalog import current_registry
from app.surveys.conditions import visible_answers

from .plans import HIDDEN, fields_for, planned

EXAMPLES = ["feedback", "housing-baseline", "housing-follow-up-1", "waste-sorting"]


def page_data(survey, page_id: str, page, answers: dict) -> list[tuple[str, str]]:
    """The planned answers of the questions the page shows."""
    data = []
    for q in survey.page(page_id).questions:
        if q.id in page.value("shown").split():
            data += fields_for(survey, q, answers)
    return data


def wrong_value(survey, question) -> list[tuple[str, str]]:
    """Form data that a question must refuse (a value the server has to catch, whatever the browser)."""
    qid = question.id
    if question.type in ("text", "long_text"):
        return [(qid, "x" * (question.max_length + 1))]
    if question.type in ("integer", "decimal", "date"):
        return [(qid, "not a number or date")]
    if question.type == "matrix":
        return [(f"{qid}_{question.rows[0].id}", "no-such-choice")]
    if question.type == "ranking":
        return [(f"{qid}_{c.value}", "1") for c in survey.choices(question)]
    return [(qid, "no-such-choice")]


def make_a_mistake(client, browse, survey, page_id: str, page, answers: dict) -> None:
    """Send the page with its first question answered wrongly: the page comes back with an error
    summary linking to that question, and every other answer as it was typed."""
    questions = [
        q for q in survey.page(page_id).questions if q.type != "note" and q.id not in page.hidden_questions
    ]
    first = questions[0]
    rest = [(n, v) for q in questions[1:] for n, v in fields_for(survey, q, answers)]
    again = browse.post(client, page, [*wrong_value(survey, first), *rest, ("nav", "next")])
    assert again.status == 200
    assert again.error_summary() and again.error_summary()[0].startswith(first.id), again.html
    for name, value in rest:
        assert value in again.values(name), (name, value)


def walk(client, browse, survey, lang: str, answers: dict) -> list[str]:
    """Answer the survey from the start page to the thank-you page, with a mistake on the first page
    and a step Back from the second; return the paths of the pages answered."""
    query = urlencode({"lang": lang, **HIDDEN.get(survey.id, {})})
    start = browse.get(client, f"/s/{survey.id}?{query}")
    assert start.status == 200
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in start.html
    page = browse.post(client, start, {})
    assert page.status == 302, page.html
    seen: list[str] = []
    went_back = False
    for _ in range(20):
        path = page.location
        if path.endswith("/thanks"):
            return [*seen, path]
        seen.append(path)
        page = browse.get(client, path)
        assert page.status == 200
        page_id = path.rsplit("/", 1)[1]
        if len(seen) == 1:
            make_a_mistake(client, browse, survey, page_id, page, answers)
        if len(seen) == 2 and not went_back:
            went_back = True
            back = browse.post(client, page, [*page_data(survey, page_id, page, answers), ("nav", "back")])
            assert back.location == seen[0]
            earlier = browse.get(client, back.location)
            earlier_id = back.location.rsplit("/", 1)[1]
            for name, value in page_data(survey, earlier_id, earlier, answers):
                assert value in earlier.values(name), (name, value)  # the answers given are shown again
            seen.pop()
        for _attempt in range(3):
            page = browse.post(client, page, [*page_data(survey, page_id, page, answers), ("nav", "next")])
            if page.status == 302:
                break
            assert page.error_summary() == [], page.html  # only a newly revealed question may stop us
    raise AssertionError("no thank-you page")


@pytest.mark.parametrize("lang", ["sv", "en", "ar"])
@pytest.mark.parametrize("survey_id", EXAMPLES)
def test_every_example_survey_can_be_answered_to_the_end(app, client, browse, survey_id, lang):
    with app.app_context():
        survey = current_registry().get(survey_id)
    answers = planned(survey)
    paths = walk(client, browse, survey, lang, answers)

    thanks = browse.get(client, paths[-1])
    assert thanks.status == 200
    with app.app_context():
        from app.extensions import db

        stored = db.session.scalars(select(Response).filter_by(survey_id=survey_id)).all()
        assert len(stored) == 1
        response = stored[0]
        assert response.status == Response.COMPLETE
        assert response.language == lang
        assert response.hidden == HIDDEN.get(survey_id, {})
        assert response.answers == visible_answers(survey, answers, response.hidden)
        assert response.receipt_code in thanks.html
        assert response.submitted_at is not None


def test_waste_sorting_stores_exactly_the_shown_answers(app, client, browse):
    """The example with conditions on the same and later pages, checked against a literal answer set."""
    with app.app_context():
        survey = current_registry().get("waste-sorting")
    walk(client, browse, survey, "sv", planned(survey))
    with app.app_context():
        from app.extensions import db

        [response] = db.session.scalars(select(Response).filter_by(survey_id="waste-sorting")).all()
    text = "Första raden\nAndra raden – med ”citat” och عربي"
    assert response.hidden == {"station": "12"}
    assert response.answers == {
        "visits": "weekly",
        "fractions": ["none"],
        "why_not": ["no_space", "other"],
        "why_not_other": "Kärlen är för höga",
        "station_views": {"signs": 1, "clean": 2, "distance": 3, "room": 4},
        "makes_difference": 2,
        "satisfaction": 2,
        "had_problems": "yes",
        "problem_details": text,
        "underground": 2,
        "improve": text,
        "wants_demo": "no",
        "household_size": 3,
        "age_group": "no_answer",
        "comment": text,
    }
