"""Resident pages rendered once and kept: alike for everyone but for a few values of their own.

A survey page opened with nothing answered on it, a start page and a thank-you page look the same
to every resident who opens them in the same language at the same point of the same survey. What
differs is a handful of values that are the resident's own: the form token, the resume link, the
receipt code, the earlier answers the page's script reads. Such a page is rendered once with a
marker in place of each of those values and kept; every request then gets the kept page with its
own values put where the markers were, escaped exactly as the template escapes a value it prints.

The markers hold a secret drawn when the process starts, so no survey text or answer can contain
one. The pages are kept in a bounded store (app.kept): query values (hidden fields from QR codes)
are part of some keys. Participant codes are not: they are the resident's own values, never kept.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Hashable, Mapping

from markupsafe import escape

from app.kept import KeptValues
from app.surveys.catalog import current_registry

KEPT_MOST = 512  # pages per worker

_SECRET = secrets.token_hex(12)
_NAME = re.compile(r"[a-z_]+")
_MARKER = re.compile(rf"kept-{_SECRET}-([a-z_]+)-kept")


def marker(name: str) -> str:
    """What a kept page holds in place of the resident's own value `name` (small letters and _)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"a marker's name is small letters and _ only: {name!r}")
    return f"kept-{_SECRET}-{name}-kept"


class KeptPages:
    """Pages split at their markers, by key and the names of the resident's own values."""

    def __init__(self, most: int = KEPT_MOST) -> None:
        self._pages: KeptValues = KeptValues(most)

    def page(self, key: Hashable, own: Mapping[str, str], render: Callable[[Mapping[str, str]], str]) -> str:
        """The page kept under `key`, with the resident's `own` values in it.

        On first use `render(markers)` renders it, given for each of the names in `own` the marker to
        print in place of that value (printed as the template prints any value, in text or in an
        attribute, never through a filter that changes it).
        """
        key = (key, frozenset(own))  # a page with a receipt is not the page without one
        parts = self._pages.kept(key, lambda: _MARKER.split(render({name: marker(name) for name in own})))
        # parts alternate: text, a marker's name, text, ...
        filled = parts[:]
        filled[1::2] = [escape(own[name]) for name in parts[1::2]]
        return "".join(filled)


def kept_pages() -> KeptPages:
    """The pages kept for the surveys being served: a publish starts an empty store with the new registry."""
    return current_registry().derived("kept pages", KeptPages)
