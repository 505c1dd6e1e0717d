"""People and grants for the admins' pages: the accounts to list, which surveys can be given, who may
not be disabled, and the set-password link shown once after it is made."""

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import abort, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from wtforms.fields.choices import SelectChoice

from app import accounts
from app.extensions import db
from app.models import Grant, Researcher
from app.research.access import visible_surveys
from app.research.formatting import label_language
from app.research.forms import GrantForm

# The session key holding a link just made, until the account's page shows it (once).
NEW_LINK = "people_new_link"


def everyone(db_session: Session) -> list[Researcher]:
    """Every account by email, with its grants loaded."""
    query = select(Researcher).options(selectinload(Researcher.grants)).order_by(Researcher.email)
    return list(db_session.scalars(query))


def account_or_404(researcher_id: int) -> Researcher:
    """The account, or 404."""
    researcher = db.session.get(Researcher, researcher_id)
    if researcher is None:
        abort(404)
    return researcher


def survey_choices(admin) -> list[SelectChoice]:
    """Every survey the app serves now ("id: title"): the surveys a grant can name."""
    return [
        SelectChoice(s.id, f"{s.id}: {s.text(s.title, label_language(s))}") for s in visible_surveys(admin)
    ]


def grant_form(admin) -> GrantForm:
    """The form that gives a survey, offering the surveys served now."""
    form = GrantForm()
    form.survey.choices = survey_choices(admin)
    return form


def grant_message(email: str, survey_id: str, level: str, changed: bool) -> str:
    """What a grant did, in words."""
    if level == Grant.MANAGE:
        if changed:
            return _("%(email)s may now see and manage %(survey)s.", email=email, survey=survey_id)
        return _("%(email)s could already see and manage %(survey)s.", email=email, survey=survey_id)
    if changed:
        return _("%(email)s may now see %(survey)s, and not manage it.", email=email, survey=survey_id)
    return _("%(email)s could already see %(survey)s, and not manage it.", email=email, survey=survey_id)


def grants_of(researcher: Researcher, served: set[str]) -> list[tuple[Grant, bool]]:
    """The account's grants by survey id, each with whether its survey is served now."""
    return [(g, g.survey_id in served) for g in sorted(researcher.grants, key=lambda g: g.survey_id)]


def disable_problem(db_session: Session, actor: Researcher, researcher: Researcher) -> str | None:
    """Why the actor may not disable this account (their own, or the last active admin), or None."""
    if actor.id == researcher.id:
        return _("You cannot disable your own account. Another admin can.")
    if accounts.is_last_active_admin(db_session, researcher):
        return _("This is the last active admin: add or enable another admin first.")
    return None


@dataclass(frozen=True)
class ShownLink:
    """A set-password link to show on its account's page, once."""

    url: str
    expires_at: datetime
    hours: int


def remember_link(researcher: Researcher, link: accounts.ResetLink) -> None:
    """Keep a link just made in the admin's session until the account's page shows it (PRG)."""
    session[NEW_LINK] = {
        "researcher_id": researcher.id,
        "url": url_for("research.choose_password", token=link.token, _external=True),
        "expires_at": link.expires_at.timestamp(),
        "hours": int(accounts.reset_link_lifetime().total_seconds() // 3600),
    }


def take_link(researcher: Researcher) -> ShownLink | None:
    """The link made for this account, if the admin has not seen it yet; it is then forgotten."""
    kept = session.get(NEW_LINK)
    if not kept or kept.get("researcher_id") != researcher.id:
        return None
    session.pop(NEW_LINK)
    return ShownLink(kept["url"], datetime.fromtimestamp(kept["expires_at"], UTC), kept["hours"])
