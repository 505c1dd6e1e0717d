"""Interface texts a language's catalog lacks: taken from the next language that has them, and marked.

A Somali resident's page is in Somali as far as the Somali catalog goes; a text it lacks comes
from the survey's `fallback_languages` (by default its first language, then English), never
silently. Each such text is wrapped, while the page is rendered, in markers naming its language;
`unmark` then turns the markers into `<span lang=".." dir="..">` around the text (so a screen
reader switches voice and right-to-left punctuation stays in place), or drops them where no
element can go (inside a tag's attributes, a title, an option, a text area).

Markers are characters of Unicode's private use area: no catalog has them, and what a resident
types is never wrapped, so at worst they mark their own text on their own page.
"""

from __future__ import annotations

import re
from functools import lru_cache
from gettext import NullTranslations as _StdNull
from pathlib import Path

from babel.support import NullTranslations, Translations
from flask import g, has_app_context, request
from flask_babel import Domain, get_locale
from markupsafe import escape

from app.i18n import text_direction

START, BETWEEN, END = "\ue000", "\ue001", "\ue002"
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?")
SOURCE = "en"  # the language the interface texts are written in (the msgids)


def mark(text: str, lang: str) -> str:
    """`text` marked as being in `lang`."""
    return f"{START}{lang}{BETWEEN}{text}{END}"


class Marked(NullTranslations):
    """One language of a fallback chain: its catalog's texts (or, for English, the source texts),
    marked with the language; a text its catalog lacks goes on down the chain."""

    def __init__(self, lang: str, catalog: _StdNull | None) -> None:
        super().__init__()
        self.lang = lang
        self.catalog = catalog if isinstance(catalog, Translations) else None

    def _has(self, key) -> bool:
        return self.catalog is not None and key in self.catalog._catalog

    def gettext(self, message: str) -> str:
        if self._has(message):
            return mark(self.catalog.gettext(message), self.lang)
        if self._fallback:
            return self._fallback.gettext(message)
        return mark(message, self.lang) if self.lang == SOURCE else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if self.catalog is not None and self._has((singular, self.catalog.plural(n))):
            return mark(self.catalog.ngettext(singular, plural, n), self.lang)
        if self._fallback:
            return self._fallback.ngettext(singular, plural, n)
        text = singular if n == 1 else plural
        return mark(text, self.lang) if self.lang == SOURCE else text

    def pgettext(self, context: str, message: str) -> str:
        if self._has(self.CONTEXT_ENCODING % (context, message)):
            return mark(self.catalog.pgettext(context, message), self.lang)
        if self._fallback:
            return self._fallback.pgettext(context, message)
        return mark(message, self.lang) if self.lang == SOURCE else message

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        key = (self.CONTEXT_ENCODING % (context, singular), self.catalog.plural(n)) if self.catalog else None
        if key is not None and self._has(key):
            return mark(self.catalog.npgettext(context, singular, plural, n), self.lang)
        if self._fallback:
            return self._fallback.npgettext(context, singular, plural, n)
        text = singular if n == 1 else plural
        return mark(text, self.lang) if self.lang == SOURCE else text

    ugettext, ungettext, upgettext, unpgettext = gettext, ngettext, pgettext, npgettext


def chained(primary: _StdNull, chain: list[Marked]) -> _StdNull:
    """The page language's translations with the fallback chain behind them."""
    for link in chain:
        primary.add_fallback(link)
    return primary


# What unmark reads: a tag (whose markers go), a start marker with its language, an end marker.
_TOKENS = re.compile(rf"<(/?)([A-Za-z][A-Za-z0-9]*)[^>]*>|{START}([^{BETWEEN}]{{0,20}}){BETWEEN}|{END}")
# Elements whose content holds no other element: a marked text in them is left unmarked.
_RAW = frozenset({"title", "option", "textarea", "script", "style"})


def unmark(html: str) -> str:
    """The page with each marked text in a span of its language, or unmarked where no span can go."""
    if START not in html:
        return html
    out: list[str] = []
    raw: str | None = None  # inside this raw-text element
    spans: list[bool] = []  # for each marker open: whether it opened a span
    last = 0
    for found in _TOKENS.finditer(html):
        out.append(html[last : found.start()])
        last = found.end()
        closing, tag, lang = found.group(1), found.group(2), found.group(3)
        if tag is not None:
            name = tag.lower()
            if raw is None and not closing and name in _RAW:
                raw = name
            elif raw == name and closing:
                raw = None
            out.append(_strip(found.group(0)))
        elif lang is not None:
            span = raw is None and _LANGUAGE.fullmatch(lang) is not None
            spans.append(span)
            if span:
                out.append(f'<span lang="{escape(lang)}" dir="{text_direction(lang)}">')
        elif spans and spans.pop():
            out.append("</span>")
    out.append(html[last:])
    return "".join(out)


def _strip(text: str) -> str:
    """A tag with the markers inside its attributes removed."""
    return re.sub(f"{START}[^{BETWEEN}]{{0,20}}{BETWEEN}|{END}", "", text)


def plain(text: str) -> str:
    """A text without markers (for places that are not HTML: a redirect, a header, JSON)."""
    return _strip(text)


class FallbackDomain(Domain):
    """Flask-Babel's message domain, with the fallback chain of the page being rendered: a resident's
    page sets it (`g.interface_fallbacks`); every other request translates as Flask-Babel does."""

    def get_translations(self):
        chain = g.get("interface_fallbacks") if has_app_context() else None
        locale = get_locale()
        if not chain or locale is None or str(locale) == SOURCE:  # English is what the texts are written in
            return super().get_translations()
        key = ("fallbacks", str(locale), chain)
        found = self.cache.get(key)
        if found is None:
            primary = self._catalog(str(locale))
            links = [Marked(lang, self._catalog(lang) if lang != SOURCE else None) for lang in chain]
            found = self.cache[key] = chained(primary, links)
        return found

    def _catalog(self, lang: str) -> _StdNull:
        """A language's own catalog, new (not the cached one a chain would change), or an empty one."""
        merged = Translations()
        for dirname in self.translation_directories:
            catalog = Translations.load(dirname, [lang], self.domain[0])
            if isinstance(catalog, Translations):
                merged.merge(catalog)
                merged.plural = catalog.plural
        return merged


CATALOGS = Path(__file__).resolve().parent.parent / "translations"


@lru_cache(maxsize=1)
def catalog_languages() -> frozenset[str]:
    """The languages Lyssna's interface has a catalog for (English is the source), with "en"."""
    found = {p.parent.parent.name for p in CATALOGS.glob("*/LC_MESSAGES/messages.po")}
    return frozenset(code.replace("_", "-") for code in found) | {SOURCE}


def use_fallbacks(chain: tuple[str, ...]) -> None:
    """Translate this request's resident page with this chain behind its language (marked)."""
    g.interface_fallbacks = chain


def unmark_page(response):
    """After a resident's page is rendered: its marked texts in spans (before it is compressed)."""
    if g.get("interface_fallbacks") and response.mimetype == "text/html" and not response.direct_passthrough:
        body = response.get_data(as_text=True)
        if START in body:
            response.set_data(unmark(body))
    return response


def init_app(app) -> None:
    """Translate resident pages with fallbacks; mark what falls back. Register after Flask-Compress,
    so that a page is unmarked before it is compressed (after_request runs in reverse order)."""
    from app.extensions import babel

    babel.domain_instance = FallbackDomain(domain=app.config.get("BABEL_DOMAIN", "messages"))

    @app.before_request
    def _resident_pages_fall_back() -> None:
        if request.blueprint in RESIDENT_BLUEPRINTS:
            g.interface_fallbacks = (SOURCE,)  # a survey page sets the survey's own chain

    app.after_request(unmark_page)


RESIDENT_BLUEPRINTS = frozenset({"answering", "public"})
