"""Photos recorded with responses: kept across pages, and their files deleted with their rows."""

import io
import os
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import delete, select

from app import attachments, media
from app.models import MediaFile, Response


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def upload(db):
    """Store a photo file (not yet recorded)."""
    return lambda: media.store_photo(jpeg(), max_mb=1)


def files() -> set[str]:
    return {p.name for p in media.media_dir().iterdir()}


def test_attached_photo_is_kept_after_commit(db, make_response, upload):
    response = make_response("feedback", status=Response.IN_PROGRESS)
    photo = upload()

    attachments.attach_photo(db, response, "picture", photo)
    db.commit()

    row = attachments.photos_of(db, response)["picture"]
    assert (row.name, row.size_bytes, row.width, row.height) == (photo.name, photo.size_bytes, 64, 48)
    assert files() == {photo.name}


def test_upload_in_a_transaction_that_rolls_back_is_deleted(db, make_response, upload):
    response = make_response("feedback", status=Response.IN_PROGRESS)
    db.commit()
    photo = upload()

    attachments.attach_photo(db, response, "picture", photo)
    db.rollback()

    assert files() == set()
    assert db.scalars(select(MediaFile)).all() == []


def test_new_picture_replaces_the_old_one_after_commit(db, make_response, upload):
    response = make_response("feedback", status=Response.IN_PROGRESS)
    first, second = upload(), upload()
    attachments.attach_photo(db, response, "picture", first)
    db.commit()

    attachments.attach_photo(db, response, "picture", second)
    assert first.name in files(), "the old file stays until the change is committed"
    db.commit()

    assert files() == {second.name}
    assert attachments.photos_of(db, response)["picture"].name == second.name


def test_removed_picture_is_deleted_after_commit(db, make_response, upload):
    response = make_response("feedback", status=Response.IN_PROGRESS)
    photo = upload()
    attachments.attach_photo(db, response, "picture", photo)
    db.commit()

    attachments.detach_photo(db, response, "picture")
    db.commit()

    assert attachments.photos_of(db, response) == {}
    assert files() == set()


def test_photo_of_a_hidden_question_is_dropped_at_submission(db, make_response, upload):
    response = make_response("feedback", status=Response.IN_PROGRESS)
    shown, hidden = upload(), upload()
    attachments.attach_photo(db, response, "shown", shown)
    attachments.attach_photo(db, response, "hidden", hidden)
    response.answers = {"shown": shown.name, "topic": "waste", "list": ["a", "b"]}

    attachments.keep_only_answered(db, response)
    db.commit()

    assert set(attachments.photos_of(db, response)) == {"shown"}
    assert files() == {shown.name}


def test_owner_check(db, make_response, upload):
    mine = make_response("feedback", status=Response.IN_PROGRESS)
    theirs = make_response("feedback", status=Response.IN_PROGRESS)
    photo = upload()
    attachments.attach_photo(db, mine, "picture", photo)

    assert attachments.owns_photo(db, mine, photo.name)
    assert not attachments.owns_photo(db, theirs, photo.name)
    assert not attachments.owns_photo(db, None, photo.name)
    assert not attachments.owns_photo(db, mine, "../" + photo.name)


@pytest.mark.parametrize("how", ["orm", "bulk"])
def test_deleting_responses_deletes_their_files(db, make_response, upload, how):
    gone = make_response("feedback")
    kept = make_response("feedback")
    gone_photo, kept_photo = upload(), upload()
    attachments.attach_photo(db, gone, "picture", gone_photo)
    attachments.attach_photo(db, kept, "picture", kept_photo)
    media.thumbnail_path(gone_photo.name)
    db.commit()

    if how == "orm":
        assert attachments.discard_responses(db, [gone.id]) == 1
        db.delete(gone)
    else:
        ids = select(Response.id).where(Response.id == gone.id)
        assert attachments.discard_responses(db, ids) == 1
        db.execute(delete(Response).where(Response.id.in_(ids)))
    db.commit()

    assert files() == {kept_photo.name}
    assert [row.name for row in db.scalars(select(MediaFile))] == [kept_photo.name]


def test_deletion_that_rolls_back_keeps_the_files(db, make_response, upload):
    response = make_response("feedback")
    photo = upload()
    attachments.attach_photo(db, response, "picture", photo)
    db.commit()

    attachments.discard_responses(db, [response.id])
    db.delete(response)
    db.rollback()

    assert files() == {photo.name}


def test_sweep_deletes_old_files_no_row_names(db, make_response, upload):
    response = make_response("feedback")
    recorded, stray, fresh = upload(), upload(), upload()
    attachments.attach_photo(db, response, "picture", recorded)
    db.commit()
    hours_ago = media.photo_path(stray.name).stat().st_mtime - 7 * 3600
    for name in (recorded.name, stray.name):
        os.utime(media.photo_path(name), (hours_ago, hours_ago))

    assert attachments.sweep_orphans(db, grace=timedelta(hours=6)) == 1

    assert files() == {recorded.name, fresh.name}
