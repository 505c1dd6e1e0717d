"""Which photo belongs to which response, and removing the files when their rows go.

A photo is recorded (table media_file) as soon as it is uploaded, so a page that fails validation
elsewhere keeps it. Files are deleted only once the transaction that dropped their rows has
committed (and a file uploaded in a transaction that never commits is deleted again), so the
database and the media folder cannot disagree for long; `sweep_orphans` catches the rest.

Helpers only flush; the view or command commits, as everywhere in Lyssna.
"""

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Union

from sqlalchemy import ColumnElement, Select, bindparam, event, select
from sqlalchemy.orm import Session, SessionTransaction

from app import media
from app.extensions import db
from app.models import MediaFile, Response, utcnow

if TYPE_CHECKING:
    from app.answering.responses import Answering

# The answering pages hold an Answering record, the researchers' pages the model: only the id and
# the answers are used here.
AnyResponse = Union[Response, "Answering"]

NEW = "lyssna_media_new"  # files written in this transaction: deleted if it does not commit
DISCARDED = "lyssna_media_discarded"  # files whose rows this transaction dropped: deleted after commit


def attach_photo(
    session: Session, response: AnyResponse, question_id: str, photo: media.StoredPhoto
) -> MediaFile:
    """Record a stored photo as the answer-in-waiting to a question; a previous picture is discarded."""
    row = session.scalar(
        select(MediaFile).where(MediaFile.response_id == response.id, MediaFile.question_id == question_id)
    )
    _names(session, NEW).add(photo.name)
    if row is None:
        row = MediaFile(response_id=response.id, question_id=question_id)
        session.add(row)
    else:
        discard_after_commit(session, [row.name])
    row.name, row.size_bytes, row.width, row.height = photo.name, photo.size_bytes, photo.width, photo.height
    row.created_at = utcnow()
    session.flush()
    return row


# Asked at every completion: built once (SQLAlchemy then reuses its cache key too).
PHOTOS_OF = select(MediaFile).where(MediaFile.response_id == bindparam("response_id"))


def photos_of(session: Session, response: AnyResponse) -> dict[str, MediaFile]:
    """The photos recorded with a response, by question id."""
    rows = session.scalars(PHOTOS_OF, {"response_id": response.id})
    return {row.question_id: row for row in rows}


def detach_photo(session: Session, response: AnyResponse, question_id: str) -> None:
    """Forget the photo of one question (the resident removed it); its file goes after commit."""
    row = photos_of(session, response).get(question_id)
    if row is not None:
        discard_after_commit(session, [row.name])
        session.delete(row)
        session.flush()


def keep_only_answered(session: Session, response: AnyResponse) -> None:
    """Drop photos the stored answers do not name (their question was hidden or answered otherwise)."""
    answered = {value for value in response.answers.values() if isinstance(value, str)}
    for row in photos_of(session, response).values():
        if row.name not in answered:
            discard_after_commit(session, [row.name])
            session.delete(row)
    session.flush()


def owns_photo(session: Session, response: AnyResponse | None, name: str) -> bool:
    """True when `name` is a photo recorded with this response (what a resident may see again)."""
    if response is None or not media.is_valid_name(name):
        return False
    row = session.scalar(select(MediaFile).where(MediaFile.name == name))
    return row is not None and row.response_id == response.id


def discard_responses(session: Session, responses: Iterable[int] | Select | ColumnElement) -> int:
    """Before deleting responses (ids, or a select of ids): their files go once the deletion commits."""
    names = session.scalars(select(MediaFile.name).where(MediaFile.response_id.in_(responses))).all()
    discard_after_commit(session, names)
    return len(names)


def discard_after_commit(session: Session, names: Iterable[str]) -> None:
    """Delete these files when the session's transaction commits (not at all if it rolls back)."""
    _names(session, DISCARDED).update(names)


def sweep_orphans(session: Session, grace: timedelta = timedelta(hours=6)) -> int:
    """Delete files no row names (left by a crash), sparing those younger than `grace` (uploads under way)."""
    candidates = media.stored_names(older_than=grace)
    if not candidates:
        return 0
    known = set(session.scalars(select(MediaFile.name).where(MediaFile.name.in_(candidates))))
    return media.delete_files(candidates - known)


def _names(session: Session, key: str) -> set[str]:
    return session.info.setdefault(key, set())


@event.listens_for(db.session, "after_commit")
def _delete_discarded(session: Session) -> None:
    session.info.pop(NEW, None)
    discarded = session.info.pop(DISCARDED, set())
    if discarded:
        media.delete_files(discarded)


@event.listens_for(db.session, "after_transaction_end")
def _delete_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    # Only reached with names left when the transaction ended without a commit.
    session.info.pop(DISCARDED, None)
    uncommitted = session.info.pop(NEW, set())
    if uncommitted:
        media.delete_files(uncommitted)
