"""Walk the example surveys as a resident would: answers that reveal every conditional page and
question, the form fields that carry them (the field-name contract), and the HTML forms to fill.

Shared by benchmarks/page_weight.py, benchmarks/screenshots.py and tests/browser/.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from typing import Any

from app.surveys.conditions import visible_answers
from app.surveys.models import OTHER, Survey

# Hidden fields from the QR-code links: station 12 has the underground containers (waste-sorting).
HIDDEN: dict[str, dict[str, str]] = {"waste-sorting": {"station": "12"}, "feedback": {"station": "7"}}

# Answers chosen so that every conditional page and question of the examples is shown.
OVERRIDES: dict[tuple[str, str], Any] = {
    ("waste-sorting", "fractions"): ["none"],  # shows the page not_sorting, and wants_demo
    ("waste-sorting", "why_not"): ["no_space", OTHER],  # an "other" with its text
    ("waste-sorting", "satisfaction"): 2,  # shows improve (satisfaction lte 2)
    ("waste-sorting", "had_problems"): "yes",  # reveals problem_details on the same page
    ("waste-sorting", "age_group"): "no_answer",  # a text code in an otherwise numeric list
}

TEXT_ANSWER = "Det fungerar bra"
OTHER_TEXT = "Något eget"


def planned_answer(survey: Survey, question: Any) -> Any:
    """The answer this walk gives to one question, as stored (see the stored answer contract)."""
    override = OVERRIDES.get((survey.id, question.id))
    if override is not None:
        return override
    values = [c.value for c in survey.choices(question)]
    kind = question.type
    if kind == "text":
        return "123 45" if question.pattern else TEXT_ANSWER
    if kind == "long_text":
        return TEXT_ANSWER
    if kind == "integer":
        low = question.min if question.min is not None else 1
        high = question.max if question.max is not None else low + 4
        return (low + high) // 2 if high - low < 100 else low + 1
    if kind == "decimal":
        return _decimal(question)
    if kind == "date":
        return _date(question).isoformat()
    if kind == "single_choice":
        return values[min(1, len(values) - 1)]
    if kind == "multiple_choice":
        allowed = [v for v in values if v not in question.exclusive]
        count = max(question.min_selected or 1, min(2, question.max_selected or 2))
        return allowed[:count]
    if kind == "matrix":
        return {row.id: values[i % len(values)] for i, row in enumerate(question.rows)}
    if kind == "rating":
        return {"stars5": 4, "smiley5": 4, "nps": 8}[question.scale]
    if kind == "ranking":
        return list(reversed(values))
    return None  # note, photo: nothing to answer


def _decimal(question: Any) -> float:
    low = question.min if question.min is not None else 0.0
    high = question.max if question.max is not None else low + 10
    step = question.step or 0.5
    # About the middle, on the step grid (with min 10, max 35 and step 0.5: 21.5).
    value = round(low + math.ceil((high - low) / 2 / step) * step, 6)
    return value if value <= high else low


def _date(question: Any) -> date:
    candidate = date(2019, 5, 1)
    low = question.min if isinstance(question.min, date) else None
    high = question.max if isinstance(question.max, date) else None
    if low and candidate < low:
        candidate = low
    if high and candidate > high:
        candidate = high
    return candidate


def planned_answers(survey: Survey) -> dict[str, Any]:
    """Every answer the walk would give if every question were shown (with `<id>_other` texts)."""
    answers: dict[str, Any] = {}
    for _, question in survey.questions():
        value = planned_answer(survey, question)
        if value is None:
            continue
        answers[question.id] = value
        chosen = value if isinstance(value, list) else [value]
        if getattr(question, "other", False) and OTHER in chosen:
            answers[f"{question.id}_other"] = OTHER_TEXT
    return answers


def expected_answers(survey: Survey) -> dict[str, Any]:
    """The answers a complete walk must leave stored: exactly those of the questions shown."""
    return visible_answers(survey, planned_answers(survey), HIDDEN.get(survey.id, {}))


def _field_value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def form_fields(survey: Survey, question: Any, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The form fields (name, value) that give `question` its planned answer."""
    value = answers.get(question.id)
    if value is None:
        return []
    qid = question.id
    if question.type == "matrix":
        fields = [(f"{qid}_{row}", _field_value(v)) for row, v in value.items()]
    elif question.type == "ranking":
        fields = [(f"{qid}_{v}", str(rank)) for rank, v in enumerate(value, start=1)]
    elif isinstance(value, list):
        fields = [(qid, _field_value(v)) for v in value]
    else:
        fields = [(qid, _field_value(value))]
    if f"{qid}_other" in answers:
        fields.append((f"{qid}_other", answers[f"{qid}_other"]))
    return fields


def field_names(survey: Survey, question: Any) -> set[str]:
    """Every form field name a question may use (the contract of issue 3)."""
    qid = question.id
    names = {qid, f"{qid}_other"}
    if question.type == "matrix":
        names |= {f"{qid}_{row.id}" for row in question.rows}
    if question.type == "ranking":
        names |= {f"{qid}_{c.value}" for c in survey.choices(question)}
    return names


def questions_in_form(survey: Survey, names: set[str]) -> list[Any]:
    """The survey's questions that have a field among `names` (what the page is asking)."""
    return [q for _, q in survey.questions() if q.type != "note" and field_names(survey, q) & names]


# ---------------------------------------------------------------------------------- HTML reading


@dataclass
class Form:
    """One <form>: where it goes and its controls."""

    action: str
    method: str
    inputs: list[dict[str, str]] = field(default_factory=list)  # input, select, textarea, button


@dataclass
class PageParts:
    """What a page links to and which forms it holds."""

    resources: list[str] = field(default_factory=list)  # stylesheets, scripts, images, icons
    forms: list[Form] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    html_attrs: dict[str, str] = field(default_factory=dict)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts = PageParts()
        self._form: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.parts.html_attrs = a
        elif tag == "link" and a.get("href") and set(a.get("rel", "").split()) & {"stylesheet", "icon"}:
            self.parts.resources.append(a["href"])
        elif tag in ("script", "img") and a.get("src"):
            self.parts.resources.append(a["src"])
        elif tag == "a" and a.get("href"):
            self.parts.links.append(a["href"])
        elif tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.parts.forms.append(self._form)
        elif tag in ("input", "select", "textarea", "button") and self._form is not None:
            self._form.inputs.append({"tag": tag, **a})

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def read_page(html: str) -> PageParts:
    """Parse a page: linked resources, forms and links."""
    reader = _Reader()
    reader.feed(html)
    return reader.parts


def answer_form(survey: Survey, form: Form, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The data a resident would send with this form: its hidden inputs, the planned answers of
    the questions it asks, any other checkbox (such as consent), and the forward button."""
    names = {i.get("name", "") for i in form.inputs if i.get("name")}
    data: list[tuple[str, str]] = []
    for control in form.inputs:
        if control["tag"] == "input" and control.get("type") == "hidden" and control.get("name"):
            data.append((control["name"], control.get("value", "")))
    asked = questions_in_form(survey, names)
    answered_names = set()
    for question in asked:
        for name, value in form_fields(survey, question, answers):
            if name in names:
                data.append((name, value))
                answered_names.add(name)
    for control in form.inputs:
        name = control.get("name")
        if (
            control["tag"] == "input"
            and control.get("type") == "checkbox"
            and name
            and name not in answered_names
            and not any(name in field_names(survey, q) for q in asked)
        ):
            data.append((name, control.get("value") or "on"))
    button = forward_button(form)
    if button is not None and button.get("name"):
        data.append((button["name"], button.get("value", "")))
    return data


def page_label(survey: Survey, html: str, previous: str | None) -> str:
    """Which page of the survey this is: start, a page id (with 'again' when it came back), or the end."""
    parts = read_page(html)
    names = {c.get("name", "") for form in parts.forms for c in form.inputs}
    asked = questions_in_form(survey, names)
    if not asked:
        if not any(f.method == "post" for f in parts.forms):
            return "thank-you"
        return "start" if previous is None else "consent" if previous == "start" else "step"
    page = next(p for p in survey.pages if asked[0] in p.questions)
    return f"{page.id} (again)" if previous and previous.startswith(page.id) else page.id


def forward_button(form: Form) -> dict[str, str] | None:
    """The submit button that goes forward (not Back)."""
    buttons = [
        c
        for c in form.inputs
        if (c["tag"] == "button" and c.get("type", "submit") == "submit")
        or (c["tag"] == "input" and c.get("type") == "submit")
    ]
    forward = [b for b in buttons if "back" not in (b.get("name", "") + b.get("value", "")).lower()]
    return forward[-1] if forward else (buttons[-1] if buttons else None)
