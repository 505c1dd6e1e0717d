"""`flask users ...`: manage researcher accounts and their survey grants from the command line."""

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app import accounts, audit
from app.extensions import db
from app.models import Grant, Researcher
from app.surveys.catalog import current_registry

users_cli = AppGroup("users", help="Manage researcher accounts and which surveys they may see.")


def _account(email: str) -> Researcher:
    researcher = accounts.find_researcher(db.session, email)
    if researcher is None:
        raise click.ClickException(f"no account for {accounts.normalize_email(email)}")
    return researcher


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(accounts.ROLES), required=True, help="admin manages everything")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def create_command(email: str, role: str, password_stdin: bool) -> None:
    """Create an account; asks for the password twice (or reads it from stdin)."""
    password = _read_password(password_stdin)
    try:
        researcher = accounts.create_researcher(db.session, email, password, role)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    audit.record(db.session, "user_created", email=researcher.email, role=role)
    db.session.commit()
    click.echo(f"Created {role} {researcher.email}.")


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def set_password_command(email: str, password_stdin: bool) -> None:
    """Give an account a new password; its sessions end on every device."""
    researcher = _account(email)
    try:
        accounts.set_password(researcher, _read_password(password_stdin))
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    audit.record(db.session, "password_changed", email=researcher.email)
    db.session.commit()
    click.echo(f"New password set for {researcher.email}.")


@users_cli.command("grant")
@click.argument("email")
@click.argument("survey")
@click.option(
    "--level",
    type=click.Choice(Grant.LEVELS),
    default=Grant.READ,
    show_default=True,
    help="read: results, responses, exports, photos; manage: also delete responses, publish, kiosks.",
)
def grant_command(email: str, survey: str, level: str) -> None:
    """Let a researcher see a survey's results (read), or also act on it (manage)."""
    researcher = _account(email)
    registry = current_registry()
    if registry.get(survey) is None:
        known = ", ".join(sorted(registry.surveys)) or "none"
        raise click.ClickException(f"no survey '{survey}' (surveys: {known})")
    if accounts.set_grant(db.session, researcher, survey, level):
        audit.record(db.session, "grant", survey_id=survey, email=researcher.email, level=level)
        click.echo(f"{researcher.email} may now {LEVEL_WORDS[level]} {survey}.")
    else:
        click.echo(f"{researcher.email} could already {LEVEL_WORDS[level]} {survey}.")
    db.session.commit()


LEVEL_WORDS = {Grant.READ: "see", Grant.MANAGE: "see and manage"}


@users_cli.command("revoke")
@click.argument("email")
@click.argument("survey")
def revoke_command(email: str, survey: str) -> None:
    """Take a survey away from a researcher."""
    researcher = _account(email)
    if accounts.revoke(db.session, researcher, survey):
        audit.record(db.session, "revoke", survey_id=survey, email=researcher.email)
        click.echo(f"{researcher.email} can no longer see {survey}.")
    else:
        click.echo(f"{researcher.email} had no grant for {survey}.")
    db.session.commit()


@users_cli.command("list")
def list_command() -> None:
    """Show every account: email, role, state, last sign-in and granted surveys."""
    rows = [("EMAIL", "ROLE", "STATE", "LAST SIGN-IN", "SURVEYS")]
    for researcher in db.session.scalars(select(Researcher).order_by(Researcher.email)):
        state = "active" if researcher.active else "disabled"
        last = researcher.last_sign_in.strftime("%Y-%m-%d %H:%M UTC") if researcher.last_sign_in else "never"
        surveys = (
            "all"
            if researcher.role == Researcher.ADMIN
            else ", ".join(sorted(f"{g.survey_id} ({g.level})" for g in researcher.grants))
        )
        rows.append((researcher.email, researcher.role, state, last, surveys or "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        click.echo("  ".join([cell.ljust(w) for cell, w in zip(row, widths, strict=False)] + [row[-1]]))


def _set_active(email: str, active: bool) -> Researcher:
    researcher = _account(email)
    accounts.set_active(researcher, active)
    audit.record(db.session, "user_enabled" if active else "user_disabled", email=researcher.email)
    db.session.commit()
    return researcher


@users_cli.command("disable")
@click.argument("email")
def disable_command(email: str) -> None:
    """Stop an account from signing in; its sessions end at once."""
    click.echo(f"Disabled {_set_active(email, False).email}.")


@users_cli.command("enable")
@click.argument("email")
def enable_command(email: str) -> None:
    """Let a disabled account sign in again; its old sessions stay ended."""
    click.echo(f"Enabled {_set_active(email, True).email}.")


@users_cli.command("setup-link")
@click.option(
    "--base-url", default="http://127.0.0.1:5000", show_default=True, help="Where the app is served."
)
def setup_link_command(base_url: str) -> None:
    """While no admin exists, print a one-time link that creates the first admin (else print nothing)."""
    if accounts.has_admin(db.session):
        return
    token = accounts.new_setup_token(db.session)
    audit.record(db.session, "setup_link")
    db.session.commit()
    hours = int(accounts.SETUP_LINK_LIFETIME.total_seconds() // 3600)
    click.echo(
        f"\nNo admin account yet. Create the first one within {hours} hours, once, at:\n"
        f"  {base_url.rstrip('/')}/admin/setup/{token}\n"
        "(or run: flask --app wsgi users create EMAIL --role admin)\n"
    )


@users_cli.command("reset-link")
@click.argument("email")
@click.option(
    "--base-url", default="http://127.0.0.1:5000", show_default=True, help="Where the app is served."
)
def reset_link_command(email: str, base_url: str) -> None:
    """Print a one-time link with which the account's owner chooses a new password (an earlier one stops)."""
    researcher = _account(email)
    if not researcher.active:
        raise click.ClickException(f"{researcher.email} is disabled: enable it first")
    link = accounts.new_reset_token(db.session, researcher)
    audit.record(db.session, "reset_link", email=researcher.email)
    db.session.commit()
    hours = int(accounts.reset_link_lifetime().total_seconds() // 3600)
    click.echo(
        f"\nA link for {researcher.email} to choose a new password, once, within {hours} hours:\n"
        f"  {base_url.rstrip('/')}/admin/password/{link.token}\n"
        "Their password works until the link is used; then their sessions end on every device.\n"
    )
