"""Fixtures for public results: a surveys folder with a survey that publishes its results per station
(and one that does not), the researcher area's accounts, and residents' answers made quickly."""

import textwrap

import pytest

from app.models import Response
from tests.research.conftest import (  # noqa: F401  (fixtures used by the tests here)
    client,
    csrf,
    csrf_from,
    login_as,
    make_researcher,
    sign_in,
)

BINS = """\
id: bins
title: {sv: Kärlen vid stationen, en: The bins at the station, ar: الحاويات في المحطة}
languages: [sv, en, ar]
pilot: bins-2026
hidden_fields: [station]
results:
  public: true
  min_group: 5
  by: station
  questions: [full, fractions, happy, grade, household]
pages:
  - id: main
    questions:
      - id: full
        type: single_choice
        label: {sv: "Var kärlen fulla?", en: "Were the bins full?", ar: "هل كانت الحاويات ممتلئة؟"}
        choices:
          - {value: 1, label: {sv: Ja, en: "Yes", ar: نعم}}
          - {value: 0, label: {sv: Nej, en: "No", ar: لا}}
          - {value: 2, label: {sv: Ibland, en: Sometimes, ar: أحيانًا}}
      - id: fractions
        type: multiple_choice
        label: {sv: "Vad sorterar du?", en: "What do you sort?", ar: "ماذا تفرز؟"}
        choices:
          - {value: food, label: {sv: Matavfall, en: Food waste, ar: بقايا الطعام}}
          - {value: paper, label: {sv: Papper, en: Paper, ar: ورق}}
          - {value: glass, label: {sv: Glas, en: Glass, ar: زجاج}}
      - {id: happy, type: rating, scale: smiley5, label: {sv: "Nöjd?", en: "Happy?", ar: "راضٍ؟"}}
      - id: grade
        type: matrix
        label: {sv: Stationen, en: The station, ar: المحطة}
        rows:
          - {id: clean, label: {sv: Ren, en: Clean, ar: نظيفة}}
          - {id: near, label: {sv: Nära, en: Near, ar: قريبة}}
        choices:
          - {value: 1, label: {sv: Nej, en: "No", ar: لا}}
          - {value: 2, label: {sv: Delvis, en: Partly, ar: جزئيًا}}
          - {value: 3, label: {sv: Ja, en: "Yes", ar: نعم}}
      - {id: household, type: integer, min: 1, max: 20, label: {sv: Hushåll, en: Household, ar: الأسرة}}
      - {id: comment, type: long_text, label: {sv: Kommentar, en: Comment, ar: تعليق}}
"""

# The same survey without public results.
PRIVATE = BINS.replace("id: bins", "id: private-bins").replace("public: true", "public: false")
# The same survey, closed, in a pilot of its own.
CLOSED = BINS.replace("id: bins", "id: closed-bins").replace(
    "pilot: bins-2026", "pilot: closed-2026\nstatus: closed"
)


@pytest.fixture
def app(make_app, surveys_dir):
    """The app serving the bins surveys only (the example surveys stay out of these counts)."""
    (surveys_dir / "bins.yaml").write_text(textwrap.dedent(BINS), encoding="utf-8")
    (surveys_dir / "private-bins.yaml").write_text(textwrap.dedent(PRIVATE), encoding="utf-8")
    (surveys_dir / "closed-bins.yaml").write_text(textwrap.dedent(CLOSED), encoding="utf-8")
    return make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))


@pytest.fixture
def answer(db, make_response):
    """Store complete answers to `bins` (committed): answer(station="12", full=1, times=3)."""

    def make(
        station: str | None = None,
        *,
        times: int = 1,
        demo: bool = False,
        test: bool = False,
        status: str = Response.COMPLETE,
        survey: str = "bins",
        **answers,
    ) -> list[Response]:
        made = []
        for _ in range(times):
            response = make_response(survey, status=status, hidden={"station": station} if station else {})
            response.answers = dict(answers)
            response.is_demo, response.is_test = demo, test
            made.append(response)
        db.commit()
        return made

    return make


def figures(http, query: str = "", survey: str = "bins") -> dict:
    """The results as JSON (the open-data view), fetched with the test client `http`."""
    response = http.get(f"/s/{survey}/results.json{query}")
    assert response.status_code == 200, response.status_code
    return response.get_json()


def question(data: dict, question_id: str) -> dict:
    """One question's figures."""
    return next(q for q in data["questions"] if q["id"] == question_id)


def counts(entry: dict) -> dict:
    """The counts shown per choice value (hidden choices left out)."""
    return {c["value"]: c["count"] for c in entry["choices"] if not c.get("suppressed")}


def hidden(entry: dict) -> set:
    """The choice values not shown."""
    return {c["value"] for c in entry["choices"] if c.get("suppressed")}
