"""A station's public results on a phone (390 px) in Swedish, Arabic and Somali, with a "you said, we
did" update and an approved quote: the figures as charts and tables, right to left in Arabic, nothing
axe finds, no sideways scrolling at 320 px, and the same page without JavaScript. Screenshots go to
test-artifacts/screenshots/results/ (or LYSSNA_SCREENSHOTS) to be looked at."""

import os
import textwrap
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Response, ResultUpdate, TextApproval
from app.surveys.catalog import current_registry
from benchmarks.browser_walk import PHONE
from benchmarks.server import Served, serve
from tests.browser.checks import language_of, report, violations, width_at_320
from tests.databases import postgres_schema, schema_config

ROOT = Path(__file__).resolve().parent.parent.parent
SHOTS = Path(os.environ.get("LYSSNA_SCREENSHOTS") or ROOT / "test-artifacts" / "screenshots" / "results")

STATION_BINS = """\
id: station-bins
title:
  sv: Kärlen vid sorteringsstationen
  ar: الحاويات في محطة الفرز
  so: Weelasha qashinka ee saldhigga kala-soocidda
languages: [sv, ar, so]
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
        label:
          sv: Var kärlen fulla när du kom?
          ar: هل كانت الحاويات ممتلئة عندما وصلت؟
          so: Weelashu ma buuxeen markii aad timid?
        choices:
          - {value: 1, label: {sv: Ja, ar: نعم, so: Haa}}
          - {value: 0, label: {sv: Nej, ar: لا, so: Maya}}
          - {value: 2, label: {sv: Ibland, ar: أحيانًا, so: Mararka qaar}}
      - id: fractions
        type: multiple_choice
        label: {sv: "Vad sorterar du hemma?", ar: "ماذا تفرز في منزلك؟", so: "Maxaad guriga ku kala saartaa?"}
        choices:
          - {value: food, label: {sv: Matavfall, ar: بقايا الطعام, so: Haraaga cuntada}}
          - value: paper
            label: {sv: Pappersförpackningar, ar: العبوات الورقية والكرتونية, so: Baakadaha waraaqaha}
          - {value: glass, label: {sv: Glas, ar: الزجاج, so: Quraaradaha}}
      - id: happy
        type: rating
        scale: smiley5
        label:
          sv: Hur nöjd är du med stationen?
          ar: ما مدى رضاك عن المحطة؟
          so: Intee in le'eg ayaad saldhigga ugu qanacsan tahay?
      - id: grade
        type: matrix
        label: {sv: Stationen, ar: المحطة, so: Saldhigga}
        rows:
          - {id: clean, label: {sv: Den är ren, ar: إنها نظيفة, so: Waa nadiif}}
          - {id: near, label: {sv: Den ligger nära, ar: إنها قريبة, so: Waa u dhow}}
        choices:
          - {value: 1, label: {sv: Nej, ar: لا, so: Maya}}
          - {value: 2, label: {sv: Delvis, ar: جزئيًا, so: Qayb ahaan}}
          - {value: 3, label: {sv: Ja, ar: نعم, so: Haa}}
      - id: household
        type: integer
        min: 1
        max: 20
        label: {sv: Personer i hushållet, ar: عدد أفراد الأسرة, so: Dadka qoyska}
      - {id: comment, type: long_text, label: {sv: Kommentar, ar: تعليق, so: Faallo}}
"""
UPDATE = {
    "sv": "Ni sa att kärlen vid station 12 var fulla på måndagar. Från 1 mars töms de även på söndagar.",
    "ar": "أخبرتمونا أن الحاويات في المحطة 12 كانت ممتلئة أيام الاثنين. "
    "ابتداءً من 1 مارس ستُفرغ أيام الأحد أيضًا.",
    "so": "Waxaad noo sheegteen in weelasha saldhigga 12 ay buuxaan maalmaha Isniinta. Laga bilaabo 1 Maarso "
    "waxaa sidoo kale la faaruqin doonaa Axadda.",
}
QUOTE = "Skönt att det finns plats för kartongerna nu."


def _answers(n: int) -> dict:
    return {
        "full": [1, 1, 0, 2][n % 4],
        "fractions": [["food", "paper"], ["paper"], ["food", "paper", "glass"]][n % 3],
        "happy": [4, 5, 3, 4, 2][n % 5],
        "grade": {"clean": [3, 2, 3][n % 3], "near": 3},
        "household": 1 + n % 4,
    }


def _seed(served: Served) -> None:
    """Responses at stations 12 (24), 13 (9) and 14 (2), an update for station 12, an approved quote."""
    with served.app.app_context():
        version = current_registry().version_id(db.session, "station-bins")
        sent = datetime.now(UTC) - timedelta(hours=1)
        rows = []
        for n, station in enumerate(["12"] * 24 + ["13"] * 9 + ["14"] * 2):
            rows.append(
                Response(
                    survey_id="station-bins",
                    version_id=version,
                    status=Response.COMPLETE,
                    language=["sv", "ar", "so"][n % 3],
                    hidden={"station": station},
                    answers={**_answers(n), **({"comment": QUOTE} if n == 0 else {})},
                    started_at=sent,
                    updated_at=sent,
                    submitted_at=sent,
                )
            )
        db.session.add_all(rows)
        db.session.flush()
        db.session.add(
            TextApproval(response_id=rows[0].id, question_id="comment", purpose="public", status="approved")
        )
        db.session.add(ResultUpdate(survey_id="station-bins", station="12", texts=UPDATE, created_by="test"))
        db.session.commit()
        db.session.remove()


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory) -> Iterator[Served]:
    """The app serving the station survey only, on its own database, with answers and an update."""
    folder = tmp_path_factory.mktemp("surveys")
    (folder / "station-bins.yaml").write_text(textwrap.dedent(STATION_BINS), encoding="utf-8")
    url = os.environ.get("TEST_DATABASE_URL")
    with postgres_schema(url, "lyssna_results") if url else nullcontext() as schema:
        config = {"LYSSNA_SURVEYS_DIR": str(folder), **(schema_config(url, schema) if url else {})}
        with serve(config) as served:
            _seed(served)
            yield served


@pytest.mark.parametrize("lang", ["sv", "ar", "so"])
def test_a_stations_results_with_an_update_on_a_phone(browser, server, lang):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        answer = page.goto(f"{server.url}/s/station-bins/results?station=12&lang={lang}")
        assert answer is not None and answer.ok
        assert language_of(page) == (lang, "rtl" if lang == "ar" else "ltr")
        assert page.locator("[data-responses]").inner_text().strip() == "24"
        assert UPDATE[lang][:20] in page.locator(".updates").inner_text()
        assert QUOTE in page.locator(".quotes").inner_text()
        assert page.locator("svg.chart[role=img]").count() >= 5
        page.locator("details.figures summary").first.click()
        assert page.locator("table#q-full").is_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"station-12-{lang}.png"), full_page=True)
        problems = {lang: violations(page)}
        assert not problems[lang], report(problems)
        assert width_at_320(page) <= 320
    finally:
        context.close()


def test_the_whole_survey_lists_only_stations_that_cannot_give_a_small_one_away(browser, server):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{server.url}/s/station-bins/results?lang=sv")
        assert page.locator("[data-responses]").inner_text().strip() == "35"
        listed = page.locator("ul.groups li").all_inner_texts()
        assert [item.split(" (")[0] for item in listed] == ["Station 12"]  # 13 would give 14's 2 away
        page.screenshot(path=str(SHOTS / "whole-survey-sv.png"), full_page=True)
        page.goto(f"{server.url}/s/station-bins/results?station=14&lang=sv")
        assert "För få svar" in page.content() or "Too few answers" in page.content()
        assert not page.locator("[data-figure]").count()
    finally:
        context.close()
