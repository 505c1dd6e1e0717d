"""The researcher area's forms: sign-in, first admin, password change and choice, people and grants,
confirmations."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from app.accounts import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, ROLES
from app.forms import LyssnaForm
from app.models import Grant, Researcher

# Something@something.something, with no spaces: enough to catch a slip; the link is the real test.
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

NEW_PASSWORD_HINT = _l(
    "At least %(n)d characters. A few unrelated words make a strong, memorable password.",
    n=PASSWORD_MIN_LENGTH,
)


def _new_password(label):
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Enter a password.")),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=PASSWORD_MAX_LENGTH,
                message=_l(
                    "Use %(min)d to %(max)d characters.", min=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH
                ),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
        description=NEW_PASSWORD_HINT,
    )


def _repeat(label):
    return PasswordField(
        label,
        validators=[EqualTo("new_password", _l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


class SignInForm(LyssnaForm):
    """Email and password."""

    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Sign in"))


class FirstAdminForm(LyssnaForm):
    """The first admin's email and password."""

    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    new_password = _new_password(_l("Password"))
    repeat_password = _repeat(_l("Password again"))
    submit = SubmitField(_l("Create the admin account"))

    def validate_email(self, field) -> None:
        """An address with an @ (the browser checks more where it can)."""
        if "@" not in field.data:
            raise ValidationError(_l("Enter an email address like name@example.org."))


class PasswordChangeForm(LyssnaForm):
    """The current password, then the new one twice."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password(_l("New password"))
    repeat_password = _repeat(_l("New password again"))
    submit = SubmitField(_l("Change password"))


class ChoosePasswordForm(LyssnaForm):
    """A new password twice, from a set-password link."""

    new_password = _new_password(_l("New password"))
    repeat_password = _repeat(_l("New password again"))
    submit = SubmitField(_l("Set the password"))


class NewAccountForm(LyssnaForm):
    """A new account: its email and role (its owner chooses the password through a link)."""

    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter the email address of the person.")),
            Length(max=254, message=_l("Use at most %(max)d characters.", max=254)),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(Researcher.RESEARCHER, _l("Researcher: sees the surveys you give them")),
            SelectChoice(Researcher.ADMIN, _l("Admin: sees and manages everything, and manages people")),
        ],
        default=Researcher.RESEARCHER,
        validate_choice=False,
    )
    submit = SubmitField(_l("Add the account"))

    def validate_email(self, field) -> None:
        """An address shaped like name@example.org."""
        if not EMAIL_SHAPE.fullmatch(field.data):
            raise ValidationError(_l("Enter an email address like name@example.org."))

    def validate_role(self, field) -> None:
        """One of the roles offered."""
        if field.data not in ROLES:
            raise ValidationError(_l("Choose researcher or admin."))


LEVEL_CHOICES = [
    SelectChoice(Grant.READ, _l("Read: results, responses, exports, photos")),
    SelectChoice(Grant.MANAGE, _l("Manage: also delete responses, publish, kiosks")),
]


class GrantForm(LyssnaForm):
    """A survey the app serves and a level: give it to an account, or change the level it has.

    The survey choices are set per request (`survey.choices`): the surveys served right now."""

    survey = SelectField(_l("Survey"), choices=[], validate_choice=False)
    level = SelectField(_l("Level"), choices=LEVEL_CHOICES, default=Grant.READ, validate_choice=False)
    submit = SubmitField(_l("Give access"))

    def validate_survey(self, field) -> None:
        """One of the surveys served (a grant for another id could never be used)."""
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose one of the surveys in the list."))

    def validate_level(self, field) -> None:
        """Read or manage."""
        if field.data not in Grant.LEVELS:
            raise ValidationError(_l("Choose read or manage."))


class RevokeForm(LyssnaForm):
    """Take one survey away from an account (any survey id it holds, served or not)."""

    survey = HiddenField(validators=[DataRequired(), Length(max=64)])
    submit = SubmitField(_l("Take away"))


class ConfirmForm(LyssnaForm):
    """A button that confirms a POST action (sign out, delete); it carries the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class ReceiptForm(LyssnaForm):
    """A receipt code to look up (GET, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    code = StringField(
        _l("Receipt code"),
        validators=[DataRequired(_l("Enter the receipt code.")), Length(max=32)],
        description=_l("The code the resident got after answering, for example K7QM-3XPA."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
