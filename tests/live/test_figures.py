"""What the live screen counts, computed without a request: the dashboard's counts and means, real and
complete responses only unless the facilitator opts in, and only since the session started."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from werkzeug.datastructures import MultiDict

from app.live.figures import LiveOptions, live_screen, parse_options, parse_since, since_label, word_list
from app.models import Response
from app.surveys.catalog import current_registry

from .conftest import SURVEY

TZ = ZoneInfo("Europe/Stockholm")


def screen_of(db, **options):
    return live_screen(db, current_registry().get(SURVEY), LiveOptions(**options), TZ)


def panel(screen, question_id):
    return next(s for s in screen.panels if s.question.id == question_id)


def counts(screen, question_id) -> dict:
    return {bar.value: bar.count for bar in panel(screen, question_id).bars() if bar.count}


def test_counts_per_choice_and_the_mean_are_the_dashboards(db, idea):
    idea("a", category="booking", today=4)
    idea("b", category="booking", today=5)
    idea("c", category="machines", today=3)
    screen = screen_of(db)
    assert screen.counted == 3
    assert counts(screen, "category") == {"booking": 2, "machines": 1}
    assert panel(screen, "today").mean == pytest.approx(4.0)


def test_only_real_complete_responses_count_unless_the_facilitator_opts_in(db, idea):
    idea("real", category="booking")
    idea("demo", category="machines").is_demo = True
    idea("preview", category="cleaning").is_test = True
    idea("unfinished", category="space").status = Response.IN_PROGRESS
    db.commit()
    assert counts(screen_of(db), "category") == {"booking": 1}
    assert counts(screen_of(db, demo=True), "category") == {"booking": 1, "machines": 1}
    assert counts(screen_of(db, test=True), "category") == {"booking": 1, "cleaning": 1}
    assert counts(screen_of(db, partial=True), "category") == {"booking": 1, "space": 1}


def test_since_counts_only_answers_sent_from_then_on(db, idea):
    idea("before", category="booking", minutes_ago=90)
    idea("after", category="machines", minutes_ago=10)
    since = datetime.now(UTC) - timedelta(minutes=30)
    assert counts(screen_of(db, since=since), "category") == {"machines": 1}
    assert screen_of(db, since=since).counted == 1


def test_free_texts_on_the_screen_come_from_approvals_only(db, idea):
    idea("Fler maskiner", group="Bord 3")
    screen = screen_of(db)
    assert screen.words == {"group": []}
    assert screen.quotes == {"idea": []}


def test_the_choice_of_questions_keeps_the_surveys_order(db, app):
    survey = current_registry().get(SURVEY)
    with app.test_request_context():
        options, problems = parse_options(
            MultiDict([("q", "group"), ("q", "category"), ("q", "nope")]), survey, TZ
        )
    assert problems == []
    assert options.questions == ("category", "group")
    assert [s.question.id for s in live_screen(db, survey, options, TZ).panels] == ["category", "group"]


@pytest.mark.parametrize("value", ["2026-05-31T14:00", "2026-05-31 14:00", "2026-05-31T14:00:59"])
def test_a_start_time_is_read_in_the_configured_zone(value):
    assert parse_since(value, TZ) == datetime(2026, 5, 31, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value", ["yesterday", "2026-13-01T10:00", "0001-01-01T00:00", "2026-05-31T14:00+02:00"]
)
def test_a_start_time_that_is_not_one_is_refused(value):
    with pytest.raises(ValueError):
        parse_since(value, TZ)


def test_the_start_time_reads_as_a_clock_time_today_and_with_the_date_otherwise():
    now = datetime(2026, 5, 31, 12, 30, tzinfo=UTC)
    assert since_label(datetime(2026, 5, 31, 12, 0, tzinfo=UTC), now, TZ) == "14:00"
    assert since_label(datetime(2026, 5, 30, 12, 0, tzinfo=UTC), now, TZ) == "2026-05-30 14:00"
    assert since_label(None, now, TZ) == ""


def test_the_word_list_groups_the_same_answer_whatever_its_case_and_spacing():
    words = word_list(["Bord 3", "bord  3", "Bord 1", " BORD 3 "])
    assert [(w.text, w.count) for w in words] == [("Bord 3", 3), ("Bord 1", 1)]
    assert [w.size for w in words] == [4, 1]
