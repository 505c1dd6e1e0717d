"""The share page: the survey link, its QR code (SVG and PNG) and printable posters per hidden-field value."""

import io

import pytest
import segno
from PIL import Image

from app.research.posters import PosterValuesError, poster_values


@pytest.fixture
def researcher(login_as):
    return login_as(surveys=["waste-sorting"])


def test_share_page_shows_the_link_and_the_qr_code(client, researcher):
    page = client.get("/admin/surveys/waste-sorting/share").get_data(as_text=True)
    assert "http://localhost/s/waste-sorting" in page
    assert 'src="/admin/surveys/waste-sorting/qr.svg"' in page
    assert "/admin/surveys/waste-sorting/qr.png" in page


def test_qr_png_decodes_and_holds_the_link_with_the_hidden_value(client, researcher):
    response = client.get("/admin/surveys/waste-sorting/qr.png?hidden_station=12")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert 'filename="waste-sorting-station-12-qr.png"' in response.headers["Content-Disposition"]
    image = Image.open(io.BytesIO(response.data))
    image.load()
    assert image.format == "PNG" and image.width == image.height >= 200
    # The same pixels as segno's code for the expected address: the PNG holds exactly that link.
    expected = io.BytesIO()
    segno.make("http://localhost/s/waste-sorting?station=12", error="m").save(
        expected, kind="png", scale=12, border=4
    )
    assert image.convert("1").tobytes() == Image.open(expected).convert("1").tobytes()


def test_qr_svg_is_an_svg_and_ignores_unknown_fields(client, researcher):
    response = client.get("/admin/surveys/waste-sorting/qr.svg?hidden_nope=1")
    assert response.mimetype == "image/svg+xml"
    assert response.data.lstrip().startswith(b"<svg")
    assert b"<title>localhost/s/waste-sorting</title>" in response.data


def test_posters_one_per_value_with_titles_in_every_language(client, researcher):
    page = client.get("/admin/surveys/waste-sorting/posters?field=station&values=3-5, 12").get_data(
        as_text=True
    )
    assert page.count('class="poster"') == 4
    for value in ("3", "4", "5", "12"):
        assert f"localhost/s/waste-sorting?station={value}<" in page
        assert f"qr.svg?hidden_station={value}" in page
    for title in ("Sopsortering i ditt område", "Waste sorting in your neighbourhood", "فرز النفايات في حيّك"):
        assert page.count(title) >= 4
    assert 'lang="ar" dir="rtl"' in page
    assert "research-print.css" in page


def test_poster_without_a_field_is_one_poster_of_the_plain_link(client, researcher):
    page = client.get("/admin/surveys/waste-sorting/posters").get_data(as_text=True)
    assert page.count('class="poster"') == 1
    assert "localhost/s/waste-sorting<" in page


def test_unreadable_poster_values_are_explained(client, researcher):
    response = client.get("/admin/surveys/waste-sorting/posters?field=station&values=1-5000")
    assert response.status_code == 400
    assert "Could not read" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("1-3", ["1", "2", "3"]),
        ("12, 3 - 4; north\nsouth", ["12", "3", "4", "north", "south"]),
        ("5, 5, 5", ["5"]),
        ("", []),
    ],
)
def test_poster_values(text, values):
    assert poster_values(text) == values


@pytest.mark.parametrize("text", ["5-1", "1-500", "x" * 65])
def test_poster_values_refuse_mistakes(text):
    with pytest.raises(PosterValuesError):
        poster_values(text)


def test_print_stylesheet_makes_each_poster_one_a4_page(client):
    with client.get("/static/research-print.css") as response:
        css = response.get_data(as_text=True)
    assert "@media print" in css
    assert "size: A4" in css
    assert "break-after: page" in css
