"""Which language the interface speaks: the chosen one, else the browser's, else English."""

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, request, session
from flask_babel import get_locale


def interface_languages() -> list[str]:
    """The languages the interface strings are translated into."""
    return current_app.config["LYSSNA_INTERFACE_LANGUAGES"]


def select_locale() -> str:
    """Flask-Babel's locale: ?lang=, then the language remembered for the session, then the browser."""
    available = interface_languages()
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in available:
        return chosen
    return request.accept_languages.best_match(available) or "en"


def language_name(code: str) -> str:
    """A language's name in that language ('sv' -> 'svenska', 'ar' -> 'العربية')."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return code
    return name or code


RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "ckb"})


def text_direction(lang: str) -> str:
    """'rtl' for right-to-left languages, else 'ltr'."""
    return "rtl" if lang.split("-")[0] in RTL_LANGUAGES else "ltr"


def init_app(app: Flask) -> None:
    """Make the language helpers available to templates."""
    app.add_template_filter(language_name)
    app.add_template_global(text_direction)
    app.add_template_global(lambda: str(get_locale()), "interface_language")
