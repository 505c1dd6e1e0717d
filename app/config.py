"""Configuration: defaults, overridden by environment variables, overridden by create_app(config)."""

import os
import secrets
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
        "RATELIMIT_STORAGE_URI": env.get("REDIS_URL") or "memory://",
    }


DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "en",
    "LYSSNA_INTERFACE_LANGUAGES": ["sv", "en", "ar"],
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
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
