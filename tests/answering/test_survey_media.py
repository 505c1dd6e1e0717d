"""Pictures and recordings of questions and choices (issue 15): what `validate` says about their files,
how a page shows them (a picture, a recording in the page's language, a grid of picture cards), and
how they are served (content-hashed, cached for a year, never sniffed, an SVG without scripts)."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
from PIL import Image

from app.survey_media import files
from app.surveys.loader import load_file, load_text
from tests.conftest import EXAMPLE_SURVEYS as EXAMPLES

SURVEY = """\
id: pics
title: {sv: Bilder, en: Pictures, ar: صور}
languages: [sv, en, ar]
pages:
  - id: first
    questions:
      - id: fractions
        type: multiple_choice
        label: {sv: "Vad sorterar du?", en: "What do you sort?", ar: ماذا تفرز؟}
        image: {file: signs/station.png, alt: {sv: En sorteringsstation, en: A sorting station, ar: محطة فرز}}
        audio: {sv: sound/fractions-sv.mp3, en: sound/fractions-en.ogg}
        exclusive: [none]
        choices:
          - value: glass
            label: {sv: Glas, en: Glass, ar: زجاج}
            image: {file: waste/glass.svg, alt: {sv: Glasflaska, en: Glass bottle, ar: زجاجة}}
          - value: metal
            label: {sv: Metall, en: Metal, ar: معدن}
            image: {file: waste/metal.svg, decorative: true}
          - {value: none, label: {sv: Inget av dem, en: None of them, ar: لا شيء}}
      - id: plain
        type: single_choice
        label: {sv: Vanlig fråga, en: Plain question, ar: سؤال عادي}
        choices:
          - {value: 1, label: {sv: Ja, en: "Yes", ar: نعم}}
          - {value: 2, label: {sv: Nej, en: "No", ar: لا}}
"""

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">'
    '<circle cx="32" cy="32" r="20" fill="#0b0c0c"/></svg>'
)
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + bytes(400)
OGG = b"OggS\x00\x02" + bytes(400)


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (11, 83, 148)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def media(surveys_dir):
    """The surveys folder's media/ with every file SURVEY names; returns the folder."""
    folder = surveys_dir / "media"
    for name, content in {
        "signs/station.png": png(),
        "waste/glass.svg": SVG.encode(),
        "waste/metal.svg": SVG.replace(
            '<circle cx="32" cy="32" r="20"', '<rect width="9" height="9"'
        ).encode(),
        "sound/fractions-sv.mp3": MP3,
        "sound/fractions-en.ogg": OGG,
    }.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return folder


@pytest.fixture
def pics(make_app, write_survey, surveys_dir, media):
    """An app serving the `pics` survey from a folder with its media files."""
    write_survey(SURVEY)
    return make_app(LYSSNA_SURVEYS_DIR=str(surveys_dir))


def validate(runner, path) -> list[str]:
    result = runner.invoke(args=["surveys", "validate", str(path)])
    return [line for line in result.output.splitlines() if ": " in line and "problem(s)" not in line]


def block(html: str, question_id: str) -> str:
    ahead = r'(?=<div class="question|<div class="hp")'
    found = re.search(rf'<div class="question[^"]*" id="q-{question_id}".*?{ahead}', html, re.S)
    assert found, question_id
    return found.group(0)


# ----------------------------------------------------------------------------- validate


def test_example_surveys_and_their_pictograms_are_valid(runner):
    result = runner.invoke(args=["surveys", "validate"])
    assert result.exit_code == 0, result.output
    survey = load_file(EXAMPLES / "waste-sorting.yaml").survey
    pictures = {c.value: c.image.file for c in survey.choices(survey.question("fractions")) if c.image}
    assert pictures == {f: f"waste/{f}.svg" for f in ("food", "paper", "plastic", "glass", "metal")}
    for name in pictures.values():
        drawn = files.inspect(files.folder(EXAMPLES), name)
        assert drawn.content_type == "image/svg+xml" and (drawn.width, drawn.height) == (64, 64)
        assert drawn.path.stat().st_size < 1000  # a few hundred bytes each


def test_a_survey_with_all_its_files_is_valid(pics, write_survey, surveys_dir):
    result = pics.test_cli_runner().invoke(args=["surveys", "validate", str(surveys_dir / "pics.yaml")])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (None, None, "'waste/glass.svg' is not in the media folder"),
        ("waste/glass.svg", png(), "'waste/glass.svg' is not an SVG picture"),
        ("waste/glass.svg", SVG.replace("<circle", "<script>alert(1)</script><circle"), "has a script"),
        (
            "waste/glass.svg",
            SVG.replace("<circle", '<circle onclick="alert(1)"'),
            "event attribute (onclick)",
        ),
        (
            "waste/glass.svg",
            SVG.replace("<circle", '<image href="https://example.org/x.png"/><circle'),
            "refers to https://example.org/x.png",
        ),
        ("waste/glass.svg", SVG[:-6], "not a well-formed SVG file"),
        ("signs/station.png", b"GIF89a" + bytes(50), "'signs/station.png' is not a PNG picture"),
        ("signs/station.png", png() + bytes(310 * 1024), "is 311 KB; a picture may be at most 300 KB"),
        ("sound/fractions-sv.mp3", b"<html>" + bytes(99), "'sound/fractions-sv.mp3' is not an MP3 recording"),
        ("sound/fractions-en.ogg", OGG + bytes(1024 * 1024), "is 1025 KB; a recording may be at most 1 MB"),
    ],
)
def test_validate_checks_each_file_exists_has_its_type_and_size(
    pics, surveys_dir, media, name, content, message
):
    if name is None:
        (media / "waste/glass.svg").unlink()
    else:
        (media / name).write_bytes(content.encode() if isinstance(content, str) else content)
    lines = validate(pics.test_cli_runner(), surveys_dir / "pics.yaml")
    assert len(lines) == 1, lines
    assert message in lines[0]
    where = {
        "waste/glass.svg": "pics.yaml:16: pages[0].questions[0].choices[0].image.file: ",
        "signs/station.png": "pics.yaml:10: pages[0].questions[0].image.file: ",
        "sound/fractions-sv.mp3": "pics.yaml:11: pages[0].questions[0].audio.sv: ",
        "sound/fractions-en.ogg": "pics.yaml:11: pages[0].questions[0].audio.en: ",
    }[name or "waste/glass.svg"]
    assert where in lines[0], lines[0]


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        (
            "file: waste/glass.svg",
            "file: ../glass.svg",
            "pages[0].questions[0].choices[0].image.file",
            "'../glass.svg': a media path may not go up a folder ('..')",
        ),
        (
            "file: waste/glass.svg",
            "file: /etc/glass.svg",
            "pages[0].questions[0].choices[0].image.file",
            "'/etc/glass.svg': write the path inside the media folder, without a leading '/'",
        ),
        (
            "file: waste/glass.svg",
            "file: waste/glass.gif",
            "pages[0].questions[0].choices[0].image.file",
            "'waste/glass.gif' is not a picture Lyssna shows: use svg, png, jpg, jpeg or webp",
        ),
        (
            "sv: sound/fractions-sv.mp3",
            "sv: sound/fractions-sv.flac",
            "pages[0].questions[0].audio.sv",
            "'sound/fractions-sv.flac' is not a recording Lyssna plays: use mp3, m4a, aac, ogg, opus or wav",
        ),
        (
            "file: waste/metal.svg, decorative: true",
            "file: waste/metal.svg",
            "pages[0].questions[0].choices[1].image",
            "a picture needs 'alt' (what it shows, in words), or 'decorative: true'",
        ),
        (
            "en: sound/fractions-en.ogg}",
            "en: sound/fractions-en.ogg, de: sound/x.mp3}",
            "pages[0].questions[0].audio.de",
            "language de is not in the survey's languages (sv, en, ar)",
        ),
        (
            "alt: {sv: Glasflaska, en: Glass bottle, ar: زجاجة}",
            "alt: {sv: Glasflaska, en: Glass bottle}",
            "pages[0].questions[0].choices[0].image.alt",
            "missing translation for ar",
        ),
    ],
)
def test_media_keys_are_checked_without_the_files(old, new, path, message):
    assert old in SURVEY
    result = load_text(SURVEY.replace(old, new), "pics.yaml")
    assert [(p.path, p.message[: len(message)]) for p in result.problems] == [(path, message)]


def test_pictures_on_choices_a_dropdown_cannot_show_are_refused():
    text = SURVEY.replace("type: multiple_choice", "type: single_choice\n        display: dropdown").replace(
        "        exclusive: [none]\n", ""
    )
    result = load_text(text, "pics.yaml")
    assert [str(p) for p in result.problems] == [
        "pics.yaml:13: pages[0].questions[0].choices: a dropdown shows no pictures: choices with an image "
        "are shown as pictures only in multiple_choice and single_choice (display: radio) questions"
    ]


# ----------------------------------------------------------------------------- rendering


def test_question_picture_and_recording_in_the_page_language_only(pics, start):
    html = start(pics.test_client(), "pics", "?lang=sv").html
    q = block(html, "fractions")
    src = r"/media/pics/signs/station\.png\?v=\w{12}"
    picture = re.search(rf'<img class="question-picture" src="({src})"([^>]*)>', q)
    assert picture, q
    assert 'alt="En sorteringsstation"' in picture.group(2)
    assert 'width="40" height="30"' in picture.group(2) and 'loading="lazy"' in picture.group(2)
    player = r'<audio class="question-audio" controls preload="none" src="([^"]+)"[^>]*>(.*?)</audio>'
    audio = re.findall(player, q, re.S)
    assert len(audio) == 1 and audio[0][0].startswith("/media/pics/sound/fractions-sv.mp3?v=")
    # The link for browsers without a player: "Listen", in the page's language.
    assert re.fullmatch(r'<a href="/media/pics/sound/fractions-sv\.mp3\?v=\w{12}">.+</a>', audio[0][1])
    assert "fractions-en" not in html
    assert q.index("question-picture") < q.index("question-audio") < q.index("<legend")
    assert "<audio" not in block(html, "plain")


def test_a_language_without_a_recording_shows_no_player(pics, start):
    html = start(pics.test_client(), "pics", "?lang=ar").html
    assert "<audio" not in html
    assert 'alt="محطة فرز"' in html
    en = start(pics.test_client(), "pics", "?lang=en").html
    assert "/media/pics/sound/fractions-en.ogg?v=" in en and "fractions-sv" not in en


def test_choices_with_pictures_are_a_grid_of_cards_with_the_box_inside_the_label(pics, start):
    html = start(pics.test_client(), "pics", "?lang=en").html
    q = block(html, "fractions")
    assert '<div class="choices pictures">' in q
    card = r'<label class="(card[^"]*)" for="(fractions-\d)">\s*<input type="checkbox" id="\2"[^>]*>'
    card += r"(.*?)</label>"
    cards = re.findall(card, q, re.S)
    assert [(css, target) for css, target, _inner in cards] == [
        ("card", "fractions-1"),
        ("card", "fractions-2"),
        ("card wide", "fractions-3"),
    ]
    glass, metal, none = (inner for _css, _target, inner in cards)
    src = r"/media/pics/waste/glass\.svg\?v=\w{12}"
    picture = (
        rf'<img class="card-picture" src="{src}" alt="Glass bottle" width="64" height="64" loading="lazy"'
    )
    assert re.search(picture, glass), glass
    assert '<span class="card-text">Glass</span>' in glass
    assert 'alt=""' in metal  # decorative: the label says it all
    assert "<img" not in none and '<span class="card-text">None of them</span>' in none
    assert re.search(r'value="none"\s+data-exclusive', q)
    assert '<p class="or">' in q


def test_choices_without_pictures_keep_their_plain_markup(pics, start):
    html = start(pics.test_client(), "pics", "?lang=en").html
    plain = block(html, "plain")
    assert '<div class="choices">' in plain and "card" not in plain
    box = r'<input type="radio" id="plain-1" name="plain" value="1"[^>]*>'
    assert re.search(rf'<div class="choice">\s*{box}\s*<label for="plain-1">Yes</label>', plain), plain


def test_a_page_with_a_missing_file_still_renders_with_the_alt_text(pics, media, start, caplog):
    (media / "waste/glass.svg").unlink()
    (media / "sound/fractions-sv.mp3").unlink()
    with caplog.at_level(logging.WARNING):
        html = start(pics.test_client(), "pics", "?lang=en").html
        again = start(pics.test_client(), "pics", "?lang=sv").html
    q = block(html, "fractions")
    assert "glass.svg" not in html
    assert '<span class="card-picture missing">Glass bottle</span>' in q
    assert "metal.svg?v=" in q  # the other pictures are shown
    assert "<audio" not in again and "<audio" in html  # the English recording is there
    told = [r.getMessage() for r in caplog.records if "glass.svg" in r.getMessage()]
    assert len(told) == 1 and "is not in the media folder" in told[0]


# ----------------------------------------------------------------------------- serving


def media_urls(pics, start, lang: str = "sv") -> dict[str, str]:
    """The media addresses on the survey's first page, by file name."""
    html = start(pics.test_client(), "pics", f"?lang={lang}").html
    urls = re.findall(r'(?:src|href)="(/media/[^"]+)"', html)
    return {re.sub(r"\?.*", "", url).rsplit("/", 1)[-1]: url for url in urls}


def test_pictures_are_served_content_hashed_for_a_year_and_never_sniffed(pics, start):
    urls = media_urls(pics, start)
    client = pics.test_client()
    svg = client.get(urls["glass.svg"])
    assert svg.status_code == 200 and svg.data == SVG.encode()
    assert svg.mimetype == "image/svg+xml"
    assert svg.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert svg.headers["X-Content-Type-Options"] == "nosniff"
    assert svg.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert "Set-Cookie" not in svg.headers
    picture = client.get(urls["station.png"])
    assert picture.data == (Path(pics.config["LYSSNA_SURVEYS_DIR"]) / "media/signs/station.png").read_bytes()
    assert picture.mimetype == "image/png" and picture.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in picture.headers["Cache-Control"]


def test_an_old_or_missing_hash_is_served_but_asked_for_again(pics, start):
    url = media_urls(pics, start)["glass.svg"]
    client = pics.test_client()
    for other in (url.split("?")[0], url.split("?")[0] + "?v=000000000000"):
        answer = client.get(other)
        assert answer.status_code == 200 and answer.data == SVG.encode()
        assert answer.headers["Cache-Control"] == "no-cache"
        assert answer.headers.get("ETag")


def test_recordings_are_served_with_their_type_and_in_ranges(pics, start):
    urls = media_urls(pics, start)
    client = pics.test_client()
    mp3 = client.get(urls["fractions-sv.mp3"])
    assert mp3.mimetype == "audio/mpeg" and mp3.data == MP3
    part = client.get(urls["fractions-sv.mp3"], headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.data == MP3[:10]
    ogg = client.get(media_urls(pics, start, "en")["fractions-en.ogg"])
    assert ogg.status_code == 200 and ogg.mimetype == "audio/ogg"


@pytest.mark.parametrize(
    "path",
    [
        "/media/pics/waste/nothing.svg",
        "/media/pics/../pics.yaml",
        "/media/pics/%2e%2e/pics.yaml",
        "/media/pics/notes.txt",
        "/media/pics/waste/unsafe.svg",
        "/media/pics/waste/.hidden.svg",
        "/media/no-such-survey/waste/glass.svg",
        "/media/pics/" + "a" * 300 + ".svg",
        "/media/pics/waste%00/glass.svg",
    ],
)
def test_unknown_or_unsafe_paths_are_404(pics, media, path):
    (media / "notes.txt").write_text("private notes")
    (media / "waste/unsafe.svg").write_text(SVG.replace("<circle", "<script>alert(1)</script><circle"))
    (media / "waste/.hidden.svg").write_text(SVG)
    assert pics.test_client().get(path).status_code == 404
