"""Public pages: the list of open surveys."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template

from app.surveys.registry import current_registry

bp = Blueprint("public", __name__)


def open_surveys() -> list:
    """The surveys residents can answer now, in title order."""
    tz = ZoneInfo(current_app.config["LYSSNA_TIMEZONE"])
    now = datetime.now(UTC)
    surveys = [s for s in current_registry().surveys.values() if s.state(now, tz) == "open"]
    return sorted(surveys, key=lambda s: s.text(s.title, s.default_language).casefold())


@bp.get("/")
def index():
    """The list of open surveys."""
    return render_template("public/index.html", surveys=open_surveys())
