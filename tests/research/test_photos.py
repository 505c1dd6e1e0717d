"""Researchers and photos: a gallery per survey filtered like the dashboard, photos served only with
a grant (404 otherwise) and privately, deleted with their response, also by receipt code."""

import io
import re

import pytest
from PIL import Image

from app import attachments, media
from app.models import Response

from .conftest import csrf_from, post_export


def jpeg(colour=(200, 30, 30), size=(800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def reports(db, make_response):
    """Three station reports with photos (stations 12, 12, 7), one in progress, one without a photo."""

    def report(station: str, status=Response.COMPLETE, with_photo=True, receipt=None) -> Response:
        response = make_response("station-report", status=status, hidden={"station": station}, problem="full")
        response.receipt_code = receipt
        if with_photo:
            photo = media.store_photo(jpeg(), max_mb=10)
            attachments.attach_photo(db, response, "photo", photo)
            response.answers = {**response.answers, "photo": photo.name}
        return response

    made = [
        report("12", receipt="K7QM-3XPA"),
        report("12"),
        report("7"),
        report("7", status=Response.IN_PROGRESS),
        report("7", with_photo=False),
    ]
    db.commit()
    return made


def gallery_names(html: str) -> list[str]:
    return re.findall(r"/photos/([0-9a-f]{32}\.jpg)\?size=small", html)


def test_gallery_shows_the_photos_of_complete_responses_newest_first(client, login_as, reports):
    login_as(surveys=["station-report"])

    page = client.get("/admin/surveys/station-report/photos")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert sorted(gallery_names(html)) == sorted(r.answers["photo"] for r in reports[:3])
    assert 'width="320" height="240"' in html
    assert f"/admin/surveys/station-report/responses/{reports[0].public_id}" in html
    assert 'aria-current="page">Photos</a>' in html


def test_gallery_filters_like_the_dashboard(client, login_as, reports):
    login_as(surveys=["station-report"])

    station_12 = client.get("/admin/surveys/station-report/photos?hidden_station=12").get_data(as_text=True)
    with_partial = client.get("/admin/surveys/station-report/photos?hidden_station=7&partial=1")

    assert sorted(gallery_names(station_12)) == sorted(r.answers["photo"] for r in reports[:2])
    assert sorted(gallery_names(with_partial.get_data(as_text=True))) == sorted(
        r.answers["photo"] for r in reports[2:4]
    )


def test_dashboard_links_to_the_gallery(client, login_as, reports):
    login_as(surveys=["station-report"])

    html = client.get("/admin/surveys/station-report?hidden_station=12").get_data(as_text=True)

    assert "/admin/surveys/station-report/photos?hidden_station=12" in html


def test_photo_is_private_and_revalidated(client, login_as, reports):
    login_as(surveys=["station-report"])
    response = reports[0]
    url = f"/admin/surveys/station-report/responses/{response.public_id}/photos/{response.answers['photo']}"

    full = client.get(url)
    small = client.get(url + "?size=small")

    assert full.status_code == 200 and full.mimetype == "image/jpeg"
    assert full.headers["Cache-Control"] == "private, no-cache"
    assert Image.open(io.BytesIO(full.data)).size == (800, 600)
    assert Image.open(io.BytesIO(small.data)).size == (320, 240)
    again = client.get(url, headers={"If-None-Match": full.headers["ETag"]})
    assert again.status_code == 304


def test_without_a_grant_photos_are_not_found(client, login_as, reports):
    login_as(surveys=["feedback"])
    response = reports[0]
    base = f"/admin/surveys/station-report/responses/{response.public_id}/photos/{response.answers['photo']}"

    for url in (base, base + "?size=small", "/admin/surveys/station-report/photos"):
        assert client.get(url).status_code == 404, url


def test_signed_out_photo_urls_ask_to_sign_in(client, reports):
    response = reports[0]
    url = f"/admin/surveys/station-report/responses/{response.public_id}/photos/{response.answers['photo']}"

    answer = client.get(url)

    assert answer.status_code == 302 and "/admin/login" in answer.location


def test_a_photo_is_reachable_only_through_its_own_response(client, login_as, reports):
    login_as(surveys=["station-report"])
    mine, other = reports[0], reports[1]
    survey = "/admin/surveys/station-report/responses"

    assert client.get(f"{survey}/{other.public_id}/photos/{mine.answers['photo']}").status_code == 404
    assert client.get(f"{survey}/{mine.public_id}/photos/..%2f..%2fsecret_key").status_code == 404
    gallery = client.get("/admin/surveys/feedback/photos")
    assert gallery.status_code == 404, "a survey without photo questions has no gallery"


def test_erasure_by_receipt_code_deletes_the_photo(app, client, login_as, reports):
    login_as(surveys=["station-report"], level="manage")
    name = reports[0].answers["photo"]
    with app.app_context():
        media.thumbnail_path(name)

    found = client.get("/admin/receipt?code=k7qm-3xpa")
    delete_url = found.location + "/delete"
    token = csrf_from(client.get(delete_url).get_data(as_text=True))
    done = client.post(delete_url, data={"csrf_token": token})

    assert done.status_code == 302
    with app.app_context():
        assert name not in media.stored_names()
        assert not list(media.media_dir().glob(name[:-4] + ".*"))


def test_dashboard_offers_the_photos_only_where_there_are_photo_questions(client, login_as, reports):
    login_as(surveys=["station-report", "feedback"])

    assert 'name="media"' in client.get("/admin/surveys/station-report").get_data(as_text=True)
    assert 'name="media"' not in client.get("/admin/surveys/feedback").get_data(as_text=True)


def test_dashboard_export_with_photos_is_a_zip_named_as_the_column(client, login_as, reports):
    import csv
    import zipfile

    from app.research import jobs

    login_as(surveys=["station-report"])

    started = post_export(client, "/admin/surveys/station-report/export?format=csv&hidden_station=12&media=1")

    assert started.status_code == 302  # always in the background
    jobs.wait_for_jobs()
    assert "The export is ready: 2 responses." in client.get(started.location).get_data(as_text=True)
    download = client.get(started.location + "/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        (table,) = [n for n in archive.namelist() if n.endswith(".csv")]
        rows = list(csv.DictReader(io.StringIO(archive.read(table).decode("utf-8-sig"))))
        in_column = {row["photo"] for row in rows}
        assert in_column == {r.answers["photo"] for r in reports[:2]}
        assert {n for n in archive.namelist() if n != table} == {f"media/{name}" for name in in_column}
