"""The checks of answers, one small validator per rule of the survey format; messages in the
interface language. Used by the page forms (app.answering.forms)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _
from wtforms import Field, Form
from wtforms.validators import StopValidation, ValidationError

from app.surveys.conditions import is_answered
from app.surveys.models import OTHER


def required(message: str):
    """Stop with `message` when nothing was answered (a field that could not be read has its own error)."""

    def check(form: Form, field: Field) -> None:
        if field.process_errors:
            raise StopValidation()
        if not is_answered(field.data):
            raise StopValidation(message)

    return check


def skip_empty(form: Form, field: Field) -> None:
    """Optional and empty: nothing more to check."""
    if field.process_errors or not is_answered(field.data):
        raise StopValidation()


def max_length(limit: int):
    """At most `limit` characters."""

    def check(form: Form, field: Field) -> None:
        if len(field.data) > limit:
            raise ValidationError(
                _(
                    "Write at most %(limit)s characters (you wrote %(count)s).",
                    limit=limit,
                    count=len(field.data),
                )
            )

    return check


def pattern(regex: str, message: str | None):
    """The whole text matches the question's regular expression."""

    def check(form: Form, field: Field) -> None:
        if not re.fullmatch(regex, field.data):
            raise ValidationError(message or _("Check the format of your answer."))

    return check


def number_range(low: Any, high: Any):
    """Between the question's `min` and `max`, where given."""

    def check(form: Form, field: Field) -> None:
        value = field.data
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                message = _("Enter a number from %(min)s to %(max)s.", min=_num(low), max=_num(high))
            elif low is not None:
                message = _("Enter a number of %(min)s or more.", min=_num(low))
            else:
                message = _("Enter a number of %(max)s or less.", max=_num(high))
            raise ValidationError(message)

    return check


def step_of(step: float, base: float | None):
    """A multiple of `step` counted from `min` (or from 0), as a number input's `step` means."""

    def check(form: Form, field: Field) -> None:
        offset = field.data - Decimal(str(base or 0))
        if offset % Decimal(str(step)) != 0:
            raise ValidationError(_("Enter a number in steps of %(step)s.", step=_num(step)))

    return check


# A date as residents write it: year first (what a date box sends), or day first as Swedish and Arabic
# write it by hand, with slashes, dots or dashes. \d takes any script's digits (Arabic-Indic too).
DATE_FORMS = (
    re.compile(r"(?P<y>\d{4})\s*([-/.])\s*(?P<m>\d{1,2})\s*\2\s*(?P<d>\d{1,2})"),
    re.compile(r"(?P<d>\d{1,2})\s*([-/.])\s*(?P<m>\d{1,2})\s*\2\s*(?P<y>\d{4})"),
)


def parse_date(text: str) -> date:
    """The date in `text` (2024-03-31, 31/3/2024, 31.3.2024, 31-3-2024); ValueError when it is none.

    A phone with a date box always sends 2024-03-31; the others are what a resident types where the
    browser has only a text box. Day first, never month first: 3/4/2024 is the 3rd of April.
    """
    for form in DATE_FORMS:
        found = form.fullmatch(text.strip())
        if found:
            return date(int(found["y"]), int(found["m"]), int(found["d"]))
    raise ValueError(f"not a date: {text!r}")


def date_range(low: Any, high: Any):
    """Not before `min` and not after `max`; `today` is today in the configured time zone."""

    def check(form: Form, field: Field) -> None:
        first, last = bound_day(low), bound_day(high)
        if first is not None and field.data < first:
            raise ValidationError(_("Enter a date on or after %(date)s.", date=date_words(first)))
        if last is not None and field.data > last:
            raise ValidationError(_("Enter a date on or before %(date)s.", date=date_words(last)))

    return check


def selected_count(low: int | None, high: int | None):
    """At least `min_selected` and at most `max_selected` choices."""

    def check(form: Form, field: Field) -> None:
        count = len(field.data)
        if low is not None and count < low:
            raise ValidationError(_("Choose at least %(min)s answers.", min=low))
        if high is not None and count > high:
            raise ValidationError(_("Choose at most %(max)s answers.", max=high))

    return check


def exclusive(values: list[Any], labels: dict[Any, str]):
    """An exclusive choice (such as "none of these") cannot be combined with another."""

    def check(form: Form, field: Field) -> None:
        for value in values:
            if value in field.data and len(field.data) > 1:
                raise ValidationError(
                    _("“%(choice)s” cannot be combined with other answers.", choice=labels.get(value, value))
                )

    return check


def other_text(question_id: str):
    """The "Other, please specify" text is needed when "other" was picked."""

    def check(form: Form, field: Field) -> None:
        chosen = form[question_id].data
        picked = chosen == OTHER or (isinstance(chosen, list) and OTHER in chosen)
        if picked and not form[question_id].process_errors and not field.data:
            raise StopValidation(_("Write what “Other” means for you."))
        if not picked or not field.data:
            raise StopValidation()

    return check


def _num(value: Any) -> str:
    # In the interface language's way: 0,5 in Swedish, 0.5 in English.
    return format_decimal(value)


def bound_day(bound: Any) -> date | None:
    """A date question's `min` or `max` as a date: `today` is today in the configured time zone."""
    if bound == "today":
        return datetime.now(ZoneInfo(current_app.config["LYSSNA_TIMEZONE"])).date()
    return bound


def date_words(day: date) -> str:
    """A date in the interface language's words (31 mars 2024, 31. maaliskuuta 2024), which no date
    box contradicts: each language's own long form, but day first in English (1 January 2020)."""
    return format_date(day, "d MMMM y" if str(get_locale()).startswith("en") else "long")
