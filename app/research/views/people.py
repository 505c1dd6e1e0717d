"""People and grants, for admins: every account, adding one, set-password links, disabling and
enabling, giving and taking away surveys; and the page where a link's owner chooses a password."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import accounts, audit
from app.extensions import db, limiter
from app.models import Grant, Researcher
from app.research import people as helpers
from app.research.access import admin_only, public
from app.research.blueprint import bp
from app.research.forms import ChoosePasswordForm, GrantForm, NewAccountForm, RevokeForm


@bp.get("/people")
@admin_only
def people():
    """Every account with its role, state, last sign-in and surveys; the form to add one."""
    return _people_page(NewAccountForm())


@bp.post("/people")
@admin_only
def add_person():
    """Add an account without a password, and the link with which its owner chooses one."""
    form = NewAccountForm()
    valid = form.validate_on_submit()
    if valid and accounts.find_researcher(db.session, form.email.data):
        form.email.errors.append(_("An account with this email exists already."))
        valid = False
    if not valid:
        return _people_page(form), 400
    researcher = accounts.create_without_password(db.session, form.email.data, form.role.data)
    audit.record(db.session, "user_created", email=researcher.email, role=researcher.role)
    link = _new_link(researcher)
    db.session.commit()
    helpers.remember_link(researcher, link)
    return redirect(url_for("research.person", researcher_id=researcher.id))


@bp.get("/people/<int:researcher_id>")
@admin_only
def person(researcher_id: int):
    """One account: its facts and surveys, a link just made (shown once), what an admin can do."""
    researcher = helpers.account_or_404(researcher_id)
    return _person_page(researcher, helpers.grant_form(current_user))


@bp.post("/people/<int:researcher_id>/reset-link")
@admin_only
def reset_link(researcher_id: int):
    """Make a set-password link for the account (an earlier one stops working); its page shows it once."""
    researcher = helpers.account_or_404(researcher_id)
    if not researcher.active:
        flash(_("Enable the account first: a disabled account gets no set-password link."))
        return _back_to(researcher)
    link = _new_link(researcher)
    db.session.commit()
    helpers.remember_link(researcher, link)
    return _back_to(researcher)


@bp.post("/people/<int:researcher_id>/disable")
@admin_only
def disable_person(researcher_id: int):
    """Stop the account signing in: its sessions and its unused set-password link end at once."""
    researcher = helpers.account_or_404(researcher_id)
    problem = helpers.disable_problem(db.session, current_user, researcher)
    if problem:
        flash(problem)
    elif researcher.active:
        accounts.set_active(researcher, False)
        audit.record(db.session, "user_disabled", email=researcher.email)
        db.session.commit()
        flash(_("%(email)s is disabled and signed out everywhere.", email=researcher.email))
    return _back_to(researcher)


@bp.post("/people/<int:researcher_id>/enable")
@admin_only
def enable_person(researcher_id: int):
    """Let a disabled account sign in again (its old sessions stay ended)."""
    researcher = helpers.account_or_404(researcher_id)
    if not researcher.active:
        accounts.set_active(researcher, True)
        audit.record(db.session, "user_enabled", email=researcher.email)
        db.session.commit()
        flash(_("%(email)s may sign in again.", email=researcher.email))
    return _back_to(researcher)


@bp.post("/people/<int:researcher_id>/grants")
@admin_only
def grant_survey(researcher_id: int):
    """Give the account a survey the app serves at a level, or change the level it has."""
    researcher = helpers.account_or_404(researcher_id)
    form = helpers.grant_form(current_user)
    if not form.validate_on_submit():
        return _person_page(researcher, form), 400
    survey_id, level = form.survey.data, form.level.data
    changed = accounts.set_grant(db.session, researcher, survey_id, level)
    if changed:
        audit.record(db.session, "grant", survey_id=survey_id, email=researcher.email, level=level)
    db.session.commit()
    flash(helpers.grant_message(researcher.email, survey_id, level, changed))
    return _back_to(researcher)


@bp.post("/people/<int:researcher_id>/revoke")
@admin_only
def revoke_survey(researcher_id: int):
    """Take a survey away from the account, whether or not the app still serves it."""
    researcher = helpers.account_or_404(researcher_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        abort(400)
    survey_id = form.survey.data
    if accounts.revoke(db.session, researcher, survey_id):
        audit.record(db.session, "revoke", survey_id=survey_id, email=researcher.email)
        db.session.commit()
        flash(_("%(email)s can no longer see %(survey)s.", email=researcher.email, survey=survey_id))
    else:
        flash(_("%(email)s had no access to %(survey)s.", email=researcher.email, survey=survey_id))
    return _back_to(researcher)


@bp.get("/password/<token>")
@public
def choose_password(token: str):
    """The page where the owner of a set-password link chooses a new password."""
    researcher = accounts.reset_token_account(db.session, token)
    if researcher is None:
        return _dead_link()
    return _password_page(researcher, ChoosePasswordForm(), token)


@bp.post("/password/<token>")
@public
@limiter.limit("10/minute")
def choose_password_post(token: str):
    """Spend the link on the new password; every session of the account ends; then sign in with it."""
    form = ChoosePasswordForm()
    researcher = accounts.reset_token_account(db.session, token)
    if researcher is None:
        return _dead_link()
    if not form.validate_on_submit():
        return _password_page(researcher, form, token), 400
    if accounts.use_reset_token(db.session, token, form.new_password.data) is None:
        return _dead_link()  # another request spent it a moment ago
    audit.record(
        db.session, "password_changed", actor=researcher.email, email=researcher.email, via="reset link"
    )
    db.session.commit()
    flash(_("Your new password is set, and your account is signed out everywhere. Sign in with it."))
    return redirect(url_for("research.login"))


def _new_link(researcher: Researcher) -> accounts.ResetLink:
    """A set-password link for the account, audited (the caller commits)."""
    link = accounts.new_reset_token(db.session, researcher)
    audit.record(db.session, "reset_link", email=researcher.email)
    return link


def _back_to(researcher: Researcher):
    return redirect(url_for("research.person", researcher_id=researcher.id))


def _people_page(form: NewAccountForm) -> str:
    return render_template(
        "research/people.html", people=helpers.everyone(db.session), form=form, nav="people"
    )


def _person_page(researcher: Researcher, grant_form: GrantForm) -> str:
    served = {choice.value for choice in grant_form.survey.choices}
    return render_template(
        "research/person.html",
        person=researcher,
        grants=helpers.grants_of(researcher, served),
        grant_form=grant_form,
        levels=Grant.LEVELS,
        new_link=helpers.take_link(researcher),
        pending_until=accounts.pending_reset_link(db.session, researcher),
        nav="people",
    )


def _password_page(researcher: Researcher, form: ChoosePasswordForm, token: str) -> str:
    return render_template("research/choose_password.html", person=researcher, form=form, token=token)


def _dead_link():
    return render_template("research/link_dead.html"), 404
