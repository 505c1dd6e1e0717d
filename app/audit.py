"""The audit log: who signed in, exported, deleted or granted what, kept in the database."""

import getpass

from flask import has_request_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import AuditEvent

# Every action the log knows, with the words the audit page shows for it (translated when shown).
ACTIONS = {
    "sign_in": _l("Signed in"),
    "sign_in_failed": _l("Failed sign-in"),
    "sign_out": _l("Signed out"),
    "signed_out_everywhere": _l("Signed out everywhere"),
    "sign_in_slowed": _l("A device slowed down after wrong passwords"),
    "sign_in_burst": _l("Many failed sign-ins for one account"),
    "account_locked": _l("Account locked after failed sign-ins"),  # no longer happens; older events show it
    "password_changed": _l("Password changed"),
    "user_created": _l("Account created"),
    "user_disabled": _l("Account disabled"),
    "user_enabled": _l("Account enabled"),
    "grant": _l("Survey granted"),
    "revoke": _l("Survey revoked"),
    "setup_link": _l("First-admin link made"),
    "reset_link": _l("Set-password link made"),
    "survey_published": _l("Survey published"),
    "kiosk_started": _l("Browser made a kiosk"),
    "kiosk_left": _l("Kiosk mode left"),
    "survey_uploaded": _l("Survey file uploaded or edited (not published)"),
    "survey_previewed": _l("Survey previewed (not published)"),
    "survey_opened": _l("Survey opened (or its dates changed)"),
    "survey_closed": _l("Survey closed"),
    "survey_drafted": _l("Survey made a draft again"),
    "export": _l("Export"),
    "response_deleted": _l("Response deleted"),
    "purge": _l("Responses purged (retention)"),
    "update_published": _l("Update for residents published (you said, we did)"),
    "update_withdrawn": _l("Update for residents withdrawn"),
    "quote_approved": _l("Free text approved as a quote on the public results"),
    "quote_hidden": _l("Free text hidden from the public results"),
    "token_created": _l("API token made"),
    "token_revoked": _l("API token revoked"),
    "webhook_added": _l("Webhook added"),
    "webhook_removed": _l("Webhook removed"),
    "scheduled_export_saved": _l("Scheduled export saved"),
    "scheduled_export_removed": _l("Scheduled export removed"),
    "display_link_created": _l("Display link made (live screen)"),
    "display_link_revoked": _l("Display link revoked (live screen)"),
    "text_approved": _l("Free text approved for the live screen"),
    "text_hidden": _l("Free text hidden from the live screen"),
}


def cli_actor() -> str:
    """Who ran a command: the operating-system user, as 'cli:<name>'."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in some containers
        return "cli"


def current_actor() -> str | None:
    """The signed-in researcher's email in a request, else the command-line user."""
    if has_request_context():
        return current_user.email if current_user.is_authenticated else None
    return cli_actor()


def record(
    db_session: Session, action: str, *, actor: str | None = None, survey_id: str | None = None, **detail
) -> AuditEvent:
    """Add an audit event (flushes; the request or command commits it with the change it records)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(action=action, actor=actor or current_actor(), survey_id=survey_id, detail=detail)
    db_session.add(event)
    db_session.flush()
    return event


def page_of_events(db_session: Session, page: int, per_page: int = 50) -> tuple[list[AuditEvent], int]:
    """One page of events, newest first, and the number of events in all."""
    total = db_session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    events = db_session.scalars(
        select(AuditEvent)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(events), total
