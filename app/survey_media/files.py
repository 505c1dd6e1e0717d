"""What a picture or recording of a survey must be: a file inside the media folder, of the type its name
says (checked on its content), small enough for a phone on a slow connection, and for an SVG, which is
served from our own origin, nothing that runs or reaches beyond the file.

`flask surveys validate` reports each file that is not (`check`); pages and the media URL serve only
files that are (`inspect`), so a file that went missing or bad after publishing is left out, not broken.
"""

from __future__ import annotations

import hashlib
import re
import warnings
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, UnidentifiedImageError

from app.surveys.models import AUDIO_EXTENSIONS, IMAGE_EXTENSIONS, media_path_problem

if TYPE_CHECKING:
    from app.surveys.models import Survey

KB = 1024
# The most bytes of each kind: a page of six pictograms and a recording stays light on a prepaid phone.
MAX_BYTES = {"picture": 300 * KB, "recording": 1024 * KB}
LIMIT_WORDS = {"picture": "300 KB", "recording": "1 MB (1024 KB)"}
MAX_SIDE = 4096  # pixels; a bitmap larger than this costs a phone more to decode than it shows
HASH_LENGTH = 12
CONTENT_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",  # Opus is sent in an Ogg file
    "wav": "audio/wav",
}
FORMAT_NAMES = {
    "svg": "an SVG",
    "png": "a PNG",
    "jpg": "a JPEG",
    "jpeg": "a JPEG",
    "webp": "a WebP",
    "mp3": "an MP3",
    "m4a": "an M4A (MPEG-4 audio)",
    "aac": "an AAC",
    "ogg": "an Ogg",
    "opus": "an Opus (Ogg)",
    "wav": "a WAV",
}
PILLOW_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP"}
SVG = "{http://www.w3.org/2000/svg}svg"
# A reference inside an SVG that stays inside it: "#part". Anything else fetches, or runs, something.
LOCAL_REFERENCE = re.compile(r"\s*#[\w.:-]*\s*")
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.I)


@dataclass(frozen=True)
class MediaFile:
    """A checked picture or recording: where it is, its type and content hash, a picture's size."""

    path: Path
    content_type: str
    version: str
    width: int | None = None
    height: int | None = None


class MediaProblem(ValueError):
    """A file that cannot be shown or played; the message says why, naming the file."""


def folder(surveys_dir: Path) -> Path:
    """The media folder of a surveys folder."""
    return Path(surveys_dir).resolve() / "media"


def references(survey: Survey) -> Iterator[tuple[tuple, str]]:
    """Every file a survey names, with the path of the key that names it (for located problems)."""
    for name, choices in survey.choice_lists.items():
        for c, choice in enumerate(choices):
            if choice.image:
                yield ("choice_lists", name, c, "image", "file"), choice.image.file
    for p, page in enumerate(survey.pages):
        for q, question in enumerate(page.questions):
            path = ("pages", p, "questions", q)
            if question.image:
                yield (*path, "image", "file"), question.image.file
            for lang, name in (question.audio or {}).items():
                yield (*path, "audio", lang), name
            choices = getattr(question, "choices", None)
            for c, choice in enumerate(choices if isinstance(choices, list) else []):
                if choice.image:
                    yield (*path, "choices", c, "image", "file"), choice.image.file


def check(survey: Survey, media: Path) -> list[tuple[tuple, str]]:
    """Every file the survey names that is missing or not fit to serve, as (path, message) pairs."""
    found = []
    for path, name in references(survey):
        try:
            inspect(media, name)
        except MediaProblem as problem:
            found.append((path, str(problem)))
    return found


def inspect(media: Path, name: str) -> MediaFile:
    """The file `name` of the media folder, checked; MediaProblem when it is missing or not fit to serve.

    A file is read and checked once for each size and modification time it has, so an edited file is
    checked (and hashed) again without a restart.
    """
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = "recording" if extension in AUDIO_EXTENSIONS else "picture"
    problem = media_path_problem(name, IMAGE_EXTENSIONS + AUDIO_EXTENSIONS, kind)
    if problem:
        raise MediaProblem(problem)
    path = media / name
    try:
        stat = path.stat()
        inside = path.resolve().is_relative_to(media.resolve())
    except (OSError, ValueError):  # ValueError: a NUL byte in the name
        stat, inside = None, False
    if stat is None or not path.is_file() or not inside:
        raise MediaProblem(f"{name!r} is not in the media folder ({_shown(media)})")
    if stat.st_size > MAX_BYTES[kind]:
        size = -(-stat.st_size // KB)
        raise MediaProblem(f"{name!r} is {size} KB; a {kind} may be at most {LIMIT_WORDS[kind]}")
    checked = _checked(path, name, extension, stat.st_mtime_ns, stat.st_size)
    if isinstance(checked, str):
        raise MediaProblem(checked)
    return checked


def _shown(media: Path) -> str:
    """The media folder as a person at the terminal knows it: relative to where they are, if inside."""
    try:
        return f"{media.relative_to(Path.cwd())}/"
    except ValueError:
        return f"{media}/"


@lru_cache(maxsize=512)
def _checked(path: Path, name: str, extension: str, mtime_ns: int, size: int) -> MediaFile | str:
    """The checked file, or what is wrong with it (kept for this size and time, as the file is)."""
    data = path.read_bytes()
    width = height = None
    try:
        if extension == "svg":
            width, height = _svg_size(data)
        elif extension in PILLOW_FORMATS:
            width, height = _bitmap_size(path, extension)
        elif not _sounds_like(data, extension):
            raise MediaProblem("")
    except MediaProblem as problem:
        what = "picture" if extension in IMAGE_EXTENSIONS else "recording"
        return f"{name!r} {problem}" if str(problem) else f"{name!r} is not {FORMAT_NAMES[extension]} {what}"
    version = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    return MediaFile(path, CONTENT_TYPES[extension], version, width, height)


def _bitmap_size(path: Path, extension: str) -> tuple[int, int]:
    """A PNG, JPEG or WebP picture's size, read from its header by Pillow (which checks the format)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[PILLOW_FORMATS[extension]]) as image:
                width, height = image.size
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError, OSError):
        raise MediaProblem("") from None
    if max(width, height) > MAX_SIDE:
        raise MediaProblem(f"is {width}x{height} pixels; a picture may be at most {MAX_SIDE} pixels a side")
    return width, height


def _sounds_like(data: bytes, extension: str) -> bool:
    """Whether a recording's first bytes are those of the format its name says."""
    head = data[:12]
    if extension == "mp3":  # an ID3 tag, or an MPEG audio frame
        return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    if extension == "aac":  # an ADIF header, or an ADTS frame
        return head[:4] == b"ADIF" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0)
    if extension == "m4a":
        return head[4:8] == b"ftyp"
    if extension in ("ogg", "opus"):
        return head[:4] == b"OggS"
    return head[:4] == b"RIFF" and head[8:12] == b"WAVE"  # wav


def _svg_size(data: bytes) -> tuple[int | None, int | None]:
    """An SVG's size in CSS pixels (None when it gives none), after refusing anything in it that runs,
    holds HTML or fetches another file: it is served from our own origin."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MediaProblem("is not an SVG picture (not UTF-8 text)") from None
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.I):
        raise MediaProblem("has a DOCTYPE or ENTITY declaration; save it as plain SVG without one")
    try:
        root = ElementTree.fromstring(text)  # noqa: S314  (no DOCTYPE, so no entities to expand)
    except ElementTree.ParseError as exc:
        raise MediaProblem(f"is not a well-formed SVG file ({exc})") from None
    if root.tag not in (SVG, "svg"):
        raise MediaProblem("is not an SVG picture (it does not start with <svg>)")
    for element in root.iter():
        _refuse_active(element)
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if (width is None or height is None) and len(box) == 4:  # the drawing's own units, for its shape
        width, height = _length(box[2]), _length(box[3])
    return width, height


def _refuse_active(element: ElementTree.Element) -> None:
    """MediaProblem for a script, embedded HTML, an event attribute or a reference beyond the file."""
    tag = str(element.tag).rsplit("}", 1)[-1]
    if tag == "script":
        raise MediaProblem("has a script (<script>); an SVG may hold no scripts")
    if tag == "foreignObject":
        raise MediaProblem("holds HTML (<foreignObject>); an SVG may hold drawing only")
    styles = [element.text or ""] if tag == "style" else []
    for attribute, value in element.attrib.items():
        key = attribute.rsplit("}", 1)[-1]
        if key.lower().startswith("on"):
            raise MediaProblem(f"has an event attribute ({key}); an SVG may hold no scripts")
        if key in ("href", "src") and not LOCAL_REFERENCE.fullmatch(value):
            raise MediaProblem(f"refers to {value}; an SVG may refer to its own parts (#id) only")
        styles.append(value)
    for style in styles:
        if "@import" in style.lower():
            raise MediaProblem("imports a style sheet (@import); an SVG may refer to its own parts only")
        for target in CSS_URL.findall(style):
            if not LOCAL_REFERENCE.fullmatch(target):
                raise MediaProblem(f"refers to {target}; an SVG may refer to its own parts (#id) only")


def _length(value: str | None) -> int | None:
    """A width or height attribute in pixels ("64", "64px"); None for none, or a relative one ("100%")."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(px)?\s*", value or "")
    return round(float(found.group(1))) if found else None
