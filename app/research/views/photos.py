"""A survey's photo gallery, filtered like the dashboard."""

from zoneinfo import ZoneInfo

from flask import abort, current_app, render_template, request

from app.extensions import db
from app.research import dashboard as dashboards
from app.research import photos
from app.research.access import survey_or_404
from app.research.blueprint import bp
from app.research.filters import parse_filters
from app.research.formatting import label_language


@bp.get("/surveys/<survey_id>/photos")
def photo_gallery(survey_id: str):
    """The photos residents sent, newest first, each linked to its response and its full size."""
    survey = survey_or_404(survey_id)
    questions = photos.photo_questions(survey)
    if not questions:
        abort(404)
    parsed = parse_filters(request.args, survey)
    question, page = photos.requested(questions, request.args)
    tz = ZoneInfo(current_app.config["LYSSNA_TIMEZONE"])
    found = photos.gallery(db.session, survey, parsed.filters, tz, page, question)
    lang = label_language(survey)
    return render_template(
        "research/photos.html",
        survey=survey,
        gallery=found,
        questions=questions,
        labels={q.id: survey.text(q.label, lang) for q in questions},
        question=question,
        filters=parsed.filters,
        problems=parsed.problems,
        hidden_values=dashboards.hidden_values(db.session, survey, parsed.filters),
        lang=lang,
        nav="surveys",
        tab="photos",
    ), (400 if parsed.problems else 200)
