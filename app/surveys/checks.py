"""Checks across a parsed definition: ids, references, conditions, ranges, languages, columns."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date
from typing import Any

from app.surveys.models import (
    FIXED_COLUMNS,
    OTHER,
    RESERVED_IDS,
    RESULT_TYPES,
    AllOf,
    AnyOf,
    Comparison,
    NotOf,
    Strict,
    Survey,
)

Found = tuple[tuple, str]

TEXT_KEYS = (
    "title",
    "description",
    "label",
    "hint",
    "text",
    "intro",
    "thank_you",
    "privacy_notice",
    "pattern_message",
    "alt",
    "by_label",
)
# Names the answering form posts besides the answers (CSRF token, honeypot, shown ids, Back/Next).
FORM_NAMES = frozenset({"csrf_token", "leave_empty", "shown", "nav"})
EQUALITY = {"equals", "not_equals", "in", "not_in", "answered"}
ORDER = {"gt", "gte", "lt", "lte"}
# Which operators each type of question can be tested with.
OPERATORS_FOR = {
    "text": EQUALITY,
    "long_text": {"answered"},
    "integer": EQUALITY | ORDER,
    "decimal": EQUALITY | ORDER,
    "date": EQUALITY | ORDER,
    "rating": EQUALITY | ORDER,
    "single_choice": EQUALITY | ORDER,
    "multiple_choice": {"contains", "answered"},
    "matrix": {"answered"},
    "ranking": {"answered"},
    "photo": {"answered"},
    "note": set(),
}


def check(survey: Survey) -> list[Found]:
    """Every problem that the structure alone cannot show, as (path, message) pairs."""
    return [
        *_check_languages(survey),
        *_check_interface(survey),
        *_check_ids(survey),
        *_check_choices(survey),
        *_check_ranges(survey),
        *_check_conditions(survey),
        *_check_columns(survey),
        *_check_results(survey),
    ]


def _texts(node: Any, path: tuple) -> Iterator[tuple[tuple, Any]]:
    """Every text in a definition with its path."""
    if isinstance(node, Strict):
        for name, info in type(node).model_fields.items():
            value = getattr(node, name)
            key = info.alias or name
            if key in TEXT_KEYS and value is not None:
                yield (*path, key), value
            else:
                yield from _texts(value, (*path, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _texts(item, (*path, index))
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from _texts(item, (*path, key))


def _check_languages(survey: Survey) -> Iterator[Found]:
    declared = survey.languages
    if len(set(declared)) != len(declared):
        yield ("languages",), "a language is listed twice"
    for path, text in _texts(survey, ()):
        if isinstance(text, str):
            continue
        missing = [lang for lang in declared if lang not in text]
        extra = [lang for lang in text if lang not in declared]
        if missing:
            yield path, f"missing translation for {', '.join(missing)}"
        if extra:
            yield (
                path,
                f"language {', '.join(extra)} is not in the survey's languages ({', '.join(declared)})",
            )
    for path, question in _questions(survey):  # recordings: any of the languages, none of others
        for lang in question.audio or {}:
            if lang not in declared:
                yield (
                    (*path, "audio", lang),
                    f"language {lang} is not in the survey's languages ({', '.join(declared)})",
                )


def _check_interface(survey: Survey) -> Iterator[Found]:
    """The survey's own interface texts: in its languages, holding only the values their key names;
    fallback languages that have interface texts."""
    from app.languages.fallback import catalog_languages
    from app.languages.interface import placeholders

    declared = survey.languages
    for key, texts in survey.interface.items():
        for lang, text in texts.items():
            if lang not in declared:
                yield (
                    ("interface", key, lang),
                    f"language {lang} is not in the survey's languages ({', '.join(declared)})",
                )
            allowed = placeholders(key)
            for name in re.findall(r"%\((\w+)\)s", text):
                if name not in allowed:
                    holds = ", ".join(f"%({a})s" for a in allowed) or "no values"
                    yield ("interface", key, lang), f"%({name})s is not a value of '{key}' (it holds {holds})"
    known = catalog_languages()
    for index, lang in enumerate(survey.fallback_languages or []):
        if lang not in declared and lang not in known:
            yield (
                ("fallback_languages", index),
                f"'{lang}' has no interface texts: use one of the survey's languages or "
                f"{', '.join(sorted(known))}",
            )


def _check_ids(survey: Survey) -> Iterator[Found]:
    pages: dict[str, int] = {}
    for p, page in enumerate(survey.pages):
        if page.id in pages:
            yield ("pages", p, "id"), f"page id '{page.id}' is used twice (also pages[{pages[page.id]}])"
        pages.setdefault(page.id, p)
    seen: dict[str, str] = {}
    for p, page in enumerate(survey.pages):
        for q, question in enumerate(page.questions):
            path = ("pages", p, "questions", q, "id")
            where = f"pages[{p}].questions[{q}]"
            if question.id in seen:
                yield path, f"question id '{question.id}' is used twice (also {seen[question.id]})"
            seen.setdefault(question.id, where)
            if question.id in RESERVED_IDS:
                yield path, f"'{question.id}' is reserved for an export column; choose another id"
            if question.id in FORM_NAMES:
                yield path, f"'{question.id}' is a name the survey pages' form uses itself; choose another id"
            if question.id.startswith("hidden_"):
                yield path, "question ids may not start with 'hidden_' (reserved for hidden fields)"
            if question.type == "matrix":
                rows: set[str] = set()
                for r, row in enumerate(question.rows):
                    if row.id in rows:
                        yield (*path[:-1], "rows", r, "id"), f"row id '{row.id}' is used twice"
                    rows.add(row.id)
    hidden: set[str] = set()
    for h, name in enumerate(survey.hidden_fields):
        if name in hidden:
            yield ("hidden_fields", h), f"hidden field '{name}' is listed twice"
        hidden.add(name)


def _check_choices(survey: Survey) -> Iterator[Found]:
    for name, choices in survey.choice_lists.items():
        yield from _unique_values(choices, ("choice_lists", name))
    for path, question in _questions(survey):
        raw = getattr(question, "choices", None)
        if raw is None:
            continue
        if isinstance(raw, str):
            if raw not in survey.choice_lists:
                known = ", ".join(survey.choice_lists) or "none defined"
                yield (*path, "choices"), f"unknown choice list '{raw}' (known: {known})"
                continue
        else:
            yield from _unique_values(raw, (*path, "choices"))
        values = [c.value for c in survey.choices(question)]
        if any(c.image for c in survey.choices(question)) and not _shows_pictures(question):
            kind = "a dropdown" if question.type == "single_choice" else f"a {question.type}"
            yield (
                (*path, "choices"),
                f"{kind} shows no pictures: choices with an image are shown as pictures only in "
                "multiple_choice and single_choice (display: radio) questions",
            )
        if getattr(question, "other", False) and OTHER in values:
            yield (*path, "other"), f"'other: true' adds the value '{OTHER}', which the choices already use"
        if question.type == "multiple_choice":
            for e, value in enumerate(question.exclusive):
                if value not in values:
                    yield (*path, "exclusive", e), f"exclusive value {value!r} is not one of the choices"
            low, high = question.min_selected, question.max_selected
            if low is not None and high is not None and low > high:
                yield (*path, "min_selected"), f"min_selected ({low}) is greater than max_selected ({high})"
            if low is not None and low > len(values):
                yield (*path, "min_selected"), f"min_selected ({low}) is more than the {len(values)} choices"


def _shows_pictures(question: Any) -> bool:
    """Whether choices with an `image` are shown as pictures (not in a dropdown, a matrix, a ranking)."""
    return question.type == "multiple_choice" or getattr(question, "display", None) == "radio"


def _unique_values(choices: list, path: tuple) -> Iterator[Found]:
    seen: set = set()
    for c, choice in enumerate(choices):
        if choice.value in seen:
            yield (*path, c, "value"), f"choice value {choice.value!r} is used twice"
        seen.add(choice.value)


def _check_ranges(survey: Survey) -> Iterator[Found]:
    for path, question in _questions(survey):
        low, high = getattr(question, "min", None), getattr(question, "max", None)
        if low is None or high is None or "today" in (low, high):
            continue
        if low > high:
            yield (*path, "min"), f"min ({low}) is greater than max ({high})"
    if survey.opens_at and survey.closes_at:
        opens, closes = survey.window(UTC)  # any zone orders the two the same
        if opens >= closes:
            yield ("closes_at",), "closes_at is not after opens_at"


def _questions(survey: Survey) -> Iterator[tuple[tuple, Any]]:
    for p, page in enumerate(survey.pages):
        for q, question in enumerate(page.questions):
            yield ("pages", p, "questions", q), question


def _check_conditions(survey: Survey) -> Iterator[Found]:
    earlier: dict[str, Any] = {}  # questions defined before the current point
    for p, page in enumerate(survey.pages):
        if page.show_if is not None:
            yield from _check_condition(survey, page.show_if, ("pages", p, "show_if"), dict(earlier))
        for q, question in enumerate(page.questions):
            if question.show_if is not None:
                path = ("pages", p, "questions", q, "show_if")
                yield from _check_condition(survey, question.show_if, path, dict(earlier))
            earlier[question.id] = question


def _check_condition(survey: Survey, cond: Any, path: tuple, earlier: dict) -> Iterator[Found]:
    if isinstance(cond, (AllOf, AnyOf)):
        key, parts = ("all", cond.all_) if isinstance(cond, AllOf) else ("any", cond.any_)
        for i, part in enumerate(parts):
            yield from _check_condition(survey, part, (*path, key, i), earlier)
        return
    if isinstance(cond, NotOf):
        yield from _check_condition(survey, cond.not_, (*path, "not"), earlier)
        return
    yield from _check_comparison(survey, cond, path, earlier)


def _check_comparison(survey: Survey, cond: Comparison, path: tuple, earlier: dict) -> Iterator[Found]:
    op, value = cond.operator, cond.value
    values = value if op in ("in", "not_in") else [value]
    if cond.hidden is not None:
        if cond.hidden not in survey.hidden_fields:
            yield (*path, "hidden"), f"'{cond.hidden}' is not one of the survey's hidden_fields"
        elif op not in EQUALITY:
            yield (
                (*path, op),
                f"'{op}' cannot test a hidden field (use equals, not_equals, in, not_in, answered)",
            )
        elif op != "answered" and not all(isinstance(v, str) for v in values):
            yield (*path, op), 'hidden field values are text: quote them, e.g. "12"'
        return
    question = earlier.get(cond.question)
    if question is None:
        if survey.question(cond.question) is None:
            yield (*path, "question"), f"unknown question '{cond.question}'"
        else:
            yield (
                (*path, "question"),
                (
                    f"question '{cond.question}' is not asked before this point; a condition can only "
                    "refer to an earlier page or earlier on the same page"
                ),
            )
        return
    allowed = OPERATORS_FOR[question.type]
    if op not in allowed:
        ops = ", ".join(sorted(allowed)) or "none"
        yield (*path, op), f"'{op}' cannot test a {question.type} question (allowed: {ops})"
        return
    if op == "answered":
        return
    if hasattr(question, "choices"):
        if isinstance(question.choices, str) and question.choices not in survey.choice_lists:
            return  # the unknown list is reported where it is named
        codes = [c.value for c in survey.choices(question)]
        if getattr(question, "other", False):
            codes.append(OTHER)
        for v in values:
            if op in ORDER and not isinstance(v, int):
                yield (*path, op), f"'{op}' needs a number, got {v!r}"
            elif op in ORDER and not all(isinstance(c, int) for c in codes):
                yield (*path, op), f"'{op}' needs choices with number values; {question.id} has text values"
            elif op not in ORDER and v not in codes:
                yield (*path, op), f"{v!r} is not a choice value of '{question.id}' (values: {codes})"
        return
    expected = {
        "integer": (int,),
        "decimal": (int, float),
        "rating": (int,),
        "date": (date,),
        "text": (str,),
    }[question.type]
    for v in values:
        if question.type == "date" and isinstance(v, str) and _iso_date(v):
            continue  # a quoted date
        if isinstance(v, bool) or not isinstance(v, expected):
            kind = {"date": "a date (YYYY-MM-DD)", "text": "text"}.get(question.type, "a number")
            yield (*path, op), f"{v!r} cannot be compared with '{question.id}': expected {kind}"
    if question.type == "rating":
        low, high = question.bounds
        for v in values:
            if isinstance(v, int) and not low <= v <= high:
                yield (*path, op), f"{v} is outside the {question.scale} scale ({low} to {high})"


def _iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _check_columns(survey: Survey) -> Iterator[Found]:
    owners: dict[str, str] = {name: "a fixed column" for name in FIXED_COLUMNS}
    owners["participant"] = "the participant column"
    for name in survey.hidden_fields:
        owners[f"hidden_{name}"] = f"hidden field '{name}'"
    seen: set[str] = set()
    for path, question in _questions(survey):
        if question.id in seen or question.id in RESERVED_IDS:
            continue  # already reported as a duplicate or reserved id
        seen.add(question.id)
        for column in survey.columns(question):
            if owners.get(column) == f"question '{question.id}'":
                continue  # a duplicate row or choice of this question, reported as such
            if column in owners:
                yield (
                    (*path, "id"),
                    f"export column '{column}' of '{question.id}' clashes with {owners[column]}",
                )
            owners.setdefault(column, f"question '{question.id}'")


def _check_results(survey: Survey) -> Iterator[Found]:
    """The `results` block: listed questions that exist and can be figures, a `by` that is a hidden field."""
    if survey.results is None:
        return
    listed: set[str] = set()
    for index, question_id in enumerate(survey.results.questions):
        path = ("results", "questions", index)
        question = survey.question(question_id)
        if question_id in listed:
            yield path, f"question '{question_id}' is listed twice"
        elif question is None:
            yield path, f"unknown question '{question_id}'"
        elif question.type in ("text", "long_text"):
            yield (
                path,
                f"'{question_id}' is a free-text question: its answers are never figures in public results, "
                "only quotes a researcher approves (leave it out of questions)",
            )
        elif question.type not in RESULT_TYPES:
            kinds = ", ".join(RESULT_TYPES)
            yield path, f"a {question.type} question is not shown in public results (types: {kinds})"
        listed.add(question_id)
    by = survey.results.by
    if by is not None and by not in survey.hidden_fields:
        known = ", ".join(survey.hidden_fields) or "none"
        yield ("results", "by"), f"'{by}' is not one of the survey's hidden_fields (known: {known})"
