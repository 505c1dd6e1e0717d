"""Screenshots for people to look at: every page of every example survey (start to thank-you,
and a page with mistakes) and the public pages on a phone (390x844, whole page), in Swedish and
Arabic, as PNG files in test-artifacts/screenshots/ (git-ignored).

    .venv/bin/python benchmarks/screenshots.py [--languages sv,ar,en] [--survey feedback] [--out DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from app.surveys.catalog import current_registry  # noqa: E402
from benchmarks.browser_walk import PHONE, chromium_available, launch, make_a_mistake, walk  # noqa: E402
from benchmarks.server import serve  # noqa: E402

PUBLIC_PAGES = {"index": "/", "accessibility": "/accessibility", "privacy": "/privacy"}


def shoot(page: Page, folder: Path, name: str) -> Path:
    """Save the whole page as folder/name.png."""
    path = folder / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name) + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path


def main(argv: list[str] | None = None) -> int:
    """Serve the app, walk every survey in each language and save a screenshot of each page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", default="sv,ar")
    parser.add_argument("--survey", action="append", help="only this survey id (repeatable)")
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screenshots")
    args = parser.parse_args(argv)
    if not chromium_available():
        print("Chromium is missing: apt-get install chromium", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with serve() as served, sync_playwright() as playwright:
        with served.app.app_context():
            surveys = [
                s
                for sid, s in sorted(current_registry().surveys.items())
                if not args.survey or sid in args.survey
            ]
        browser = launch(playwright)
        for language in args.languages.split(","):
            context = browser.new_context(viewport=PHONE)
            page = context.new_page()
            for name, path in PUBLIC_PAGES.items():
                page.goto(f"{served.url}{path}?{urlencode({'lang': language})}")
                saved.append(shoot(page, args.out, f"{language}-{name}"))
            context.close()
            for survey in surveys:
                if language not in survey.languages:
                    continue
                context = browser.new_context(viewport=PHONE)
                step = iter(range(1, 100))

                def save(label: str, page: Page, survey_id: str = survey.id, lang: str = language) -> None:
                    saved.append(shoot(page, args.out, f"{lang}-{survey_id}-{next(step):02d}-{label}"))  # noqa: B023

                try:
                    walk(context.new_page(), served.url, survey, language, on_load=save)
                    page = context.new_page()
                    page_id = make_a_mistake(page, served.url, survey, language)
                    saved.append(shoot(page, args.out, f"{language}-{survey.id}-mistakes-{page_id}"))
                except AssertionError as problem:
                    print(f"stopped: {problem}", file=sys.stderr)
                context.close()
        browser.close()
    for path in saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    print(f"{len(saved)} screenshot(s) in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
