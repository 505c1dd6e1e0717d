"""The `Lyssna-Signature` header: `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">` under the
webhook's secret (docs/api.md shows a receiver checking it)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

HEADER = "Lyssna-Signature"
TOLERANCE = 300  # seconds a receiver should accept between the signature's time and its clock


def new_secret() -> str:
    """A random secret to sign with (shown once to whoever adds the webhook)."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The header value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(
    secret: str, header: str, body: bytes, now: float | None = None, tolerance: int = TOLERANCE
) -> bool:
    """True when `header` signs `body` under `secret` and its time is within `tolerance` of `now`."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = signature(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
