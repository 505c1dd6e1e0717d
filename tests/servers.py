"""Real servers for end-to-end tests: the app under gunicorn on a scratch database, and a small HTTP client.

Used by the slow tests (rate limits across workers, residents in parallel, two instances). Each
server runs `gunicorn -c gunicorn.conf.py wsgi:app` on a free port with its own environment, and
its log is kept so tests can read it (no 5xx, no address in clear).
"""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.databases import postgres_schema

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# What the test browsers send as their user agent; nothing of it may be stored or logged.
USER_AGENT = "LyssnaTestPhone/1.0 (Android 9; cheap phone)"


# The three-page survey that the load tests and benchmarks/load.py send residents through.
LOAD_TEST_SURVEY = """\
id: load-test
title: {sv: Belastningsprov, en: Load test}
languages: [sv, en]
pages:
  - id: one
    questions:
      - id: sorted
        type: single_choice
        required: true
        label: {sv: "Sorterar du?", en: "Do you sort?"}
        choices:
          - {value: 1, label: {sv: Ja, en: "Yes"}}
          - {value: 0, label: {sv: Nej, en: "No"}}
      - {id: marker, type: text, required: true, label: {sv: Kod, en: Code}}
  - id: two
    questions:
      - {id: happy, type: rating, scale: smiley5, required: true, label: {sv: "Nöjd?", en: "Happy?"}}
      - {id: times, type: integer, min: 0, max: 100, label: {sv: "Hur ofta?", en: "How often?"}}
  - id: three
    questions:
      - {id: comment, type: long_text, label: {sv: Kommentar, en: Comment}}
      - id: bins
        type: multiple_choice
        label: {sv: "Vilka kärl?", en: "Which bins?"}
        choices:
          - {value: paper, label: {sv: Papper, en: Paper}}
          - {value: glass, label: {sv: Glas, en: Glass}}
          - {value: metal, label: {sv: Metall, en: Metal}}
"""


def write_load_test_survey(folder: Path) -> Path:
    """A surveys folder (made if need be) holding the load-test survey only."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "load-test.yaml").write_text(LOAD_TEST_SURVEY, encoding="utf-8")
    return folder


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks an ephemeral one)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_available(url: str = REDIS_URL) -> bool:
    """True when a Redis server answers at `url`."""
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@contextmanager
def redis_prefix(url: str = REDIS_URL):
    """A fresh key prefix for one test; every key under it is deleted afterwards."""
    import redis

    prefix = f"lyssna-test-{secrets.token_hex(4)}"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(match=f"*{prefix}*"):
            client.delete(key)
        client.close()


def migrate(database_url: str, tmp: Path) -> None:
    """Create the schema of a scratch database with the migrations (what `flask db upgrade` does)."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "migrate",
            "LYSSNA_SURVEYS_DIR": str(ROOT / "surveys"),
            "LYSSNA_MEDIA_DIR": str(tmp / "media"),
        }
    )
    with app.app_context():
        upgrade()
        db.engine.dispose()


@contextmanager
def scratch_database(kind: str, tmp: Path):
    """A migrated scratch database URL: a SQLite file, or a fresh PostgreSQL schema (dropped after)."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'lyssna.db'}"
        migrate(url, tmp)
        yield url
        return
    base = os.environ["TEST_DATABASE_URL"]
    with postgres_schema(base, "lyssna_load") as schema:
        separator = "&" if "?" in base else "?"
        url = f"{base}{separator}options=-csearch_path%3D{schema}"
        migrate(url, tmp)
        yield url


@dataclass
class Server:
    """A running gunicorn serving the app; `log()` is what it wrote so far."""

    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def base(self) -> str:
        """The server's address, e.g. http://127.0.0.1:40123."""
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        """Everything the server (gunicorn and the app) has logged."""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Stop at once (SIGINT: the test has its results); kill if it does not stop in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def server_environment(database_url: str, tmp: Path, **settings: str) -> dict:
    """The environment of a test server: scratch database and folders, a shared secret, settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LYSSNA_", "REDIS_URL", "DATABASE_URL"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "load-test-secret",
            "LYSSNA_ENV": "production",
            "LYSSNA_SURVEYS_DIR": str(ROOT / "surveys"),
            "LYSSNA_EXPORTS_DIR": str(tmp / "exports"),
            "LYSSNA_MEDIA_DIR": str(tmp / "media"),
            "LYSSNA_WORKERS": "4",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.update(settings)
    return env


@contextmanager
def gunicorn(env: dict, tmp: Path, name: str = "server", app: str = "wsgi:app"):
    """Run the app (or another WSGI app) under the repo's gunicorn.conf.py until the block ends."""
    port = free_port()
    log_path = tmp / f"{name}-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}", app],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(port, process, log_path)
    try:
        wait_until_healthy(server)
        yield server
    finally:
        server.stop()


def wait_until_healthy(server: Server, timeout: float = 30) -> None:
    """Wait for /healthz to answer 200; fail with the server's log if it does not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with {server.process.returncode}:\n{server.log()}")
        try:
            if Browser(server.base).get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not become healthy:\n{server.log()}")


# ----------------------------------------------------------------------------- a small HTTP client


@dataclass
class Page:
    """One HTTP response: status, headers (lower-case names), body text, and where it came from."""

    status: int
    headers: dict
    body: str
    url: str

    def csrf_token(self) -> str:
        """The page's CSRF token (the hidden csrf_token field)."""
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.body) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', self.body
        )
        if match is None:
            raise AssertionError(f"no CSRF token on {self.url} ({self.status})")
        return match.group(1)

    def form_action(self) -> str:
        """The action of the page's (first) POST form, or the page's own URL."""
        match = re.search(r'<form[^>]*method="post"[^>]*>', self.body, re.IGNORECASE)
        if match:
            action = re.search(r'action="([^"]*)"', match.group(0))
            if action and action.group(1):
                return urllib.parse.urljoin(self.url, action.group(1).replace("&amp;", "&"))
        return self.url


@dataclass
class Browser:
    """A resident's browser, reduced to what the server sees: one connection, its cookies, redirects.

    `address` is sent as X-Forwarded-For, so that behind LYSSNA_PROXY_COUNT=1 each simulated resident
    is a different client for the rate limits.
    """

    base: str
    address: str | None = None
    timeout: float = 30
    cookies: dict = field(default_factory=dict)
    statuses: list = field(default_factory=list)
    _connection: http.client.HTTPConnection | None = None

    def get(self, path: str, follow: bool = True) -> Page:
        """GET a path (following redirects unless told not to)."""
        return self.request("GET", path, None, follow)

    def post(self, path: str, fields, follow: bool = True) -> Page:
        """POST a form (a dict, or a list of pairs for repeated keys), urlencoded."""
        return self.request("POST", path, urllib.parse.urlencode(fields, doseq=True).encode(), follow)

    def request(self, method: str, path: str, body: bytes | None, follow: bool = True) -> Page:
        """Send one request with this browser's cookies; follow redirects as a browser does.

        An absolute URL is sent to this browser's server (its path and query only), so a resident
        can move between instances with URLs one of them made.
        """
        parts = urllib.parse.urlsplit(path)
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        url = urllib.parse.urljoin(self.base + "/", local)
        for _ in range(10):
            page = self._send(method, url, body)
            if not follow or page.status not in (301, 302, 303, 307, 308):
                return page
            url = urllib.parse.urljoin(url, page.headers["location"])
            if page.status in (301, 302, 303):
                method, body = "GET", None
        raise AssertionError(f"too many redirects from {path}")

    def _send(self, method: str, url: str, body: bytes | None) -> Page:
        parts = urllib.parse.urlsplit(url)
        headers = {"Accept-Language": "sv", "Accept-Encoding": "identity", "User-Agent": USER_AGENT}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.address:
            headers["X-Forwarded-For"] = self.address
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(
                    parts.hostname, parts.port, timeout=self.timeout
                )
            try:
                self._connection.request(method, target, body=body, headers=headers)
                response = self._connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server closed meanwhile: retry once on a new one.
                self.close()
                if attempt == 2:
                    raise
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in cookie.lower() or "expires=thu, 01 jan 1970" in cookie.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        self.statuses.append(response.status)
        headers_out = {k.lower(): v for k, v in response.getheaders()}
        return Page(response.status, headers_out, data.decode("utf-8", "replace"), url)

    def close(self) -> None:
        """Close the connection (a new one is opened on the next request)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
