"""Screenshots of the pictogram grid for people to look at: the first page of waste-sorting (its
fractions as picture cards) on a 390 px and a 320 px phone, in Swedish and Arabic, as it opens, with
three cards chosen, and with the keyboard's focus on a card. PNG files in
test-artifacts/screenshots/media/ (git-ignored).

    .venv/bin/python benchmarks/media_screenshots.py [--languages sv,ar] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from app.surveys.catalog import current_registry  # noqa: E402
from benchmarks.browser_walk import (  # noqa: E402
    answer_form,
    chromium_available,
    forward,
    launch,
    post_form,
    start_url,
)
from benchmarks.server import serve  # noqa: E402

SURVEY = "waste-sorting"
WIDTHS = (390, 320)


def main(argv: list[str] | None = None) -> int:
    """Serve the app, open the page with the pictogram grid in each language and width, and save it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", default="sv,ar")
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screenshots" / "media")
    args = parser.parse_args(argv)
    if not chromium_available():
        print("Chromium is missing: apt-get install chromium", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with serve() as served, sync_playwright() as playwright:
        with served.app.app_context():
            survey = current_registry().get(SURVEY)
        browser = launch(playwright)
        for language in args.languages.split(","):
            for width in WIDTHS:
                context = browser.new_context(viewport={"width": width, "height": 844})
                page = context.new_page()
                page.goto(start_url(served.url, survey, language))
                start = post_form(page)
                answer_form(page, start, survey, {})  # the consent
                with page.expect_navigation():
                    forward(start).click()
                page.wait_for_load_state("networkidle")  # the pictures are loaded lazily
                grid = page.locator("#q-fractions")
                name = f"{language}-{width}"
                saved.append(_shoot(page, args.out / f"{name}-page.png", full=True))
                saved.append(_shoot(grid, args.out / f"{name}-grid.png"))
                for value in ("food", "glass", "metal"):
                    page.locator(f'[name="fractions"][value="{value}"]').check()
                saved.append(_shoot(grid, args.out / f"{name}-grid-chosen.png"))
                page.locator('[name="fractions"][value="paper"]').focus()
                page.keyboard.press("Shift+Tab")  # focus by keyboard: what :focus-visible shows
                page.keyboard.press("Tab")
                saved.append(_shoot(grid, args.out / f"{name}-grid-focus.png"))
                context.close()
        browser.close()
    for path in saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


def _shoot(target, path: Path, full: bool = False) -> Path:
    """Save a page (whole, with `full`) or one element as a PNG."""
    if full:
        target.screenshot(path=str(path), full_page=True)
    else:
        target.screenshot(path=str(path))
    return path


if __name__ == "__main__":
    raise SystemExit(main())
