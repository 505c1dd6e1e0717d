"""Languages of the interface beyond its catalogs: honest fallbacks, and texts a survey words itself."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Resident pages fall back honestly (fallback.py); templates get `ui` (interface.py)."""
    from app.languages import fallback, interface

    fallback.init_app(app)
    interface.init_app(app)
