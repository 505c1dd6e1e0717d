"""Photos from residents: checked by decoding, cleaned of all metadata, re-encoded as JPEG, kept private.

A picture is accepted only if Pillow decodes it as JPEG, PNG or WebP within a pixel budget for its
format, checked from the header before Pillow or any decoder sees the file (see PIXEL_BUDGETS), so
that no upload, however small, costs a worker much more than a camera photo. A one-scan JPEG is
decoded at reduced scale; other pictures are decoded whole, so their budgets are smaller. It is
turned upright (EXIF orientation), flattened onto white, converted to sRGB, scaled so that its
longest side is at most LYSSNA_PHOTO_MAX_SIDE, and written as a brand-new JPEG: no EXIF, GPS,
maker notes, XMP, ICC profile or comment survives, because nothing of the original file is copied.

Files live in LYSSNA_MEDIA_DIR (default `<instance>/media`, never under static/) with random names,
`<32 hex>.jpg`; thumbnails are cached beside them as `<32 hex>.t<size>.jpg`.
"""

import io
import os
import re
import struct
import uuid
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps
from werkzeug.datastructures import FileStorage

from app.private_files import open_private, private_dir

MB = 1024 * 1024
JPEG_QUALITY = 82
THUMBNAIL_SIDE = 320
NAME = re.compile(r"[0-9a-f]{32}\.jpg")
THUMBNAIL = re.compile(r"([0-9a-f]{32})\.t(\d{2,4})\.jpg")
WHITE = (255, 255, 255)
# Pillow raises any of these for a file that is not a decodable image (truncated, corrupt,
# wrong format); all of them mean "this upload is not a picture we can use".
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error)

# How many pixels a picture may declare, by how it is decoded: what decoding costs a worker decides,
# so that the worst small file of each kind costs at most about three times a 12-megapixel camera
# JPEG (`python -m benchmarks.photo_upload --cost` measures it). Checked on the header, before decoding.
PIXEL_BUDGETS = {
    # Decoded at 1/2 to 1/8 scale in one pass, so even a 64-megapixel phone photo (9248x6936) costs
    # about what a 12-megapixel one does. Just under Pillow's own decompression-bomb limit.
    "JPEG, one scan": 89_000_000,
    # Progressive: libjpeg keeps every coefficient of the whole picture and passes over them once a
    # scan. Counted in pixels of 4:2:0 colour, as phones and most apps write: 3 bytes a pixel, so a
    # 12-megapixel photo (4032x3024) saved as progressive by an app fits; 4:4:4 pixels count double.
    "JPEG, several scans": 13_000_000,
    # Decoded whole, 4 to 9 bytes a pixel. The largest phone or tablet screenshot (2064x2752).
    "PNG": 6_000_000,
    # Decoded whole into four canvases (libwebp's two, its copy, Pillow's): 16 to 20 bytes a pixel.
    # A picture saved from a web page (2560x1440) or a phone's screenshot (1080x2400).
    "WEBP": 3_700_000,
}
JPEG_MAX_SCANS = 32  # libjpeg's progressive JPEGs have 10 (18 in CMYK), mozjpeg's about as many
JPEG_MAX_HEADER_MARKERS = 1000  # before the first scan; a phone's photo has a few dozen
JPEG_MAX_HEADER_SLACK = 4096  # stray and fill bytes between them, which Pillow reads one at a time
JPEG_MARKER = re.compile(rb"\xff([^\x00\xff])")  # FF 00 is a stuffed zero in scan data, FF FF a fill byte
JPEG_STANDALONE = {0x01, *range(0xD0, 0xD9)}  # TEM, RSTn, SOI: no length follows
JPEG_FRAMES = {*range(0xC0, 0xD0)} - {0xC4, 0xC8, 0xCC}  # SOFn (C4, C8 and CC are other markers)
JPEG_SEQUENTIAL = {0xC0, 0xC1, 0xC9}  # baseline and extended: what libjpeg can decode in one pass
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_MAX_CHUNKS = 4096  # Pillow reads them one by one; libpng's 8 KB ones make 32 MB, more than an upload
SMOOTHLY_SCALED = ("L", "RGB", "RGBA", "CMYK")  # modes Pillow scales as they are (with LANCZOS)


class PhotoError(ValueError):
    """An upload that cannot be accepted; `message` tells the resident why, in their language."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message


class NotAnImage(PhotoError):
    """The file is not a JPEG, PNG or WebP picture (whatever its name or type says)."""

    def __init__(self) -> None:
        super().__init__(
            _l("This file is not a picture we can use. Please choose a JPEG, PNG or WebP photo.")
        )


class TooLarge(PhotoError):
    """The file is bigger than the question's `max_mb`."""

    def __init__(self, max_mb: float) -> None:
        super().__init__(
            _l("The picture is larger than %(mb)s MB. Please choose a smaller one.", mb=f"{max_mb:g}")
        )


class TooManyPixels(PhotoError):
    """The picture declares more pixels than we decode (a decompression bomb, or an absurd size)."""

    def __init__(self) -> None:
        super().__init__(_l("The picture has too many pixels. Please choose a smaller one."))


class MediaNotFound(LookupError):
    """No stored file by that name (or the name is not one we could have made)."""


@dataclass(frozen=True)
class StoredPhoto:
    """A cleaned picture written to the media folder."""

    name: str
    size_bytes: int
    width: int
    height: int


@dataclass(frozen=True)
class Header:
    """What a picture file declares about itself, read from its bytes before any decoder sees them."""

    format: str  # as Pillow names it
    kind: str  # how it is decoded: its key in PIXEL_BUDGETS
    width: int
    height: int
    scans: int = 1  # each one is a pass over the whole picture
    weight: float = 1.0  # what a pixel costs, against the kind's usual one (see _jpeg_weight)

    def within_budget(self) -> bool:
        """True if the picture is no larger than its kind's budget (PIXEL_BUDGETS, JPEG_MAX_SCANS)."""
        pixels, scans = self.width * self.height * self.weight, self.scans
        return (
            min(self.width, self.height) >= 1
            and pixels <= PIXEL_BUDGETS[self.kind]
            and scans <= JPEG_MAX_SCANS
        )


# ----------------------------------------------------------------------------- headers


def read_header(data: bytes) -> Header:
    """The format and size a JPEG, PNG or WebP file declares; NotAnImage for anything else."""
    try:
        if data[:3] == b"\xff\xd8\xff":
            return _jpeg_header(data)
        if data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR":
            return _png_header(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return Header("WEBP", "WEBP", *_webp_canvas(data))
    except DECODE_ERRORS as error:
        raise NotAnImage() from error
    raise NotAnImage()


def _png_header(data: bytes) -> Header:
    """A PNG's size, from its first chunk, once its chunks are known to be few enough."""
    at = len(PNG_SIGNATURE)
    for _ in range(PNG_MAX_CHUNKS):
        length, kind = struct.unpack_from(">I4s", data, at) if at + 8 <= len(data) else (0, b"IEND")
        if kind == b"IEND":  # the end (or a truncated file, which Pillow refuses)
            return Header("PNG", "PNG", *struct.unpack_from(">II", data, 16))
        at += 12 + length  # length, type, data, CRC
    raise SyntaxError("more PNG chunks than a picture has")


def _webp_canvas(data: bytes) -> tuple[int, int]:
    """The canvas a WebP file declares in its first chunk (libwebp allocates it before decoding)."""
    chunk = data[12:16]
    if chunk == b"VP8X":  # extended: 24-bit width and height, minus one
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8L" and data[20] == 0x2F:  # lossless: 14-bit width and height, minus one
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":  # lossy: 14-bit width and height
        return struct.unpack_from("<H", data, 26)[0] & 0x3FFF, struct.unpack_from("<H", data, 28)[0] & 0x3FFF
    raise SyntaxError("no WebP image header")


def _jpeg_header(data: bytes) -> Header:
    """A JPEG's frame and first scan, found by walking its header segments as libjpeg and Pillow do."""
    at, slack, frame = 2, 0, None
    for _ in range(JPEG_MAX_HEADER_MARKERS):
        match = JPEG_MARKER.search(data, at)
        if match is None or match[1] == b"\xd9":
            break
        slack += match.start() - at
        marker, at = match[1][0], match.end()
        if slack > JPEG_MAX_HEADER_SLACK:
            break
        if marker in JPEG_STANDALONE:
            continue
        if marker in JPEG_FRAMES and frame is None:
            height, width, components = struct.unpack_from(">HHB", data, at + 3)
            frame = (marker, width, height, data[at + 9 : at + 8 + 3 * components : 3])  # sampling
        if marker == 0xDA and frame is not None:
            return _jpeg_scans(data, frame, first_scan=at - 2)
        at += struct.unpack_from(">H", data, at)[0]
    raise SyntaxError("no JPEG frame and scan within a photo's header")


def _jpeg_scans(data: bytes, frame: tuple[int, int, int, bytes], first_scan: int) -> Header:
    """One scan holding every component is decoded in one pass; anything else is buffered whole."""
    marker, width, height, sampling = frame
    if marker in JPEG_SEQUENTIAL and data[first_scan + 4] == len(sampling):
        # libjpeg reads no further scan after such a first one, however many the file has.
        return Header("JPEG", "JPEG, one scan", width, height)
    # Every scan libjpeg reads starts with FF DA, so counting them can only overestimate.
    scans = data.count(b"\xff\xda", first_scan)
    return Header("JPEG", "JPEG, several scans", width, height, scans, _jpeg_weight(sampling))


def _jpeg_weight(sampling: bytes) -> float:
    """Coefficients a pixel leaves in libjpeg's buffer, against 4:2:0 colour's 1.5 (4:4:4: 2, grey: 2/3)."""
    horizontal, vertical = [factor >> 4 for factor in sampling], [factor & 15 for factor in sampling]
    if not sampling or min(horizontal) < 1 or min(vertical) < 1:
        raise SyntaxError("no JPEG sampling factors")
    samples = sum(h * v for h, v in zip(horizontal, vertical, strict=True))
    return samples / (max(horizontal) * max(vertical)) / 1.5


# ----------------------------------------------------------------------------- cleaning


def read_upload(upload: FileStorage | bytes, max_mb: float) -> bytes:
    """The uploaded bytes, refused with TooLarge beyond `max_mb` (never reading more than that)."""
    limit = int(max_mb * MB)
    data = bytes(upload) if isinstance(upload, bytes | bytearray) else upload.stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(max_mb)
    if not data:
        raise NotAnImage()
    return data


def clean_image(data: bytes, max_side: int, max_pixels: int) -> Image.Image:
    """Decode `data` safely and return a fresh, upright RGB image with no metadata, at most `max_side`."""
    header = read_header(data)
    if not header.within_budget():
        raise TooManyPixels()
    # Closing (not just leaving `with`) frees the decoded pixels at once, refused or not.
    with closing(_open(data, header)) as image:
        if header.format == "JPEG":
            _draft(image, max_side)
        # `max_pixels` counts what is decoded, after a JPEG's reduction.
        if image.width * image.height > max_pixels:
            raise TooManyPixels()
        try:
            image.load()
        except DECODE_ERRORS as error:
            raise NotAnImage() from error
        return _flatten(image, max_side)


def _open(data: bytes, header: Header) -> Image.Image:
    """Pillow's reading of the file, which must agree with the header whose budget was checked."""
    try:
        image = Image.open(io.BytesIO(data), formats=(header.format,))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own global limit (the warning arrives as an exception where warnings are errors).
        raise TooManyPixels() from error
    except DECODE_ERRORS as error:
        raise NotAnImage() from error
    if image.size != (header.width, header.height):
        image.close()
        raise NotAnImage()
    return image


def _draft(image: Image.Image, max_side: int) -> None:
    """Have libjpeg decode at 1/2, 1/4 or 1/8 scale: a 48-megapixel photo then costs about what a 12 does."""
    width, height = image.size
    longest = max(width, height)
    if longest > max_side:
        image.draft(None, (max(1, width * max_side // longest), max(1, height * max_side // longest)))


def _flatten(image: Image.Image, max_side: int) -> Image.Image:
    """The decoded picture scaled, turned upright, in sRGB and flattened onto white, as a new image."""
    icc_profile = image.info.get("icc_profile")
    if image.mode not in SMOOTHLY_SCALED or "transparency" in image.info:
        image = _rgb(image)  # palette, 1-bit, 16-bit, grey with alpha, colour keys: before scaling
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    image = _rgb(image)  # grey and CMYK once they are small
    try:
        ImageOps.exif_transpose(image, in_place=True)  # after scaling: turning a small picture is cheap
    except DECODE_ERRORS as error:
        raise NotAnImage() from error
    image = _to_srgb(image, icc_profile)
    # A new image, so that nothing of the original (EXIF, XMP, ICC, comments) can travel along.
    clean = Image.new("RGB", image.size, WHITE)
    clean.paste(image, mask=image.getchannel("A") if image.mode == "RGBA" else None)
    return clean


def _rgb(image: Image.Image) -> Image.Image:
    """The picture as RGB, or RGBA if it has transparency: the picture itself when it already is one."""
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    mode = "RGBA" if has_alpha else "RGB"
    if image.mode == mode:
        return image  # no copy
    converted = image.convert(mode)
    image.close()  # the original's pixels are not needed any more
    return converted


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert colours to sRGB when the file carried another profile (phones often use Display P3)."""
    if not icc_profile:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # an unusable profile: keep the colours as they are rather than refuse the photo
    return converted if converted is not None else image


def encode_jpeg(image: Image.Image, quality: int = JPEG_QUALITY) -> bytes:
    """The picture as an optimized JPEG with no metadata segments at all."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- storage


def media_dir() -> Path:
    """The folder photos are kept in (created on first use, readable by this user only)."""
    return private_dir(Path(current_app.config["LYSSNA_MEDIA_DIR"]))


def store_photo(upload: FileStorage | bytes, max_mb: float) -> StoredPhoto:
    """Check, clean and store an uploaded picture under a random name; raises a PhotoError if refused."""
    config = current_app.config
    data = read_upload(upload, max_mb)
    image = clean_image(data, config["LYSSNA_PHOTO_MAX_SIDE"], config["LYSSNA_PHOTO_MAX_PIXELS"])
    encoded = encode_jpeg(image)
    name = f"{uuid.uuid4().hex}.jpg"
    _write_atomically(media_dir() / name, encoded)
    return StoredPhoto(name=name, size_bytes=len(encoded), width=image.width, height=image.height)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary name in the same folder, then rename: readers never see half a file."""
    temporary = path.with_name(f".{uuid.uuid4().hex}.tmp")
    try:
        with open_private(temporary) as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def is_valid_name(name: object) -> bool:
    """True for a name this module could have made (`<32 hex>.jpg`), nothing else."""
    return isinstance(name, str) and NAME.fullmatch(name) is not None


def photo_path(name: str) -> Path:
    """The path of a stored photo; MediaNotFound for a missing file or any name we did not make."""
    if not is_valid_name(name):
        raise MediaNotFound(name)
    folder = media_dir().resolve()
    path = (folder / name).resolve()
    if path.parent != folder or not path.is_file():
        raise MediaNotFound(name)
    return path


def open_photo(name: str) -> BinaryIO:
    """Open a stored photo for reading by name (validated strictly, see photo_path)."""
    return photo_path(name).open("rb")


def thumbnail_path(name: str, side: int = THUMBNAIL_SIDE) -> Path:
    """A small JPEG of a stored photo (longest side `side`), made once and cached beside it."""
    source = photo_path(name)
    if not 16 <= side <= 1600:
        raise ValueError("thumbnail side must be between 16 and 1600 pixels")
    target = source.with_name(f"{name[:-4]}.t{side}.jpg")
    if target.is_file():
        return target
    with Image.open(source, formats=("JPEG",)) as image:
        image.draft("RGB", (side, side))
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
        small = Image.new("RGB", image.size, WHITE)
        small.paste(image)
    _write_atomically(target, encode_jpeg(small, quality=75))
    return target


def delete_files(names: list[str] | set[str] | tuple[str, ...]) -> int:
    """Delete stored photos and their thumbnails; returns how many photos were removed."""
    folder = media_dir()
    removed = 0
    for name in names:
        if not is_valid_name(name):
            continue
        for thumbnail in folder.glob(f"{name[:-4]}.t*.jpg"):
            if THUMBNAIL.fullmatch(thumbnail.name):
                thumbnail.unlink(missing_ok=True)
        path = folder / name
        if path.is_file():
            path.unlink()
            removed += 1
    return removed


def stored_names(older_than: timedelta | None = None) -> set[str]:
    """Names of the photos in the media folder (optionally only those older than `older_than`)."""
    cutoff = None if older_than is None else datetime.now(UTC) - older_than
    names = set()
    for path in media_dir().iterdir():
        if not is_valid_name(path.name):
            continue
        if cutoff is not None and datetime.fromtimestamp(path.stat().st_mtime, UTC) > cutoff:
            continue
        names.add(path.name)
    return names
