"""Flask's signed-cookie sessions, with the signing serializer made once per secret key.

Flask builds a new serializer (and signer) for every request that opens or saves a session, which
is every request; the keys change only when the configuration does.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class KeptSerializerSessions(SecureCookieSessionInterface):
    """Signed-cookie sessions exactly as Flask's, reusing the serializer while the keys stay the same."""

    def __init__(self) -> None:
        self._kept: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer for the app's current secret key and fallbacks, made once for them."""
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = self._kept
        if kept is None or kept[0] != keys:
            kept = self._kept = (keys, super().get_signing_serializer(app))
        return kept[1]


def init_app(app: Flask) -> None:
    """Use the kept-serializer sessions for this app."""
    app.session_interface = KeptSerializerSessions()
