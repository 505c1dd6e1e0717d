"""The survey's link, QR codes and printable posters (one per hidden-field value, e.g. per station)."""

from flask import Response, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from app.languages.interface import wording
from app.research import posters
from app.research.access import survey_or_404
from app.research.blueprint import bp
from app.research.filters import HIDDEN_PREFIX
from app.research.formatting import label_language

CALL = "Scan the code with your phone camera to answer."  # the English source of the text below


def poster_calls(survey) -> list[tuple[str, str]]:
    """The poster's call to action in each survey language: the survey's own wording (`interface:
    scan_the_code`), else the catalog's (English where it has none), each text once, with the
    language it is really in."""
    calls: list[tuple[str, str]] = []
    for code in [*survey.languages, "en"]:
        own = wording(survey, "scan_the_code", code)
        with force_locale(code):
            text = own or _("Scan the code with your phone camera to answer.")  # the literal, for pybabel
        lang = code if own or text != CALL else "en"
        if text not in (t for _lang, t in calls):
            calls.append((lang, text))
    return calls


@bp.get("/surveys/<survey_id>/share")
def share(survey_id: str):
    """The link to give residents, its QR code, and the form that makes posters."""
    survey = survey_or_404(survey_id)
    link = posters.survey_link(survey)
    return render_template(
        "research/share.html",
        survey=survey,
        link=link,
        short=posters.short_link(link),
        lang=label_language(survey),
        nav="surveys",
        tab="share",
    )


@bp.get("/surveys/<survey_id>/qr.svg")
def qr_svg(survey_id: str):
    """The QR code of the survey link (with hidden-field values from hidden_<name>=...), as SVG."""
    survey = survey_or_404(survey_id)
    link = posters.survey_link(survey, posters.link_values(survey, request.args))
    svg = posters.qr_svg(link, title=posters.short_link(link))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})


@bp.get("/surveys/<survey_id>/qr.png")
def qr_png(survey_id: str):
    """The QR code as a PNG file to download (for print shops and slides)."""
    survey = survey_or_404(survey_id)
    hidden = posters.link_values(survey, request.args)
    png = posters.qr_png(posters.survey_link(survey, hidden))
    name = posters.file_stem(survey, hidden)
    headers = {
        "Content-Disposition": f'attachment; filename="{name}-qr.png"',
        "Cache-Control": "private, max-age=3600",
    }
    return Response(png, mimetype="image/png", headers=headers)


@bp.get("/surveys/<survey_id>/posters")
def poster_sheet(survey_id: str):
    """A4 posters to print: one for the plain link, or one per value typed for a hidden field."""
    survey = survey_or_404(survey_id)
    field = request.args.get("field")
    problem, values = None, [None]
    if field in survey.hidden_fields:
        try:
            values = posters.poster_values(request.args.get("values", "")) or [None]
        except posters.PosterValuesError as exc:
            problem = _(
                "Could not read “%(part)s”. Write values like 1-12, 15, north (at most %(n)d posters).",
                part=str(exc),
                n=posters.MAX_POSTERS,
            )
    sheets = []
    for value in values:
        hidden = {field: value} if value is not None else {}
        link = posters.survey_link(survey, hidden)
        qr = url_for(
            "research.qr_svg", survey_id=survey.id, **{HIDDEN_PREFIX + k: v for k, v in hidden.items()}
        )
        sheets.append({"value": value, "short": posters.short_link(link), "qr": qr})
    calls = poster_calls(survey)
    return render_template(
        "research/posters.html",
        survey=survey,
        field=field if field in survey.hidden_fields else None,
        sheets=sheets,
        calls=calls,
        problem=problem,
        lang=label_language(survey),
        nav="surveys",
    ), 400 if problem else 200
