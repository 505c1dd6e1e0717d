"""Lyssna: surveys and feedback for living-lab pilots. create_app() assembles the application."""

from pathlib import Path

from flask import Flask

from app import config as settings
from app.private_files import private_dir


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, surveys, blueprints, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    configure(app, config or {})
    register_extensions(app)
    register_surveys(app)
    register_blueprints(app)
    register_jobs(app)
    register_hardening(app)
    register_cli(app)
    return app


def configure(app: Flask, overrides: dict) -> None:
    """Defaults, then the environment, then the caller's overrides; a secret key always."""
    private_dir(Path(app.instance_path))  # the development database, photos and secret key live here
    app.config.update(settings.DEFAULTS)
    app.config.update(settings.from_environment(app.instance_path))
    app.config.update(overrides)
    app.config["SECRET_KEY"] = settings.resolve_secret_key(app.config, app.instance_path)


def register_extensions(app: Flask) -> None:
    """Bind the extension objects and the database's connection settings."""
    from app import accounts, assets, database, i18n, languages, sessions, urls  # noqa: F401  (accounts: user loader)
    from app.extensions import babel, compress, csrf, db, limiter, login_manager, migrate

    sessions.init_app(app)
    db.init_app(app)
    migrations = Path(__file__).parent.parent / "migrations"
    migrate.init_app(
        app, db, directory=str(migrations), compare_type=True, render_item=database.render_migration_type
    )
    csrf.init_app(app)
    # Only the researcher area's templates show who is signed in (app/research/blueprint.py):
    # residents' pages need not load a user for every rendering.
    login_manager.init_app(app, add_context_processor=False)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    database.configure_engine(app)
    i18n.init_app(app)
    compress.init_app(app)
    urls.init_app(app)
    assets.init_app(app)  # after compress: its after_request hook runs before Flask-Compress's
    languages.init_app(app)  # after compress too: a page is unmarked before it is compressed


def register_surveys(app: Flask) -> None:
    """Serve the published surveys, reloaded when anyone publishes; offer the folder's files once."""
    from app.surveys import catalog

    catalog.init_app(app)


def register_blueprints(app: Flask) -> None:
    """One blueprint per area."""
    from app.answering.views import bp as answering_bp
    from app.api.views import bp as api_bp
    from app.health.views import bp as health_bp
    from app.live.views import bp as live_bp
    from app.public.views import bp as public_bp
    from app.research.views import bp as research_bp
    from app.results.views import bp as results_bp
    from app.survey_media.views import bp as survey_media_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(answering_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(research_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(survey_media_bp)
    app.register_blueprint(live_bp)
    app.register_blueprint(api_bp)


def register_jobs(app: Flask) -> None:
    """Work outside requests: RQ with Redis, else threads of this process that also look for due work."""
    from app import jobs

    jobs.init_app(app)


def register_hardening(app: Flask) -> None:
    """Security headers, rate limits, error pages, request log; after the blueprints, whose limits it sets."""
    from app import errors, observability, security

    security.init_app(app)
    errors.init_app(app)
    observability.init_app(app)


def register_cli(app: Flask) -> None:
    """The `flask surveys|data|users|export|demo ...` commands."""
    from app import cli

    cli.init_app(app)
