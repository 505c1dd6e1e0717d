"""Researcher accounts: how a signed-in researcher is loaded from the session."""

from app.extensions import db, login_manager
from app.models import Researcher


@login_manager.user_loader
def load_researcher(researcher_id: str) -> Researcher | None:
    """The signed-in researcher, or None when the account is gone or disabled."""
    if not researcher_id.isdigit():
        return None
    researcher = db.session.get(Researcher, int(researcher_id))
    return researcher if researcher is not None and researcher.active else None
