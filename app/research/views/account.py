"""Sign-in, sign-out, the first-admin link and the researcher's own account page."""

import math
from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.security import check_password_hash

from app import accounts, audit
from app.extensions import db, limiter
from app.models import Researcher
from app.research.access import public, safe_next, visible_survey_ids
from app.research.blueprint import bp
from app.research.forms import ConfirmForm, FirstAdminForm, PasswordChangeForm, SignInForm
from app.research.views.tokens import token_section
from app.web import failed_sign_ins

# One message for every failed attempt, so that it never tells whether an account exists.
SIGN_IN_FAILED = _l("The email or password is not right. Check them and try again.")


@bp.get("/login")
@public
def login():
    """The sign-in form."""
    if current_user.is_authenticated:
        return redirect(url_for("research.index"))
    return render_template("research/login.html", form=SignInForm())


@bp.post("/login")
@public
@limiter.limit("10/minute")
def login_post():
    """Check the email and password; sign in with a fresh session, or say (vaguely) that it failed."""
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("research/login.html", form=form), 400
    email = accounts.normalize_email(form.email.data)
    wait = failed_sign_ins.wait(email)
    if wait is not None:  # the password is not even checked: a slowed client learns nothing
        return _slowed(form, wait)
    result = accounts.authenticate(db.session, email, form.password.data)
    if result.researcher is None:
        return _refuse(form, email, result.outcome)
    failed_sign_ins.forget(email)
    audit.record(db.session, "sign_in", actor=email)
    db.session.commit()
    accounts.start_session(result.researcher)
    return redirect(safe_next(request.args.get("next")) or url_for("research.index"))


def _refuse(form: SignInForm, email: str, outcome: str):
    """Count and audit a failed sign-in; say that it failed, or how long this device must now wait."""
    failure = failed_sign_ins.count(email)
    audit.record(db.session, "sign_in_failed", actor=email, outcome=outcome)
    if failure.wait is not None:
        audit.record(db.session, "sign_in_slowed", actor=email, minutes=_minutes(failure.wait))
    if failure.burst:  # many clients failing for one account: someone is guessing; the owner is not kept out
        audit.record(db.session, "sign_in_burst", actor=email)
        current_app.logger.warning("many failed sign-ins for one account (see the audit log)")
    db.session.commit()
    if failure.wait is not None:
        return _slowed(form, failure.wait)
    return render_template("research/login.html", form=form, failed=SIGN_IN_FAILED), 401


def _minutes(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds() / 60))


def _slowed(form: SignInForm, wait: timedelta):
    """The sign-in page telling this device how long to wait (the same for every account, known or not)."""
    minutes = _minutes(wait)
    if minutes <= 90:
        message = ngettext(
            "Too many wrong passwords from this device. Try again in %(num)d minute.",
            "Too many wrong passwords from this device. Try again in %(num)d minutes.",
            minutes,
        )
    else:
        message = ngettext(
            "Too many wrong passwords from this device. Try again in %(num)d hour.",
            "Too many wrong passwords from this device. Try again in %(num)d hours.",
            math.ceil(minutes / 60),
        )
    page = render_template("research/login.html", form=form, failed=message)
    return page, 429, {"Retry-After": str(math.ceil(wait.total_seconds()))}


@bp.post("/logout")
def logout():
    """Sign out: the account's sessions end on every device, and so does every copy of this one."""
    if ConfirmForm().validate_on_submit():
        accounts.end_all_sessions(current_user._get_current_object())
        audit.record(db.session, "sign_out")
        db.session.commit()
        accounts.end_session()
        flash(_("You are signed out. Any other device signed in to your account is signed out too."))
    return redirect(url_for("research.login"))


@bp.post("/account/sign-out-everywhere")
def sign_out_everywhere():
    """End every session of this account at once: this device, every other, every copied cookie."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    accounts.end_all_sessions(current_user._get_current_object())
    audit.record(db.session, "signed_out_everywhere")
    db.session.commit()
    accounts.end_session()
    flash(_("You are signed out on every device."))
    return redirect(url_for("research.login"))


@bp.get("/account")
def account():
    """The researcher's own account: role, surveys, the password form, API tokens."""
    surveys = sorted(visible_survey_ids(current_user))
    return render_template(
        "research/account.html", form=PasswordChangeForm(), surveys=surveys, **token_section()
    )


@bp.post("/account")
@limiter.limit("10/minute")
def account_post():
    """Change the password; every other session of this account ends, this one goes on."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        researcher = current_user._get_current_object()  # login_user needs the account, not the proxy
        if check_password_hash(researcher.password_hash, form.current_password.data):
            accounts.set_password(researcher, form.new_password.data)
            audit.record(db.session, "password_changed", email=researcher.email)
            db.session.commit()
            accounts.start_session(researcher)
            flash(_("Your password is changed. Other devices signed in with it are signed out."))
            return redirect(url_for("research.account"))
        form.current_password.errors.append(_("That is not your current password."))
    surveys = sorted(visible_survey_ids(current_user))
    return render_template("research/account.html", form=form, surveys=surveys, **token_section()), 400


@bp.get("/setup/<token>")
@public
def setup(token: str):
    """Create the first admin, from the one-time link `make run` printed."""
    if not accounts.setup_token_usable(db.session, token):
        abort(404)
    return render_template("research/setup.html", form=FirstAdminForm(), token=token)


@bp.post("/setup/<token>")
@public
@limiter.limit("10/minute")
def setup_post(token: str):
    """Spend the link on the first admin account and sign it in."""
    form = FirstAdminForm()
    if not accounts.setup_token_usable(db.session, token):
        abort(404)
    valid = form.validate_on_submit()
    if valid and accounts.find_researcher(db.session, form.email.data):
        form.email.errors.append(_("An account with this email exists already. Use another address."))
        valid = False
    if not valid:
        return render_template("research/setup.html", form=form, token=token), 400
    if not accounts.use_setup_token(db.session, token):
        abort(404)
    admin = accounts.create_researcher(db.session, form.email.data, form.new_password.data, Researcher.ADMIN)
    audit.record(
        db.session, "user_created", actor=admin.email, email=admin.email, role=admin.role, via="setup link"
    )
    db.session.commit()
    accounts.start_session(admin)
    return redirect(url_for("research.index"))
