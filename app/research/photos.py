"""A survey's photos for researchers: the gallery (filtered like the dashboard) and how a photo is sent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, send_file
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as HttpResponse

from app import media
from app.models import MediaFile, Response
from app.research.filters import Filters
from app.surveys.models import Survey

PER_PAGE = 48


@dataclass(frozen=True)
class GalleryPhoto:
    """One photo in the gallery, with what the researcher needs to place it."""

    name: str
    question_id: str
    response_id: str  # the response's public id
    status: str
    when: datetime  # submitted, or last active for a response in progress
    hidden: dict
    thumbnail: tuple[int, int]  # width and height of the thumbnail


@dataclass(frozen=True)
class Gallery:
    """A page of a survey's photos, newest first."""

    photos: list[GalleryPhoto]
    total: int
    page: int

    @property
    def pages(self) -> int:
        """How many pages the photos fill."""
        return max(1, -(-self.total // PER_PAGE))


def photo_questions(survey: Survey) -> list[Any]:
    """The survey's photo questions, in order."""
    return [q for _page, q in survey.questions() if q.type == "photo"]


def requested(questions: list[Any], args: Mapping[str, str]) -> tuple[str | None, int]:
    """The question (None: all) and page number asked for in the query string, ignoring anything else."""
    question = args.get("question")
    page = args.get("page", "1")
    return (
        question if question in {q.id for q in questions} else None,
        int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1,
    )


def gallery(
    session: Session,
    survey: Survey,
    filters: Filters,
    tz: ZoneInfo,
    page: int = 1,
    question_id: str | None = None,
) -> Gallery:
    """The photos of the responses the filters select (one question's, or all), a page at a time."""
    when = func.coalesce(Response.submitted_at, Response.updated_at)
    conditions = [*filters.conditions(survey.id, tz)]
    if question_id:
        conditions.append(MediaFile.question_id == question_id)
    joined = select(MediaFile).join(Response, MediaFile.response_id == Response.id).where(*conditions)
    total = session.scalar(select(func.count()).select_from(joined.subquery())) or 0
    rows = session.execute(
        select(
            MediaFile.name,
            MediaFile.question_id,
            MediaFile.width,
            MediaFile.height,
            Response.public_id,
            Response.status,
            when,
            Response.hidden,
        )
        .join(Response, MediaFile.response_id == Response.id)
        .where(*conditions)
        .order_by(when.desc(), MediaFile.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    photos = [
        GalleryPhoto(
            name=name,
            question_id=qid,
            response_id=public_id,
            status=status,
            when=moment,
            hidden=hidden or {},
            thumbnail=thumbnail_size(width, height),
        )
        for name, qid, width, height, public_id, status, moment, hidden in rows
    ]
    return Gallery(photos, total, page)


def thumbnail_size(width: int, height: int, side: int = media.THUMBNAIL_SIDE) -> tuple[int, int]:
    """The size of a photo's thumbnail (for the img tag, so the gallery does not jump as it loads)."""
    scale = min(1.0, side / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def send_photo(name: str, small: bool) -> HttpResponse:
    """A stored photo (or its thumbnail) for a researcher: private, revalidated each time, 404 if gone.

    `private` keeps it out of shared caches; `no-cache` makes the browser ask again (a 304 when
    unchanged) so that a grant withdrawn or a response deleted takes effect at once.
    """
    try:
        path: Path = media.thumbnail_path(name) if small else media.photo_path(name)
    except media.MediaNotFound:
        abort(404)
    http = send_file(path, mimetype="image/jpeg", conditional=True, etag=True, max_age=0)
    http.headers["Cache-Control"] = "private, no-cache"
    return http
