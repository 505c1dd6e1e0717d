"""The audit log, for admins: sign-ins, failed sign-ins, exports, deletions, grants and account changes."""

from flask import render_template, request

from app import audit
from app.extensions import db
from app.research.access import admin_only
from app.research.blueprint import bp

PER_PAGE = 50


@bp.get("/audit")
@admin_only
def audit_log():
    """A page of audit events, newest first."""
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else 1
    events, total = audit.page_of_events(db.session, page, PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    return render_template(
        "research/audit.html",
        events=events,
        page=page,
        pages=pages,
        total=total,
        per_page=PER_PAGE,
        actions=audit.ACTIONS,
        nav="audit",
    )
