"""`flask webhooks add|list|remove`: a survey's webhooks from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app import audit
from app.extensions import db
from app.models import Webhook
from app.surveys.catalog import current_registry
from app.webhooks import hooks

webhooks_cli = AppGroup("webhooks", help="URLs told of each completed response of a survey (signed POSTs).")


@webhooks_cli.command("add")
@click.argument("survey_id", metavar="SURVEY")
@click.argument("url")
@click.option("--secret", help="The secret to sign with (default: a new one, printed once).")
@click.option("--answers", is_flag=True, help="Send the answers too (by default only the response's id).")
def add_command(survey_id: str, url: str, secret: str | None, answers: bool) -> None:
    """Tell URL of each completed response of SURVEY."""
    registry = current_registry()
    if registry.get(survey_id) is None:
        known = ", ".join(sorted(registry.surveys)) or "none"
        raise click.ClickException(f"no survey '{survey_id}' (surveys: {known})")
    try:
        hook, made = hooks.add(db.session, survey_id, url, secret, answers, by=audit.cli_actor())
    except hooks.HookError as exc:
        raise click.ClickException(str(exc)) from None
    audit.record(
        db.session, "webhook_added", survey_id=survey_id, webhook=hook.id, url=hook.url, answers=answers
    )
    db.session.commit()
    click.echo(f"Webhook {hook.id}: {survey_id} -> {hook.url}{' (with answers)' if answers else ''}")
    if made:
        click.echo(f"secret: {made}")


@webhooks_cli.command("list")
@click.argument("survey_id", metavar="[SURVEY]", required=False)
def list_command(survey_id: str | None) -> None:
    """Every webhook (of one survey): id, survey, URL, answers or not, deliveries so far."""
    found = hooks.active(db.session, survey_id)
    tallies = hooks.tallies(db.session, [hook.id for hook in found])
    if not found:
        click.echo("No webhooks.")
    for hook in found:
        t = tallies[hook.id]
        click.echo(
            f"{hook.id}  {hook.survey_id}  {hook.url}  {'answers' if hook.include_answers else 'ids only'}  "
            f"delivered {t['delivered']}, trying {t['trying']}, given up {t['given_up']}"
        )


@webhooks_cli.command("remove")
@click.argument("hook_id", type=int)
def remove_command(hook_id: int) -> None:
    """Stop a webhook (its delivery log is kept)."""
    hook = db.session.get(Webhook, hook_id)
    if hook is None or hook.disabled_at is not None:
        raise click.ClickException(f"no webhook {hook_id}")
    hooks.remove(db.session, hook)
    audit.record(db.session, "webhook_removed", survey_id=hook.survey_id, webhook=hook.id, url=hook.url)
    db.session.commit()
    click.echo(f"Removed webhook {hook.id} ({hook.url}).")
