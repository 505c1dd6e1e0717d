"""Photo questions with the test client: the picture is kept with the page, shown only to its owner,
removable, replaced, refused with a clear message, and dropped when its question is not shown."""

import io

import pytest
from PIL import ExifTags, Image
from sqlalchemy import select

from app import media
from app.extensions import db
from app.models import MediaFile, Response
from tests.test_media import phone_jpeg

SNAP = """
id: snap
title: Snap
languages: [en, sv]
pages:
  - id: one
    questions:
      - id: problem
        type: single_choice
        required: true
        label: What is wrong?
        choices:
          - {value: full, label: Full}
          - {value: broken, label: Broken}
      - id: picture
        type: photo
        max_mb: 0.25
        label: Picture
      - id: extra
        type: photo
        label: Picture of the break
        show_if: {question: problem, equals: broken}
  - id: two
    questions:
      - id: proof
        type: photo
        required: true
        label: Proof
"""


@pytest.fixture
def snap(make_app, write_survey, surveys_dir):
    """An app serving a survey with photo questions."""
    write_survey(SNAP)
    return make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))


def png(colour=(200, 30, 30), size=(120, 90)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, page, data: dict, files: dict | None = None):
    """Post a page as a browser does: multipart, with its CSRF token and shown list, and files.

    Keep bodies under 500 KB: above that the test client spools them to a file it never closes."""
    from tests.answering.conftest import follow_back, read

    form = {n: v for n, v in page.fields if n in ("csrf_token", "shown")}
    form.update(data)
    for name, (content, filename) in (files or {}).items():
        form[name] = (io.BytesIO(content), filename)
    sent = read(client.post(page.action, data=form, content_type="multipart/form-data"))
    return follow_back(client, page.action, sent)


def rows(app) -> list[MediaFile]:
    with app.app_context():
        found = db.session.scalars(select(MediaFile).order_by(MediaFile.id)).all()
        db.session.expunge_all()
        return found


def the_response(app) -> Response:
    with app.app_context():
        found = db.session.scalars(select(Response)).one()
        db.session.expunge(found)
        return found


def stored_files(app) -> set[str]:
    with app.app_context():
        return media.stored_names()


def fetch(client, url: str):
    """GET a URL and close the response (a sent file stays open until then)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def thumbnail_url(page) -> str:
    import re

    return re.search(r'<img src="(/s/snap/photos/[0-9a-f]{32}\.jpg)"', page.html).group(1)


def test_photo_page_is_a_multipart_form_with_a_file_input(snap, start):
    page = start(snap.test_client(), "snap")

    assert 'enctype="multipart/form-data"' in page.html
    assert '<input class="input-file" type="file" id="picture" name="picture" accept="image/*"' in page.html
    assert "photo.js" in page.html
    assert 'aria-describedby="picture-limits"' in page.html


def test_picture_is_kept_when_another_answer_on_the_page_is_missing(snap, start, browse):
    client = snap.test_client()
    page = start(client, "snap")

    again = upload(client, page, {"nav": "next"}, {"picture": (phone_jpeg(), "IMG_2041.JPG")})

    assert again.status == 200
    assert again.error_summary() == ["problem-1"]
    [row] = rows(snap)
    assert row.question_id == "picture"
    assert thumbnail_url(again) == f"/s/snap/photos/{row.name}"
    thumb = fetch(client, thumbnail_url(again))
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert "no-store" in thumb.headers["Cache-Control"] and "private" in thumb.headers["Cache-Control"]

    moved = upload(client, again, {"problem": "full", "nav": "next"})

    assert moved.status == 302 and moved.location.endswith("/p/two")
    assert the_response(snap).answers == {"problem": "full", "picture": row.name}


def test_stored_picture_has_no_gps_and_is_upright(snap, start):
    client = snap.test_client()
    page = start(client, "snap")

    upload(client, page, {"problem": "full", "nav": "next"}, {"picture": (phone_jpeg(), "IMG.JPG")})

    name = the_response(snap).answers["picture"]
    with snap.app_context():
        data = media.photo_path(name).read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        assert b"Exif" not in data and image.size == (200, 400)
        assert ExifTags.IFD.GPSInfo not in image.getexif()


def test_remove_box_deletes_the_picture(snap, start, browse):
    client = snap.test_client()
    page = start(client, "snap")
    upload(client, page, {"problem": "full", "nav": "next"}, {"picture": (png(), "a.png")})
    back = browse.get(client, "/s/snap/p/one")
    assert 'name="picture_remove"' in back.html

    upload(client, back, {"problem": "full", "picture_remove": "1", "nav": "next"})

    assert "picture" not in the_response(snap).answers
    assert rows(snap) == [] and stored_files(snap) == set()


def test_new_picture_replaces_the_old_one(snap, start, browse):
    client = snap.test_client()
    page = start(client, "snap")
    upload(client, page, {"problem": "full", "nav": "next"}, {"picture": (png(), "a.png")})
    first = the_response(snap).answers["picture"]

    upload(
        client,
        browse.get(client, "/s/snap/p/one"),
        {"problem": "full", "nav": "next"},
        {"picture": (png((0, 0, 200)), "b.png")},
    )

    second = the_response(snap).answers["picture"]
    assert second != first
    assert stored_files(snap) == {second}


@pytest.mark.parametrize(
    "content,filename,message",
    [
        (b"just some text, not a picture\n" * 40, "photo.jpg", "This file is not a picture we can use"),
        (png() + b"\0" * 300_000, "big.png", "larger than 0.25 MB"),
    ],
    ids=["text-named-jpg", "over-max-mb"],
)
def test_refused_upload_is_explained_at_the_question(snap, start, content, filename, message):
    client = snap.test_client()
    page = start(client, "snap")

    again = upload(client, page, {"problem": "full", "nav": "next"}, {"picture": (content, filename)})

    assert again.status == 200
    assert message in again.html
    assert again.error_summary() == ["picture"]
    assert 'aria-invalid="true"' in again.html
    assert rows(snap) == [] and stored_files(snap) == set()


def test_required_photo_needs_a_picture(snap, start, browse):
    client = snap.test_client()
    page = start(client, "snap")
    moved = upload(client, page, {"problem": "full", "nav": "next"})
    two = browse.get(client, moved.location)

    again = upload(client, two, {"nav": "next"})
    assert "Add a picture." in again.html and again.error_summary() == ["proof"]

    done = upload(client, again, {"nav": "next"}, {"proof": (png(), "proof.png")})

    assert done.location.endswith("/s/snap/thanks")
    response = the_response(snap)
    assert response.status == Response.COMPLETE
    assert set(response.answers) == {"problem", "proof"}
    assert stored_files(snap) == {response.answers["proof"]}


def test_picture_of_a_question_not_shown_is_dropped_at_the_end(snap, start, browse):
    client = snap.test_client()
    page = start(client, "snap")
    # "extra" is shown only for a broken lid; its picture arrives anyway (a page without JavaScript).
    moved = upload(client, page, {"problem": "full", "nav": "next"}, {"extra": (png(), "x.png")})
    two = browse.get(client, moved.location)

    upload(client, two, {"nav": "next"}, {"proof": (png(), "proof.png")})

    response = the_response(snap)
    assert "extra" not in response.answers
    assert [row.question_id for row in rows(snap)] == ["proof"]
    assert stored_files(snap) == {response.answers["proof"]}


def test_thumbnail_is_only_for_the_resident_who_sent_it(snap, start, browse):
    owner = snap.test_client()
    page = start(owner, "snap")
    again = upload(owner, page, {"nav": "next"}, {"picture": (png(), "a.png")})
    url = thumbnail_url(again)
    stranger = snap.test_client()
    start(stranger, "snap")  # a resident with a response of their own

    assert fetch(stranger, url).status_code == 404
    assert fetch(snap.test_client(), url).status_code == 404
    for bad in (
        "../secret_key",
        "..%2f..%2finstance%2fsecret_key",
        "0" * 32 + ".jpg",
        url.rsplit("/", 1)[1] + ".t320.jpg",
    ):
        assert fetch(owner, f"/s/snap/photos/{bad}").status_code == 404
    assert fetch(owner, url).status_code == 200

    moved = upload(owner, again, {"problem": "full", "nav": "next"})
    upload(owner, browse.get(owner, moved.location), {"nav": "next"}, {"proof": (png(), "p.png")})
    assert fetch(owner, url).status_code == 404, "a completed response's pictures are for researchers only"


def test_upload_whose_bytes_resemble_a_boundary_is_read_not_refused(snap, start):
    # Werkzeug keeps a possible boundary start ("\r\n-") over between 64 KiB reads; with
    # MAX_FORM_MEMORY_SIZE at 64 KiB such a file (any real JPEG, sooner or later) was a 413.
    client = snap.test_client()
    page = start(client, "snap")

    again = upload(
        client, page, {"problem": "full", "nav": "next"}, {"picture": (b"\r\n-" * 80_000, "a.jpg")}
    )

    assert again.status == 200
    assert "This file is not a picture we can use" in again.html
