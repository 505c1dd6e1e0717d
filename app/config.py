"""Configuration: defaults, overridden by environment variables, overridden by create_app(config)."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """Raised at start-up when the configuration cannot work."""


def from_environment(instance_path: str) -> dict:
    """Read the settings the operator controls from environment variables."""
    env = os.environ
    return {
        "LYSSNA_ENV": env.get("LYSSNA_ENV", "development"),
        "SECRET_KEY": env.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL")
        or f"sqlite:///{Path(instance_path) / 'lyssna.db'}",
        "LYSSNA_SURVEYS_DIR": env.get("LYSSNA_SURVEYS_DIR", str(PROJECT_ROOT / "surveys")),
        "LYSSNA_EXPORTS_DIR": env.get("LYSSNA_EXPORTS_DIR", str(PROJECT_ROOT / "exports")),
        "LYSSNA_TIMEZONE": env.get("LYSSNA_TIMEZONE", "Europe/Stockholm"),
        "REDIS_URL": env.get("REDIS_URL"),
        # Without Redis, counters live in each process (see app/counters.py).
        "RATELIMIT_STORAGE_URI": env.get("REDIS_URL") or "lyssna-memory://",
        # Serving (see app/security.py and docs/deploy.md)
        "LYSSNA_HTTPS": env.get("LYSSNA_HTTPS", "0").lower() in {"1", "true", "yes", "on"},
        "LYSSNA_PROXY_COUNT": _integer(env, "LYSSNA_PROXY_COUNT", 0),
        "LYSSNA_ANSWER_RATE_LIMIT": env.get("LYSSNA_ANSWER_RATE_LIMIT", "120/minute;20/second"),
        # Wrong participant codes tried, per client and per survey (see app/web/budgets.py): a
        # household's typing slips stay far below; guessing across many addresses meets the second.
        "LYSSNA_CODE_FAILURES_PER_CLIENT": env.get("LYSSNA_CODE_FAILURES_PER_CLIENT", "20/hour"),
        "LYSSNA_CODE_FAILURES_PER_SURVEY": env.get("LYSSNA_CODE_FAILURES_PER_SURVEY", "300/hour"),
        # New responses (a first page sent), per client and per survey: a kiosk at a busy market
        # stays far below the first, a poster campaign far below the second.
        "LYSSNA_NEW_RESPONSES_PER_CLIENT": env.get("LYSSNA_NEW_RESPONSES_PER_CLIENT", "300/hour"),
        "LYSSNA_NEW_RESPONSES_PER_SURVEY": env.get("LYSSNA_NEW_RESPONSES_PER_SURVEY", "20000/hour"),
        # Kilobytes of pictures stored (after resizing, about 300 KB each), per client and per survey.
        "LYSSNA_PHOTO_KB_PER_CLIENT": env.get("LYSSNA_PHOTO_KB_PER_CLIENT", "100000/hour"),
        "LYSSNA_PHOTO_KB_PER_SURVEY": env.get("LYSSNA_PHOTO_KB_PER_SURVEY", "2000000/hour"),
        # Receipt codes that name no answers, tried on the privacy page (app/results/views.py): per client,
        # and from anywhere (a code names no survey, so the second budget is one for all surveys).
        "LYSSNA_RECEIPT_FAILURES_PER_CLIENT": env.get("LYSSNA_RECEIPT_FAILURES_PER_CLIENT", "10/hour"),
        "LYSSNA_RECEIPT_FAILURES_PER_SURVEY": env.get("LYSSNA_RECEIPT_FAILURES_PER_SURVEY", "200/hour"),
        # Wrong passwords (see app/web/failed_sign_ins.py): from one client for one account, after which
        # that client waits until the window ends (each starts at its first failure); for one account
        # from anywhere, recorded in the audit log as a burst. Neither ever locks the account.
        "LYSSNA_SIGN_IN_FAILURES_PER_CLIENT": env.get(
            "LYSSNA_SIGN_IN_FAILURES_PER_CLIENT", "5/15 minutes;20/day"
        ),
        "LYSSNA_SIGN_IN_FAILURES_PER_ACCOUNT": env.get("LYSSNA_SIGN_IN_FAILURES_PER_ACCOUNT", "30/hour"),
        # Keys in a shared Redis start with this, so several deployments (or test runs) can share it.
        "RATELIMIT_KEY_PREFIX": env.get("LYSSNA_REDIS_PREFIX", "lyssna"),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_integer(env, "LYSSNA_SESSION_HOURS", 8)),
        # A set-password link (a new account's, or a reset an admin makes) works once, this long.
        "LYSSNA_RESET_LINK_HOURS": _integer(env, "LYSSNA_RESET_LINK_HOURS", 72),
        "LYSSNA_LOG_LEVEL": env.get("LYSSNA_LOG_LEVEL", "INFO").upper(),
        # The read API (app/api): requests per token, e.g. '600/minute;20/second'.
        "LYSSNA_API_RATE_LIMIT": env.get("LYSSNA_API_RATE_LIMIT", "600/minute;20/second"),
        # Webhooks (app/webhooks/targets.py): in production only https to public addresses, unless allowed.
        "LYSSNA_WEBHOOKS_ALLOW_HTTP": _flag(env, "LYSSNA_WEBHOOKS_ALLOW_HTTP"),
        "LYSSNA_WEBHOOKS_ALLOW_PRIVATE": _flag(env, "LYSSNA_WEBHOOKS_ALLOW_PRIVATE"),
        # Data lifecycle (see app/lifecycle.py)
        "LYSSNA_PURGE_INCOMPLETE_DAYS": _integer(env, "LYSSNA_PURGE_INCOMPLETE_DAYS", 30),
        "LYSSNA_MEDIA_DIR": env.get("LYSSNA_MEDIA_DIR", str(Path(instance_path) / "media")),
        # Photos (see app/media.py): the longest side kept, and the most pixels ever decoded.
        "LYSSNA_PHOTO_MAX_SIDE": _integer(env, "LYSSNA_PHOTO_MAX_SIDE", 1600),
        "LYSSNA_PHOTO_MAX_PIXELS": _integer(env, "LYSSNA_PHOTO_MAX_PIXELS", 40_000_000),
    }


def _flag(env: os._Environ | dict, name: str) -> bool:
    """A yes/no environment variable: 1, true, yes or on is yes; anything else, or unset, no."""
    return env.get(name, "0").lower() in {"1", "true", "yes", "on"}


def _integer(env: os._Environ | dict, name: str, default: int) -> int:
    """An integer environment variable; a clear start-up error when it is not one."""
    value = env.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}.") from None


DEFAULTS = {
    # hide_parameters keeps answers out of error messages and logs; a sync gunicorn worker needs one
    # connection at a time, so a small pool keeps PostgreSQL under max_connections with many workers.
    "SQLALCHEMY_ENGINE_OPTIONS": {
        "pool_pre_ping": True,
        "hide_parameters": True,
        "pool_size": 4,
        "max_overflow": 4,
        "pool_timeout": 10,
        "pool_recycle": 1800,
    },
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "en",
    # The languages of Norrby the interface is translated into (docs/translations.md): public pages
    # offer them; a survey page in any language uses its catalog, else falls back (app/languages/).
    "LYSSNA_INTERFACE_LANGUAGES": ["sv", "en", "ar", "fa", "so", "ti", "fi", "bs", "tr", "uk", "ckb"],
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    # Researcher area: a signed-in session ends after this long without a request (the absolute
    # limit is PERMANENT_SESSION_LIFETIME); exports with more rows than this run in the background.
    "LYSSNA_IDLE_TIMEOUT": timedelta(minutes=30),
    "LYSSNA_EXPORT_INLINE_ROWS": 20_000,
    # Seconds between looks for due work (scheduled exports, webhook retries): app/jobs/ticker.py.
    "LYSSNA_TICK_SECONDS": 15,
    # The API serves a response this many seconds after it was completed (or started, with partial
    # ones): a response saved a moment before a later one cannot slip behind a client's cursor.
    "LYSSNA_API_SETTLE_SECONDS": 5,
    # How often (seconds, at most) a worker asks the database whether a survey was published since
    # it last looked (app/surveys/catalog.py): one indexed read, then a rebuild only when it was.
    "LYSSNA_RELOAD_CHECK_SECONDS": 1.0,
    # Request limits (app/security.py): uploads may be large, everything else is a small form.
    "LYSSNA_MAX_FORM_BYTES": 256 * 1024,
    # Werkzeug's multipart reader checks this against its read buffer too (64 KiB reads plus a
    # partial boundary kept over), so 64 KiB or less would refuse file uploads at random (413).
    "MAX_FORM_MEMORY_SIZE": 128 * 1024,
    "MAX_FORM_PARTS": 300,
    # Pages are compressed on every response (Flask-Compress): fast levels cost a tenth of a
    # millisecond on a survey page where the defaults cost three (a few hundred bytes larger).
    # Static files are compressed once, at the highest level (app/assets.py).
    "COMPRESS_BR_LEVEL": 2,
    "COMPRESS_LEVEL": 3,
    "COMPRESS_ZSTD_LEVEL": 3,
    # Pages carry no ETag (and no-store), static files answer If-None-Match themselves, and
    # downloads are conditional in send_file: asking Flask-Compress to check again only costs time.
    "COMPRESS_EVALUATE_CONDITIONAL_REQUEST": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # Rate limits: a sliding window; if Redis fails, fall back to memory rather than refuse residents.
    "RATELIMIT_STRATEGY": "sliding-window-counter",
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
}


def resolve_secret_key(config: dict, instance_path: str) -> str:
    """Return the secret key: configured, or in development generated once into the instance folder."""
    if config.get("SECRET_KEY"):
        return config["SECRET_KEY"]
    if config.get("LYSSNA_ENV") == "production":
        raise ConfigError(
            "SECRET_KEY is not set. In production Lyssna needs a fixed secret key: "
            'set the SECRET_KEY environment variable, e.g. to the output of python -c "import secrets; '
            'print(secrets.token_hex(32))".'
        )
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
