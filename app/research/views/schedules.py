"""Scheduled exports in the researcher area: the dashboard's export saved to be made again every night
or every Monday night; the newest file of each, to download; removing one."""

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import audit
from app.exports import FORMATS, ExportError, ExportOptions
from app.extensions import db
from app.jobs import schedules
from app.models import ScheduledExport
from app.research import jobs
from app.research.access import is_admin, survey_or_404
from app.research.blueprint import bp
from app.research.filters import Filters, parse_filters
from app.research.formatting import label_language
from app.research.forms import ConfirmForm
from app.surveys.models import Survey


def _options(survey: Survey, filters: Filters, form) -> tuple[str, ExportOptions]:
    """The format and options of the dashboard's export form, as a download from it would have them."""
    fmt = form.get("format", "xlsx")
    if fmt not in FORMATS:
        raise ExportError(
            _("A scheduled export is one of these formats: %(formats)s.", formats=", ".join(FORMATS))
        )
    lang = form.get("lang")
    return fmt, ExportOptions(
        values="labels" if form.get("values") == "labels" else "codes",
        lang=lang if lang in survey.languages else None,
        submitted_from=filters.date_from,
        submitted_to=filters.date_to,
        where=filters.hidden,
        language=filters.language,
        include_partial=filters.partial,
        include_demo=filters.demo,
        channel=filters.channel,
        sep=jobs.SEPARATORS.get(form.get("sep", "comma"), ","),
    )


def _page(survey_id: str, problem: str | None = None, status: int = 200):
    survey = survey_or_404(survey_id)
    rows = schedules.visible(db.session, survey_id, current_user)
    page = render_template(
        "research/scheduled_exports.html",
        survey=survey,
        lang=label_language(survey),
        schedules=rows,
        made={s.id: s.made_at is not None and schedules.file_path(s).is_file() for s in rows},
        fmt_of=schedules.fmt_of,
        problem=problem,
        confirm=ConfirmForm(),
        nav="surveys",
        tab="scheduled",
    )
    return page, status


@bp.get("/surveys/<survey_id>/scheduled-exports")
def scheduled_exports(survey_id: str):
    """Your scheduled exports of this survey (an admin's: everyone's), with their newest files."""
    return _page(survey_id)


@bp.post("/surveys/<survey_id>/scheduled-exports")
def schedule_export(survey_id: str):
    """Save the export form's format, options and filters to be made again every night or week."""
    survey = survey_or_404(survey_id)
    parsed = parse_filters(request.form, survey)
    if parsed.problems:
        return _page(survey_id, " ".join(str(problem) for problem in parsed.problems), 400)
    try:
        fmt, options = _options(survey, parsed.filters, request.form)
        every = request.form.get("every", "")
        schedule = schedules.create(db.session, current_user, survey_id, fmt, options, every)
    except (ExportError, schedules.ScheduleError) as exc:
        return _page(survey_id, str(exc), 400)
    audit.record(
        db.session, "scheduled_export_saved", survey_id=survey_id, every=every, **jobs.describe(fmt, options)
    )
    db.session.commit()
    flash(_("Saved. The first file is made within a minute; then a new one replaces it every night."))
    if schedule.every == ScheduledExport.WEEKLY:
        flash(_("Weekly: after the first file, a new one is made every Monday night."))
    return redirect(url_for("research.scheduled_exports", survey_id=survey_id))


def _schedule_or_404(survey_id: str, schedule_id: str) -> ScheduledExport:
    survey_or_404(survey_id)
    found = db.session.query(ScheduledExport).filter_by(survey_id=survey_id, public_id=schedule_id).first()
    if found is None or (found.researcher_id != current_user.id and not is_admin(current_user)):
        abort(404)
    return found


@bp.get("/surveys/<survey_id>/scheduled-exports/<schedule_id>/file")
def scheduled_export_download(survey_id: str, schedule_id: str):
    """The newest file of a scheduled export."""
    schedule = _schedule_or_404(survey_id, schedule_id)
    path = schedules.file_path(schedule)
    if schedule.made_at is None or not path.is_file():
        abort(404)
    return send_file(path, as_attachment=True, download_name=schedule.file_name, max_age=0)


@bp.post("/surveys/<survey_id>/scheduled-exports/<schedule_id>/remove")
def remove_scheduled_export(survey_id: str, schedule_id: str):
    """Stop a scheduled export and delete its newest file."""
    schedule = _schedule_or_404(survey_id, schedule_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    audit.record(db.session, "scheduled_export_removed", survey_id=survey_id, every=schedule.every)
    schedules.remove(db.session, schedule)
    db.session.commit()
    flash(_("The scheduled export is removed."))
    return redirect(url_for("research.scheduled_exports", survey_id=survey_id))
