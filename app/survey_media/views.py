"""The pictures and recordings of surveys, served at /media/<survey>/<file>?v=<content hash>, and the
template helpers that put them on a page.

Like the static files (app/assets.py), a file asked for by its current hash may be kept by browsers
for a year: a changed file gets a new hash, so a new address. Every file is sent with the type its
name says and `nosniff`; an SVG with a policy of its own, so that even opened by itself it can run
and fetch nothing. A file that is missing or unfit is not served (404) and not put on a page: the
page shows the picture's alt text instead, and the log says so once.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, abort, current_app, request, send_file
from sqlalchemy import select

from app.extensions import db
from app.models import SurveyVersion
from app.surveys.catalog import current_registry
from app.surveys.models import SURVEY_ID, Picture, Survey
from app.urls import url_for

from . import files

bp = Blueprint("survey_media", __name__)

ONE_YEAR = 365 * 24 * 60 * 60
# An SVG opened by itself is a document of our origin: it may draw, with its own styles, and nothing else.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
TOLD_KEY = "lyssna.survey_media.told"


@bp.get("/media/<survey_id>/<path:name>")
def media_file(survey_id: str, name: str):
    """A picture or recording of a survey; kept a year by browsers when asked for by its current hash."""
    if not _known(survey_id):
        abort(404)
    try:
        found = files.inspect(_folder(), name)
    except files.MediaProblem:
        abort(404)
    # Read whole (at most 1 MB), so that no open file waits on the server closing the response.
    content = io.BytesIO(found.path.read_bytes())
    modified = found.path.stat().st_mtime
    http = send_file(
        content, mimetype=found.content_type, conditional=True, etag=found.version, last_modified=modified
    )
    if request.args.get("v") == found.version:
        http.cache_control.no_cache = None  # send_file's default when given no max_age
        http.cache_control.public = True
        http.cache_control.max_age = ONE_YEAR
        http.cache_control.immutable = True
    else:  # an old hash, or none: the file behind it may have changed, so ask again each time
        http.cache_control.no_cache = True
    http.headers["X-Content-Type-Options"] = "nosniff"
    if found.content_type == "image/svg+xml":
        http.headers["Content-Security-Policy"] = SVG_POLICY
    return http


@dataclass(frozen=True)
class Shown:
    """What a page needs of a picture or recording: its address and, for a picture, its size."""

    url: str
    width: int | None
    height: int | None


@bp.app_template_global()
def survey_media(survey: Survey, name: str) -> Shown | None:
    """The address (with its content hash) and size of a file of `survey`; None when it cannot be
    served, which is logged once: the page goes without it."""
    try:
        found = files.inspect(_folder(), name)
    except files.MediaProblem as problem:
        _tell_once(survey.id, str(problem))
        return None
    url = url_for("survey_media.media_file", survey_id=survey.id, name=name, v=found.version)
    return Shown(url, found.width, found.height)


@bp.app_template_global()
def choice_pictures(survey: Survey, question: object) -> dict[object, Picture]:
    """The pictures of a question's choices by value; empty when none has one (a plain list then)."""
    return {choice.value: choice.image for choice in survey.choices(question) if choice.image}


def _folder() -> Path:
    return files.folder(Path(current_app.config["LYSSNA_SURVEYS_DIR"]))


def _known(survey_id: str) -> bool:
    """A survey that is served, or has a stored version (a manager may preview it before it is live)."""
    if current_registry().get(survey_id) is not None:
        return True
    if not re.fullmatch(SURVEY_ID, survey_id):
        return False
    return db.session.scalar(select(SurveyVersion.id).filter_by(survey_id=survey_id).limit(1)) is not None


def _tell_once(survey_id: str, problem: str) -> None:
    """Log a file a page goes without, once per worker and problem (pages are rendered often)."""
    told: set = current_app.extensions.setdefault(TOLD_KEY, set())
    if (survey_id, problem) not in told:
        told.add((survey_id, problem))
        current_app.logger.warning("survey %s: %s; its pages go without it", survey_id, problem)
