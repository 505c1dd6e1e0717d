"""`flask users token|tokens|revoke-token`: personal API tokens from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app import accounts, audit
from app.api import tokens
from app.extensions import db
from app.models import ApiToken, Researcher


@click.command("token")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, e.g. 'nightly R script'.")
@click.option("--expires-days", type=click.IntRange(1), help="Stop working after this many days.")
@with_appcontext
def token_command(email: str, name: str, expires_days: int | None) -> None:
    """Make an API token for the account; it is printed once (only its hash is kept)."""
    researcher = accounts.find_researcher(db.session, email)
    if researcher is None:
        raise click.ClickException(f"no account for {accounts.normalize_email(email)}")
    if not researcher.active:
        raise click.ClickException(f"{researcher.email} is disabled: enable it first")
    try:
        row, token = tokens.create(db.session, researcher, name, expires_days)
    except tokens.TokenError as exc:
        raise click.ClickException(str(exc)) from None
    expires = row.expires_at.isoformat() if row.expires_at else None
    audit.record(
        db.session, "token_created", email=researcher.email, token=row.id, name=row.name, expires_at=expires
    )
    db.session.commit()
    click.echo(token)  # alone on stdout, so that a script can capture it
    until = f", until {row.expires_at:%Y-%m-%d %H:%M} UTC" if row.expires_at else ""
    click.echo(
        f"Token {row.id} '{row.name}' for {researcher.email}{until}. It is shown this once: "
        "keep it as a password. It reads what the account may read.",
        err=True,
    )


@click.command("tokens")
@click.argument("email", required=False)
@with_appcontext
def tokens_command(email: str | None) -> None:
    """List API tokens (of one account, or of all): id, name, owner, state, last use, uses."""
    query = select(ApiToken, Researcher.email).join(Researcher).order_by(Researcher.email, ApiToken.id)
    if email:
        query = query.where(Researcher.email == accounts.normalize_email(email))
    rows = [("ID", "NAME", "OWNER", "STATE", "CREATED", "EXPIRES", "LAST USED", "USES")]
    for token, owner in db.session.execute(query):
        rows.append(
            (
                str(token.id),
                token.name,
                owner,
                tokens.state(token),
                f"{token.created_at:%Y-%m-%d}",
                f"{token.expires_at:%Y-%m-%d}" if token.expires_at else "never",
                f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never",
                str(token.uses),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@click.command("revoke-token")
@click.argument("token_id", type=int)
@with_appcontext
def revoke_token_command(token_id: int) -> None:
    """Stop an API token for good (its id is in `flask users tokens`)."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"no token {token_id}")
    owner = db.session.get(Researcher, token.researcher_id)
    if tokens.revoke(db.session, token):
        audit.record(db.session, "token_revoked", email=owner.email, token=token.id, name=token.name)
        click.echo(f"Revoked token {token.id} '{token.name}' of {owner.email}.")
    else:
        click.echo(f"Token {token.id} was revoked already.")
    db.session.commit()
