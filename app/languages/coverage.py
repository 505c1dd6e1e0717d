"""Which interface texts residents see, so that every catalog must have them.

The catalogs of Norrby's languages (docs/translations.md) cover every text a resident can meet:
survey pages, their mistakes, the thank-you and receipt, error pages, the privacy and
accessibility pages, the public results, the poster line. The researcher area is in Swedish and
English (Arabic where translated). A text counts as a resident's when the catalog's template
says it comes from one of these places.
"""

from __future__ import annotations

RESIDENT_SOURCES = (
    "app/answering/",
    "app/templates/",
    "app/languages/",
    "app/public/",
    # the public results (the researcher area's pages for results live in app/results too)
    "app/results/templates/results/page.html",
    "app/results/templates/results/_figures.html",
    "app/results/templates/results/_receipt_form.html",
    "app/results/templates/results/receipt.html",
    "app/results/templates/results/feed.xml",
    "app/results/presenting.py",
    "app/results/views.py",
    "app/results/feed.py",
    "app/results/receipts.py",
    "app/results/charts.py",
    "app/survey_media/",
    "app/errors.py",
    "app/media.py",
    "app/web/",
    "app/research/views/share.py",  # the poster's line under the QR code
)


def for_residents(message) -> bool:
    """Whether a catalog message is one residents may see."""
    return any(path.startswith(RESIDENT_SOURCES) for path, _line in message.locations)
