"""A survey changed while a resident had one of its pages open: what they typed is kept all the same.

The resident's phone holds the page as the version they were answering showed it. When the page is
sent after a newer version is served, its questions the newer version no longer asks there (or the
whole page, if it is gone) are read with the older version's own definition, and their answers are
stored with the response. See "Changing a survey: versions" in docs/survey-format.md.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.answering.forms import build_form_class
from app.answering.responses import Answering
from app.surveys.catalog import current_registry
from app.surveys.models import Survey


def typed_on_older_version(
    session: Session, survey: Survey, response: Answering, page_id: str, lang: str
) -> dict:
    """The valid answers of the sent page's questions that only the response's older version asked
    there; {} when the response is on the version being served (the usual case, a dict lookup)."""
    registry = current_registry()
    if response.version_id == registry.version_id(session, survey.id):
        return {}
    older = registry.stored(session, response.version_id)
    page = older.page(page_id) if older is not None else None
    if page is None:
        return {}
    now = survey.page(page_id)
    asked_now = {q.id for q in now.questions} if now is not None else set()
    left = [q for q in page.questions if q.id not in asked_now and q.type not in ("note", "photo")]
    if not left:
        return {}
    key = ("left behind form", response.version_id, page_id, tuple(q.id for q in left), lang)
    form_class = registry.derived(
        key, lambda: build_form_class(older, page.model_copy(update={"questions": left}), lang)
    )
    form = form_class(meta={"csrf": False})  # the page's own form has checked the token already
    shown = {q.id for q in left}
    form.validate_shown(shown)
    return form.valid_answers(shown)
