"""API tokens on the researcher's own account page: make one (shown once), see each one's use, revoke."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app import audit
from app.api import tokens
from app.extensions import db
from app.forms import LyssnaForm
from app.models import ApiToken
from app.research.access import visible_survey_ids
from app.research.blueprint import bp
from app.research.forms import ConfirmForm, PasswordChangeForm


class TokenForm(LyssnaForm):
    """A new token's name and, if it should stop by itself, its lifetime."""

    name = StringField(
        _l("What the token is for"),
        validators=[DataRequired(_l("Give the token a name.")), Length(max=tokens.NAME_MAX)],
        description=_l("For example “nightly R script” or “Power BI, city dashboard”."),
    )
    expires_days = IntegerField(
        _l("Stops working after (days)"),
        validators=[Optional(), NumberRange(min=1, max=3650)],
        description=_l("Leave empty for a token that works until you revoke it."),
    )
    submit = SubmitField(_l("Make a token"))


def token_section(form: TokenForm | None = None, new_token: str | None = None) -> dict:
    """What the account page's Tokens section shows: the account's tokens, the form, a new token once."""
    return {
        "api_tokens": tokens.of(db.session, current_user),
        "token_state": tokens.state,
        "token_form": form or TokenForm(),
        "new_token": new_token,
        "confirm": ConfirmForm(),
    }


def _account_page(status: int = 200, **section):
    page = render_template(
        "research/account.html",
        form=PasswordChangeForm(),
        surveys=sorted(visible_survey_ids(current_user)),
        **token_section(**section),
    )
    return page, status


@bp.post("/account/tokens")
def make_token():
    """Make an API token for this account and show it, this once."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _account_page(400, form=form)
    researcher = current_user._get_current_object()
    row, token = tokens.create(db.session, researcher, form.name.data, form.expires_days.data)
    expires = row.expires_at.isoformat() if row.expires_at else None
    audit.record(
        db.session, "token_created", email=researcher.email, token=row.id, name=row.name, expires_at=expires
    )
    db.session.commit()
    return _account_page(new_token=token)


@bp.post("/account/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    """Stop one of this account's API tokens for good."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.researcher_id != current_user.id or not ConfirmForm().validate_on_submit():
        abort(404)
    if tokens.revoke(db.session, token):
        audit.record(db.session, "token_revoked", email=current_user.email, token=token.id, name=token.name)
        flash(_("The token “%(name)s” is revoked: it no longer works.", name=token.name))
    db.session.commit()
    return redirect(url_for("research.account"))
