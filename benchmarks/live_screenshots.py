"""Screenshots of the live screen for people to look at: the workshop survey with 30 demo answers (some
free texts approved), at 1920x1080 as on a projector, in Swedish, English and Arabic, from a
researcher's sign-in and from a display link; and the moderation and display-link pages on a laptop.
PNG files in test-artifacts/screenshots/live/ (git-ignored).

    .venv/bin/python benchmarks/live_screenshots.py [--out DIR] [--answers 30]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402
from sqlalchemy import delete, select  # noqa: E402

from app import accounts, demo  # noqa: E402
from app.extensions import db  # noqa: E402
from app.live import display_links, moderation  # noqa: E402
from app.models import Response  # noqa: E402
from app.surveys.catalog import current_registry  # noqa: E402
from benchmarks.browser_walk import chromium_available, launch  # noqa: E402
from benchmarks.server import serve  # noqa: E402

SURVEY = "workshop-ideas"
PROJECTOR = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1280, "height": 800}
EMAIL, PASSWORD = "facilitator@example.org", "a long enough password"
# What residents of a laundry-room workshop might write (demo.py's own texts are about waste sorting).
IDEAS = {
    "sv": [
        "Boka tvättid i en app i stället för med låskolv",
        "Fler torkskåp, de räcker inte på söndagar",
        "En skylt om hur man rengör luddfiltret",
        "Öppet till 22 på vardagar",
        "En bänk att vika tvätt på",
        "Påminnelse i mobilen när passet börjar",
        "Städschema som alla ser",
        "Byt den trasiga mangeln",
    ],
    "en": [
        "Book laundry times in an app",
        "A second tumble dryer",
        "Signs in more languages",
        "A table for folding clothes",
    ],
    "ar": ["حجز موعد الغسيل عبر تطبيق", "مجفف ملابس إضافي", "لافتات بلغات أكثر"],
}
GROUPS = ["Bord 1", "Bord 2", "Bord 3", "bord 3", "Bord 4", "Grannarna på 7:an", "Table 5"]


def seed(app, answers: int) -> None:
    """Exactly `answers` complete demo responses with laundry-room ideas; two thirds of the texts approved."""
    rng = random.Random(14)  # demo texts, repeatable
    with app.app_context():
        registry = current_registry()
        survey = registry.get(SURVEY)
        demo.seed(db.session, survey, registry.version_id(db.session, SURVEY), answers + 10, seed_value=14)
        db.session.execute(
            delete(Response).where(Response.survey_id == SURVEY, Response.status != Response.COMPLETE)
        )
        rows = db.session.scalars(select(Response).filter_by(survey_id=SURVEY).order_by(Response.id)).all()
        for extra in rows[answers:]:
            db.session.delete(extra)
        accounts.create_researcher(db.session, EMAIL, PASSWORD, "admin")
        db.session.flush()
        for response in rows[:answers]:
            answers_ = dict(response.answers)
            answers_["idea"] = rng.choice(IDEAS[response.language])
            if "group" in answers_:
                answers_["group"] = rng.choice(GROUPS)
            response.answers = answers_
        db.session.flush()
        for response in rows[:answers]:
            for question in ("idea", "group"):
                if question in response.answers and rng.random() < 0.67:
                    moderation.decide(db.session, survey, response.public_id, question, "approve")
        db.session.commit()


def display_path(app) -> str:
    """A display link of the survey (as a facilitator makes one), with demo answers counted."""
    with app.test_request_context():
        _link, token = display_links.create(db.session, SURVEY, label="Projector")
        db.session.commit()
    return f"/display/{token}?demo=1&lang=sv&labels=sv"


def shoot(page: Page, folder: Path, name: str, full: bool = False) -> Path:
    """Save the page as folder/name.png (the viewport, as the room sees it, unless `full`)."""
    path = folder / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name) + ".png")
    page.screenshot(path=str(path), full_page=full)
    return path


def sign_in(page: Page, base: str) -> None:
    page.goto(base + "/admin/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("form.stack input[type=submit]")
    page.wait_for_url(base + "/admin/")


def main(argv: list[str] | None = None) -> int:
    """Serve the app with demo answers and save the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screenshots" / "live")
    parser.add_argument("--answers", type=int, default=30)
    args = parser.parse_args(argv)
    if not chromium_available():
        print("Chromium is missing: apt-get install chromium", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with serve() as served, sync_playwright() as playwright:
        seed(served.app, args.answers)
        browser = launch(playwright)
        context = browser.new_context(viewport=PROJECTOR)
        page = context.new_page()
        sign_in(page, served.url)
        live = f"{served.url}/admin/surveys/{SURVEY}/live?demo=1"
        for lang in ("sv", "en", "ar"):
            page.goto(f"{live}&lang={lang}&labels={lang}")
            saved.append(shoot(page, args.out, f"live-1920x1080-{lang}"))
        page.goto(f"{live}&lang=sv&labels=sv")
        saved.append(shoot(page, args.out, "live-1920x1080-sv-whole-page", full=True))
        page.set_viewport_size(LAPTOP)
        page.click("details.live-controls summary")
        saved.append(shoot(page, args.out, "live-1280-sv-settings-open", full=True))
        for name in ("moderate", "links"):
            page.goto(f"{served.url}/admin/surveys/{SURVEY}/live/{name}?lang=sv")
            saved.append(shoot(page, args.out, f"{name}-1280-sv", full=True))
        context.close()
        projector = browser.new_context(viewport=PROJECTOR)
        page = projector.new_page()
        page.goto(served.url + display_path(served.app))
        saved.append(shoot(page, args.out, "display-link-1920x1080-sv"))
        projector.close()
        browser.close()
    for path in saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
