"""The base of every form in Lyssna: Flask-WTF's FlaskForm, with WTForms' own messages cached.

Flask-WTF reads WTForms' message catalog from disk again on every request that builds a form
(about a millisecond each time). The catalogs never change while the app runs, so they are read
once per language here and kept.
"""

from functools import lru_cache

from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import get_translations


@lru_cache(maxsize=32)
def wtforms_translations(locale: str):
    """WTForms' built-in messages (e.g. "Field must be at most 254 characters long.") in a language,
    else in English (WTForms has no Somali or Tigrinya, say)."""
    return get_translations([locale, "en"])


class LyssnaForm(FlaskForm):
    """A FlaskForm whose WTForms messages follow the interface language, read once per language."""

    class Meta:
        def get_translations(self, form):
            """The translations WTForms uses for its own messages."""
            return wtforms_translations(str(get_locale()))
