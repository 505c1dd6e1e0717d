"""Photos: only real pictures are kept, upright, scaled, with every trace of metadata gone."""

import io
import os
import struct
import zlib

import pytest
from PIL import ExifTags, Image, ImageCms
from werkzeug.datastructures import FileStorage

from app import media

GPS_LATITUDE = (59.0, 19.0, 45.125)


@pytest.fixture
def media_app(make_app, tmp_path):
    """An app storing photos in a temporary folder, inside a request context (messages are translated)."""
    app = make_app(LYSSNA_MEDIA_DIR=str(tmp_path / "media"))
    with app.test_request_context():
        yield app


def noisy(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A picture with random pixels, which compresses badly, like a real photo."""
    return Image.frombytes(mode, size, os.urandom(size[0] * size[1] * len(mode)))


def two_colour(size: tuple[int, int], left=(255, 0, 0), right=(0, 0, 255)) -> Image.Image:
    """Left half one colour, right half another: shows which way a picture was turned."""
    image = Image.new("RGB", size, right)
    image.paste(left, (0, 0, size[0] // 2, size[1]))
    return image


def phone_jpeg(size=(400, 200), orientation=6) -> bytes:
    """A JPEG as a phone writes it: orientation, camera make, maker note, GPS position, XMP, ICC, comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12 Pro"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.MakerNote] = b"SECRET-MAKER-NOTE"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2026:05:01 08:15:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (18.0, 4.0, 7.5)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description exif:GPSLatitude="59,19.75N"/></x:xmpmeta>'
    buffer = io.BytesIO()
    two_colour(size).save(
        buffer, "JPEG", exif=exif, icc_profile=icc, xmp=xmp, comment=b"Storgatan 5, 3 tr", quality=95
    )
    return buffer.getvalue()


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 4096, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def stored_image(name: str) -> Image.Image:
    image = Image.open(media.photo_path(name))
    image.load()
    return image


def test_phone_jpeg_is_stored_without_any_metadata(media_app):
    original = phone_jpeg()
    # The test picture really carries what a phone writes.
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] == GPS_LATITUDE
        assert {"icc_profile", "xmp", "comment", "exif"} <= set(image.info)

    photo = media.store_photo(original, max_mb=10)

    data = media.photo_path(photo.name).read_bytes()
    for trace in (b"Exif", b"SECRET-MAKER-NOTE", b"PhoneMaker", b"xmpmeta", b"Storgatan", b"ICC_PROFILE"):
        assert trace not in data
    image = stored_image(photo.name)
    assert image.format == "JPEG"
    assert len(image.getexif()) == 0
    assert not {"exif", "icc_profile", "xmp", "comment"} & set(image.info)


def test_orientation_is_applied(media_app):
    # Orientation 6: the camera was turned; the picture must be rotated 90 degrees clockwise to show.
    photo = media.store_photo(phone_jpeg(size=(400, 200), orientation=6), max_mb=10)

    image = stored_image(photo.name).convert("RGB")
    assert image.size == (200, 400) == (photo.width, photo.height)
    red, blue = image.getpixel((100, 50)), image.getpixel((100, 350))
    assert red[0] > 200 and red[2] < 60, "the left (red) half is now on top"
    assert blue[2] > 200 and blue[0] < 60


def test_png_transparency_is_flattened_onto_white(media_app):
    picture = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    picture.paste((0, 128, 0, 255), (0, 0, 50, 100))

    photo = media.store_photo(encoded(picture, "PNG"), max_mb=10)

    image = stored_image(photo.name)
    assert image.mode == "RGB"
    assert all(c > 245 for c in image.getpixel((90, 50))), "transparent becomes white, not black"
    assert image.getpixel((10, 50))[1] > 100 and image.getpixel((10, 50))[0] < 30


def test_palette_png_with_transparent_colour_is_flattened_onto_white(media_app):
    picture = Image.new("P", (60, 60), 0)
    picture.putpalette([0, 0, 0, 200, 30, 30] + [0] * 762)
    picture.paste(1, (0, 0, 30, 60))

    photo = media.store_photo(encoded(picture, "PNG", transparency=0), max_mb=10)

    image = stored_image(photo.name)
    assert all(c > 245 for c in image.getpixel((50, 30)))
    assert image.getpixel((10, 30))[0] > 150


def test_webp_is_accepted_and_stored_as_jpeg(media_app):
    photo = media.store_photo(encoded(noisy((300, 200)), "WEBP", quality=80), max_mb=10)

    assert photo.name.endswith(".jpg")
    assert stored_image(photo.name).format == "JPEG"
    assert (photo.width, photo.height) == (300, 200)


@pytest.mark.parametrize("mode", ["L", "LA", "CMYK", "I;16"])
def test_other_colour_modes_become_rgb(media_app, mode):
    picture = Image.new(mode, (50, 40))
    fmt = "JPEG" if mode == "CMYK" else "PNG"

    photo = media.store_photo(encoded(picture, fmt), max_mb=10)

    assert stored_image(photo.name).mode == "RGB"


def test_text_file_named_jpg_is_refused(media_app):
    upload = FileStorage(
        io.BytesIO(b"Hello, I am not a picture.\n" * 20), "photo.jpg", content_type="image/jpeg"
    )

    with pytest.raises(media.NotAnImage) as refused:
        media.store_photo(upload, max_mb=10)

    assert "not a picture" in str(refused.value.message)
    assert media.stored_names() == set()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(phone_jpeg()[:1500], id="truncated-jpeg"),
        pytest.param(encoded(Image.new("RGB", (20, 20)), "GIF"), id="gif"),
        pytest.param(encoded(Image.new("RGB", (20, 20)), "BMP"), id="bmp"),
        pytest.param(encoded(Image.new("RGB", (20, 20)), "TIFF"), id="tiff"),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'/>", id="svg"),
    ],
)
def test_anything_but_a_whole_jpeg_png_or_webp_is_refused(media_app, data):
    with pytest.raises(media.NotAnImage):
        media.store_photo(data, max_mb=10)


def test_upload_over_max_mb_is_refused_without_reading_it_all(media_app):
    big = encoded(noisy((800, 800)), "PNG")
    assert len(big) > 1024 * 1024
    stream = io.BytesIO(big)

    with pytest.raises(media.TooLarge) as refused:
        media.store_photo(FileStorage(stream, "big.png"), max_mb=1)

    assert "1 MB" in str(refused.value.message)
    assert stream.tell() == 1024 * 1024 + 1
    assert media.stored_names() == set()


@pytest.mark.parametrize("width,height", [(100_000, 100_000), (10_000, 9_000), (7_000, 6_000)])
def test_decompression_bomb_is_refused_before_decoding(media_app, width, height):
    # Beyond twice Pillow's limit (an error), beyond it (a warning), and beyond only ours (40 MP).
    bomb = png_declaring(width, height)
    assert len(bomb) < 200

    with pytest.raises(media.TooManyPixels):
        media.store_photo(bomb, max_mb=10)


def test_pixel_limit_is_configurable(make_app, tmp_path):
    app = make_app(LYSSNA_MEDIA_DIR=str(tmp_path / "media"), LYSSNA_PHOTO_MAX_PIXELS=10_000)
    with app.app_context(), pytest.raises(media.TooManyPixels):
        media.store_photo(encoded(Image.new("RGB", (200, 200)), "PNG"), max_mb=10)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_large_picture_is_scaled_to_the_longest_side(media_app, fmt):
    photo = media.store_photo(encoded(two_colour((4000, 3000)), fmt), max_mb=10)

    assert (photo.width, photo.height) == (1600, 1200)
    assert stored_image(photo.name).size == (1600, 1200)


def test_longest_side_is_configurable(make_app, tmp_path):
    app = make_app(LYSSNA_MEDIA_DIR=str(tmp_path / "media"), LYSSNA_PHOTO_MAX_SIDE=500)
    with app.app_context():
        photo = media.store_photo(encoded(two_colour((600, 1200)), "JPEG"), max_mb=10)
    assert (photo.width, photo.height) == (250, 500)


def test_stored_file_has_a_random_private_name_and_no_temporary_left(media_app):
    first = media.store_photo(phone_jpeg(), max_mb=10)
    second = media.store_photo(phone_jpeg(), max_mb=10)

    assert first.name != second.name
    assert media.is_valid_name(first.name)
    path = media.photo_path(first.name)
    assert path.stat().st_mode & 0o077 == 0
    assert sorted(p.name for p in path.parent.iterdir()) == sorted([first.name, second.name])
    assert first.size_bytes == path.stat().st_size


def test_media_folder_is_configurable_and_not_static(media_app, tmp_path):
    photo = media.store_photo(phone_jpeg(), max_mb=10)
    assert media.photo_path(photo.name).parent == (tmp_path / "media").resolve()
    assert "static" not in media.photo_path(photo.name).parts


@pytest.mark.parametrize(
    "name",
    [
        "../secret.jpg",
        "../../etc/passwd",
        "/etc/passwd",
        "0123456789abcdef0123456789abcdef.jpg/../x",
        "0123456789ABCDEF0123456789ABCDEF.jpg",
        "0123456789abcdef0123456789abcdef.jpg\n",
        "0123456789abcdef0123456789abcdef.jpg\x00.png",
        "0123456789abcdef0123456789abcdef.png",
        "0123456789abcdef0123456789abcdef.t320.jpg",
        "..%2f0123456789abcdef0123456789abcdef.jpg",
        "",
        None,
    ],
)
def test_names_with_path_tricks_are_refused(media_app, name):
    with pytest.raises(media.MediaNotFound):
        media.photo_path(name)
    with pytest.raises(media.MediaNotFound):
        media.open_photo(name)


def test_missing_file_is_not_found(media_app):
    with pytest.raises(media.MediaNotFound):
        media.photo_path("0" * 32 + ".jpg")


def test_symlink_out_of_the_media_folder_is_refused(media_app, tmp_path):
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(phone_jpeg())
    (media.media_dir() / ("a" * 32 + ".jpg")).symlink_to(secret)

    with pytest.raises(media.MediaNotFound):
        media.photo_path("a" * 32 + ".jpg")


def test_open_photo_reads_the_stored_file(media_app):
    photo = media.store_photo(phone_jpeg(), max_mb=10)
    with media.open_photo(photo.name) as file:
        assert file.read(3) == b"\xff\xd8\xff"


def test_thumbnail_is_made_once_and_cached_beside_the_photo(media_app):
    photo = media.store_photo(encoded(two_colour((3000, 2000)), "JPEG"), max_mb=10)

    thumbnail = media.thumbnail_path(photo.name)
    made = thumbnail.stat().st_mtime_ns

    assert thumbnail.parent == media.photo_path(photo.name).parent
    with Image.open(thumbnail) as image:
        assert image.width == 320 and abs(image.height - 213) <= 1
        assert len(image.getexif()) == 0
    assert media.thumbnail_path(photo.name).stat().st_mtime_ns == made
    assert media.stored_names() == {photo.name}, "thumbnails are not counted as photos"


def test_delete_files_removes_photos_and_thumbnails(media_app):
    kept = media.store_photo(phone_jpeg(), max_mb=10)
    gone = media.store_photo(phone_jpeg(), max_mb=10)
    media.thumbnail_path(gone.name)

    assert media.delete_files([gone.name, "../" + kept.name, "f" * 32 + ".jpg"]) == 1

    assert sorted(p.name for p in media.media_dir().iterdir()) == [kept.name]
