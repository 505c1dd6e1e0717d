"""`flask export ... --with-media`: one ZIP with the export and media/ named as in the photo column."""

import csv
import io
import zipfile

import pytest
from PIL import Image

from app import attachments, media
from app.exports import prepare_export
from app.exports.archive import photo_names
from app.models import Response

SURVEY = """
id: snap
title: Snap
languages: [sv, en]
pages:
  - id: one
    questions:
      - id: problem
        type: text
        label: Problem
      - id: picture
        type: photo
        label: Picture
"""


@pytest.fixture
def snap_app(make_app, write_survey, surveys_dir):
    """An app serving one survey with a photo question."""
    write_survey(SURVEY)
    return make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))


def add_response(session, status=Response.COMPLETE, with_photo=True, colour=(200, 30, 30)) -> Response:
    """A response to `snap`, with a stored photo named in its answers when asked."""
    from app.surveys.catalog import current_registry

    response = Response(
        survey_id="snap",
        version_id=current_registry().version_id(session, "snap"),
        status=status,
        language="sv",
        answers={"problem": "full"},
    )
    session.add(response)
    session.flush()
    if with_photo:
        buffer = io.BytesIO()
        Image.new("RGB", (80, 60), colour).save(buffer, "PNG")
        photo = media.store_photo(buffer.getvalue(), max_mb=1)
        attachments.attach_photo(session, response, "picture", photo)
        response.answers = {**response.answers, "picture": photo.name}
    session.commit()
    return response


def test_zip_holds_the_export_and_the_photos_named_in_its_column(snap_app, tmp_path):
    from app.extensions import db

    with snap_app.app_context():
        first = add_response(db.session)
        add_response(db.session, with_photo=False)
        add_response(db.session, status=Response.IN_PROGRESS)  # not exported without --include-partial
        second = add_response(db.session, colour=(30, 30, 200))
        expected = {first.answers["picture"], second.answers["picture"]}
        stored = {name: media.photo_path(name).read_bytes() for name in expected}

    result = snap_app.test_cli_runner().invoke(
        args=["export", "snap", "--format", "csv", "--with-media", "--out", str(tmp_path)]
    )

    assert result.exit_code == 0, result.output
    assert "2 photo(s) in media/" in result.output
    (archive_path,) = tmp_path.glob("snap-*.zip")
    with zipfile.ZipFile(archive_path) as archive:
        names = archive.namelist()
        (csv_name,) = [n for n in names if n.endswith(".csv")]
        rows = list(csv.DictReader(io.StringIO(archive.read(csv_name).decode("utf-8-sig"))))
        in_column = {row["picture"] for row in rows if row["picture"]}
        assert in_column == expected
        assert {n for n in names if n.startswith("media/")} == {f"media/{n}" for n in expected}
        for name in expected:
            assert archive.read(f"media/{name}") == stored[name]
    assert not list(tmp_path.glob(".*.part")), "no temporary file is left behind"


def test_missing_photo_file_is_reported_not_fatal(snap_app, tmp_path):
    from app.extensions import db

    with snap_app.app_context():
        kept = add_response(db.session).answers["picture"]
        lost = add_response(db.session).answers["picture"]
        media.delete_files([lost])

    result = snap_app.test_cli_runner().invoke(
        args=["export", "snap", "--format", "xlsx", "--with-media", "--out", str(tmp_path / "out.zip")]
    )

    assert result.exit_code == 0, result.output
    assert "1 photo(s) in media/" in result.output
    assert "1 photo(s) named in the export were not found" in result.output
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert [n for n in archive.namelist() if n.startswith("media/")] == [f"media/{kept}"]
        assert any(n.endswith(".xlsx") for n in archive.namelist())


def test_names_that_are_not_ours_are_never_read(snap_app):
    from app.extensions import db

    with snap_app.app_context():
        response = add_response(db.session, with_photo=False)
        response.answers = {"picture": "../../instance/secret_key"}
        db.session.commit()
        assert photo_names(prepare_export("snap", "csv")) == []
