"""A resident attaches a photo on a phone, with JavaScript (resized before it is sent, preview,
remove button) and without (sent as it is, kept through a mistake, shown again)."""

import io

import pytest
from PIL import Image
from sqlalchemy import select

from app import media
from app.extensions import db
from app.models import MediaFile, Response
from benchmarks.browser_walk import PHONE
from benchmarks.photo_upload import camera_photo, measured_server

REPORT = "/s/station-report?station=12&lang=en"


@pytest.fixture(scope="module")
def photo_server(browser, browser_database):
    """The app on the photo ports (5151-5159) with its own media folder; POST body sizes recorded."""
    with measured_server(browser_database) as (served, sizes):
        yield served, sizes


@pytest.fixture(scope="module")
def portrait_photo() -> bytes:
    """A 4000x3000 camera JPEG taken with the phone turned (EXIF orientation 6: show it 3000x4000)."""
    return camera_photo(orientation=6)


def open_report(page, base_url: str) -> None:
    page.goto(base_url + REPORT)
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").last.click()
    assert "/s/station-report/p/report" in page.url


def attach(page, photo: bytes) -> None:
    page.set_input_files(
        "input[name=photo]", files=[{"name": "IMG_2041.JPG", "mimeType": "image/jpeg", "buffer": photo}]
    )


def send(page) -> None:
    with page.expect_navigation():
        page.locator("form.page-form button[name=nav][value=next]").click()


def latest(served) -> tuple[Response, list[MediaFile], dict[str, bytes]]:
    """The newest station report, its photo rows and the stored files' bytes."""
    with served.app.app_context():
        response = db.session.scalars(
            select(Response).filter_by(survey_id="station-report").order_by(Response.id.desc())
        ).first()
        rows = db.session.scalars(select(MediaFile).filter_by(response_id=response.id)).all()
        files = {row.name: media.photo_path(row.name).read_bytes() for row in rows}
        db.session.expunge_all()
        db.session.remove()
    return response, rows, files


def test_with_javascript_the_photo_is_shrunk_upright_before_it_is_sent(browser, photo_server, portrait_photo):
    served, sizes = photo_server
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    open_report(page, served.url)
    page.check("input[name=problem][value=full]")

    attach(page, portrait_photo)
    preview = page.locator("[data-photo-preview] img")
    preview.wait_for(state="visible")
    assert "KB" in page.locator("[data-photo-status]").inner_text()
    assert preview.get_attribute("src").startswith("data:image/jpeg")
    send(page)

    assert page.url.endswith("/s/station-report/thanks")
    sent = sizes.last("/p/report")
    assert sent < len(portrait_photo) / 5, f"{sent} bytes sent for a {len(portrait_photo)}-byte photo"
    response, rows, files = latest(served)
    assert response.status == Response.COMPLETE and response.hidden == {"station": "12"}
    assert response.answers["photo"] == rows[0].name
    with Image.open(io.BytesIO(files[rows[0].name])) as image:
        # The browser turned it upright (the canvas carries no EXIF): the red post is now on top.
        assert image.size == (1200, 1600)
        red = image.convert("RGB").getpixel((600, 40))
        assert red[0] > 150 and red[1] < 100, red
        assert len(image.getexif()) == 0
    context.close()


def test_with_javascript_the_remove_button_takes_the_picture_back(browser, photo_server, portrait_photo):
    served, _sizes = photo_server
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    open_report(page, served.url)
    page.check("input[name=problem][value=broken]")
    attach(page, portrait_photo)
    page.locator("[data-photo-preview] img").wait_for(state="visible")

    page.locator("[data-photo-preview] button").click()

    assert page.locator("[data-photo-preview]").is_hidden()
    assert page.locator("input[name=photo]").evaluate("input => input.files.length") == 0
    assert page.evaluate("document.activeElement.name") == "photo"
    send(page)
    response, rows, _files = latest(served)
    assert response.status == Response.COMPLETE
    assert "photo" not in response.answers and rows == []
    context.close()


def test_without_javascript_the_photo_survives_a_mistake_and_is_shown_again(
    browser, photo_server, portrait_photo
):
    served, sizes = photo_server
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    open_report(page, served.url)

    attach(page, portrait_photo)  # the required "what is wrong" is forgotten
    send(page)

    assert sizes.last("/p/report") > len(portrait_photo), "sent as it is"
    assert page.locator(".error-summary").is_visible()
    kept = page.locator(".photo-kept img")
    assert kept.is_visible()
    thumbnail_url = served.url + kept.get_attribute("src")
    thumbnail = context.request.get(thumbnail_url)
    assert thumbnail.status == 200 and thumbnail.headers["content-type"] == "image/jpeg"
    assert "no-store" in thumbnail.headers["cache-control"]
    assert page.locator("input[name=photo_remove]").is_visible()

    page.check("input[name=problem][value=litter]")
    send(page)

    assert page.url.endswith("/s/station-report/thanks")
    response, rows, files = latest(served)
    assert response.answers["problem"] == "litter" and response.answers["photo"] == rows[0].name
    with Image.open(io.BytesIO(files[rows[0].name])) as image:
        assert image.size == (1200, 1600), "turned upright and scaled on the server"
        assert len(image.getexif()) == 0
    assert b"PhoneMaker" not in files[rows[0].name]
    assert context.request.get(thumbnail_url).status == 404, "after sending, the resident's link is closed"
    context.close()
