"""The dashboard's figures, checked against a small hand-made set of responses (no HTTP), then the page."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.models import Response
from app.research.dashboard import build_dashboard, dashboard
from app.research.filters import Filters, parse_filters
from app.surveys.catalog import current_registry

TZ = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def waste(db, make_response):
    """Five waste-sorting responses: three complete, two in progress, one demo, one preview (test)."""
    day = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)

    def at(response, started, minutes=None, history=(), current=None):
        response.started_at = response.updated_at = started
        if minutes is not None:
            response.submitted_at = started + timedelta(minutes=minutes)
        response.page_history = list(history)
        response.current_page = current
        return response

    pages = ["sorting", "station", "about_you"]
    at(
        make_response(
            "waste-sorting",
            language="sv",
            hidden={"station": "12"},
            visits="weekly",
            fractions=["food", "paper"],
            satisfaction=5,
            station_views={"signs": 4, "clean": 5},
            household_size=2,
            comment="Bra <b>station</b>",
        ),
        day,
        minutes=4,
        history=pages,
    )
    at(
        make_response(
            "waste-sorting",
            language="en",
            hidden={"station": "12"},
            visits="weekly",
            fractions=["paper", "other"],
            fractions_other="Batteries",
            satisfaction=2,
            station_views={"signs": 2},
            household_size=4,
        ),
        day + timedelta(days=1),
        minutes=6,
        history=pages,
    )
    at(
        make_response(
            "waste-sorting",
            language="ar",
            hidden={"station": "7"},
            visits="never",
            fractions=["none"],
            why_not=["too_far"],
            satisfaction=1,
            household_size=3,
        ),
        day + timedelta(days=1, hours=1),
        minutes=10,
        history=["sorting", "not_sorting", "station", "about_you"],
    )
    at(
        make_response("waste-sorting", status=Response.IN_PROGRESS, language="sv", visits="rarely"),
        day + timedelta(days=2),
        history=["sorting"],
        current="station",
    )
    at(make_response("waste-sorting", status=Response.IN_PROGRESS, language="en"), day, current="sorting")
    demo = make_response("waste-sorting", language="sv", visits="monthly", satisfaction=3)
    at(demo, day, minutes=2, history=pages).is_demo = True
    test = make_response("waste-sorting", language="sv", visits="monthly", satisfaction=4)
    at(test, day, minutes=2, history=pages).is_test = True
    db.commit()
    return current_registry().get("waste-sorting")


def summary(board, qid):
    return next(s for s in board.questions if s.question.id == qid)


def test_counts_leave_out_preview_responses_and_mark_demo(db, waste):
    board = build_dashboard(db, waste, Filters(), TZ)
    assert (board.complete, board.in_progress, board.demo, board.test) == (4, 2, 1, 0)
    with_test = build_dashboard(db, waste, Filters(test=True), TZ)
    assert (with_test.complete, with_test.test) == (5, 1)
    without_demo = build_dashboard(db, waste, Filters(demo=False), TZ)
    assert (without_demo.complete, without_demo.demo) == (3, 0)


def test_per_day_languages_and_hidden_fields(db, waste):
    board = build_dashboard(db, waste, Filters(demo=False), TZ)
    # Days are local (Stockholm, UTC+2 in May): complete by the day submitted, others by last activity.
    assert board.per_day == {date(2026, 5, 4): [1, 1], date(2026, 5, 5): [2, 0], date(2026, 5, 6): [0, 1]}
    assert board.languages == {"sv": [1, 1], "en": [1, 1], "ar": [1, 0]}
    assert board.hidden == {"station": {"12": [2, 0], "7": [1, 0], "": [0, 2]}}


def test_funnel_shows_where_unfinished_responses_are(db, waste):
    board = build_dashboard(db, waste, Filters(demo=False), TZ)
    funnel = {step.page.id: (step.reached, step.stopped) for step in board.funnel}
    assert funnel == {"sorting": (5, 1), "not_sorting": (1, 0), "station": (4, 1), "about_you": (3, 0)}


def test_durations(db, waste):
    board = build_dashboard(db, waste, Filters(demo=False), TZ)
    assert board.median_duration == pytest.approx(360, abs=1)
    assert board.mean_duration == pytest.approx(400, abs=1)


def test_question_summaries(db, waste):
    board = build_dashboard(db, waste, Filters(demo=False), TZ)
    assert board.summarised == 3
    visits = summary(board, "visits")
    assert visits.n == 3
    assert {b.value: b.count for b in visits.bars() if b.count} == {"weekly": 2, "never": 1}
    fractions = summary(board, "fractions")
    assert {b.value: (b.count, b.total) for b in fractions.bars() if b.count} == {
        "food": (1, 3),
        "paper": (2, 3),
        "none": (1, 3),
        "other": (1, 3),
    }
    assert [text for text, _ in fractions.latest_others] == ["Batteries"]
    satisfaction = summary(board, "satisfaction")
    assert satisfaction.mean == pytest.approx(8 / 3)
    assert [b.count for b in satisfaction.bars()] == [1, 1, 0, 0, 1]
    views = {row_id: (total, mean) for _, row_id, _, total, mean in summary(board, "station_views").table()}
    assert views["signs"] == (2, 3.0) and views["clean"] == (1, 5.0) and views["distance"] == (0, None)
    household = summary(board, "household_size")
    assert (household.n, household.mean, household.median, household.low, household.high) == (3, 3, 3, 2, 4)
    comments = summary(board, "comment")
    assert [text for text, _ in comments.newest_first] == ["Bra <b>station</b>"]


def test_partial_adds_the_answers_of_unfinished_responses(db, waste):
    board = build_dashboard(db, waste, Filters(demo=False, partial=True), TZ)
    assert board.summarised == 5
    assert {b.value: b.count for b in summary(board, "visits").bars() if b.count} == {
        "weekly": 2,
        "never": 1,
        "rarely": 1,
    }


@pytest.mark.parametrize(
    ("args", "complete"),
    [
        ({"language": "sv"}, 1),
        ({"hidden_station": "12"}, 2),
        ({"from": "2026-05-05"}, 2),
        ({"to": "2026-05-04"}, 1),
        ({"from": "2026-05-05", "to": "2026-05-05", "hidden_station": "7"}, 1),
        ({"language": "xx"}, 3),  # not a language of the survey: ignored
    ],
)
def test_filters_apply_to_every_figure(db, waste, args, complete):
    filters = parse_filters({**args, "demo": "0"}, waste).filters
    board = build_dashboard(db, waste, filters, TZ)
    assert board.complete == complete
    assert board.summarised == complete
    assert summary(board, "visits").n == complete
    assert sum(c for c, _ in board.languages.values()) == complete


def test_filters_round_trip_through_query_arguments(waste):
    args = {
        "from": "2026-05-01",
        "to": "2026-05-31",
        "language": "sv",
        "hidden_station": "12",
        "partial": "1",
        "demo": "0",
        "test": "1",
    }
    filters = parse_filters(args, waste).filters
    assert filters.query_args() == args
    assert parse_filters(filters.query_args(), waste).filters == filters


def test_bad_dates_are_reported_not_ignored_silently(waste):
    parsed = parse_filters({"from": "31/5/2026"}, waste)
    assert parsed.filters.date_from is None
    assert parsed.problems


def test_cached_result_is_replaced_when_a_response_is_added(app, db, waste, make_response, monkeypatch):
    from app.research import dashboard as module

    first = dashboard(db, waste, Filters(), TZ)
    assert dashboard(db, waste, Filters(), TZ) is first
    make_response("waste-sorting", visits="weekly")
    db.commit()
    monkeypatch.setattr(module, "FRESH_SECONDS", 0)
    assert dashboard(db, waste, Filters(), TZ).complete == first.complete + 1


def test_a_reworded_question_shows_its_earlier_wording_with_the_versions_that_asked_it(
    make_app, write_survey, surveys_dir, make_researcher, sign_in
):
    from app.extensions import db
    from app.models import Response
    from app.surveys.catalog import current_registry, sync
    from app.surveys.registry import load_registry

    text = """
        id: bins
        title: Bins
        languages: [en]
        pages:
          - id: p
            questions:
              - {id: comment, type: text, label: "Anything else?"}
        """
    write_survey(text)
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    with app.app_context():
        registry = current_registry()
        version = registry.version_id(db.session, "bins")
        db.session.add(Response(survey_id="bins", version_id=version, status="complete", language="en"))
        db.session.commit()
    write_survey(text.replace("Anything else?", "Anything more?"))
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    with app.app_context():
        sync(db.session, load_registry(surveys_dir))
        db.session.commit()
    client = app.test_client()
    make_researcher("r@example.org", surveys=["bins"])
    sign_in("r@example.org", target=client)
    page = client.get("/admin/surveys/bins").get_data(as_text=True)
    assert "Anything more?" in page
    assert 'Version 1 asked it as: <q lang="en" dir="ltr">Anything else?</q>' in page


def test_the_dashboard_counts_filled_spam_traps(client, db, login_as):
    from datetime import date, timedelta

    from app.answering.access import record_trap

    today = date.today()
    for day in (today, today, today - timedelta(days=40)):  # the last one is too old to count
        record_trap(db, "feedback", day)
    db.commit()
    login_as(surveys=["feedback"])
    page = client.get("/admin/surveys/feedback?lang=en").get_data(as_text=True)
    assert "<strong>2</strong> sendings stopped by the spam trap in the last 30 days" in page
