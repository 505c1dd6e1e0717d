"""The forms of publishing in the browser: a survey file uploaded, its text edited on the page, and a
survey's status and dates."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from app.forms import LyssnaForm
from app.research import publishing


class UploadForm(LyssnaForm):
    """A survey file (.yaml, at most 1 MB, UTF-8); once valid, `text` holds what it says."""

    file = FileField(
        _l("Survey file"),
        validators=[FileRequired(_l("Choose a survey file (.yaml) to upload."))],
        description=_l("A .yaml file of at most 1 MB, in UTF-8, written as docs/survey-format.md describes."),
        render_kw={"accept": ".yaml"},
    )
    submit = SubmitField(_l("Upload and check"))
    text = ""
    file_name = ""

    def validate_file(self, field) -> None:
        """Read the file: refused when it is not a survey file we can keep (the message says why)."""
        self.file_name = publishing.file_name_of(field.data.filename)
        try:
            self.text = publishing.read_upload(self.file_name, field.data.read(publishing.MAX_BYTES + 1))
        except publishing.UploadRefused as refused:
            raise ValidationError(str(refused)) from None


class NewSurveyForm(UploadForm):
    """A new survey's file, named after its id (bins.yaml adds the survey `bins`)."""

    survey_id = ""

    def validate_file(self, field) -> None:
        """A survey file whose name can be a new survey's id."""
        super().validate_file(field)
        try:
            self.survey_id = publishing.new_survey_id(self.file_name)
        except publishing.UploadRefused as refused:
            raise ValidationError(str(refused)) from None


class SurveyTextForm(LyssnaForm):
    """A survey file's text, edited on the page."""

    text = TextAreaField(
        _l("The file's text"),
        validators=[DataRequired(_l("The text is empty: type or paste the survey file."))],
        render_kw={
            "rows": 24,
            "wrap": "off",
            "spellcheck": "false",
            "autocapitalize": "off",
            "autocorrect": "off",
        },
    )
    submit = SubmitField(_l("Check again"))

    def validate_text(self, field) -> None:
        """At most 1 MB, as an uploaded file."""
        if publishing.too_large(field.data):
            raise ValidationError(_l("The text is larger than 1 MB, too large for a survey file."))


MOMENT_HINT = _l("Enter a date such as 2026-09-01, or a date and time such as 2026-09-01T08:00.")


DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
DAY_AND_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?")


def _moment(field) -> None:
    """Empty, a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM, seconds and an offset allowed);
    what was typed stays in the field when it is neither."""
    moment = (field.data or "").strip().replace(" ", "T", 1)
    try:
        if moment and DAY.fullmatch(moment):
            date.fromisoformat(moment)
        elif moment and DAY_AND_TIME.fullmatch(moment):
            datetime.fromisoformat(moment)
        elif moment:
            raise ValueError(moment)
    except ValueError:
        raise ValidationError(MOMENT_HINT) from None
    field.data = moment


class WindowForm(LyssnaForm):
    """A survey's status, and when it opens and closes."""

    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("draft", _l("Draft: only researchers can try it")),
            SelectChoice("open", _l("Open: residents can answer (between the dates below, when set)")),
            SelectChoice("closed", _l("Closed: residents are told it has closed")),
        ],
    )
    opens_at = StringField(
        _l("Opens at (optional)"),
        validators=[Length(max=40)],
        description=_l("A date (from the start of that day) or a date and time; empty: open now."),
        render_kw={"autocomplete": "off", "placeholder": "2026-09-01"},
    )
    closes_at = StringField(
        _l("Closes at (optional)"),
        validators=[Length(max=40)],
        description=_l("A date (through the end of that day) or a date and time; empty: no end."),
        render_kw={"autocomplete": "off", "placeholder": "2027-06-30"},
    )
    submit = SubmitField(_l("Publish the status and dates"))

    def validate_opens_at(self, field) -> None:
        """A date, a date and time, or nothing."""
        _moment(field)

    def validate_closes_at(self, field) -> None:
        """A date, a date and time, or nothing."""
        _moment(field)

    def moment(self, field) -> str | None:
        """A validated date or date-time as typed, or None when empty."""
        return field.data or None
