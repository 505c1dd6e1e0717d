"""The pages residents answer surveys on: start, one page at a time, thanks, resume."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, session
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, generate_csrf
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as HttpResponse

from app import attachments
from app.extensions import db
from app.i18n import use_survey_language
from app.languages import fallback
from app.models import Response
from app.research.access import previewing  # the researcher area decides who may try a draft
from app.surveys.catalog import current_registry
from app.surveys.models import Page, Survey
from app.urls import url_for
from app.web import budgets
from app.webhooks import deliveries

from . import access, changes, devices, kept_pages, kiosk, pages, photos, responses
from .forms import HONEYPOT, SHOWN, PageForm, StartForm, build_form_class, formdata_from

bp = Blueprint("answering", __name__, template_folder="templates")

COOKIE_DAYS = 30


@bp.context_processor
def helpers() -> dict:
    """The functions the question macros call, and the kiosk this page is shown on (or None)."""
    return {**pages.template_helpers(), "kiosk": g.get("kiosk")}


@bp.before_request
def _kiosk_forgets():
    """On a kiosk, a response not used for the survey's idle time is forgotten: the survey starts anew."""
    survey_id = (request.view_args or {}).get("survey_id")
    survey = current_registry().get(survey_id) if isinstance(survey_id, str) else None
    if survey is None or not kiosk.active(survey):
        return None
    device = not survey.kiosk  # a browser a researcher made a kiosk: it can be left by signing in
    g.kiosk = KioskPage(survey.kiosk_idle_seconds, kiosk.WARN_SECONDS, kiosk.THANKS_SECONDS, device)
    if kiosk.idle(survey) or kiosk.stranger(survey):
        kiosk.forget(survey, restarted=True)
        if request.endpoint != "answering.start":
            return redirect(url_for(".start", survey_id=survey.id, lang=kiosk.first_language(survey)))
    if "lang" not in session and "lang" not in request.args:
        session["lang"] = kiosk.first_language(survey)  # each person starts in the kiosk's language
    kiosk.touch(survey)
    return None


@bp.after_request
def _kiosk_cookie(http: HttpResponse) -> HttpResponse:
    return kiosk.delete_forgotten_cookie(http)


@dataclass(frozen=True)
class KioskPage:
    """What a kiosk's pages show and their script reads: the idle time, and when to warn."""

    idle_seconds: int
    warn_seconds: int
    thanks_seconds: int
    device: bool


# ----------------------------------------------------------------------------- views


@bp.get("/s/<survey_id>")
def start(survey_id: str):
    """The start page: title, description, privacy notice, language, consent and a start button."""
    survey, lang = _open_survey(survey_id)
    response = devices.from_cookie(survey)
    on_kiosk = kiosk.active(survey)
    if response is not None and response.status == Response.IN_PROGRESS and not on_kiosk:
        return redirect(_page_url(survey, responses.current_page(survey, response)))
    problem = session.get(CODE_PROBLEMS, {}).pop(survey.id, None)
    if isinstance(problem, dict):  # a code just sent that does not work: say so, with what was typed
        session.modified = True
        form = StartForm(code=problem.get("code", ""))
        return _render_start(survey, lang, form, errors=[("code", problem.get("problem", ""), None)])
    hidden = access.hidden_values(survey, request.args)
    key = ("start", request.script_root, survey.id, lang, tuple(sorted(hidden.items())), on_kiosk)
    own = {"form_token": generate_csrf()}
    if survey.access == "token":  # the participant code from the invitation's link, filled in
        own["code"] = request.args.get("code", "")
    if response is not None and not on_kiosk:  # this device has sent its answers already
        own["notice"] = _("You have already answered this survey on this device. You can answer again.")
    if on_kiosk and kiosk.restarted_notice(survey):
        own["notice"] = _("The survey started again from the beginning, because nobody used it for a while.")

    def render(markers) -> str:
        form = StartForm(code=markers.get("code", ""))
        return _render_start(survey, lang, form, notice=markers.get("notice"), own=markers)

    return kept_pages.kept_pages().page(key, own, render)


@bp.post("/s/<survey_id>")
def begin(survey_id: str):
    """Consent given: create the response (the first row stored for this resident) and go to page 1."""
    survey, lang = _open_survey(survey_id)
    form = StartForm()
    if form[HONEYPOT].data:
        return _trapped(survey, lang)
    code, problem = _participant_code(survey, form)
    if problem:  # shown after a redirect, so Back and reload never send the code again
        session.setdefault(CODE_PROBLEMS, {})[survey.id] = {"code": form.code.data or "", "problem": problem}
        session.modified = True
        return redirect(url_for(".start", survey_id=survey.id, **access.hidden_values(survey, request.args)))
    unfinished = responses.find_unfinished(db.session, survey.id, code) if code else None
    if unfinished is not None:  # a participant code started on another device goes on here
        devices.continue_by_code(survey, unfinished)
        return redirect(_page_url(survey, responses.current_page(survey, unfinished)))
    on_kiosk = kiosk.active(survey)
    if on_kiosk:  # a shared device: whoever pressed Start is a new person
        kiosk.forget(survey)
    response = devices.consent(survey, lang, code, "kiosk" if on_kiosk else "link")
    db.session.commit()  # the survey's version, if this was its first use
    return redirect(_page_url(survey, responses.current_page(survey, response)))


@bp.get("/s/<survey_id>/p/<page_id>")
def page(survey_id: str, page_id: str):
    """One page of questions, filled with what the resident answered before."""
    survey, lang, response, page = _page_context(survey_id, page_id)
    draft = responses.draft_of(response, page.id)
    if draft is not None:
        return _page_again(survey, lang, response, page, draft)
    if devices.continues_by_code_only(survey, response):
        return _page_by_code(survey, lang, response, page)
    stored = formdata_from(survey, page, response.answers)
    shown = pages.shown_ids(survey, response, page, {})
    if not stored and pages.same_when_blank(page):
        return _blank_page(survey, lang, response, page, shown)
    form = _form_class(survey, page, lang)(formdata=stored)
    return _render_page(survey, lang, response, page, form, shown)


@bp.post("/s/<survey_id>/p/<page_id>")
def save(survey_id: str, page_id: str):
    """Check and store the page's answers, then go on (or back); the last page completes the response."""
    survey, lang, response, page = _page_context(survey_id, page_id)
    form = _form_class(survey, page, lang)()
    if form[HONEYPOT].data:
        return _trapped(survey, lang)
    token = _store_pending(survey, lang, response, page, form)
    switch = request.form.get("switch_lang")
    answer = _switch_language(survey, response, page, form, switch) if switch else None
    answer = answer or _save_page(survey, lang, response, page, form)
    if token is None or (kiosk.active(survey) and response.status == Response.COMPLETE):  # a kiosk forgets
        return answer
    if kiosk.active(survey):
        kiosk.claim(survey, response.public_id)
    return _with_cookie(make_response(answer), survey, token)


def _save_page(survey: Survey, lang: str, response: responses.Answering, page: Page, form: PageForm):
    """The page's answers checked and stored: the page again with its mistakes, or the next page."""
    photos.receive(db.session, response, form)
    forward = request.form.get("nav") != "back"
    shown = pages.shown_ids(survey, response, page, form.answers())
    new = pages.revealed(page, shown, set(request.form.get(SHOWN, "").split()), form.answers())
    valid = form.validate_shown(shown - set(new))  # a question just revealed is asked, not faulted
    if forward and (new or not valid):  # shown after a redirect, so Back and reload never send again
        _keep_draft(response, page, form, new)
        db.session.commit()  # keeps a picture just sent too, so the resident need not send it again
        return redirect(_page_url(survey, page.id))
    answers = form.answers(shown) if valid else form.valid_answers(shown)
    answers.update(changes.typed_on_older_version(db.session, survey, response, page.id, lang))
    version_id = current_registry().version_id(db.session, survey.id)
    if devices.continues_by_code_only(survey, response):  # texts not shown here are kept unless written anew
        answers = responses.with_unseen_texts(survey, page, response, answers)
    target = responses.save_page(db.session, survey, response, page, answers, version_id, lang, forward)
    if target is None:
        return _finish(survey, response)
    db.session.commit()
    return redirect(_page_url(survey, target))


@bp.get("/s/<survey_id>/thanks")
def thanks(survey_id: str):
    """The thank-you page with the receipt code the resident can quote to have the answers deleted."""
    survey = _survey(survey_id)
    sent = session.get(devices.SENT_IN, {}).get(survey.id)  # the language of the answers just sent here
    if sent is None:
        response = devices.from_cookie(survey)
        sent = response.language if response is not None and response.status == Response.COMPLETE else None
    lang = _language_when_open(survey, closed_ok=True, preferred=sent)  # the answers' language
    return _thanks_page(survey, lang, _receipt(survey))


@bp.post("/s/<survey_id>/new-person")
def new_person(survey_id: str):
    """ "Start over (new person)" on a kiosk: forget whoever used it, back to the start in its language."""
    survey = _survey(survey_id)
    if kiosk.active(survey):
        kiosk.forget(survey)
    return redirect(url_for(".start", survey_id=survey.id, lang=kiosk.first_language(survey)))


@bp.post("/s/<survey_id>/still-here")
def still_here(survey_id: str):
    """A kiosk's page script says someone is using it (typing, touching): the idle time starts again."""
    _survey(survey_id)
    return "", 204


@bp.get("/s/<survey_id>/r/<token>")
def resume(survey_id: str, token: str):
    """A resume link asks first: it says what it would continue, and attaches nothing by itself (a
    link planted on a poster must not put a stranger's phone on someone else's answers)."""
    survey, lang = _open_survey(survey_id)
    response = responses.find_by_token(db.session, survey.id, token)
    if kiosk.active(survey) or response is None:
        return redirect(url_for(".start", survey_id=survey.id))
    done, total = responses.pages_done(survey, response)
    return render_template(
        "answering/resume.html",
        survey=survey,
        lang=lang,
        sent=response.status == Response.COMPLETE,
        done=done,
        total=total,
        saved=format_datetime(
            response.updated_at.astimezone(_tz()).replace(tzinfo=None), "d MMMM y, HH:mm", rebase=False
        ),
        form_token=generate_csrf(),
        action=url_for(".resume_here", survey_id=survey.id, token=token),
    )


@bp.post("/s/<survey_id>/r/<token>")
def resume_here(survey_id: str, token: str):
    """Continue these answers on this device: only this choice attaches the response to it."""
    survey, _lang = _open_survey(survey_id)
    response = responses.find_by_token(db.session, survey.id, token)
    if kiosk.active(survey) or response is None or response.status == Response.COMPLETE:
        return redirect(url_for(".start", survey_id=survey.id))
    target = _page_url(survey, responses.current_page(survey, response))
    return _with_cookie(redirect(target), survey, token)


@bp.get("/s/<survey_id>/photos/<name>")
def photo(survey_id: str, name: str):
    """A small copy of a picture the resident added, shown on their page; only their cookie gets it."""
    survey, _lang = _open_survey(survey_id)
    response = devices.from_cookie(survey)
    if response is None or response.status != Response.IN_PROGRESS:
        abort(404)
    if not attachments.owns_photo(db.session, response, name):
        abort(404)
    return photos.send_thumbnail(name)


@bp.get("/s/<survey_id>/privacy")
def notice(survey_id: str):
    """The survey's privacy notice, linked from every page of it."""
    survey, lang = _open_survey(survey_id, closed_ok=True)
    if survey.privacy_notice is None:  # then the service's own privacy page says it all
        return redirect(url_for("public.privacy", lang=lang))
    return render_template("answering/notice.html", survey=survey, lang=lang)


@bp.errorhandler(CSRFError)
def csrf_error(error: CSRFError):
    """An expired or missing form token: show the form again with what was typed and a fresh token."""
    try:
        return _form_again()
    except HTTPException as answer:  # unknown survey, closed, or not their page: an error handler
        return current_app.handle_http_exception(answer)  # cannot raise (it would become a 500)


def _form_again():
    args = request.view_args or {}
    if "page_id" not in args:
        survey, lang = _open_survey(args.get("survey_id", ""))
        return _render_start(survey, lang, StartForm(), notice=_session_expired())
    survey, lang, response, page = _page_context(args.get("survey_id", ""), args["page_id"])
    form = _form_class(survey, page, lang)()
    if response.id:  # kept with the response, and shown after a redirect
        _keep_draft(response, page, form, (), notice=_session_expired())
        db.session.commit()
        return redirect(_page_url(survey, page.id))
    shown = pages.shown_ids(survey, response, page, form.answers())
    return _render_page(survey, lang, response, page, form, shown, notice=_session_expired())


def _session_expired() -> str:
    """Said once the language of the page is settled (the resident's, on a survey page)."""
    return _("Your session had expired, so nothing was saved yet. Check your answers and send them again.")


# ----------------------------------------------------------------------------- helpers


def _open_survey(survey_id: str, closed_ok: bool = False) -> tuple[Survey, str]:
    """The survey and its language for this request; 404 for drafts, a kind page when not open."""
    survey = _survey(survey_id)
    return survey, _language_when_open(survey, closed_ok)


def _survey(survey_id: str) -> Survey:
    """The survey, or 404 (also for a draft, except to a researcher trying it)."""
    survey = current_registry().get(survey_id)
    if survey is None or (survey.status == "draft" and not previewing(survey)):
        abort(404)
    return survey


def _language_when_open(survey: Survey, closed_ok: bool = False, preferred: str | None = None) -> str:
    """The language of this request (`preferred`: the response's); a kind page when the survey is not open."""
    lang = use_survey_language(survey.languages, preferred)
    fallback.use_fallbacks(survey.interface_fallbacks(lang))  # texts its catalog lacks, marked
    state = access.availability(survey, _tz())
    if state != "open" and not closed_ok and not previewing(survey):
        opens, closes = survey.window(_tz())
        page = render_template(
            "answering/unavailable.html", survey=survey, lang=lang, state=state, opens=opens, closes=closes
        )
        abort(HttpResponse(page, status=200 if state == "scheduled" else 410, mimetype="text/html"))
    return lang


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["LYSSNA_TIMEZONE"])


def _page_context(survey_id: str, page_id: str):
    """Survey, language, the resident's response and the page; redirects when the page is not theirs."""
    survey = _survey(survey_id)
    response = devices.answering(survey)
    lang = _language_when_open(survey, preferred=response.language if response is not None else None)
    if response is None:
        abort(redirect(url_for(".start", survey_id=survey.id)))
    if response.status == Response.COMPLETE:
        abort(redirect(url_for(".start" if kiosk.active(survey) else ".thanks", survey_id=survey.id)))
    page = survey.page(page_id)
    if page is None and request.method == "POST":  # sent from a page a newer version no longer has
        _keep_typed(survey, response, page_id, lang)
    if page is None or not responses.may_visit(survey, response, page_id):
        abort(redirect(_page_url(survey, responses.current_page(survey, response))))
    return survey, lang, response, page


# What a page's draft keeps of the form sent: everything typed, not the form token or the trap.
NOT_KEPT = frozenset({"csrf_token", HONEYPOT, "nav", "switch_lang"})


def _switch_language(survey: Survey, response: responses.Answering, page: Page, form: PageForm, lang: str):
    """The page in another language, with what was typed on it (kept as a draft, nothing checked)."""
    if lang not in survey.languages:
        return None
    photos.receive(db.session, response, form)
    _keep_draft(response, page, form, (), quiet=True)
    db.session.commit()
    return redirect(url_for(".page", survey_id=survey.id, page_id=page.id, lang=lang))


def _keep_draft(
    response: responses.Answering, page: Page, form: PageForm, revealed, notice=None, quiet: bool = False
) -> None:
    """Keep the page as sent (typed values, pictures' mistakes) with the response, for after the redirect."""
    typed = [[name, value] for name, value in request.form.items(multi=True) if name not in NOT_KEPT]
    photo_errors = {q.id: list(form[q.id].process_errors) for q in photos.photo_questions(form)}
    typed += [
        [f"{PHOTO_ERROR}{qid}", message] for qid, messages in photo_errors.items() for message in messages
    ]
    responses.keep_draft(db.session, response, page.id, typed, revealed, notice, quiet)


PHOTO_ERROR = "photo-error:"  # a draft entry holding a picture's mistake, not a form value


def _page_by_code(survey: Survey, lang: str, response: responses.Answering, page: Page) -> str:
    """A page continued by participant code on a new device: choices as answered, texts not shown."""
    kept = {k: v for k, v in response.answers.items() if not responses.is_text_answer(survey, k)}
    form = _form_class(survey, page, lang)(formdata=formdata_from(survey, page, kept))
    shown = pages.shown_ids(survey, response, page, {})
    notice = _("What you wrote on your first device is kept, but not shown on this device.")
    return _render_page(survey, lang, response, page, form, shown, notice=notice)


def _page_again(survey: Survey, lang: str, response: responses.Answering, page: Page, draft: dict) -> str:
    """A page as it was sent with mistakes (or with a question it revealed): typed values and mistakes."""
    items = [(name, value) for name, value in draft.get("form", []) if not name.startswith(PHOTO_ERROR)]
    form = _form_class(survey, page, lang)(formdata=MultiDict(items))
    for name, message in draft.get("form", []):
        if name.startswith(PHOTO_ERROR):
            form[name.removeprefix(PHOTO_ERROR)].process_errors.append(message)
    photos.fill(db.session, response, form)
    shown = pages.shown_ids(survey, response, page, form.answers())
    revealed = [qid for qid in draft.get("revealed", []) if qid in shown]
    if not draft.get("quiet"):  # a page kept for a change of language is not checked yet
        form.validate_shown(shown - set(revealed))
    return _render_page(
        survey, lang, response, page, form, shown, revealed=revealed, notice=draft.get("notice")
    )


def _keep_typed(survey: Survey, response: responses.Answering, page_id: str, lang: str) -> None:
    """Store what was typed on a page of the response's older version that the survey has dropped."""
    typed = changes.typed_on_older_version(db.session, survey, response, page_id, lang)
    if typed:
        responses.keep_answers(db.session, response, typed)
        db.session.commit()


def _form_class(survey: Survey, page: Page, lang: str) -> type[PageForm]:
    """The page's form class, built once per page and language (its messages are in that language)."""
    key = ("page form", survey.id, page.id, lang)
    return current_registry().derived(key, lambda: build_form_class(survey, page, lang))


def _page_url(survey: Survey, page_id: str) -> str:
    return url_for(".page", survey_id=survey.id, page_id=page_id)


def _with_cookie(http: HttpResponse, survey: Survey, token: str) -> HttpResponse:
    """Hold the resume token in a cookie for this survey only; a kiosk's ends with the browser session."""
    http.set_cookie(
        devices.cookie_name(survey),
        token,
        max_age=None if kiosk.active(survey) else COOKIE_DAYS * 24 * 3600,
        path=f"/s/{survey.id}",
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )
    return http


def _participant_code(survey: Survey, form: StartForm) -> tuple[str | None, str | None]:
    """The participant code of an `access: token` survey, or the problem with it.

    A code that does not exist and one that has answered already get the same words, so trying
    codes tells nobody which exist; wrong codes spend budgets per client and per survey.
    """
    if survey.access != "token":
        return None, None
    code = access.normalize_code(form.code.data or "")
    if not code:
        return code, _("Enter the participant code from your invitation.")
    if not access.has_code_shape(code):
        return code, _("A participant code has 12 letters and digits, for example K7QM-3XPA-9D2F.")
    if not budgets.left(CODE_FAILURES, survey.id):
        current_app.logger.warning("survey %s: participant code attempts stopped by their budget", survey.id)
        return code, _("Too many codes that do not work were tried just now. Wait an hour, then try again.")
    if access.code_state(db.session, survey.id, code) != "ok":
        budgets.spend(CODE_FAILURES, survey.id)
        return code, _(
            "This code cannot start the survey. Check it against your invitation. "
            "Each code can be used to answer once."
        )
    return code, None


CODE_FAILURES = "code_failures"
CODE_PROBLEMS = "code_problems"  # the session's code just sent and what is wrong with it, per survey


def _store_pending(
    survey: Survey, lang: str, response: responses.Answering, page: Page, form: PageForm
) -> str | None:
    """Store a pending response as its first page is sent (within the budget of new responses per client
    and per survey); its resume token for the cookie, or None when it was stored already."""
    if response.id:
        return None
    if not budgets.take(NEW_RESPONSES, survey.id):
        current_app.logger.warning("survey %s: new responses stopped by their budget", survey.id)
        notice = _(
            "Too many answers were started from here just now. Wait a while, then send the page again."
        )
        shown = pages.shown_ids(survey, response, page, form.answers())
        abort(make_response(_render_page(survey, lang, response, page, form, shown, notice=notice), 429))
    # The consent stays in the session until the response is sent (see _finish): this answer sets
    # one cookie, the response's own, as simple clients (and wrk) expect.
    token = responses.claim(response)
    if photos.photo_questions(form):  # a picture is attached to the stored row
        responses.store(db.session, response)
    return token  # else the page's save stores it, in one INSERT


NEW_RESPONSES = "new_responses"


def _finish(survey: Survey, response: responses.Answering) -> HttpResponse:
    """Complete the response once (a second submit finds it complete) and show the thank-you page."""
    try:
        completed = responses.complete(db.session, survey, response)
    except responses.CodeAlreadyUsed:
        db.session.commit()
        lang = response.language
        return render_template("answering/unavailable.html", survey=survey, lang=lang, state="code_used")
    attachments.keep_only_answered(db.session, response)
    notices = deliveries.completed(db.session, response) if completed else []  # webhooks: rows only
    receipt = response.receipt_code
    db.session.commit()
    deliveries.send_soon(notices)  # handed to the queue: the resident never waits for a receiver
    receipts = session.setdefault("receipts", {})
    receipts[survey.id] = receipt
    session.setdefault(devices.SENT_IN, {})[survey.id] = response.language
    devices.forget_consent(survey)
    http = redirect(url_for(".thanks", survey_id=survey.id))
    if kiosk.active(survey):
        http.delete_cookie(devices.cookie_name(survey), path=f"/s/{survey.id}")
    return http


def _receipt(survey: Survey) -> str | None:
    """The receipt code to show: kept in the session at completion (a kiosk shows it once only),
    else that of the completed response this phone's cookie holds."""
    receipts = session.get("receipts", {})
    if kiosk.active(survey):
        session.modified = True
        return receipts.pop(survey.id, None)
    if survey.id in receipts:
        return receipts[survey.id]
    response = devices.from_cookie(survey)
    return response.receipt_code if response is not None and response.status == Response.COMPLETE else None


def _trapped(survey: Survey, lang: str) -> HttpResponse:
    """The spam trap (a field people never see) was filled: nothing is stored, the day's count for the
    dashboard goes up, the log says so, and the page says plainly that nothing was sent."""
    access.record_trap(db.session, survey.id, datetime.now(_tz()).date())
    db.session.commit()
    current_app.logger.warning("survey %s: spam trap filled; nothing stored", survey.id)
    page = render_template("answering/unavailable.html", survey=survey, lang=lang, state="trapped")
    return make_response(page, 400)


def _thanks_page(survey: Survey, lang: str, receipt: str | None) -> str:
    own = {"receipt": receipt} if receipt else {}
    on_kiosk = kiosk.active(survey)
    if on_kiosk:
        own["form_token"] = generate_csrf()  # "Start over (new person)" is a form
    key = ("thanks", request.script_root, survey.id, lang, on_kiosk)

    def render(markers) -> str:
        receipt = markers.get("receipt")
        return render_template(
            "answering/thanks.html",
            survey=survey,
            lang=lang,
            receipt=receipt,
            form_token=markers.get("form_token"),
            first_language=kiosk.first_language(survey) if on_kiosk else None,
        )

    return kept_pages.kept_pages().page(key, own, render)


def _render_start(
    survey: Survey, lang: str, form: StartForm, errors=(), notice: str | None = None, own=None
) -> str:
    own = own or {"form_token": generate_csrf()}
    hidden = access.hidden_values(survey, request.args)
    action = url_for(".begin", survey_id=survey.id, **hidden)
    return render_template(
        "answering/start.html",
        survey=survey,
        lang=lang,
        form=form,
        errors=list(errors),
        action=action,
        hidden_args=hidden,
        notice=notice,
        form_token=own["form_token"],
    )


def _own_values(survey: Survey, response: responses.Answering, page: Page) -> dict[str, str]:
    """What a page shows that is the resident's own: form token, resume link, the script's earlier answers."""
    own = {"form_token": generate_csrf(), "script_context": pages.script_context(response, page)}
    token = devices.own_token(survey, response)  # not on a device that continues by code
    if not kiosk.active(survey) and token:
        own["resume_url"] = url_for(".resume", survey_id=survey.id, token=token, _external=True)
    return own


def _blank_page(survey: Survey, lang: str, response: responses.Answering, page: Page, shown: set[str]) -> str:
    """A page with nothing answered on it (nor a picture, nor a date bound by today): the same for every
    resident shown the same questions at the same point, but for their own values; rendered once."""
    number, total = responses.progress(survey, response, page.id)
    back = responses.previous_page(survey, response, page.id)
    own = _own_values(survey, response, page)
    key = ("page", request.script_root, survey.id, page.id, lang, frozenset(shown), number, total, back)
    key += (g.get("kiosk"),)  # a kiosk's page has its own bar and script

    def render(markers) -> str:
        form = _form_class(survey, page, lang)(formdata=MultiDict())
        return _render_page(survey, lang, response, page, form, shown, own=markers)

    return kept_pages.kept_pages().page(key, own, render)


def _render_page(survey, lang, response, page, form, shown, revealed=(), notice=None, own=None) -> str:
    """The page with its questions, the resident's answers and mistakes, and their `own` values."""
    own = own or _own_values(survey, response, page)
    photos.fill(db.session, response, form)
    number, total = responses.progress(survey, response, page.id)
    return render_template(
        "answering/page.html",
        survey=survey,
        lang=lang,
        page=page,
        form=form,
        shown=shown,
        revealed=list(revealed),
        errors=form.errors_in_order(shown),
        notice=notice,
        number=number,
        total=total,
        back=responses.previous_page(survey, response, page.id),
        form_token=own["form_token"],
        resume_url=own.get("resume_url"),
        script_context=own["script_context"],
        condition_json=pages.condition_json,
    )
