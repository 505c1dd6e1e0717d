"""The forms of public results: an update for residents (built per survey, a text box per language),
a decision on a quote, and a receipt code a resident looks up."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from app.answering.access import HIDDEN_VALUE
from app.forms import LyssnaForm
from app.i18n import language_name
from app.results.quotes import DECISIONS
from app.results.updates import MAX_LENGTH
from app.surveys.models import Survey

WHOLE_SURVEY, WHOLE_PILOT = "survey", "pilot"


class UpdateForm(LyssnaForm):
    """ "You said, we did": the texts (one field per survey language, added by `update_form`), a station,
    and whether it is for the whole pilot."""

    station = StringField(
        _l("Only about one of them (optional)"),
        validators=[
            Optional(),
            Regexp(HIDDEN_VALUE.pattern + "$", message=_l("Letters, digits, - and _ only (at most 64).")),
        ],
        description=_l("As in its link, e.g. 12. Empty: the update is shown on every results page."),
    )
    scope = RadioField(
        _l("Show it on"),
        choices=[
            SelectChoice(WHOLE_SURVEY, _l("this survey's results")),
            SelectChoice(WHOLE_PILOT, _l("the results of every survey of the pilot")),
        ],
        default=WHOLE_SURVEY,
        validators=[AnyOf([WHOLE_SURVEY, WHOLE_PILOT])],
    )

    languages: tuple[str, ...] = ()

    def field_of(self, lang: str):
        """The text field of one language."""
        return self[text_field(lang)]

    def texts(self) -> dict[str, str]:
        """The texts written, by language."""
        return {lang: self.field_of(lang).data or "" for lang in self.languages}


def text_field(lang: str) -> str:
    """The name of a language's text field."""
    return "text_" + lang.replace("-", "_")


def update_form(survey: Survey) -> type[UpdateForm]:
    """The update form of a survey: its first language is required, the others optional."""

    class SurveyUpdateForm(UpdateForm):
        languages = tuple(survey.languages)

    for lang in survey.languages:
        needed = DataRequired(_l("Write the update in %(language)s.", language=language_name(lang)))
        setattr(
            SurveyUpdateForm,
            text_field(lang),
            TextAreaField(
                _l("In %(language)s", language=language_name(lang)),
                validators=[
                    needed if lang == survey.default_language else Optional(),
                    Length(max=MAX_LENGTH),
                ],
                render_kw={"lang": lang, "dir": "auto", "rows": 4, "maxlength": MAX_LENGTH},
            ),
        )
    return SurveyUpdateForm


class QuoteForm(LyssnaForm):
    """Approve or hide one free text for the public results (the buttons send `decision`)."""

    response = HiddenField(validators=[DataRequired(), Length(max=32)])
    question = HiddenField(validators=[DataRequired(), Length(max=64)])
    decision = HiddenField(validators=[AnyOf(list(DECISIONS))])


class ReceiptLookupForm(LyssnaForm):
    """A receipt code a resident types on the privacy page."""

    code = StringField(_l("Receipt code"), validators=[Length(max=32)])
