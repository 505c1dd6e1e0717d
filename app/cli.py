"""Registers the command groups; each group lives with its package."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Add every `flask ...` command group to the app."""
    from app.api.cli import revoke_token_command, token_command, tokens_command
    from app.exports.cli import demo_cli, export_command
    from app.jobs.worker import worker_command
    from app.lifecycle import data_cli
    from app.research.cli import users_cli
    from app.surveys.cli import surveys_cli
    from app.webhooks.cli import webhooks_cli

    app.cli.add_command(surveys_cli)
    app.cli.add_command(data_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(export_command)
    app.cli.add_command(demo_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(webhooks_cli)
    # Tokens belong to accounts, so their commands are `flask users token|tokens|revoke-token`.
    for command in (token_command, tokens_command, revoke_token_command):
        users_cli.add_command(command)
