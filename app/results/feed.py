"""The Atom 1.0 feed of a survey's "you said, we did" updates (RFC 4287): what each entry holds. The XML
itself is the template results/feed.xml (escaped as XML): one entry per update, newest first, its text
in each language it was written in, as xhtml content with each language marked by xml:lang."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.models import ResultUpdate, utcnow
from app.results.updates import text_in
from app.surveys.models import Survey

TITLE_LENGTH = 80
MEDIA_TYPE = "application/atom+xml"


@dataclass
class Entry:
    """One update as the feed shows it."""

    id: int
    title: str
    title_lang: str
    station: str | None
    updated: str
    texts: list[tuple[str, list[str]]]  # (language, paragraphs), in the survey's order of languages


def stamp(moment: datetime) -> str:
    """An RFC 3339 time in UTC, as Atom wants it."""
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def entries(survey: Survey, lang: str, updates: list[ResultUpdate]) -> list[Entry]:
    """The feed's entries, titled in `lang` (else the survey's first language) by the text's start."""
    found = []
    for update in updates:
        title_lang, text = text_in(update, lang, survey)
        title = " ".join(text.split())
        if len(title) > TITLE_LENGTH:
            title = title[: TITLE_LENGTH - 1].rstrip() + "…"
        written = update.texts or {}
        texts = [
            (code, [p.strip() for p in written[code].split("\n\n") if p.strip()])
            for code in survey.languages
            if written.get(code)
        ]
        found.append(Entry(update.id, title, title_lang, update.station, stamp(update.published_at), texts))
    return found


def updated(updates: list[ResultUpdate]) -> str:
    """When the feed last changed: its newest update (now, for a feed without any)."""
    return stamp(max((u.published_at for u in updates), default=None) or utcnow())
