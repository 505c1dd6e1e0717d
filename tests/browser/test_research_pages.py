"""The researcher pages in a real browser: zero axe-core WCAG 2.1 A/AA violations on each, no sideways
scrolling at 320 px, Arabic mirrored, and the export progress page working with and without JavaScript."""

import secrets
from datetime import UTC, datetime, timedelta

import pytest

from app import accounts
from app.extensions import db
from app.models import Response
from app.surveys.catalog import current_registry
from benchmarks.browser_walk import PHONE
from tests.browser.checks import report, violations, width_at_320

PASSWORD = "a long enough password"
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def admin(live_server):
    """An admin account on the live server, a researcher with a survey, and a few responses to look at
    (one with a receipt code)."""
    email = f"admin-{secrets.token_hex(3)}@example.org"
    with live_server.app.app_context():
        accounts.create_researcher(db.session, email, PASSWORD, "admin")
        colleague = accounts.create_without_password(
            db.session, f"r-{secrets.token_hex(3)}@example.org", "researcher"
        )
        accounts.set_grant(db.session, colleague, "waste-sorting", "manage")
        colleague_id = colleague.id
        registry = current_registry()
        for i, (survey_id, answers) in enumerate(
            [
                (
                    "waste-sorting",
                    {
                        "visits": "weekly",
                        "fractions": ["food"],
                        "satisfaction": 4,
                        "station_views": {"signs": 4},
                        "household_size": 2,
                        "comment": "Bra",
                    },
                ),
                ("housing-baseline", {"landlord_stars": 3, "winter_comfort": 2}),
                ("housing-follow-up-1", {"landlord_stars": 4, "winter_comfort": 3}),
            ]
        ):
            started = datetime.now(UTC) - timedelta(days=i, minutes=9)
            response = Response(
                survey_id=survey_id,
                version_id=registry.version_id(db.session, survey_id),
                status=Response.COMPLETE,
                language="sv",
                hidden={"station": "12"},
                answers=answers,
                started_at=started,
                updated_at=started,
                submitted_at=started + timedelta(minutes=5),
                page_history=[p.id for p in registry.get(survey_id).pages][:2],
                receipt_code=f"K7QM-{'ABCD'[i]}XPA",
            )
            db.session.add(response)
        db.session.commit()
        public_id = db.session.query(Response.public_id).filter_by(survey_id="waste-sorting").first()[0]
        db.session.remove()
    return {"email": email, "response": public_id, "colleague": colleague_id}


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/admin/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit], form.stack input[type=submit]")
    page.wait_for_url(base + "/admin/")


def pages(admin) -> list[str]:
    response = admin["response"]
    return [
        "/admin/",
        "/admin/surveys/waste-sorting",
        "/admin/surveys/waste-sorting?hidden_station=12&partial=1",
        "/admin/surveys/housing-baseline",
        "/admin/pilots/housing-2026",
        "/admin/surveys/waste-sorting/responses",
        f"/admin/surveys/waste-sorting/responses/{response}",
        f"/admin/surveys/waste-sorting/responses/{response}/delete",
        "/admin/surveys/waste-sorting/share",
        "/admin/surveys/waste-sorting/posters?field=station&values=1-2",
        "/admin/receipt?code=XXXX-XXXX",
        "/admin/account",
        "/admin/audit",
        "/admin/people",
        f"/admin/people/{admin['colleague']}",
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_researcher_pages_have_no_wcag_violations(browser, live_server, admin, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    problems = {}
    try:
        page.goto(live_server.url + "/admin/login")
        problems["/admin/login"] = violations(page)
        sign_in(page, live_server.url, admin["email"])
        for path in pages(admin):
            page.goto(live_server.url + path)
            problems[path] = violations(page)
    finally:
        context.close()
    assert not any(problems.values()), "\n" + report(problems)


def test_researcher_pages_do_not_scroll_sideways_at_320_px(browser, live_server, admin):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, admin["email"])
        widths = {}
        for path in pages(admin):
            page.goto(live_server.url + path)
            widths[path] = width_at_320(page)
    finally:
        context.close()
    assert {path: w for path, w in widths.items() if w > 320} == {}


def test_dashboard_in_arabic_is_right_to_left_and_clean(browser, live_server, admin):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, admin["email"])
        page.goto(live_server.url + "/admin/surveys/waste-sorting?lang=ar&labels=ar")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert "فرز النفايات" in page.locator("h1").inner_text()
        assert violations(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_sign_in_and_export_work_with_and_without_javascript(browser, live_server, admin, javascript):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=javascript, accept_downloads=True)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, admin["email"])
        page.goto(live_server.url + "/admin/surveys/waste-sorting")
        page.select_option("#x-format", "csv")
        with page.expect_download() as download:
            page.click("#h-export ~ form button[type=submit]")
        assert download.value.suggested_filename.endswith(".csv")
    finally:
        context.close()
