"""A pilot's waves side by side: shared question ids, shares per choice and means per wave."""

from zoneinfo import ZoneInfo

import pytest

from app.research.access import pilot_surveys
from app.research.waves import compare_waves, wave_order
from app.surveys.catalog import current_registry

TZ = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def housing(db, make_response):
    for stars in (2, 3, 4):
        make_response("housing-baseline", landlord_stars=stars, winter_comfort=2)
    for stars in (4, 5):
        make_response("housing-follow-up-1", landlord_stars=stars, winter_comfort=3)
    make_response("housing-follow-up-1", status="in_progress", landlord_stars=1)
    db.commit()
    registry = current_registry()
    return [registry.get("housing-follow-up-1"), registry.get("housing-baseline")]


def test_baseline_comes_first(housing):
    assert [s.wave for s in sorted(housing, key=wave_order)] == ["baseline", "follow-up-1"]


def test_shared_questions_side_by_side(db, housing):
    comparison = compare_waves(db, "housing-2026", housing, TZ)
    assert [b.survey.id for b in comparison.waves] == ["housing-baseline", "housing-follow-up-1"]
    shared = {q.qid: q for q in comparison.shared}
    assert "noticed_difference" not in shared  # only the follow-up asks it
    stars = shared["landlord_stars"]
    assert stars.answered == [3, 2]  # complete responses only
    mean = next(r for r in stars.rows if r.code == "mean")
    assert mean.cells == [pytest.approx(3.0), pytest.approx(4.5)]
    five = next(r for r in stars.rows if r.code == 5)
    assert five.cells == [(0, 3), (1, 2)]
    comfort = next(r for r in shared["winter_comfort"].rows if r.code == 3)
    assert comfort.cells == [(0, 3), (2, 2)]


def test_pilot_page_counts_only_granted_surveys(client, login_as, housing):
    login_as(surveys=["housing-baseline"])
    page = client.get("/admin/pilots/housing-2026").get_data(as_text=True)
    assert "housing-baseline" in page and "housing-follow-up-1" not in page
    assert "Only one wave" in page


def test_pilot_page_with_both_waves(client, login_as, housing):
    login_as(surveys=["housing-baseline", "housing-follow-up-1"])
    page = client.get("/admin/pilots/housing-2026").get_data(as_text=True)
    assert "landlord_stars" in page
    assert "4.5" in page


def test_pilot_surveys_follow_grants(app, db, make_researcher, housing):
    researcher = make_researcher("r@example.org", surveys=["housing-follow-up-1"])
    with app.test_request_context():
        assert [s.id for s in pilot_surveys(researcher, "housing-2026")] == ["housing-follow-up-1"]


def test_demo_data_is_left_out_of_the_wave_comparison_unless_asked_and_the_page_says_so(
    client, db, login_as, make_response, housing
):
    for _ in range(4):
        demo = make_response("housing-follow-up-1", landlord_stars=1, winter_comfort=1)
        demo.is_demo = True
    db.commit()
    stars = {q.qid: q for q in compare_waves(db, "housing-2026", housing, TZ).shared}["landlord_stars"]
    assert stars.answered == [3, 2]
    included = compare_waves(db, "housing-2026", housing, TZ, include_demo=True)
    assert {q.qid: q for q in included.shared}["landlord_stars"].answered == [3, 6]
    login_as(surveys=["housing-baseline", "housing-follow-up-1"])
    page = client.get("/admin/pilots/housing-2026").get_data(as_text=True)
    assert "Demo data is left out (4 demo responses)." in page
    page = client.get("/admin/pilots/housing-2026?demo=1").get_data(as_text=True)
    assert "These figures include demo data (4 demo responses" in page
