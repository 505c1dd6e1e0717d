"""The survey list, a survey's dashboard and a pilot's waves side by side."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from flask_login import current_user

from app.extensions import db
from app.research import charts, overview, waves
from app.research import dashboard as dashboards
from app.research.access import pilot_surveys, survey_or_404, visible_surveys
from app.research.blueprint import bp
from app.research.filters import parse_filters
from app.research.formatting import label_language
from app.research.wordings import earlier_wordings


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["LYSSNA_TIMEZONE"])


@bp.get("/")
def index():
    """The surveys the researcher may see, with how many have answered."""
    rows = overview.survey_figures(db.session, visible_surveys(current_user), datetime.now(UTC), _zone())
    return render_template("research/index.html", rows=rows, nav="surveys")


@bp.get("/surveys/<survey_id>")
def dashboard(survey_id: str):
    """A survey's results: responses over time, where residents stop, and a summary per question."""
    survey = survey_or_404(survey_id)
    parsed = parse_filters(request.args, survey)
    board = dashboards.dashboard(db.session, survey, parsed.filters, _zone())
    chart = charts.day_chart(board.per_day)
    lang = label_language(survey)
    return render_template(
        "research/dashboard.html",
        survey=survey,
        board=board,
        chart=chart,
        wordings=earlier_wordings(db.session, survey, lang),
        filters=parsed.filters,
        problems=parsed.problems,
        hidden_values=dashboards.hidden_values(db.session, survey, parsed.filters),
        lang=lang,
        nav="surveys",
        tab="dashboard",
    ), (400 if parsed.problems else 200)


@bp.get("/pilots/<pilot>")
def pilot(pilot: str):
    """A pilot's waves side by side: each shared question in the baseline and the follow-ups."""
    include_demo = request.args.get("demo") == "1"
    comparison = waves.compare_waves(
        db.session, pilot, pilot_surveys(current_user, pilot), _zone(), include_demo=include_demo
    )
    first = comparison.waves[0].survey
    return render_template(
        "research/pilot.html", comparison=comparison, lang=label_language(first), nav="surveys"
    )
