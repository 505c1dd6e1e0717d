"""Bytes a resident's phone sends for one photo: a 4000x3000 camera-like JPEG attached to the
station report, with JavaScript (resized in the browser) and without (sent as it is); and what the
server spends on the worst small file of each kind of picture it accepts, next to that camera JPEG.

    .venv/bin/python -m benchmarks.photo_upload            # both parts
    .venv/bin/python -m benchmarks.photo_upload --bytes    # only the bytes sent (needs Chromium)
    .venv/bin/python -m benchmarks.photo_upload --cost     # only the server's cost

The bytes part runs the app on 127.0.0.1 (ports 5151-5159, scratch database and media folder) and
headless Chromium at phone size; the byte counts are the request bodies the server received.

The cost part runs app.media.clean_image (decoding, scaling, cleaning) on each file in a fresh
process, after a small picture of every format so that imports do not count: the CPU time, and the
peak of the process's resident memory above what it held before (Linux: VmHWM, reset through
/proc/self/clear_refs). It exits 1 if any file costs more than three times the camera JPEG in
either; a refused file counts as cheap, but its cost is measured all the same.
"""

from __future__ import annotations

import argparse
import gc
import io
import math
import multiprocessing
import struct
import tempfile
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image, ImageDraw

from app import media
from app.config import from_environment
from benchmarks.browser_walk import PHONE, chromium_available, launch
from benchmarks.server import Served, serve

PORTS = range(5151, 5160)
MOST_TIMES_THE_CAMERA_JPEG = 3


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


def print_bytes_sent() -> None:
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


# ----------------------------------------------------------------------------- server cost


@dataclass(frozen=True)
class Cost:
    """What cleaning one file cost a fresh process."""

    cpu_seconds: float
    peak_mb: float
    outcome: str  # "kept 1600x1200", or the refusal (TooManyPixels, NotAnImage)

    @property
    def refused(self) -> bool:
        """True if the file was refused rather than kept."""
        return not self.outcome.startswith("kept")


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    """The picture saved in `fmt`."""
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_of_zeros(side: int, colour_type: int = 6, depth: int = 16) -> bytes:
    """A square PNG of one colour written by hand (Pillow writes no 16-bit RGBA): tens of KB."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    rows = (b"\0" * (1 + side * channels * depth // 8)) * side
    header = struct.pack(">IIBBBBB", side, side, depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def jpeg_declaring(side: int) -> bytes:
    """A tiny baseline JPEG whose frame header claims `side` x `side` pixels."""
    data = bytearray(encoded(Image.new("RGB", (16, 16)), "JPEG"))
    frame = data.index(b"\xff\xc0")
    data[frame + 5 : frame + 9] = struct.pack(">HH", side, side)
    return bytes(data)


def budget_side(kind: str, weight: float = 1.0) -> int:
    """The side of the largest square picture a kind's budget lets through (app.media.PIXEL_BUDGETS)."""
    return math.isqrt(int(media.PIXEL_BUDGETS[kind] / weight))


def progressive(side: int, scans: int, **options) -> bytes:
    """A progressive JPEG of one colour with `scans` scans, its last one repeated to make up the number."""
    jpeg = encoded(Image.new("RGB", (side, side)), "JPEG", quality=10, progressive=True, **options)
    last = jpeg.rindex(b"\xff\xda")
    return jpeg[:-2] + jpeg[last:-2] * (scans - jpeg.count(b"\xff\xda")) + b"\xff\xd9"


def worst_files() -> list[tuple[str, bytes]]:
    """Small files of huge pictures, by kind of decoding: the costliest each budget lets in, and beyond."""
    png, webp = budget_side("PNG"), budget_side("WEBP")
    full_colour, scans = budget_side("JPEG, several scans", weight=2), media.JPEG_MAX_SCANS
    return [
        # Pillow has libjpeg halve a picture only if that leaves at least 1600 pixels a side, so a
        # JPEG just under 3200 (or 6400) a side is decoded at its largest: the costliest of its kind.
        ("JPEG one scan 6399x6399 (at 1/2)", encoded(Image.new("RGB", (6399, 6399)), "JPEG", quality=10)),
        ("JPEG one scan declaring 13000x13000", jpeg_declaring(13_000)),
        (f"JPEG progressive 3199x3199 {scans} scans", progressive(3199, scans)),
        (
            f"JPEG progr. 4:4:4 {full_colour}x{full_colour} {scans} scans",
            progressive(full_colour, scans, subsampling=0),
        ),
        ("JPEG progressive 6300x6300", progressive(6300, 10)),
        ("JPEG progressive 6300x6300 1000 scans", progressive(6300, 1000)),
        (f"PNG {png}x{png} RGBA 16-bit", png_of_zeros(png)),
        ("PNG 6300x6300 1-bit", encoded(Image.new("1", (6300, 6300)), "PNG")),
        (
            f"WebP lossless {webp}x{webp} RGBA",
            encoded(Image.new("RGBA", (webp, webp)), "WEBP", lossless=True),
        ),
        (
            "WebP lossless 6300x6300 (the review's)",
            encoded(Image.new("RGB", (6300, 6300)), "WEBP", lossless=True),
        ),
        ("WebP lossy 6300x6300", encoded(Image.new("RGB", (6300, 6300)), "WEBP", quality=10)),
    ]


def _memory_kb(name: str) -> int:
    """A line of /proc/self/status in kilobytes (VmRSS: now; VmHWM: the peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {name} in /proc/self/status (the cost part needs Linux)")


def measure_clean(data: bytes) -> Cost:
    """Run app.media.clean_image on `data` with the app's settings (meant for a fresh process)."""
    settings = from_environment(tempfile.gettempdir())
    side, pixels = settings["LYSSNA_PHOTO_MAX_SIDE"], settings["LYSSNA_PHOTO_MAX_PIXELS"]
    for fmt in ("JPEG", "PNG", "WEBP"):  # imports and first-use set-up are not what is measured
        media.clean_image(encoded(Image.new("RGB", (64, 48)), fmt), side, pixels)
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM starts again from VmRSS
    before, started = _memory_kb("VmRSS"), time.process_time()
    try:
        image = media.clean_image(data, side, pixels)
        outcome = f"kept {image.width}x{image.height}"
    except media.PhotoError as refused:
        outcome = type(refused).__name__
    cpu_seconds = time.process_time() - started
    return Cost(cpu_seconds, (_memory_kb("VmHWM") - before) / 1024, outcome)


def cost_in_fresh_process(data: bytes) -> Cost:
    """measure_clean in a process of its own, so that no file inherits another's memory."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn, max_tasks_per_child=1) as pool:
        return pool.submit(measure_clean, data).result()


def times(cost: Cost, yardstick: Cost) -> float:
    """How many times the yardstick's cost, in CPU or memory, whichever is more."""
    return max(cost.cpu_seconds / yardstick.cpu_seconds, cost.peak_mb / yardstick.peak_mb)


def cheap(cost: Cost, yardstick: Cost) -> bool:
    """Refused, or at most MOST_TIMES_THE_CAMERA_JPEG times the camera JPEG's cost."""
    return cost.refused or times(cost, yardstick) <= MOST_TIMES_THE_CAMERA_JPEG


def print_costs() -> bool:
    """Print what each worst file costs next to the camera JPEG; True if every one is cheap."""
    camera = camera_photo()
    yardstick = cost_in_fresh_process(camera)
    rows = [(label, len(data), cost_in_fresh_process(data)) for label, data in worst_files()]
    print("Cleaning one upload (app.media.clean_image, each in a fresh process) against a camera JPEG:")
    print(f"  {'file':<40} {'bytes':>9} {'CPU s':>6} {'peak MB':>7}  {'outcome':<15} {'times':>5}  <= 3x")
    for label, size, cost in [("camera JPEG 4000x3000 (the yardstick)", len(camera), yardstick), *rows]:
        ok = "yes" if cheap(cost, yardstick) else "NO"
        print(
            f"  {label:<40} {size:>9,} {cost.cpu_seconds:6.3f} {cost.peak_mb:7.1f}  {cost.outcome:<15} "
            f"{times(cost, yardstick):5.1f}  {ok}{' (refused)' if cost.refused else ''}"
        )
    return all(cheap(cost, yardstick) for _, _, cost in rows)


def main() -> int:
    """Both parts unless one is asked for; exit status 1 if an upload costs too much."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bytes", action="store_true", help="only the bytes a phone sends (Chromium)")
    parser.add_argument("--cost", action="store_true", help="only what the server spends on each file")
    args = parser.parse_args()
    cheap = True
    if args.cost or not args.bytes:
        cheap = print_costs()
    if args.bytes or not args.cost:
        print_bytes_sent()
    return 0 if cheap else 1


if __name__ == "__main__":
    raise SystemExit(main())
