"""A survey's webhooks in the researcher area (admins and `manage` grants): add one, remove one, and
read the delivery log."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, StringField, SubmitField, URLField
from wtforms.validators import DataRequired, Length, Optional

from app import audit
from app.extensions import db
from app.forms import LyssnaForm
from app.models import Webhook
from app.research.access import manage_level, manages, survey_or_404
from app.research.blueprint import bp
from app.research.formatting import label_language
from app.research.forms import ConfirmForm
from app.webhooks import deliveries, hooks
from app.webhooks.targets import MAX_URL


class WebhookForm(LyssnaForm):
    """The URL to tell, an optional secret of one's own, and whether the answers go along."""

    url = URLField(
        _l("URL to tell"),
        validators=[DataRequired(_l("Enter the URL.")), Length(max=MAX_URL)],
        description=_l("An https:// address of your system that accepts a POST with JSON."),
    )
    secret = StringField(
        _l("Secret (optional)"),
        validators=[Optional(), Length(min=hooks.SECRET_MIN, max=hooks.SECRET_MAX)],
        description=_l(
            "Leave empty and Lyssna makes one, shown once. Your system checks each signature with it."
        ),
    )
    include_answers = BooleanField(_l("Send the answers too (otherwise only the response's id and times)"))
    submit = SubmitField(_l("Add the webhook"))


@bp.context_processor
def webhook_helpers() -> dict:
    """`manages_survey(survey_id)` for the survey pages' tabs."""
    return {"manages_survey": lambda survey_id: manages(current_user, survey_id)}


def _page(survey_id: str, form: WebhookForm | None = None, secret: str | None = None, status: int = 200):
    survey = survey_or_404(survey_id)
    found = hooks.active(db.session, survey_id)
    page = render_template(
        "research/webhooks.html",
        survey=survey,
        lang=label_language(survey),
        hooks=found,
        tallies=hooks.tallies(db.session, [hook.id for hook in found]),
        log=deliveries.log_of(db.session, survey_id),
        form=form or WebhookForm(),
        confirm=ConfirmForm(),
        secret=secret,
        nav="surveys",
        tab="webhooks",
    )
    return page, status


@bp.get("/surveys/<survey_id>/webhooks")
@manage_level
def webhooks(survey_id: str):
    """The survey's webhooks, the form to add one, and the newest deliveries."""
    return _page(survey_id)


@bp.post("/surveys/<survey_id>/webhooks")
@manage_level
def add_webhook(survey_id: str):
    """Add a webhook; a secret Lyssna made is shown on this page, this once."""
    form = WebhookForm()
    if not form.validate_on_submit():
        return _page(survey_id, form, status=400)
    try:
        hook, made = hooks.add(
            db.session,
            survey_id,
            form.url.data,
            form.secret.data,
            form.include_answers.data,
            current_user.email,
        )
    except hooks.HookError as exc:
        form.url.errors.append(str(exc))
        return _page(survey_id, form, status=400)
    audit.record(
        db.session,
        "webhook_added",
        survey_id=survey_id,
        webhook=hook.id,
        url=hook.url,
        answers=hook.include_answers,
    )
    db.session.commit()
    flash(_("The webhook is added: each completed response is sent to %(url)s.", url=hook.url))
    return _page(survey_id, secret=made)


@bp.post("/surveys/<survey_id>/webhooks/<int:hook_id>/remove")
@manage_level
def remove_webhook(survey_id: str, hook_id: int):
    """Stop a webhook (its delivery log stays)."""
    hook = db.session.get(Webhook, hook_id)
    if (
        hook is None
        or hook.survey_id != survey_id
        or hook.disabled_at
        or not ConfirmForm().validate_on_submit()
    ):
        abort(404)
    hooks.remove(db.session, hook)
    audit.record(db.session, "webhook_removed", survey_id=survey_id, webhook=hook.id, url=hook.url)
    db.session.commit()
    flash(_("The webhook to %(url)s is removed.", url=hook.url))
    return redirect(url_for("research.webhooks", survey_id=survey_id))
