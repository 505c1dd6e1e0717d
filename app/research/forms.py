"""The researcher area's forms: sign-in, first admin, password change, confirmations."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from app.accounts import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from app.forms import LyssnaForm

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
