"""Interface texts a survey may word itself: `interface: {next: {so: "Horey u soco"}}` in its file.

Each key names one text of the resident's pages. The survey's wording, in the page's language,
wins over the catalogs; where it has none, the catalog's text is used (with its fallbacks, see
fallback.py). A wording may hold the values its key names, as `%(number)s`; nothing else in it is
read as a format, so "100% klar" is fine.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from jinja2 import pass_context
from markupsafe import Markup, escape

from app.surveys.models import Survey

# Each key's text in the catalogs (its English source), and the values it may hold.
TEXTS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "start": (_l("Start"), ()),
    "consent_button": (_l("I agree – start"), ()),
    "next": (_l("Next"), ()),
    "back": (_l("Back"), ()),
    "submit": (_l("Send answers"), ()),
    "required": (_l("required"), ()),
    "page_of": (_l("Page %(number)s of %(total)s"), ("number", "total")),
    "continue_later": (_l("Continue later"), ()),
    "other": (_l("Other"), ()),
    "other_specify": (_l("If other, please specify:"), ()),
    "problem": (_l("There is a problem"), ()),
    "thank_you": (_l("Thank you"), ()),
    "receipt": (_l("Your receipt code"), ()),
    "scan_the_code": (_l("Scan the code with your phone camera to answer."), ()),
}


def wording(survey: Survey | None, key: str, lang: str) -> str | None:
    """The survey's own wording of an interface text in `lang`, if it has one."""
    if survey is None or not survey.interface:
        return None
    return survey.interface.get(key, {}).get(lang)


def interface_text(survey: Survey | None, key: str, lang: str, **values: Any) -> str:
    """An interface text as plain text: the survey's wording in `lang`, else the catalog's."""
    own = wording(survey, key, lang)
    if own is None:
        source = TEXTS[key][0]
        return gettext(source._args[0], **values) if values else str(source)
    for name, value in values.items():
        own = own.replace(f"%({name})s", str(value))
    return own


@pass_context
def ui(context, key: str, **values: Any) -> Markup:
    """`{{ ui("next") }}` in a resident's page: the text for its survey and language, escaped."""
    survey, lang = context.get("survey"), context.get("lang")
    own = wording(survey, key, lang) if lang else None
    if own is None:
        return escape(gettext(TEXTS[key][0]._args[0], **values))
    text = escape(own)
    for name, value in values.items():
        text = text.replace(f"%({name})s", value)  # Markup.replace escapes the value
    return text


def placeholders(key: str) -> tuple[str, ...]:
    """The values a key's wording may hold."""
    return TEXTS[key][1]


def init_app(app) -> None:
    """`ui` in every template."""
    app.add_template_global(ui, "ui")
