"""The researcher blueprint object: every view under /admin passes access.guard first."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app
from flask_login import current_user

from app.research import access, formatting

bp = Blueprint("research", __name__, url_prefix="/admin", template_folder="templates")
bp.before_request(access.guard)


@bp.context_processor
def template_helpers() -> dict:
    """Formatting helpers, the signed-in user and their role, for the researcher templates only."""
    return {
        "local_time": formatting.local_time,
        "percent": formatting.percent,
        "count": formatting.count,
        "width_class": formatting.width_class,
        "duration": formatting.duration,
        "fmt_number": formatting.number,
        "label_language": formatting.label_language,
        "state_name": formatting.state_name,
        "role_name": formatting.role_name,
        "level_name": formatting.level_name,
        "type_name": formatting.type_name,
        "scale_note": formatting.scale_note,
        "hidden_rows": formatting.hidden_rows,
        "filter_summary_of": formatting.filter_summary,
        "current_user": current_user,
        "is_admin": access.is_admin(current_user),
        "now_utc": datetime.now(UTC),
        "zone": ZoneInfo(current_app.config["LYSSNA_TIMEZONE"]),
    }
