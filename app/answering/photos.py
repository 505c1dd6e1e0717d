"""Photo questions on a page: the upload is kept with the response at once, shown again, removable.

A picture arrives with the page's other answers (multipart form). It is cleaned and stored before
the page is validated, so a mistake elsewhere on the page does not lose it: the page comes back
showing the picture (a thumbnail only this resident's cookie can fetch) with a box to remove it.
The form never names a file: which picture belongs to the resident is read from the database.
"""

from __future__ import annotations

from flask import abort, send_file
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as HttpResponse

from app import attachments, media
from app.models import MediaFile
from app.web import budgets

from .responses import Answering

# The kilobytes of stored pictures, budgeted per client and per survey (see app/web/budgets.py).
PHOTO_KB = "photo_kb"


def photo_questions(form: FlaskForm) -> list:
    """The photo questions of the form's page."""
    return [q for q in form.page.questions if q.type == "photo"]


def receive(session: Session, response: Answering, form: FlaskForm) -> None:
    """Store new pictures and removals before validation; a refused picture becomes the field's error."""
    for question in photo_questions(form):
        field = form[question.id]
        if field.remove and field.upload is None:
            attachments.detach_photo(session, response, question.id)
        if field.upload is not None:
            if not budgets.left(PHOTO_KB, response.survey_id):
                field.process_errors.append(
                    _("Too many pictures were sent from here just now. Try again later.")
                )
                continue
            try:
                photo = media.store_photo(field.upload, question.max_mb)
            except media.PhotoError as refused:
                field.process_errors.append(str(refused.message))
            else:
                budgets.spend(PHOTO_KB, response.survey_id, cost=photo.size_bytes // 1024 + 1)
                attachments.attach_photo(session, response, question.id, photo)
    fill(session, response, form)


def fill(session: Session, response: Answering, form: FlaskForm) -> None:
    """Put the picture kept with the response into each photo field (its answer is that file's name)."""
    questions = photo_questions(form)
    if not questions:
        return
    kept = attachments.photos_of(session, response)
    for question in questions:
        field = form[question.id]
        field.kept = kept.get(question.id)
        field.data = field.kept.name if field.kept is not None else None
        field.thumbnail = thumbnail_size(field.kept) if field.kept is not None else None


def thumbnail_size(row: MediaFile, side: int = media.THUMBNAIL_SIDE) -> tuple[int, int]:
    """The width and height of a photo's thumbnail (for the img tag, so the page does not jump)."""
    scale = min(1.0, side / max(row.width, row.height))
    return max(1, round(row.width * scale)), max(1, round(row.height * scale))


def send_thumbnail(name: str) -> HttpResponse:
    """A thumbnail of a stored photo as a response that no cache keeps (shared phones); 404 if gone."""
    try:
        path = media.thumbnail_path(name)
    except media.MediaNotFound:
        abort(404)
    http = send_file(path, mimetype="image/jpeg", max_age=0, conditional=False)
    http.headers["Cache-Control"] = "private, no-store"
    return http
