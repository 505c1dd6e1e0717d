"""Flask's signed-cookie sessions, with the signing serializer made once per secret key.

Flask builds a new serializer (and signer) for every request that opens or saves a session, which
is every request; the keys change only when the configuration does.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

API_PATH = "/api/"  # the API blueprint's (app/api/views.py)


class KeptSerializerSessions(SecureCookieSessionInterface):
    """Signed-cookie sessions exactly as Flask's, reusing the serializer while the keys stay the same."""

    def __init__(self) -> None:
        self._kept: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Flask's session, except in the API: it takes tokens only, so no cookie is read or set there
        (Flask then gives the request a null session, which refuses to be written)."""
        if request.path.startswith(API_PATH):  # the URL is matched after the session is opened
            return None
        return super().open_session(app, request)

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
