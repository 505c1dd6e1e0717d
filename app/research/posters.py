"""The survey's link for residents, its QR code (SVG and PNG, made with segno) and poster values."""

import io
import re
from collections.abc import Mapping

import segno
from flask import url_for

from app.research.filters import HIDDEN_PREFIX, MAX_VALUE_LENGTH
from app.surveys.models import Survey

MAX_POSTERS = 200  # values per print run; a range like 1-5000 is almost certainly a typo
_RANGE = re.compile(r"^(\d{1,6})\s*[-–]\s*(\d{1,6})$")


class PosterValuesError(ValueError):
    """The values typed for posters cannot be read."""


def link_values(survey: Survey, args: Mapping[str, str]) -> dict[str, str]:
    """The hidden-field values for a link, from `hidden_<name>` arguments (only the survey's fields)."""
    values = {}
    for name in survey.hidden_fields:
        value = (args.get(HIDDEN_PREFIX + name) or "").strip()
        if value:
            values[name] = value[:MAX_VALUE_LENGTH]
    return values


def survey_link(survey: Survey, hidden: Mapping[str, str] | None = None) -> str:
    """The full address residents open, with hidden-field values in the query string."""
    return url_for("answering.start", survey_id=survey.id, _external=True, **dict(hidden or {}))


def short_link(url: str) -> str:
    """The address as printed under a QR code: without the scheme."""
    return re.sub(r"^https?://", "", url)


def qr_svg(url: str, title: str) -> bytes:
    """The QR code of a link as a scalable SVG (medium error correction survives a scratched poster)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", scale=1, border=4, xmldecl=False, omitsize=True, title=title
    )
    return out.getvalue()


def qr_png(url: str, scale: int = 12) -> bytes:
    """The QR code of a link as a PNG (about 500 pixels wide for a short link)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def poster_values(text: str) -> list[str]:
    """Values from '1-12, 15, north': ranges of whole numbers and single values, in order, no repeats."""
    values: list[str] = []
    for part in re.split(r"[,;\n]+", text):
        part = part.strip()
        if not part:
            continue
        match = _RANGE.match(part)
        if match:
            low, high = int(match.group(1)), int(match.group(2))
            if low > high or high - low >= MAX_POSTERS:
                raise PosterValuesError(part)
            values += [str(n) for n in range(low, high + 1)]
        elif len(part) <= MAX_VALUE_LENGTH:
            values.append(part)
        else:
            raise PosterValuesError(part)
    unique = list(dict.fromkeys(values))
    if len(unique) > MAX_POSTERS:
        raise PosterValuesError(text)
    return unique


def file_stem(survey: Survey, hidden: Mapping[str, str]) -> str:
    """A safe download name: the survey id and hidden values, letters, digits and dashes only."""
    parts = [survey.id] + [f"{name}-{value}" for name, value in hidden.items()]
    return re.sub(r"[^A-Za-z0-9-]+", "-", "-".join(parts)).strip("-")[:120] or "qr"
