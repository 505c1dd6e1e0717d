"""Photos from residents: checked by decoding, cleaned of all metadata, re-encoded as JPEG, kept private.

A picture is accepted only if Pillow decodes it as JPEG, PNG or WebP within a pixel limit (checked
from the header, before anything is decoded, so a decompression bomb is refused cheaply). It is
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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps
from werkzeug.datastructures import FileStorage

MB = 1024 * 1024
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 82
THUMBNAIL_SIDE = 320
NAME = re.compile(r"[0-9a-f]{32}\.jpg")
THUMBNAIL = re.compile(r"([0-9a-f]{32})\.t(\d{2,4})\.jpg")
WHITE = (255, 255, 255)
# Pillow raises any of these for a file that is not a decodable image (truncated, corrupt,
# wrong format); all of them mean "this upload is not a picture we can use".
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error)


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
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own global limit fired while reading the header (the warning arrives as an
        # exception where warnings are errors, as in the tests; elsewhere our check below refuses).
        raise TooManyPixels() from error
    except DECODE_ERRORS as error:
        raise NotAnImage() from error
    with image:
        if image.format == "JPEG":
            # JPEG can be decoded at 1/2, 1/4 or 1/8 scale: a 50-megapixel phone photo then
            # never occupies more memory than the small picture we keep.
            width, height = image.size
            longest = max(width, height)
            if longest > max_side:
                image.draft(None, (max(1, width * max_side // longest), max(1, height * max_side // longest)))
        if image.width * image.height > max_pixels or min(image.size) < 1:
            raise TooManyPixels()
        icc_profile = image.info.get("icc_profile")
        try:
            ImageOps.exif_transpose(image, in_place=True)  # loads (decodes) the image
        except Image.DecompressionBombError as error:
            raise TooManyPixels() from error
        except DECODE_ERRORS as error:
            raise NotAnImage() from error
        return _flatten(image, max_side, icc_profile)


def _flatten(image: Image.Image, max_side: int, icc_profile: bytes | None) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    working = image.convert("RGBA" if has_alpha else "RGB")
    working.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    working = _to_srgb(working, icc_profile)
    # A new image, so that nothing of the original (EXIF, XMP, ICC, comments) can travel along.
    clean = Image.new("RGB", working.size, WHITE)
    clean.paste(working, mask=working.getchannel("A") if working.mode == "RGBA" else None)
    return clean


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
    folder = Path(current_app.config["LYSSNA_MEDIA_DIR"])
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def store_photo(upload: FileStorage | bytes, max_mb: float) -> StoredPhoto:
    """Check, clean and store an uploaded picture under a random name; raises a PhotoError if refused."""
    config = current_app.config
    data = read_upload(upload, max_mb)
    # The pixel limit counts what is decoded after JPEG's reduced-scale decoding (see clean_image).
    image = clean_image(data, config["LYSSNA_PHOTO_MAX_SIDE"], config["LYSSNA_PHOTO_MAX_PIXELS"])
    encoded = encode_jpeg(image)
    name = f"{uuid.uuid4().hex}.jpg"
    _write_atomically(media_dir() / name, encoded)
    return StoredPhoto(name=name, size_bytes=len(encoded), width=image.width, height=image.height)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary name in the same folder, then rename: readers never see half a file."""
    temporary = path.with_name(f".{uuid.uuid4().hex}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
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
