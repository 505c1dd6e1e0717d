"""The live screen's pages: the screen and its refreshes, moderating free texts and display links (all
`manage`, under /admin), and the screen a display link opens on a projector (/display/<token>)."""

import base64
from dataclasses import replace
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from app.extensions import db
from app.i18n import language_name
from app.live import display_links, moderation
from app.live.blueprint import bp, passive
from app.live.figures import (
    REFRESH_SECONDS,
    live_screen,
    local_minute,
    parse_options,
    shown_summaries,
    since_label,
)
from app.live.forms import DecisionForm, DisplayLinkForm, RevokeForm
from app.models import utcnow
from app.research import access, formatting, posters
from app.research.access import manage_level, survey_or_404
from app.surveys.catalog import current_registry
from app.surveys.models import Survey

NEW_LINK = "live.new_display_link"  # a link just made, kept in the session until its page shows it once
DISPLAY_HEADERS = {
    "Referrer-Policy": "no-referrer",  # the token is in the URL: never send it anywhere
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
}


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["LYSSNA_TIMEZONE"])


# ----------------------------------------------------------------------------- the screen


@bp.get("/admin/surveys/<survey_id>/live")
@manage_level
def screen(survey_id: str):
    """The live screen for the room, with its settings (start time, what to count) below the figures."""
    survey = survey_or_404(survey_id)
    options, problems = parse_options(request.args, survey, _zone())
    args = {**options.query_args(_zone()), **_language_args()}
    return render_template(
        "live/screen.html",
        **_page_context(survey, options),
        refresh_url=url_for("live.figures", survey_id=survey.id, **args),
        refresh_link=url_for("live.screen", survey_id=survey.id, **args),
        controls=True,
        problems=problems,
        choosable=shown_summaries(survey),
        waiting=moderation.waiting(db.session, survey),
        now_local=local_minute(utcnow(), _zone()),
    ), (400 if problems else 200)


@bp.get("/admin/surveys/<survey_id>/live/figures")
@manage_level
@passive
def figures(survey_id: str):
    """The screen's figures alone, for its refresh script (the researcher's session is left as it was)."""
    survey = survey_or_404(survey_id)
    options, problems = parse_options(request.args, survey, _zone())
    if problems:
        abort(400)
    return render_template("live/_figures.html", **_screen_context(survey, options))


@bp.get("/display/<token>")
@access.public
@passive
def display(token: str):
    """The live screen a display link opens: one survey, read-only, approved texts only, until it ends."""
    link, survey = _display_or_404(token)
    options = _display_options(survey, link)
    args = {**options.query_args(_zone(), with_since=False), **_language_args()}
    page = render_template(
        "live/screen.html",
        **_page_context(survey, options),
        refresh_url=url_for("live.display_figures", token=token, **args),
        refresh_link=url_for("live.display", token=token, **args),
        controls=False,
        link=link,
    )
    return page, 200, DISPLAY_HEADERS


@bp.get("/display/<token>/figures")
@access.public
@passive
def display_figures(token: str):
    """A display link's figures alone, for the screen's refresh script."""
    link, survey = _display_or_404(token)
    page = render_template("live/_figures.html", **_screen_context(survey, _display_options(survey, link)))
    return page, 200, DISPLAY_HEADERS


def _display_or_404(token: str):
    link = display_links.usable(db.session, token)
    survey = current_registry().surveys.get(link.survey_id) if link is not None else None
    if survey is None:
        abort(404)
    return link, survey


def _display_options(survey: Survey, link):
    """What a display link's screen counts: from the link's start time, whatever its URL says."""
    options, _problems = parse_options(request.args, survey, _zone())
    return replace(options, since=link.since)


def _language_args() -> dict:
    return {name: request.args[name] for name in ("lang", "labels") if request.args.get(name)}


def _screen_context(survey: Survey, options) -> dict:
    """What the figures need (the refresh script gets these alone)."""
    screen = live_screen(db.session, survey, options, _zone())
    return {
        "survey": survey,
        "screen": screen,
        "since_label": since_label(options.since, screen.computed_at, _zone()),
        "lang": formatting.label_language(survey),
        "zone": _zone(),
    }


def _page_context(survey: Survey, options) -> dict:
    """The figures, and what the whole page adds: the survey's address and QR code, the refresh."""
    link = posters.survey_link(survey)
    svg = posters.qr_svg(link, title=posters.short_link(link))
    return {
        **_screen_context(survey, options),
        "short": posters.short_link(link),
        "qr": "data:image/svg+xml;base64," + base64.b64encode(svg).decode(),
        "refresh_seconds": REFRESH_SECONDS,
    }


# ----------------------------------------------------------------------------- moderation


@bp.get("/admin/surveys/<survey_id>/live/moderate")
@manage_level
def moderate(survey_id: str):
    """The free texts residents wrote, to approve for the live screen or hide from it."""
    survey = survey_or_404(survey_id)
    view = _moderation_view(request.args.get("show"))
    items, counts = moderation.items(db.session, survey, view)
    return render_template(
        "live/moderate.html",
        survey=survey,
        items=items,
        counts=counts,
        view=view,
        views=moderation.VIEWS,
        form=DecisionForm(),
        lang=formatting.label_language(survey),
        nav="surveys",
    )


@bp.post("/admin/surveys/<survey_id>/live/moderate")
@manage_level
def decide(survey_id: str):
    """Approve one free text for the live screen, or hide it (nothing is deleted); audited."""
    survey = survey_or_404(survey_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        status = moderation.decide(
            db.session, survey, form.response.data, form.question.data, form.decision.data
        )
    except moderation.NotModerated:
        abort(404)
    db.session.commit()
    flash(_("Approved: on the screen at its next refresh.") if status == "approved" else _("Hidden."))
    view = _moderation_view(request.form.get("show"))
    return redirect(url_for("live.moderate", survey_id=survey.id, show=view, _anchor="texts"))


def _moderation_view(value: str | None) -> str:
    return value if value in moderation.VIEWS else moderation.PENDING


# ----------------------------------------------------------------------------- display links


@bp.get("/admin/surveys/<survey_id>/live/links")
@manage_level
def links(survey_id: str):
    """The survey's display links (for a projector without anyone's sign-in), and the form for a new one."""
    survey = survey_or_404(survey_id)
    return _links_page(survey, _link_form(survey))


@bp.post("/admin/surveys/<survey_id>/live/links")
@manage_level
def create_link(survey_id: str):
    """Make a display link; its address is shown once, on the page this redirects to."""
    survey = survey_or_404(survey_id)
    form = _link_form(survey)
    if not form.validate_on_submit():
        return _links_page(survey, form), 400
    since = form.since.data.replace(tzinfo=_zone()) if form.since.data else None
    link, token = display_links.create(
        db.session, survey.id, label=form.label.data, since=since, hours=form.hours.data
    )
    db.session.commit()
    args = {
        "lang": form.language.data,
        "labels": form.language.data,
        **({"demo": "1"} if form.demo.data else {}),
    }
    session[NEW_LINK] = {
        "survey_id": survey.id,
        "link": link.id,
        "url": url_for("live.display", token=token, _external=True, **args),
    }
    return redirect(url_for("live.links", survey_id=survey.id))


@bp.post("/admin/surveys/<survey_id>/live/links/revoke")
@manage_level
def revoke_link(survey_id: str):
    """Stop a display link at once: its screen shows nothing more from its next refresh."""
    survey_or_404(survey_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        abort(400)
    if display_links.revoke(db.session, survey_id, form.link.data) is None:
        abort(404)
    db.session.commit()
    flash(_("The display link is revoked: its screen stops at its next refresh."))
    return redirect(url_for("live.links", survey_id=survey_id))


def _link_form(survey: Survey) -> DisplayLinkForm:
    form = DisplayLinkForm()
    form.language.choices = [(code, f"{language_name(code)} ({code})") for code in survey.languages]
    if not form.is_submitted():
        form.language.data = formatting.label_language(survey)
    return form


def _take_new_link(survey_id: str) -> dict | None:
    kept = session.get(NEW_LINK)
    if not kept or kept.get("survey_id") != survey_id:
        return None
    session.pop(NEW_LINK)
    return kept


def _links_page(survey: Survey, form: DisplayLinkForm) -> str:
    return render_template(
        "live/links.html",
        survey=survey,
        links=display_links.links_of(db.session, survey.id),
        state=display_links.state,
        form=form,
        revoke_form=RevokeForm(),
        new_link=_take_new_link(survey.id),
        lang=formatting.label_language(survey),
        nav="surveys",
    )
