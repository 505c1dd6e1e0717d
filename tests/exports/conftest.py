"""Fixtures for export tests: a survey with every question type, and a way to store responses to it."""

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db as _db
from app.models import Response
from app.surveys.catalog import current_registry

# Every question type, three languages, a hidden field, a named choice list, page and question
# conditions (one with a combinator).
KITCHEN = """
id: kitchen
title: {sv: Allt på en gång, en: Everything at once, ar: كل شيء معًا}
languages: [sv, en, ar]
hidden_fields: [station]
choice_lists:
  agree3:
    - {value: 1, label: {sv: Nej, en: "No", ar: لا}}
    - {value: 2, label: {sv: Kanske, en: Maybe, ar: ربما}}
    - {value: 3, label: {sv: Ja, en: "Yes", ar: نعم}}
pages:
  - id: first
    title: {sv: Första, en: First, ar: الأولى}
    questions:
      - id: intro
        type: note
        text: {sv: Hej, en: Hello, ar: مرحبا}
      - id: name
        type: text
        label: {sv: Smeknamn, en: Nickname, ar: اللقب}
      - id: story
        type: long_text
        label: {sv: Berätta, en: Tell us, ar: أخبرنا}
      - id: people
        type: integer
        min: 1
        max: 20
        required: true
        label: {sv: Antal personer, en: Number of people, ar: عدد الأشخاص}
      - id: temp
        type: decimal
        label: {sv: Temperatur, en: Temperature, ar: درجة الحرارة}
      - id: moved
        type: date
        label: {sv: Inflyttning, en: Moved in, ar: تاريخ الانتقال}
      - id: mode
        type: single_choice
        other: true
        label: {sv: "Hur reser du?", en: "How do you travel?", ar: "كيف تسافر؟"}
        choices:
          - {value: bike, label: {sv: Cykel, en: Bike, ar: دراجة}}
          - {value: bus, label: {sv: Buss, en: Bus, ar: حافلة}}
      - id: fractions
        type: multiple_choice
        other: true
        exclusive: [none]
        label: {sv: "Vad sorterar du?", en: "What do you sort?", ar: "ماذا تفرز؟"}
        choices:
          - {value: food, label: {sv: Mat, en: Food, ar: طعام}}
          - {value: glass, label: {sv: Glas, en: Glass, ar: زجاج}}
          - {value: none, label: {sv: Inget, en: Nothing, ar: لا شيء}}
  - id: second
    title: {sv: Andra, en: Second, ar: الثانية}
    show_if: {question: mode, equals: bus}
    questions:
      - id: views
        type: matrix
        choices: agree3
        required: true
        label: {sv: Tycker du att bussen är, en: Do you find the bus, ar: هل تجد الحافلة}
        rows:
          - {id: clean, label: {sv: ren, en: clean, ar: نظيفة}}
          - {id: close, label: {sv: nära, en: close, ar: قريبة}}
      - id: stars
        type: rating
        scale: stars5
        label: {sv: Betyg, en: Rating, ar: التقييم}
      - id: order
        type: ranking
        label: {sv: Ordna, en: Order these, ar: رتّب}
        choices:
          - {value: price, label: {sv: Pris, en: Price, ar: السعر}}
          - {value: speed, label: {sv: Fart, en: Speed, ar: السرعة}}
          - {value: comfort, label: {sv: Komfort, en: Comfort, ar: الراحة}}
      - id: picture
        type: photo
        label: {sv: Foto, en: Photo, ar: صورة}
      - id: why
        type: long_text
        show_if:
          any:
            - {question: stars, lte: 2}
            - {hidden: station, in: ["12"]}
        label: {sv: "Varför?", en: "Why?", ar: "لماذا؟"}
"""

KITCHEN_COLUMNS = [
    "response_id",
    "survey_version",
    "started_version",
    "status",
    "started_at",
    "submitted_at",
    "duration_seconds",
    "language",
    "channel",
    "demo",
    "last_page",
    "last_active_at",
    "hidden_station",
    "name",
    "story",
    "people",
    "temp",
    "moved",
    "mode",
    "mode_other",
    "fractions_food",
    "fractions_glass",
    "fractions_none",
    "fractions_other_chosen",
    "fractions_other",
    "views_clean",
    "views_close",
    "stars",
    "order_price",
    "order_speed",
    "order_comfort",
    "picture",
    "why",
]

# A question whose choices mix number codes and a text code.
AGES = """
id: ages
title: Ages
pages:
  - id: p
    questions:
      - id: age
        type: single_choice
        label: Age
        choices:
          - {value: 1, label: Young}
          - {value: 2, label: Old}
          - {value: no_answer, label: Prefer not to say}
"""

# A Stockholm winter afternoon: 13:00 UTC is 14:00 local time.
SUBMITTED = datetime(2026, 2, 10, 13, 0, 0, tzinfo=UTC)

PAYLOADS = ['=HYPERLINK("http://x","y")', "@SUM(1+1)", "-2+3", "+1", "\tTAB", "\rCR"]


@pytest.fixture
def kitchen_app(make_app, write_survey, surveys_dir):
    """An app serving the kitchen-sink survey, inside an app context."""
    write_survey(KITCHEN)
    app = make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))
    with app.app_context():
        yield app


@pytest.fixture
def add():
    """Store a response to a survey of the running app (committed): add('kitchen', people=2)."""

    def store(
        survey_id: str = "kitchen",
        status: str = Response.COMPLETE,
        language: str = "sv",
        hidden: dict | None = None,
        submitted: datetime | None = SUBMITTED,
        seconds: int = 185,
        is_test: bool = False,
        is_demo: bool = False,
        **answers,
    ) -> Response:
        registry = current_registry()
        submitted = submitted if status == Response.COMPLETE else None
        started = (submitted or SUBMITTED) - timedelta(seconds=seconds)
        response = Response(
            survey_id=survey_id,
            version_id=registry.version_id(_db.session, survey_id),
            status=status,
            language=language,
            hidden=hidden or {},
            answers=answers,
            started_at=started,
            updated_at=submitted or started + timedelta(seconds=30),
            submitted_at=submitted,
            is_test=is_test,
            is_demo=is_demo,
        )
        _db.session.add(response)
        _db.session.commit()
        return response

    return store
