"""Page weight: serve the app, load every page of every example survey as a browser with an empty
cache would (the document, then every stylesheet, script, image and icon it links), and print per
page the requests and the bytes transferred (headers and compressed bodies), against issue 3's
targets: under 20 KB and fewer than 6 requests. The POST of the previous page and its redirect are
shown beside, not counted in the targets. Exits 1 when a page misses a target.

    .venv/bin/python benchmarks/page_weight.py [--languages sv,ar] [--survey waste-sorting]
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import re
import sys
import zlib
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import brotli

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.surveys.catalog import current_registry  # noqa: E402
from app.surveys.models import Survey  # noqa: E402
from benchmarks.server import serve  # noqa: E402
from benchmarks.walk import HIDDEN, answer_form, page_label, planned_answers, read_page  # noqa: E402

MAX_BYTES = 20 * 1024
MAX_REQUESTS = 6  # fewer than this
ACCEPT_ENCODING = "gzip, br"
EXTRA_PAGES = ["/", "/accessibility", "/privacy"]


@dataclass
class Fetch:
    """One request as it went over the wire."""

    method: str
    url: str
    status: int
    header_bytes: int
    body_bytes: int
    encoding: str
    location: str | None
    body: bytes  # decompressed
    cache_control: str = ""

    @property
    def bytes(self) -> int:
        return self.header_bytes + self.body_bytes


@dataclass
class PageLoad:
    """A page as a browser without a cache gets it: the document and everything it links (what
    the targets are about), after the requests that led to it (a form's POST, redirects)."""

    label: str
    url: str
    html: str
    navigation: list[Fetch] = field(default_factory=list)  # ... then the document, last
    resources: list[Fetch] = field(default_factory=list)

    @property
    def before(self) -> list[Fetch]:
        """The requests before the document: the form submission and redirects that led here."""
        return self.navigation[:-1]

    @property
    def page(self) -> list[Fetch]:
        """The document and its stylesheets, scripts, images and icon."""
        return self.navigation[-1:] + self.resources

    @property
    def requests(self) -> int:
        return len(self.page)

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.page)

    @property
    def warm(self) -> list[Fetch]:
        """The page's requests left when the browser already holds the files it may keep (max-age)."""
        return [f for f in self.page if not re.search(r"max-age=[1-9]", f.cache_control)]

    @property
    def passed(self) -> bool:
        return self.bytes < MAX_BYTES and self.requests < MAX_REQUESTS


def _decompress(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.decompress(data)
    if encoding == "gzip":
        return gzip.decompress(data)
    if encoding == "deflate":
        return zlib.decompress(data)
    return data


class Browser:
    """A minimal browser: keeps cookies, never caches, asks for gzip or brotli."""

    def __init__(self, base_url: str, language: str) -> None:
        parts = urlsplit(base_url)
        self.base = base_url
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.language = language
        self.cookies: dict[str, str] = {}

    def fetch(self, method: str, url: str, data: list[tuple[str, str]] | None = None) -> Fetch:
        """One request; the transferred size counts the status line, headers and compressed body."""
        target = urlsplit(urljoin(self.base, url))
        path = target.path + (f"?{target.query}" if target.query else "")
        headers = {"Accept-Encoding": ACCEPT_ENCODING, "Accept-Language": self.language}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            header_lines = [f"HTTP/1.1 {response.status} {response.reason}"]
            header_lines += [f"{k}: {v}" for k, v in response.getheaders()]
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
        finally:
            conn.close()
        encoding = response.headers.get("Content-Encoding", "")
        return Fetch(
            method=method,
            url=path,
            status=response.status,
            header_bytes=sum(len(line.encode()) + 2 for line in header_lines) + 2,
            body_bytes=len(raw),
            encoding=encoding or "-",
            location=response.headers.get("Location"),
            body=_decompress(raw, encoding),
            cache_control=response.headers.get("Cache-Control", ""),
        )

    def navigate(
        self, label: str, method: str, url: str, data: list[tuple[str, str]] | None = None
    ) -> PageLoad:
        """Follow redirects to a page, then fetch everything it links (each URL once)."""
        navigation = [self.fetch(method, url, data)]
        while navigation[-1].status in (301, 302, 303, 307, 308) and len(navigation) < 10:
            last = navigation[-1]
            next_url = urljoin(urljoin(self.base, last.url), last.location or "/")
            same_method = last.status in (307, 308)
            navigation.append(
                self.fetch(method if same_method else "GET", next_url, data if same_method else None)
            )
        final = navigation[-1]
        html = final.body.decode("utf-8", "replace")
        load = PageLoad(label, final.url, html, navigation)
        seen: set[str] = set()
        queue = list(read_page(html).resources)
        while queue:
            resource = urljoin(final.url, queue.pop(0))
            if resource in seen or resource.startswith("data:"):
                continue
            seen.add(resource)
            fetched = self.fetch("GET", resource)
            load.resources.append(fetched)
            if resource.split("?")[0].endswith(".css"):
                css = fetched.body.decode("utf-8", "replace")
                queue += [
                    u for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", css) if not u.startswith("data:")
                ]
        return load


def walk_survey(base_url: str, survey: Survey, language: str, max_steps: int = 40) -> list[PageLoad]:
    """Answer a survey from its start page to the thank-you page; every page load on the way."""
    browser = Browser(base_url, language)
    query = urlencode({"lang": language, **HIDDEN.get(survey.id, {})})
    load = browser.navigate("start", "GET", f"/s/{survey.id}?{query}")
    loads = [load]
    if load.navigation[-1].status == 404:
        print(f"(no survey page at /s/{survey.id} yet)")
        return []
    answers = planned_answers(survey)
    for _ in range(max_steps):
        if load.navigation[-1].status != 200:
            raise RuntimeError(f"{survey.id} ({language}): {load.url} answered {load.navigation[-1].status}")
        forms = [f for f in read_page(load.html).forms if f.method == "post"]
        if not forms:
            return loads
        form = forms[-1]
        action = urljoin(load.url, form.action or load.url)
        load = browser.navigate("", "POST", action, answer_form(survey, form, answers))
        load.label = page_label(survey, load.html, loads[-1].label)
        if load.html == loads[-1].html:
            raise RuntimeError(f"{survey.id} ({language}): {load.url} does not move on")
        loads.append(load)
    raise RuntimeError(f"{survey.id} ({language}): no thank-you page after {max_steps} steps")


def _kb(fetches: list[Fetch]) -> str:
    return f"{sum(f.bytes for f in fetches) / 1024:.1f}"


def print_table(rows: list[tuple[str, PageLoad]]) -> None:
    """One line per page: requests and kilobytes of the document and of the rest, PASS/FAIL; then
    the requests before it (the POST of the previous page and its redirect, not counted in the
    targets), and what the page costs once the versioned static files are cached."""
    print(
        f"{'page':<46} {'requests':>8} {'html KB':>7} {'other KB':>8} {'total KB':>8} {'result':>6}"
        f"  {'before: req':>11} {'KB':>4}  {'warm: req':>9} {'KB':>4}"
    )
    for name, load in rows:
        verdict = "PASS" if load.passed else "FAIL"
        print(
            f"{name:<46} {load.requests:>8} {_kb(load.page[:1]):>7} {_kb(load.resources):>8} "
            f"{load.bytes / 1024:>8.1f} {verdict:>6}  {len(load.before):>11} {_kb(load.before):>4}  "
            f"{len(load.warm):>9} {_kb(load.warm):>4}"
        )


def main(argv: list[str] | None = None) -> int:
    """Serve the app, walk the pages, print the table; 1 when any page misses a target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", help="comma-separated, default: each survey's languages")
    parser.add_argument("--survey", action="append", help="only this survey id (repeatable)")
    args = parser.parse_args(argv)
    rows: list[tuple[str, PageLoad]] = []
    errors: list[str] = []
    with serve() as served:
        with served.app.app_context():
            surveys = [
                s
                for sid, s in sorted(current_registry().surveys.items())
                if not args.survey or sid in args.survey
            ]
        for path in EXTRA_PAGES:
            for language in ("sv", "ar"):
                load = Browser(served.url, language).navigate(path, "GET", f"{path}?lang={language}")
                if load.navigation[-1].status != 200:
                    errors.append(f"{path} [{language}] answered {load.navigation[-1].status}")
                    continue
                rows.append((f"{path} [{language}]", load))
        for survey in surveys:
            languages = args.languages.split(",") if args.languages else survey.languages
            for language in languages:
                try:
                    for load in walk_survey(served.url, survey, language):
                        rows.append((f"{survey.id} [{language}] {load.label}", load))
                except RuntimeError as problem:
                    errors.append(str(problem))
    print_table(rows)
    failed = [name for name, load in rows if not load.passed]
    print(
        f"\n{len(rows) - len(failed)} of {len(rows)} pages within the targets "
        f"(< {MAX_BYTES // 1024} KB compressed, < {MAX_REQUESTS} requests, "
        f"empty cache, Accept-Encoding: {ACCEPT_ENCODING})."
    )
    for error in errors:
        print(f"ERROR: {error}")
    return 1 if failed or errors else 0


if __name__ == "__main__":
    sys.exit(main())
