"""Static files: URLs versioned by content hash, cached for a year, and compressed once, at the best level.

Templates link static files with `static_url("lyssna.css")`, which adds `?v=<hash of the content>`.
A request carrying the current hash may be cached by browsers for a year without asking again;
when the file changes, its hash and so its URL change, and browsers fetch the new file at once.

Pages are compressed by Flask-Compress on every response, at a fast level (config.py). A static
file is the same bytes for everyone, so it is compressed here once per file and encoding, at the
highest level, and kept; Flask-Compress leaves a response that is encoded already alone.
"""

import gzip
import hashlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import brotli
from flask import Flask, Response, current_app, request

from app.urls import url_for

ONE_YEAR = 365 * 24 * 60 * 60
HASH_LENGTH = 12
BUFFER_LIMIT = 512 * 1024
HASHES_KEY = "lyssna.static_hashes"
COMPRESSED_KEY = "lyssna.static_compressed"
T = TypeVar("T")
# Static files compressed at the highest levels: brotli for browsers that take it, else gzip.
STATIC_ENCODINGS = {
    "br": lambda data: brotli.compress(data, quality=11, mode=brotli.MODE_TEXT),
    "gzip": lambda data: gzip.compress(data, compresslevel=9, mtime=0),
}
COMPRESSIBLE = frozenset({"text/css", "text/javascript", "application/javascript", "image/svg+xml"})


def static_url(filename: str) -> str:
    """The URL of a static file with its content hash, e.g. /static/lyssna.css?v=3f2a9c01d4e5.

    Outside debug mode the hash is worked out once per file, and the URL is kept by app.urls.
    """
    version = content_hash(filename)
    if version is None:
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, v=version)


def content_hash(filename: str) -> str | None:
    """A short hash of a static file's content, or None when there is no such file.

    Outside debug mode the static files only change with a new release (and a restart), so each
    file's hash is worked out once per app; in debug mode an edited file gets a new hash at once.
    """
    if current_app.debug:
        return _current_hash(filename)
    return _kept(HASHES_KEY, filename, lambda: _current_hash(filename))


def _current_hash(filename: str) -> str | None:
    folder = current_app.static_folder
    if folder is None:
        return None
    path = (Path(folder) / filename).resolve()
    if not path.is_relative_to(Path(folder).resolve()) or not path.is_file():
        return None
    stat = path.stat()
    # Keyed on size and modification time so that an edited file gets a new hash without a restart.
    return _hash_file(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _hash_file(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]


def prepare_static(response: Response) -> Response:
    """Read small static files into memory and let browsers keep them a year when asked by current hash."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    if response.direct_passthrough and (response.content_length or 0) <= BUFFER_LIMIT:
        # Flask-Compress would stream a file (no gzip, and the open file is left to the garbage
        # collector); our static files are a few kilobytes, so compress them whole instead.
        response.direct_passthrough = False
        response.make_sequence()
    version = request.args.get("v")
    filename = (request.view_args or {}).get("filename")
    # An old hash gets the ordinary revalidating headers: the file behind it has changed.
    if version and filename and version == content_hash(filename):
        response.cache_control.public = True
        response.cache_control.max_age = ONE_YEAR
        response.cache_control.immutable = True
        response.cache_control.no_cache = None
    if filename and response.status_code == 200 and not response.direct_passthrough:
        _encode(response, filename)
    return response


def _encode(response: Response, filename: str) -> None:
    """Send a static text file compressed as the browser accepts, compressed only the first time."""
    response.vary.add("Accept-Encoding")
    encoding = request.accept_encodings.best_match(list(STATIC_ENCODINGS))
    if encoding is None or response.mimetype not in COMPRESSIBLE or "Content-Encoding" in response.headers:
        return
    key = (filename, content_hash(filename), encoding)
    response.set_data(_kept(COMPRESSED_KEY, key, lambda: STATIC_ENCODINGS[encoding](response.get_data())))
    response.headers["Content-Encoding"] = encoding
    etag, weak = response.get_etag()
    if etag and not weak:  # another encoding is another representation
        response.set_etag(f"{etag}:{encoding}")
    response.make_conditional(request)


def _kept(store: str, key, build: Callable[[], T]) -> T:
    """What `build` makes for `key`, made once per app and kept in one of its stores."""
    known = current_app.extensions.setdefault(store, {})
    if key not in known:
        known[key] = build()
    return known[key]


def init_app(app: Flask) -> None:
    """Offer `static_url` to templates; prepare static responses (before Flask-Compress sees them)."""
    app.add_template_global(static_url)
    app.after_request(prepare_static)
