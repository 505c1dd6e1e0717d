"""Bytes a resident's phone sends for one photo: a 4000x3000 camera-like JPEG attached to the
station report, with JavaScript (resized in the browser) and without (sent as it is).

    .venv/bin/python -m benchmarks.photo_upload

Runs the app on 127.0.0.1 (ports 5151-5159, scratch database and media folder) and headless
Chromium at phone size; the byte counts are the request bodies the server received.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import ExifTags, Image, ImageDraw

from benchmarks.browser_walk import PHONE, chromium_available, launch
from benchmarks.server import Served, serve

PORTS = range(5151, 5160)


def camera_photo(width: int = 4000, height: int = 3000, orientation: int = 1, seed: int = 2041) -> bytes:
    """A JPEG like a phone camera's: sky and ground, a green container, sensor noise, quality 92, and
    the EXIF a phone writes (make, model, GPS position, orientation)."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    top, bottom = np.array([150, 190, 235], np.float32), np.array([110, 120, 80], np.float32)
    scene = Image.fromarray(np.broadcast_to(top + (bottom - top) * ramp, (height, width, 3)).astype(np.uint8))
    draw = ImageDraw.Draw(scene)
    draw.rectangle((width * 3 // 10, height // 3, width * 7 // 10, height * 9 // 10), fill=(40, 110, 60))
    draw.rectangle((0, 0, width // 10, height), fill=(200, 40, 40))  # a red post on the left edge
    blotches = Image.fromarray(rng.integers(0, 255, (height // 16, width // 16, 3), dtype=np.uint8))
    blotches = blotches.resize((width, height), Image.Resampling.BICUBIC)
    pixels = np.asarray(scene, np.int16) + (np.asarray(blotches, np.int16) - 128) // 4
    pixels += rng.integers(-12, 13, (height, width, 3), dtype=np.int16)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", (59.0, 19.0, 45.125)
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", (18.0, 4.0, 7.5)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif)
    return buffer.getvalue()


@dataclass
class BodySizes:
    """WSGI middleware recording the size of every POST body, by path."""

    wsgi_app: Callable
    posts: list[tuple[str, int]] = field(default_factory=list)

    def __call__(self, environ: dict, start_response: Callable):
        if environ.get("REQUEST_METHOD") == "POST":
            self.posts.append((environ.get("PATH_INFO", ""), int(environ.get("CONTENT_LENGTH") or 0)))
        return self.wsgi_app(environ, start_response)

    def last(self, path_part: str) -> int:
        """The body size of the last POST whose path contains `path_part`."""
        return next(size for path, size in reversed(self.posts) if path_part in path)


def measured_server(config: dict | None = None):
    """serve() on the photo ports with a scratch media folder; the app's POST bodies are recorded."""
    media = tempfile.TemporaryDirectory(prefix="lyssna-media-")
    served_context = serve({"LYSSNA_MEDIA_DIR": media.name, **(config or {})}, ports=PORTS)

    class Context:
        def __enter__(self) -> tuple[Served, BodySizes]:
            served = served_context.__enter__()
            sizes = BodySizes(served.app.wsgi_app)
            served.app.wsgi_app = sizes
            return served, sizes

        def __exit__(self, *exc) -> None:
            served_context.__exit__(*exc)
            media.cleanup()

    return Context()


def report_with_photo(page, base_url: str, photo: bytes, wait_for_resize: bool) -> None:
    """Open the station report, pick "full container", attach the photo and send the page."""
    page.goto(f"{base_url}/s/station-report?station=12&lang=en")
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").last.click()
    page.check("input[name=problem][value=full]")
    page.set_input_files(
        "input[name=photo]", files=[{"name": "IMG_2041.JPG", "mimeType": "image/jpeg", "buffer": photo}]
    )
    if wait_for_resize:
        page.locator("[data-photo-preview] img").wait_for(state="visible")
    with page.expect_navigation():
        page.locator("form.page-form button[name=nav][value=next]").click()


def main() -> None:
    """Print the bytes sent for the 4000x3000 photo with and without JavaScript."""
    if not chromium_available():
        raise SystemExit("Chromium not found (install Debian's chromium package).")
    from playwright.sync_api import sync_playwright

    photo = camera_photo()
    rows = [("original file", len(photo))]
    with measured_server() as (served, sizes), sync_playwright() as playwright:
        browser = launch(playwright)
        for label, javascript in (
            ("with JavaScript (resized in the browser)", True),
            ("without JavaScript", False),
        ):
            context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
            report_with_photo(context.new_page(), served.url, photo, wait_for_resize=javascript)
            rows.append((f"request body {label}", sizes.last("/p/")))
            context.close()
        browser.close()
    print("4000x3000 camera JPEG (quality 92, with EXIF and GPS), station report page:")
    for label, size in rows:
        print(f"  {label:<52} {size:>10,} bytes  ({size / 1024:,.0f} KB)")


if __name__ == "__main__":
    main()
