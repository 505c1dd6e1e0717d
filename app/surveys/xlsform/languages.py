"""Language columns of an XLSForm, `label::Swedish (sv)`: the code in brackets, or a name alone."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.localedata import locale_identifiers

from app.surveys.models import LANGUAGE

_WITH_CODE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)\)\s*$")


def language_name(code: str) -> str:
    """The English name of a language code ('sv' -> 'Swedish'), or the code itself."""
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return code
    name = locale.get_language_name("en") or code
    return name[0].upper() + name[1:]


def column_suffix(code: str) -> str:
    """What follows `label::` for a language: 'Swedish (sv)'."""
    return f"{language_name(code)} ({code})"


def code_of(suffix: str) -> str | None:
    """The Lyssna code of a column's language ('Swedish (sv)', 'sv', 'Swedish', 'Svenska'), or None."""
    found = _WITH_CODE.match(suffix)
    if found:
        language, _, region = found.group("code").replace("_", "-").partition("-")
        code = language.lower() + (f"-{region}" if region else "")
        return code if re.fullmatch(LANGUAGE, code) else None
    text = suffix.strip()
    if re.fullmatch(r"[a-z]{2,3}", text) and text in _names_by_code():
        return text
    english = {_folded(name): code for code, name in _names_by_code().items()}
    return english.get(_folded(text)) or _codes_by_own_name().get(_folded(text))


def _folded(name: str) -> str:
    """A name in small letters without accents: 'Français' and 'Francais' are the same."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


@lru_cache(maxsize=1)
def _names_by_code() -> dict[str, str]:
    return {code: name for code, name in Locale("en").languages.items() if re.fullmatch(r"[a-z]{2,3}", code)}


@lru_cache(maxsize=1)
def _codes_by_own_name() -> dict[str, str]:
    """Every language's name for itself ('Svenska', 'Español'), to its code (slow: read once)."""
    names: dict[str, str] = {}
    for identifier in locale_identifiers():
        if "_" in identifier:
            continue
        try:
            own = Locale.parse(identifier).get_language_name(identifier)
        except (ValueError, UnknownLocaleError):
            continue
        if own:
            names.setdefault(_folded(own), identifier)
    return names
