"""Security at the edge: response headers, cookie flags, request size limits, proxies and rate limits."""

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from flask import Flask, Request, current_app, request
from limits import RateLimitItem, parse_many
from werkzeug.middleware.proxy_fix import ProxyFix

from app.clients import client_key
from app.extensions import limiter

# No inline script or style anywhere, no third-party resource; images may be data: URLs (QR codes).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
# Photo questions use a plain file input (the phone's own camera app), which needs no camera permission.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), browsing-topics=()"
)
HSTS = "max-age=31536000"

# C0 control characters other than tab, line feed and carriage return.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# The blueprints residents use without signing in; they share one rate limit per client.
PUBLIC_BLUEPRINTS = ("public", "answering", "results")
PUBLIC_SCOPE = "public"


def security_headers() -> list[tuple[str, str]]:
    """The headers every response carries (HSTS is added only over HTTPS)."""
    return [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        # Resume links and hidden fields live in URLs: never send them to another site.
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        # For browsers too old for frame-ancestors (cheap phones keep old browsers for years).
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
    ]


def harden_cookie(set_cookie: str, secure: bool) -> str:
    """A Set-Cookie value with HttpOnly and SameSite=Lax added when missing, and Secure over HTTPS."""
    attributes = {part.split("=", 1)[0].strip().lower() for part in set_cookie.split(";")[1:]}
    if "httponly" not in attributes:
        set_cookie += "; HttpOnly"
    if "samesite" not in attributes:
        set_cookie += "; SameSite=Lax"
    if secure and "secure" not in attributes:
        set_cookie += "; Secure"
    return set_cookie


class SecureResponses:
    """WSGI middleware: the security headers on every response, and every cookie hardened.

    It sits outside Flask so that it also sees the session cookie (written after every
    after_request hook) and cookies set by extensions, whoever set them.
    """

    def __init__(self, wsgi_app: Callable, https: bool, static_prefix: str) -> None:
        self.wsgi_app = wsgi_app
        self.https = https
        self.static_prefix = static_prefix.rstrip("/") + "/"

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        secure = self.https or environ.get("wsgi.url_scheme") == "https"
        static = environ.get("PATH_INFO", "").startswith(self.static_prefix)

        def start(status: str, headers: list[tuple[str, str]], exc_info=None):
            return start_response(status, self.headers(headers, secure, static), exc_info)

        return self.wsgi_app(environ, start)

    def headers(self, headers: list[tuple[str, str]], secure: bool, static: bool) -> list[tuple[str, str]]:
        """The response's headers with the security headers added and its cookies hardened."""
        present = {name.lower() for name, _ in headers}
        result = [
            (name, harden_cookie(value, secure) if name.lower() == "set-cookie" else value)
            for name, value in headers
        ]
        result += [(name, value) for name, value in security_headers() if name.lower() not in present]
        if secure and "strict-transport-security" not in present:
            result.append(("Strict-Transport-Security", HSTS))
        # Pages may show a resident's answers on a shared phone: no cache keeps them.
        if not static and "cache-control" not in present:
            result.append(("Cache-Control", "no-store"))
        return result


class BoundedRequest(Request):
    """A request whose body limit depends on its kind: a form is small, an upload may be large.

    Werkzeug reads a urlencoded body whole, limited only by the content length, so ordinary forms
    get LYSSNA_MAX_FORM_BYTES; multipart uploads get MAX_CONTENT_LENGTH, with each text part limited
    by MAX_FORM_MEMORY_SIZE and the number of parts by MAX_FORM_PARTS.
    """

    @property
    def max_content_length(self) -> int | None:
        """The most bytes this request may send (413 beyond)."""
        if self._max_content_length is None and current_app and self.mimetype != "multipart/form-data":
            return current_app.config["LYSSNA_MAX_FORM_BYTES"]
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @property
    def max_form_memory_size(self) -> int | None:
        """The most bytes of one text field of a multipart form (413 beyond): MAX_FORM_MEMORY_SIZE, or
        the `max_text_bytes` of a view that takes a whole file as text (a survey file edited on a page)."""
        if self._max_form_memory_size is None and current_app:
            view = current_app.view_functions.get(self.endpoint or "")
            limit = getattr(view, "max_text_bytes", None)
            if limit is not None:
                return limit
        return super().max_form_memory_size

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self._max_form_memory_size = value

    def _load_form_data(self) -> None:
        """Parse the form, then drop control characters from it (Werkzeug's hook for parsing).

        Nobody types them; PostgreSQL refuses NUL in JSON and spreadsheets refuse the rest, so a
        pasted or hostile one would break the save or, later, the export. Tab and newlines stay.
        """
        super()._load_form_data()
        form = self.__dict__["form"]
        pairs = list(form.items(multi=True))
        if any(CONTROL_CHARACTERS.search(key + value) for key, value in pairs):
            cleaned = [(CONTROL_CHARACTERS.sub("", k), CONTROL_CHARACTERS.sub("", v)) for k, v in pairs]
            self.__dict__["form"] = self.parameter_storage_class(cleaned)


def answer_rate_limit() -> str:
    """The rate limit of the public pages per client, e.g. '120/minute;20/second' (read per request)."""
    return current_app.config["LYSSNA_ANSWER_RATE_LIMIT"]


@lru_cache(maxsize=8)
def _parsed(setting: str) -> tuple[RateLimitItem, ...]:
    """The limits of a setting such as '120/minute;20/second', in the order Flask-Limiter checks them."""
    return tuple(sorted(parse_many(setting)))


@limiter.request_filter
def public_limit_counted() -> bool:
    """Count a public page request against the shared public limit directly; True when it is within it.

    Flask-Limiter works out which limits apply to a request anew each time (blueprint limits,
    exemption scopes, meta limits): about a tenth of a millisecond, a tenth of a survey page's own
    work. For the public pages the answer never changes: the one shared limit, per client. So this
    request filter hits it itself, with Flask-Limiter's rate limiter, storage, key prefix and scope,
    which is the same counter Flask-Limiter would hit, and then tells Flask-Limiter the request is
    done with. Anything else falls through to Flask-Limiter's own check: a request over the limit
    (its 429 carries the breached limit), a storage error, and any request while the storage is
    down (it switches to its in-memory fallback, and notices when the storage is back).
    """
    if request.blueprint not in PUBLIC_BLUEPRINTS:
        return False
    rate_limiter = limiter.limiter
    if rate_limiter.storage is not limiter.storage:  # Flask-Limiter is on its fallback
        return False
    identifiers = [current_app.config.get("RATELIMIT_KEY_PREFIX"), client_key(), PUBLIC_SCOPE]
    identifiers = [part for part in identifiers if part]
    try:
        return all(rate_limiter.hit(item, *identifiers) for item in _parsed(answer_rate_limit()))
    except Exception:  # the storage failed: Flask-Limiter's own check deals with it
        return False


def limit_public_blueprints(app: Flask) -> None:
    """One shared per-client limit over all public pages, applied from here so views need not know."""
    for name in PUBLIC_BLUEPRINTS:
        blueprint = app.blueprints.get(name)
        if blueprint is not None:
            # The same limit object each time, so several apps in one process do not stack limits.
            limiter.shared_limit(answer_rate_limit, scope=PUBLIC_SCOPE)(blueprint)


def init_app(app: Flask) -> None:
    """Install headers, cookie flags, request limits, proxy handling and rate limits (after blueprints)."""
    https = app.config["LYSSNA_HTTPS"]
    if https:
        app.config.update(
            SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https"
        )
    app.request_class = BoundedRequest
    app.wsgi_app = SecureResponses(app.wsgi_app, https, app.static_url_path or "/static")
    proxies = app.config["LYSSNA_PROXY_COUNT"]
    if proxies > 0:
        # Trust exactly this many proxies' X-Forwarded-For/-Proto/-Host; more hops could be forged.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    limit_public_blueprints(app)
