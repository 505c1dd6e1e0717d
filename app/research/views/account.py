"""Sign-in, sign-out, the first-admin link and the researcher's own account page."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.security import check_password_hash

from app import accounts, audit
from app.extensions import db, limiter
from app.models import Researcher
from app.research.access import public, safe_next, visible_survey_ids
from app.research.blueprint import bp
from app.research.forms import ConfirmForm, FirstAdminForm, PasswordChangeForm, SignInForm

# One message for every failed attempt, so that it never tells whether an account exists.
SIGN_IN_FAILED = (
    "The email or password is not right, or the account is locked for a while after too many attempts. "
    "Check them and try again in a few minutes."
)


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
    result = accounts.authenticate(db.session, form.email.data, form.password.data)
    email = accounts.normalize_email(form.email.data)
    if result.researcher is None:
        audit.record(db.session, "sign_in_failed", actor=email, outcome=result.outcome)
        if result.outcome == "locked_now":
            audit.record(db.session, "account_locked", actor=email, minutes=accounts.LOCK_TIME.seconds // 60)
        db.session.commit()
        return render_template("research/login.html", form=form, failed=_(SIGN_IN_FAILED)), 401
    audit.record(db.session, "sign_in", actor=email)
    db.session.commit()
    accounts.start_session(result.researcher)
    return redirect(safe_next(request.args.get("next")) or url_for("research.index"))


@bp.post("/logout")
def logout():
    """Sign out."""
    if ConfirmForm().validate_on_submit():
        audit.record(db.session, "sign_out")
        db.session.commit()
        accounts.end_session()
        flash(_("You are signed out."))
    return redirect(url_for("research.login"))


@bp.get("/account")
def account():
    """The researcher's own account: role, surveys, and the password form."""
    return render_template(
        "research/account.html", form=PasswordChangeForm(), surveys=sorted(visible_survey_ids(current_user))
    )


@bp.post("/account")
@limiter.limit("10/minute")
def account_post():
    """Change the password; other sessions of this account end."""
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
    return render_template("research/account.html", form=form, surveys=surveys), 400


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
