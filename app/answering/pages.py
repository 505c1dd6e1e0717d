"""What one survey page shows: which questions, which an answer just revealed, how far the resident is,
what an answer may be (said before Next), what the script needs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_date, format_datetime, format_decimal, ngettext
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.languages.interface import interface_text
from app.surveys.conditions import evaluate
from app.surveys.models import OTHER, AllOf, AnyOf, NotOf, Page, Survey, TextQuestion

from .forms import OTHER_MAX_LENGTH
from .responses import Answering, merged_answers
from .validators import bound_day, date_words


def shown_ids(survey: Survey, response: Answering, page: Page, page_answers: dict[str, Any]) -> set[str]:
    """The questions of the page that are shown when these answers are given on it."""
    kept = merged_answers(survey, response, page, page_answers)
    hidden = response.hidden or {}
    return {q.id for q in page.questions if evaluate(q.show_if, kept, hidden)}


def revealed(page: Page, shown: set[str], shown_before: set[str], answers: dict[str, Any]) -> list[str]:
    """Questions shown now that were not on screen when the resident answered, and are unanswered.

    Without JavaScript such a question appears only after Next; the page is then shown again to ask it.
    """
    return [
        q.id
        for q in page.questions
        if q.show_if is not None
        and q.type != "note"
        and q.id in shown
        and q.id not in shown_before
        and q.id not in answers
    ]


def condition_json(cond: Any) -> str:
    """A condition as JSON for the page script (the same operators the server evaluates)."""
    return json.dumps(_plain(cond), ensure_ascii=False, separators=(",", ":"))


def _plain(cond: Any) -> Any:
    if isinstance(cond, AllOf):
        return {"all": [_plain(c) for c in cond.all_]}
    if isinstance(cond, AnyOf):
        return {"any": [_plain(c) for c in cond.any_]}
    if isinstance(cond, NotOf):
        return {"not": _plain(cond.not_)}
    value = cond.value
    if isinstance(value, list):
        value = [v.isoformat() if hasattr(v, "isoformat") else v for v in value]
    elif hasattr(value, "isoformat"):
        value = value.isoformat()
    subject = {"question": cond.question} if cond.question else {"hidden": cond.hidden}
    return {**subject, cond.operator: value}


def _references(cond: Any, questions: set[str], hidden: set[str]) -> None:
    if isinstance(cond, AllOf | AnyOf):
        for c in cond.all_ if isinstance(cond, AllOf) else cond.any_:
            _references(c, questions, hidden)
    elif isinstance(cond, NotOf):
        _references(cond.not_, questions, hidden)
    elif cond is not None:
        (questions if cond.question else hidden).add(cond.question or cond.hidden)


def script_context(response: Answering, page: Page) -> str:
    """The earlier answers and hidden values the page's conditions refer to, as JSON for the script."""
    questions: set[str] = set()
    hidden: set[str] = set()
    for q in page.questions:
        _references(q.show_if, questions, hidden)
    on_page = {q.id for q in page.questions}
    answers = {k: v for k, v in (response.answers or {}).items() if k in questions - on_page}
    values = {k: v for k, v in (response.hidden or {}).items() if k in hidden}
    return json.dumps({"answers": answers, "hidden": values}, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Progress:
    """Where a page stands: its number, how many pages there are (`exact`) or at most, pages done."""

    number: int
    total: int
    exact: bool

    @property
    def done(self) -> int:
        """The pages answered before this one: what the bar shows (never full before the last Next)."""
        return self.number - 1


def progress_of(survey: Survey, page: Page, number: int, total: int) -> Progress | None:
    """The page's progress, honest about what the answers to come may change; None for a single page.

    `number` and `total` count the pages shown given the answers so far (responses.progress). A later
    page whose condition refers to a question of this page or after it may still come or go: while
    there is one, the total is "at most", every such page counted in (and never more pages than are
    left). Pages decided by earlier answers or by the link's hidden values are counted as they are.
    """
    position = next(i for i, p in enumerate(survey.pages) if p.id == page.id)
    asked_from_here = {q.id for p in survey.pages[position:] for q in p.questions}
    later = survey.pages[position + 1 :]
    undecided = 0
    for candidate in later:
        questions: set[str] = set()
        _references(candidate.show_if, questions, set())
        undecided += bool(questions & asked_from_here)
    if not undecided:
        return None if total <= 1 else Progress(number, total, exact=True)
    return Progress(number, min(total + undecided, number + len(later)), exact=False)


# ----------------------------------------------------------------------------- template helpers


# Five faces drawn inline (no emoji font needed on old phones); only the mouth differs.
MOUTHS = (
    "M7.5 17.5Q12 12.5 16.5 17.5",
    "M8 16.5Q12 14 16 16.5",
    "M8 15.5H16",
    "M8 14.5Q12 17 16 14.5",
    "M7 13.5Q12 19.5 17 13.5",
)
FACE = Markup(
    '<svg class="face" viewBox="0 0 24 24" width="32" height="32" aria-hidden="true" focusable="false" '
    'fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round">'
    '<circle cx="12" cy="12" r="10"/><circle cx="8.5" cy="9.5" r=".9" fill="currentColor"/>'
    '<circle cx="15.5" cy="9.5" r=".9" fill="currentColor"/><path d="{}"/></svg>'
)


def template_helpers() -> dict[str, Any]:
    """Small functions the question macros call: options with labels, date bounds, input modes."""
    return {
        "options_of": options_of,
        "rating_options": rating_options,
        "ranked_choices": ranked_choices,
        "date_bounds": date_bounds,
        "input_mode": input_mode,
        "input_width": input_width,
        "matrix_across": matrix_across,
        "condition_json": condition_json,
        "described_by": described_by,
        "limits": limits,
        "progress_of": progress_of,
        "when": when,
        "OTHER": OTHER,
        "OTHER_MAX_LENGTH": OTHER_MAX_LENGTH,
    }


def described_by(question: Any, field: Any = None, extra: str = "") -> Markup:
    """The aria-describedby attribute of an input or group: hint, limits, anything extra, error."""
    ids = [f"{question.id}-hint"] if question.hint else []
    if limits(question):
        ids.append(f"{question.id}-limits")
    if extra:
        ids.append(extra)
    if field is not None and field.errors:
        ids.append(f"{field.name}-error")
    return Markup(' aria-describedby="{}"').format(" ".join(ids)) if ids else Markup("")


# A short answer's usual limit is a guard, not something a resident could reach: said only when tighter.
USUAL_TEXT_LIMIT = TextQuestion.model_fields["max_length"].default


def limits(question: Any) -> str | None:
    """What the survey allows in an answer, said in the hint before Next rather than in an error after
    it: a text's length, how many choices, a number's or a date's range, a photo's size."""
    kind = question.type
    # A pattern (a postal code) fixes the answer's form; its length then says nothing more.
    short = kind == "text" and question.max_length < USUAL_TEXT_LIMIT and not question.pattern
    if kind == "long_text" or short:
        return ngettext("Up to %(num)s character.", "Up to %(num)s characters.", question.max_length)
    if kind == "multiple_choice":
        return _selections(question.min_selected, question.max_selected)
    if kind in ("integer", "decimal"):
        return _number_range(question.min, question.max)
    if kind == "date":
        return _date_range(question.min, question.max)
    if kind == "photo":
        return _("A photo (JPEG, PNG or WebP) of at most %(mb)s MB.", mb=f"{question.max_mb:g}")
    return None


def _selections(low: int | None, high: int | None) -> str | None:
    low = low if low and low > 1 else None  # "at least one" is what answering a choice means
    if low and high:
        if low == high:
            return ngettext("Choose %(num)s answer.", "Choose %(num)s answers.", high)
        return ngettext(
            "Choose %(min)s to %(num)s answer.", "Choose %(min)s to %(num)s answers.", high, min=low
        )
    if high:
        return ngettext("Choose up to %(num)s answer.", "Choose up to %(num)s answers.", high)
    if low:
        return ngettext("Choose at least %(num)s answer.", "Choose at least %(num)s answers.", low)
    return None


def _number_range(low: Any, high: Any) -> str | None:
    # The same words as the error a number out of range gets, without "Enter".
    if low is not None and high is not None:
        return _("A number from %(min)s to %(max)s.", min=format_decimal(low), max=format_decimal(high))
    if low is not None:
        return _("A number of %(min)s or more.", min=format_decimal(low))
    if high is not None:
        return _("A number of %(max)s or less.", max=format_decimal(high))
    return None


def _date_range(low: Any, high: Any) -> str | None:
    """The range only: the phone's date box shows dates in its own way, so the hint names no format."""

    def words(bound: Any) -> str:
        return _("today") if bound == "today" else date_words(bound_day(bound))

    if low is not None and high is not None:
        return _("From %(first)s to %(last)s.", first=words(low), last=words(high))
    if low is not None:
        return _("No earlier than %(first)s.", first=words(low))
    if high is not None:
        return _("No later than %(last)s.", last=words(high))
    return None


def options_of(survey: Survey, question: Any, lang: str) -> list[tuple[Any, str]]:
    """A choice question's (value, label) pairs as shown: the ordinary choices, then "Other" where the
    question has `other` (its text box follows it), then the exclusive ones such as "none of these"."""
    options = [(c.value, survey.text(c.label, lang)) for c in survey.choices(question)]
    if getattr(question, "other", False) and OTHER not in {v for v, _label in options}:
        options.append((OTHER, interface_text(survey, "other", lang)))
    apart = set(getattr(question, "exclusive", None) or [])
    return [o for o in options if o[0] not in apart] + [o for o in options if o[0] in apart]


def when(moment: Any) -> str:
    """An opening or closing date (or date and time) in the interface language."""
    if isinstance(moment, datetime):
        return format_datetime(moment, "d MMMM y, HH:mm")
    return format_date(moment, "long")


def rating_options(question: Any) -> list[tuple[int, Markup]]:
    """The options of a rating as (value, label): smileys and stars with words, NPS as 0 to 10."""
    if question.scale == "nps":
        return [(n, escape(str(n))) for n in range(11)]
    if question.scale == "smiley5":
        words = (
            _("Very dissatisfied"),
            _("Dissatisfied"),
            _("Neither satisfied nor dissatisfied"),
            _("Satisfied"),
            _("Very satisfied"),
        )
        return [(n, FACE.format(MOUTHS[n - 1]) + Markup(" ") + words[n - 1]) for n in range(1, 6)]
    return [
        (
            n,
            Markup('<span class="stars" aria-hidden="true">{}</span> {}').format(
                "★" * n + "☆" * (5 - n), ngettext("%(num)s star", "%(num)s stars", n)
            ),
        )
        for n in range(1, 6)
    ]


def ranked_choices(survey: Survey, question: Any, sub: Any) -> list:
    """A ranking's choices in the order of the numbers given so far (unnumbered ones last)."""
    choices = survey.choices(question)

    def rank(choice: Any) -> int:
        field = sub[str(choice.value)]
        return field.data if isinstance(field.data, int) else len(choices) + 1

    return sorted(choices, key=rank)


def same_when_blank(page: Page) -> bool:
    """Whether the page's questions, with nothing answered, render the same at any time for anyone
    shown them: not with a picture kept from an earlier try, nor with a date bound by today."""
    return not any(
        q.type == "photo" or (q.type == "date" and "today" in (q.min, q.max)) for q in page.questions
    )


def date_bounds(question: Any) -> tuple[str | None, str | None]:
    """A date question's `min` and `max` as ISO dates (`today` resolved) for the date input."""
    today = datetime.now(ZoneInfo(current_app.config["LYSSNA_TIMEZONE"])).date()
    return tuple(
        None if b is None else (today if b == "today" else b).isoformat()
        for b in (question.min, question.max)
    )


def input_mode(question: Any) -> str | None:
    """The phone keyboard that suits a question: digits for whole numbers and digit-only patterns."""
    if question.type == "integer":
        return "numeric"
    if question.type == "decimal":
        return "decimal"
    pattern = getattr(question, "pattern", None) or ""
    digits = re.compile(r"\[0-9\]|\\d")
    # Only digit classes, anchors, quantifiers and spaces left: a number pad fits (e.g. postal codes).
    if digits.search(pattern) and not re.sub(r"[\^$ ?{}0-9,+*]", "", digits.sub("", pattern)):
        return "numeric"
    return None


# The widths, in characters, that lyssna.css has a class for (.w3 ... .w20).
WIDTHS = (3, 4, 6, 8, 12, 20)


def input_width(question: Any) -> str | None:
    """A width class that fits what a short answer can hold (digits of its bounds, a small
    max_length), so the box says how long an answer is expected; None means the full width."""
    chars = _answer_chars(question)
    return next((f"w{w}" for w in WIDTHS if chars is not None and chars <= w), None)


def _answer_chars(question: Any) -> int | None:
    """How many characters a short answer takes at most (None: a long or unbounded one)."""
    if question.type in ("integer", "decimal"):
        bounded = question.min is not None and question.max is not None
        # Digits of the wider bound and its minus sign; 8 digits when unbounded.
        whole = max(len(str(int(abs(b)))) + (b < 0) for b in (question.min, question.max)) if bounded else 8
        if question.type == "integer":
            return whole
        step = getattr(question, "step", None)
        decimals = max(0, -Decimal(str(step)).normalize().as_tuple().exponent) if step else 2
        return whole + (1 + decimals if decimals else 0)  # the decimal comma and the decimals
    if question.type == "text" and question.max_length <= max(WIDTHS):
        return question.max_length
    return None


def matrix_across(survey: Survey, question: Any, lang: str) -> bool:
    """True when a matrix row's options fit side by side on a 320 px phone (at most five points,
    labels of a few short words); otherwise they are stacked as in any choice question."""
    labels = [survey.text(c.label, lang) for c in survey.choices(question)]
    longest_word = max((len(word) for label in labels for word in label.split()), default=0)
    return len(labels) <= 5 and longest_word <= 9 and max(map(len, labels), default=0) <= 26
