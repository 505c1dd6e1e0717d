"""Page forms built at runtime from a survey page's questions: one small field per question type.

Form field names are part of the contract: the question id; a matrix row `<id>_<rowid>`; a ranking
item `<id>_<value>` holding its rank; the other-text `<id>_other`; the CSRF field `csrf_token`.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import Field, Form, FormField, StringField
from wtforms.utils import unset_value

from app.forms import LyssnaForm
from app.surveys.conditions import is_answered
from app.surveys.models import OTHER, Page, Survey

from .validators import (
    date_range,
    exclusive,
    max_length,
    number_range,
    other_text,
    parse_date,
    pattern,
    required,
    selected_count,
    skip_empty,
    step_of,
)

HONEYPOT = "leave_empty"
SHOWN = "shown"
OTHER_MAX_LENGTH = 200  # the "Other, please specify" text

# A form keeps its fields under "answer:<field name>", never under the bare name: a question id may be
# any word, also one a form uses for itself (data, errors, meta, process, validate, page, ...).
FIELD_KEY = "answer:"


# ----------------------------------------------------------------------------- fields


class AnswerField(Field):
    """A field whose raw strings are kept so that a page with mistakes shows exactly what was typed."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    @property
    def selected(self) -> set[str]:
        """The raw values of the inputs that were chosen (for checked/selected attributes)."""
        return set(self.raw_data or [])


# Digits as residents type them: Arabic-Indic (U+0660-0669), Persian (U+06F0-06F9), and a few more
# scripts' digits, read as ASCII; the Arabic decimal separator (U+066B) as a point, its thousands
# separator (U+066C) as nothing; the Arabic comma as a decimal comma (in decimals only).
DIGITS = str.maketrans(
    {
        **{
            chr(start + n): str(n)
            for start in (0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0xFF10)
            for n in range(10)
        },
        "\u066b": ".",
        "\u066c": "",
        "\u2212": "-",  # the minus sign
    }
)


def ascii_digits(text: str) -> str:
    """The text with every digit and number sign residents may type read as ASCII (۵۰۳ ۳۸ -> 503 38)."""
    return text.translate(DIGITS)


class TextAnswer(AnswerField):
    """One line or several lines of text, trimmed; with a pattern (a postcode, a phone number), its
    digits are read as ASCII whatever script they were typed in."""

    def __init__(self, *args: Any, digits: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.digits = digits

    def process_formdata(self, valuelist: list[str]) -> None:
        text = valuelist[0].strip() if valuelist else ""
        if self.digits:
            text = ascii_digits(text)
        self.data = text.replace("\r\n", "\n") or None


class IntegerAnswer(AnswerField):
    """A whole number; digits typed with spaces (1 000) are fine."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = re.sub(r"\s", "", ascii_digits(valuelist[0])) if valuelist else ""
        self.data = None
        if text:
            if not re.fullmatch(r"[-+]?[0-9]{1,12}", text):
                raise ValueError(_("Enter a whole number, like 3."))
            self.data = int(text)


class DecimalAnswer(AnswerField):
    """A number with decimals; a comma is a decimal separator too (21,5)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (
            re.sub(r"\s", "", ascii_digits(valuelist[0])).replace(",", ".").replace("،", ".")
            if valuelist
            else ""
        )
        self.data = None
        if text:
            if not re.fullmatch(r"[-+]?([0-9]{1,12}(\.[0-9]*)?|\.[0-9]+)", text):
                raise ValueError(_("Enter a number, like 21.5."))
            self.data = Decimal(text)


class DateAnswer(AnswerField):
    """A calendar date: YYYY-MM-DD from a date box, or typed by hand where there is none (31/3/2024)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = ascii_digits(valuelist[0]).strip() if valuelist else ""
        self.data = None
        if text:
            try:
                self.data = parse_date(text)
            except ValueError:
                raise ValueError(_("Enter a real date, for example 31/3/2024 (day/month/year).")) from None


class ChoiceAnswer(AnswerField):
    """One value of a fixed list; the stored value keeps the definition's type (int or text)."""

    def __init__(
        self, label: str = "", values: list[Any] | None = None, dropdown: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(label, **kwargs)
        self.values = {str(v): v for v in values or []}
        self.dropdown = dropdown

    def process_formdata(self, valuelist: list[str]) -> None:
        text = valuelist[0] if valuelist else ""
        self.data = None
        if text:
            if text not in self.values:
                raise ValueError(_("Choose one of the answers shown."))
            self.data = self.values[text]


class ChoicesAnswer(ChoiceAnswer):
    """Several values of a fixed list, stored in the list's order."""

    def process_formdata(self, valuelist: list[str]) -> None:
        unknown = [v for v in valuelist if v not in self.values]
        self.data = [value for key, value in self.values.items() if key in valuelist] or None
        if unknown:
            raise ValueError(_("Choose one of the answers shown."))


class PhotoAnswer(AnswerField):
    """A picture: the file sent with the page and a "remove" box. Its data, the stored file's name,
    is never read from the form: answering.photos stores the upload and sets it from the database."""

    upload: FileStorage | None = None
    remove: bool = False
    kept: Any = None  # the MediaFile row of the picture kept with the response

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        self.remove = bool(formdata and formdata.get(f"{self.name}_remove"))

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.upload = next((v for v in valuelist if isinstance(v, FileStorage) and v.filename), None)
        self.data = None

    def process_data(self, value: Any) -> None:
        self.data = None


# ----------------------------------------------------------------------------- the page form


class NamedFields:
    """Fields found by their form field name (`form["data"]`), never as attributes, so that no
    question id can shadow what WTForms or the page form need."""

    _fields: dict[str, Field]

    def __getitem__(self, name: str) -> Field:
        return self._fields[FIELD_KEY + name]

    def __contains__(self, name: str) -> bool:
        return FIELD_KEY + name in self._fields


def named(fields: dict[str, Any]) -> dict[str, Any]:
    """Unbound fields keyed for a NamedFields form, each keeping its name as the form field name."""
    for name, field in fields.items():
        field.name = name
    return {FIELD_KEY + name: field for name, field in fields.items()}


class AnsweringForm(LyssnaForm):
    """The forms residents fill in. Their CSRF token is checked for every POST by CSRFProtect before
    the view runs, and the pages write it (views._own_values); a form's own token field would only
    sign another token on every request."""

    class Meta:
        csrf = False


class StartForm(AnsweringForm):
    """The start page's form: the participant code where a survey needs one, and the honeypot."""

    code = StringField()
    leave_empty = StringField()


class PageForm(NamedFields, AnsweringForm):
    """Base of every generated page form: validates and reads only the questions that are shown."""

    survey: Survey
    page: Page
    lang: str
    names: dict[str, list[str]]  # question id -> the form fields holding its answer

    def validate_shown(self, shown: set[str]) -> bool:
        """Run the validators of the shown questions only; a hidden question is never required."""
        ok = True
        for question in self.page.questions:
            for name in self.names.get(question.id, []):
                field = self[name]
                if question.id in shown:
                    ok = field.validate(self) and ok
                elif not isinstance(field, FormField):  # a sub-form that was not validated has none
                    field.errors = []
        return ok

    def answers(self, shown: set[str] | None = None) -> dict[str, Any]:
        """The answers read from the form, typed as the stored contract says (unanswered left out)."""
        result: dict[str, Any] = {}
        for question in self.page.questions:
            if question.type != "note" and (shown is None or question.id in shown):
                result.update(self._answer(question))
        return result

    def valid_answers(self, shown: set[str]) -> dict[str, Any]:
        """The answers of shown questions without mistakes (what Back keeps of a page with mistakes)."""
        result: dict[str, Any] = {}
        for question in self.page.questions:
            names = self.names.get(question.id, [])
            if question.id in shown and names and not any(self[n].errors for n in names):
                result.update(self._answer(question))
        return result

    def _answer(self, question: Any) -> dict[str, Any]:
        result = {}
        value = answer_of(question, self)
        if is_answered(value):
            result[question.id] = value
        other = f"{question.id}_other"
        picked = value == OTHER or (isinstance(value, list) and OTHER in value)
        if picked and other in self and self[other].data and not self[other].errors:
            result[other] = self[other].data
        return result

    def has_errors(self, question_id: str) -> bool:
        """True when any field of the question (its rows, items or other-text included) has a mistake."""
        return any(self[name].errors for name in self.names.get(question_id, []))

    def label_of(self, question_id: str) -> str:
        """A question's label in the page's language (for the error summary)."""
        question = self.survey.question(question_id)
        return self.survey.text(question.label, self.lang)

    def errors_in_order(self, shown: set[str]) -> list[tuple[str, str, tuple[str, ...]]]:
        """(input id, message, labels) for every error in page order, for the error summary; the
        labels name the field: the question's, then a matrix row's or a ranking item's."""
        found = []
        for question in self.page.questions:
            if question.id not in shown:
                continue
            label = self.survey.text(question.label, self.lang)
            for name in self.names.get(question.id, []):
                field = self[name]
                if isinstance(field, FormField):
                    parts = self._part_labels(question)
                    for row in field:
                        where = (label, parts[row.short_name])
                        found.extend((first_input_id(row.name, row), e, where) for e in row.errors)
                    found.extend((first_input_id(name, field), e, (label,)) for e in field.form.form_errors)
                else:
                    found.extend((first_input_id(name, field), e, (label,)) for e in field.errors)
        return found

    def _part_labels(self, question: Any) -> dict[str, str]:
        """The labels of a matrix's rows or a ranking's items, by their sub-field name."""
        if question.type == "matrix":
            return {row.id: self.survey.text(row.label, self.lang) for row in question.rows}
        return {str(c.value): self.survey.text(c.label, self.lang) for c in self.survey.choices(question)}


def first_input_id(name: str, field: Field) -> str:
    """The id of the input an error links to: the first option of a group, else the input itself."""
    if isinstance(field, ChoiceAnswer) and not field.dropdown:
        return f"{name}-1"
    if isinstance(field, FormField):
        return first_input_id(next(iter(field)).name, next(iter(field)))
    return name


def answer_of(question: Any, form: Form) -> Any:
    """The typed answer of one question (None when it was not answered or could not be read)."""
    if question.type == "matrix":
        sub = form[question.id]
        return {row.id: sub[row.id].data for row in question.rows if sub[row.id].data is not None}
    if question.type == "ranking":
        sub = form[question.id]
        ranks = {field.short_name: field.data for field in sub}
        if not all(ranks.values()) or sub.form_errors:
            return None
        values = sub._values
        return [values[name] for name in sorted(ranks, key=lambda n: ranks[n])]
    field = form[question.id]
    if field.process_errors:
        return None
    value = field.data
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def build_form_class(survey: Survey, page: Page, lang: str) -> type[PageForm]:
    """A FlaskForm class for one page: one field (or sub-form) per question, named by the contract."""
    fields: dict[str, Any] = {}
    names: dict[str, list[str]] = {}
    for question in page.questions:
        if question.type == "note":
            continue
        built = FIELD_BUILDERS[question.type](survey, question, lang)
        fields.update(built)
        names[question.id] = list(built)
    fields[HONEYPOT] = StringField()
    attrs = {"survey": survey, "page": page, "lang": lang, "names": names, **named(fields)}
    return type(f"PageForm_{page.id}", (PageForm,), attrs)


def formdata_from(survey: Survey, page: Page, answers: dict[str, Any]) -> MultiDict:
    """The form data that shows stored answers in a page's inputs (for Back and resume)."""
    data = MultiDict()
    for question in page.questions:
        value = answers.get(question.id)
        if value is None:
            continue
        if question.type == "matrix":
            for row_id, choice in value.items():
                data.add(f"{question.id}_{row_id}", str(choice))
        elif question.type == "ranking":
            for rank, choice in enumerate(value, start=1):
                data.add(f"{question.id}_{choice}", str(rank))
        elif isinstance(value, list):
            for choice in value:
                data.add(question.id, str(choice))
        else:
            data.add(question.id, str(value))
        if f"{question.id}_other" in answers:
            data.add(f"{question.id}_other", answers[f"{question.id}_other"])
    return data


# ----------------------------------------------------------------------------- one builder per type


def _common(question: Any) -> list:
    return [required(_required_message(question)) if question.required else skip_empty]


def _required_message(question: Any) -> str:
    if question.type in ("text", "long_text", "integer", "decimal", "date"):
        return _("Enter an answer.")
    if question.type in ("multiple_choice",):
        return _("Choose at least one answer.")
    if question.type == "ranking":
        return _("Give every item a number.")
    if question.type == "photo":
        return _("Add a picture.")
    return _("Choose an answer.")


def _text(survey: Survey, q: Any, lang: str) -> dict:
    checks = [*_common(q), max_length(q.max_length)]
    if getattr(q, "pattern", None):
        checks.append(pattern(q.pattern, survey.text(q.pattern_message, lang) or None))
    return {q.id: TextAnswer(validators=checks, digits=bool(getattr(q, "pattern", None)))}


def _integer(survey: Survey, q: Any, lang: str) -> dict:
    return {q.id: IntegerAnswer(validators=[*_common(q), number_range(q.min, q.max)])}


def _decimal(survey: Survey, q: Any, lang: str) -> dict:
    low = None if q.min is None else Decimal(str(q.min))
    high = None if q.max is None else Decimal(str(q.max))
    checks = [*_common(q), number_range(low, high)]
    if q.step:
        checks.append(step_of(q.step, q.min))
    return {q.id: DecimalAnswer(validators=checks)}


def _date(survey: Survey, q: Any, lang: str) -> dict:
    return {q.id: DateAnswer(validators=[*_common(q), date_range(q.min, q.max)])}


def _choice_values(survey: Survey, q: Any) -> list[Any]:
    values = [c.value for c in survey.choices(q)]
    if getattr(q, "other", False) and OTHER not in values:
        values.append(OTHER)
    return values


def _other(q: Any) -> dict:
    if not getattr(q, "other", False):
        return {}
    return {f"{q.id}_other": TextAnswer(validators=[other_text(q.id), max_length(OTHER_MAX_LENGTH)])}


def _single(survey: Survey, q: Any, lang: str) -> dict:
    dropdown = q.display == "dropdown"
    field = ChoiceAnswer(values=_choice_values(survey, q), dropdown=dropdown, validators=_common(q))
    return {q.id: field, **_other(q)}


def _multiple(survey: Survey, q: Any, lang: str) -> dict:
    labels = {c.value: survey.text(c.label, lang) for c in survey.choices(q)}
    checks = [*_common(q), selected_count(q.min_selected, q.max_selected)]
    if q.exclusive:
        checks.append(exclusive(q.exclusive, labels))
    return {q.id: ChoicesAnswer(values=_choice_values(survey, q), validators=checks), **_other(q)}


def _rating(survey: Survey, q: Any, lang: str) -> dict:
    low, high = q.bounds
    return {q.id: ChoiceAnswer(values=list(range(low, high + 1)), validators=_common(q))}


class RowsForm(NamedFields, Form):
    """The rows of a matrix, or the items of a ranking, as a sub-form named `<id>_<row>`."""

    _values: dict[str, Any] = {}


def _matrix(survey: Survey, q: Any, lang: str) -> dict:
    values = [c.value for c in survey.choices(q)]
    rows = {}
    for row in q.rows:
        # The row's text stands above its message, and before it in the error summary.
        checks = [required(_("Choose an answer."))] if q.required else [skip_empty]
        rows[row.id] = ChoiceAnswer(values=values, validators=checks)
    sub = type(f"Matrix_{q.id}", (RowsForm,), named(rows))
    return {q.id: FormField(sub, separator="_")}


class RankingForm(RowsForm):
    """The items of a ranking; the numbers given must be 1, 2, ... each once."""

    _required: bool = False

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        self.form_errors = []
        ranks = [f.data for f in self if f.data is not None]
        if not ranks and not any(f.process_errors for f in self):
            if self._required:
                self.form_errors.append(_("Give every item a number."))
            return ok and not self.form_errors
        if len(ranks) != len(self._fields) or sorted(ranks) != list(range(1, len(self._fields) + 1)):
            self.form_errors.append(
                _("Give every item a different number from 1 to %(count)s.", count=len(self._fields))
            )
        return ok and not self.form_errors


def _ranking(survey: Survey, q: Any, lang: str) -> dict:
    choices = survey.choices(q)
    ranks = list(range(1, len(choices) + 1))
    items = {str(c.value): ChoiceAnswer(values=ranks, dropdown=True) for c in choices}
    attrs = {"_values": {str(c.value): c.value for c in choices}, "_required": q.required, **named(items)}
    sub = type(f"Ranking_{q.id}", (RankingForm,), attrs)
    return {q.id: FormField(sub, separator="_")}


def _photo(survey: Survey, q: Any, lang: str) -> dict:
    return {q.id: PhotoAnswer(validators=_common(q))}


FIELD_BUILDERS = {
    "text": _text,
    "long_text": _text,
    "integer": _integer,
    "decimal": _decimal,
    "date": _date,
    "single_choice": _single,
    "multiple_choice": _multiple,
    "matrix": _matrix,
    "rating": _rating,
    "ranking": _ranking,
    "photo": _photo,
}
