"""Which language the interface speaks: the chosen one, else the browser's, else English."""

from collections.abc import Sequence
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, g, request, session
from flask_babel import get_locale, get_translations, refresh
from jinja2 import pass_eval_context
from markupsafe import Markup


def interface_languages() -> list[str]:
    """The languages the interface strings are translated into."""
    return current_app.config["LYSSNA_INTERFACE_LANGUAGES"]


def select_locale() -> Locale:
    """Flask-Babel's locale: a survey page's language (English when the interface lacks it), else
    ?lang=, then the language remembered for the session, then the browser."""
    return interface_locale(_chosen_language())


@lru_cache(maxsize=64)
def interface_locale(code: str) -> Locale:
    """The babel Locale of a language code, parsed once (Flask-Babel would parse it, and look for
    its locale data on disk, on every request)."""
    return Locale.parse(code.replace("-", "_"))


@lru_cache(maxsize=64)
def known_locale(code: str) -> bool:
    """Whether Babel has the language's locale data (dates, numbers), catalog or not."""
    try:
        Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return False
    return True


def _chosen_language() -> str:
    available = interface_languages()
    survey_language = g.get("survey_language")
    if survey_language:  # its catalog, or the survey's fallbacks (app/languages/fallback.py)
        return survey_language if survey_language in available or known_locale(survey_language) else "en"
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in available:
        return chosen
    return request.accept_languages.best_match(available) or "en"


@lru_cache(maxsize=64)
def language_name(code: str) -> str:
    """A language's name in that language ('sv' -> 'svenska', 'ar' -> 'العربية')."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return code
    return name or code


def use_survey_language(languages: Sequence[str], preferred: str | None = None) -> str:
    """Pick and apply the language of a survey page: ?lang= (remembered for the session), else the
    remembered one, else `preferred` (the response's), else the browser's, else the survey's default."""
    args = request.args
    chosen = args["lang"] if "lang" in args else None  # noqa: SIM401 (.get raises and catches a KeyError)
    if chosen in languages:
        session["lang"] = chosen
    elif session.get("lang") in languages:
        chosen = session["lang"]
    elif preferred in languages:
        chosen = preferred
    else:
        chosen = request.accept_languages.best_match(languages) or languages[0]
    if g.get("survey_language") != chosen:
        g.survey_language = chosen
        refresh()  # the interface language follows the survey language from here on
    return chosen


RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "ckb"})


def text_direction(lang: str) -> str:
    """'rtl' for right-to-left languages, else 'ltr'."""
    return "rtl" if lang.split("-")[0] in RTL_LANGUAGES else "ltr"


def template_translations() -> dict:
    """`gettext` and `ngettext` for one rendering, bound to the translations of the language in use.

    Flask-Babel's template functions look the translations up again for every string (some 20 µs
    each, a third of a millisecond on a survey page). A page is rendered in one language, so they
    are looked up once per rendering here; the functions behave as Jinja's newstyle gettext does:
    the result is escaped text, always %-formatted with the keyword arguments.
    """
    translations = get_translations()

    @pass_eval_context
    def gettext(eval_ctx, string: str, **variables) -> str:
        return _filled(eval_ctx, translations.ugettext(string), variables)

    @pass_eval_context
    def ngettext(eval_ctx, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        return _filled(eval_ctx, translations.ungettext(singular, plural, num), variables)

    return {"gettext": gettext, "ngettext": ngettext}


def _filled(eval_ctx, text: str, variables: dict) -> str:
    """A translated string with its values put in: escaped when the template autoescapes."""
    return (Markup(text) if eval_ctx.autoescape else text) % variables  # noqa: S704 (our catalog)


def init_app(app: Flask) -> None:
    """Make the language helpers available to templates."""
    app.context_processor(template_translations)
    app.add_template_filter(language_name)
    app.add_template_global(text_direction)
    app.add_template_global(lambda: str(get_locale()), "interface_language")
