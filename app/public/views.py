"""Public pages: the list of open surveys, the accessibility statement and the privacy page."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template
from flask_babel import get_locale

from app.surveys.catalog import current_registry
from app.surveys.models import Survey

bp = Blueprint("public", __name__)


def open_surveys() -> list:
    """The surveys residents can answer now, in title order."""
    tz = ZoneInfo(current_app.config["LYSSNA_TIMEZONE"])
    now = datetime.now(UTC)
    surveys = [s for s in current_registry().surveys.values() if s.state(now, tz) == "open"]
    return sorted(surveys, key=lambda s: s.text(s.title, s.default_language).casefold())


def shown_language(survey: Survey, wanted: str) -> str:
    """The language a survey is listed in: the interface language when the survey has it, else its default."""
    return wanted if wanted in survey.languages else survey.default_language


@bp.get("/")
def index():
    """The list of open surveys, each in the interface language where it has it."""
    wanted = str(get_locale())
    listed = [(survey, shown_language(survey, wanted)) for survey in open_surveys()]
    return render_template("public/index.html", listed=listed, wanted=wanted)


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement a public body must publish, in the interface language."""
    lang = str(get_locale())
    return render_template([f"public/accessibility_{lang}.html", "public/accessibility_en.html"], lang=lang)


@bp.get("/privacy")
def privacy():
    """What Lyssna stores about residents and how to have answers deleted, in the interface language."""
    lang = str(get_locale())
    return render_template([f"public/privacy_{lang}.html", "public/privacy_en.html"], lang=lang)
