"""What the browser tests look at on a page: axe-core's WCAG 2.2 A/AA violations (2.2 adds the
24 px target size), the page's width at 320 px, and its language and direction."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from benchmarks.browser_walk import PHONE

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
NARROW = {"width": 320, "height": 640}

axe = Axe()


def violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.2 A/AA violations on the page as it is now, one readable entry per element."""
    found = axe.run(page, options=AXE_OPTIONS).response["violations"]
    lines = []
    for rule in found:
        for node in rule["nodes"]:
            lines.append(
                f"{rule['id']} ({rule['impact']}): {rule['help']} at {', '.join(map(str, node['target']))}"
                f"\n      {node.get('failureSummary', '').replace(chr(10), ' ')}"
                f"\n      {node['html'][:160]}"
            )
    return lines


def report(problems: dict[str, list[str]]) -> str:
    """Problems per page, readable in a failing test's message."""
    return "\n".join(f"  {where}:\n    " + "\n    ".join(lines) for where, lines in problems.items() if lines)


def scroll_width(page: Page) -> int:
    """How wide the document is (more than the viewport means sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth")


def width_at_320(page: Page) -> int:
    """The page's width on a 320 px wide screen; the viewport goes back to the phone's size."""
    page.set_viewport_size(NARROW)
    try:
        return scroll_width(page)
    finally:
        page.set_viewport_size(PHONE)


def language_of(page: Page) -> tuple[str | None, str | None]:
    """The page's <html lang> and <html dir>."""
    html = page.locator("html")
    return html.get_attribute("lang"), html.get_attribute("dir")
