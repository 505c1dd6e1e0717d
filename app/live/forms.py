"""The live screen's forms: a decision on a free text, a new display link, revoking one."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms import LyssnaForm
from app.live.display_links import DEFAULT_HOURS, MAX_HOURS
from app.live.moderation import DECISIONS


class DecisionForm(LyssnaForm):
    """Approve or hide one free text (the buttons send `decision`)."""

    response = HiddenField(validators=[DataRequired(), Length(max=32)])
    question = HiddenField(validators=[DataRequired(), Length(max=64)])
    decision = HiddenField(validators=[AnyOf(list(DECISIONS))])


class DisplayLinkForm(LyssnaForm):
    """A new display link: a name for it, when its screen starts counting, how long it works."""

    label = StringField(
        _l("Name (for you, e.g. the room or the event)"),
        validators=[Optional(), Length(max=120)],
    )
    since = DateTimeLocalField(
        _l("Count answers from (optional)"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        validators=[Optional()],
        description=_l("The time your session starts. Empty: every answer since the survey opened."),
    )
    hours = IntegerField(
        _l("Works for (hours)"),
        default=DEFAULT_HOURS,
        validators=[
            InputRequired(_l("Say how many hours the link works.")),
            NumberRange(1, MAX_HOURS, _l("Between 1 and %(max)d hours.", max=MAX_HOURS)),
        ],
    )
    language = SelectField(_l("Texts on the screen in"), choices=[])
    demo = BooleanField(_l("Also count demo responses (for a rehearsal)"))


class RevokeForm(LyssnaForm):
    """Stop one display link."""

    link = IntegerField(validators=[InputRequired()])
