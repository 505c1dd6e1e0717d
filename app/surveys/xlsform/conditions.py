"""`relevant` and `show_if`, both ways: the XPath subset of xpath.py as Lyssna conditions
(docs/survey-format.md, section 8), and Lyssna conditions as XPath.

The two disagree about unanswered questions: in XPath an empty answer is '' and `${q} != 'a'` holds
for it, while a Lyssna comparison on an unanswered question is false. So `${q} != 'a'` becomes
`not: {question: q, equals: a}`, and Lyssna's `not_equals` is written `${q} != '' and ${q} != 'a'`,
which reads back as `not_equals`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.surveys.models import AllOf, AnyOf, Comparison, NotOf, Survey
from app.surveys.xlsform.xpath import (
    And,
    Call,
    Compare,
    Dot,
    Expr,
    Literal,
    Not,
    Or,
    Ref,
    XPathError,
    literal,
    parse,
)

NUMBER_TYPES = ("integer", "decimal", "rating")
FLIPPED = {"=": "=", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}
OPERATORS = {"<": "lt", ">": "gt", "<=": "lte", ">=": "gte"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Target:
    """What a `${name}` of the form stands for in the survey being made."""

    kind: str  # question, hidden, row (of a matrix), note
    id: str  # the question id, hidden field name, or for a row its matrix's id
    type: str | None = None  # the Lyssna question type
    values: dict[str, Any] = field(default_factory=dict)  # choice name in the form -> Lyssna value
    rows: tuple[str, ...] = ()  # a matrix's rows, as names in the form


# ----------------------------------------------------------------------------- XPath -> show_if


def relevant_to_condition(text: str, targets: dict[str, Target]) -> dict:
    """A `relevant` expression as a `show_if` condition (plain data); XPathError if Lyssna cannot
    say it."""
    return _simplify(_condition(parse(text), targets), targets)


def _condition(node: Expr, targets: dict[str, Target]) -> dict:
    if isinstance(node, And):
        return {"all": _flat("all", [_condition(item, targets) for item in node.items])}
    if isinstance(node, Or):
        return {"any": _flat("any", [_condition(item, targets) for item in node.items])}
    if isinstance(node, Not):
        return {"not": _condition(node.item, targets)}
    if isinstance(node, Compare):
        return _comparison(node, targets)
    if isinstance(node, Call) and node.name == "selected":
        return _selected(node, targets)
    if isinstance(node, Ref):
        raise XPathError(f"${{{node.name}}} alone is not a condition: compare it with a value")
    if isinstance(node, Call):
        raise XPathError(f"{node.name}() is not a condition Lyssna can use")
    raise XPathError("a value alone is not a condition")


def _flat(key: str, items: list[dict]) -> list[dict]:
    out: list[dict] = []
    for item in items:
        out.extend(item[key] if list(item) == [key] else [item])
    return out


def _subject(node: Expr, targets: dict[str, Target]) -> Target:
    if isinstance(node, Dot):
        raise XPathError("'.' (this row's own answer) cannot be part of a condition")
    if not isinstance(node, Ref):
        raise XPathError("a condition compares ${question} with a value")
    target = targets.get(node.name)
    if target is None:
        raise XPathError(f"${{{node.name}}} is not a question Lyssna has from this form")
    if target.kind == "note":
        raise XPathError(f"${{{node.name}}} is a note, which has no answer")
    return target


def _key(target: Target) -> dict:
    return {"hidden": target.id} if target.kind == "hidden" else {"question": target.id}


def _comparison(node: Compare, targets: dict[str, Target]) -> dict:
    left, op, right = node.left, node.op, node.right
    if isinstance(left, (Literal, Call)) and isinstance(right, Ref):
        left, op, right = right, FLIPPED[op], left
    if isinstance(left, Call) and left.name in ("count-selected", "string-length") and len(left.args) == 1:
        return _answered_by_count(left, op, right, targets)
    target = _subject(left, targets)
    if isinstance(right, Literal) and right.value == "" and op in ("=", "!="):
        return _answered(target, op == "!=", targets)
    if target.kind == "row":
        raise XPathError(
            f"a condition cannot test one row of the matrix {target.id!r}, only whether it is answered"
        )
    if target.type == "multiple_choice":
        raise XPathError(f"use selected(${{{left.name}}}, 'value') to test the choices of a select_multiple")
    value = _value(right, target)
    if op == "=":
        return {**_key(target), "equals": value}
    if op == "!=":
        return {"not": {**_key(target), "equals": value}}
    return {**_key(target), OPERATORS[op]: value}


def _answered_by_count(call: Call, op: str, right: Expr, targets: dict[str, Target]) -> dict:
    target = _subject(call.args[0], targets)
    bound = right.value if isinstance(right, Literal) else None
    if (op, bound) in ((">", 0), (">=", 1), ("!=", 0)):
        return _answered(target, True, targets)
    if (op, bound) in (("=", 0), ("<", 1), ("<=", 0)):
        return _answered(target, False, targets)
    raise XPathError(f"{call.name}() can only tell whether a question is answered (> 0 or = 0)")


def _answered(target: Target, answered: bool, targets: dict[str, Target]) -> dict:
    if target.kind == "row":  # resolved by _matrix_answered once every row is tested alike
        return {"~row": target.rows[0], "~matrix": target.id, "answered": answered}
    return {**_key(target), "answered": answered}


def _selected(node: Call, targets: dict[str, Target]) -> dict:
    if len(node.args) != 2:
        raise XPathError("selected() takes a question and a value")
    target = _subject(node.args[0], targets)
    if target.type not in ("single_choice", "multiple_choice"):
        kind = target.type or target.kind
        raise XPathError(f"selected() tests a select_one or select_multiple, not a {kind}")
    value = _value(node.args[1], target)
    return {**_key(target), "contains" if target.type == "multiple_choice" else "equals": value}


def _value(node: Expr, target: Target) -> Any:
    """A literal as the kind of value the target compares with (docs/survey-format.md, section 8)."""
    if isinstance(node, Call) and node.name == "date" and len(node.args) == 1:
        node = node.args[0]
        if not (isinstance(node, Literal) and _DATE.fullmatch(str(node.value))):
            raise XPathError("date() needs a date written 'YYYY-MM-DD'")
    if not isinstance(node, Literal):
        what = "today()" if isinstance(node, Call) and node.name == "today" else "another answer"
        raise XPathError(f"a condition compares with a value, not with {what}")
    value = node.value
    if target.kind == "hidden" or target.type == "text":
        return value if isinstance(value, str) else repr(value)
    if target.type in ("single_choice", "multiple_choice"):
        name = value if isinstance(value, str) else repr(value)
        return target.values.get(name, choice_value(name) or name)
    if target.type in NUMBER_TYPES:
        return _as_number(value)
    if target.type == "date":
        if isinstance(value, str) and _DATE.fullmatch(value):
            return date.fromisoformat(value)
        raise XPathError(f"{value!r} is not a date written 'YYYY-MM-DD'")
    raise XPathError(f"a {target.type} question can only be tested for being answered")


def _as_number(value: Any) -> int | float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise XPathError(f"{value!r} is not a number") from None
    return int(value) if float(value).is_integer() else value


def choice_value(name: str) -> int | str | None:
    """The Lyssna value of a choice name as it is (a whole number or a code), or None."""
    if re.fullmatch(r"-?(0|[1-9][0-9]*)", name):
        return int(name)
    if re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,62}", name):
        return name
    return None


def _simplify(cond: dict, targets: dict[str, Target]) -> dict:
    """Write the condition as a person would: `in`, `not_equals`, `not_in`, a matrix as answered."""
    simple = _simplified(cond, targets)
    if "~row" in str(simple):
        raise XPathError("a condition can only test whether a matrix is answered: test all its rows alike")
    return simple


def _simplified(cond: dict, targets: dict[str, Target]) -> dict:
    for key in ("all", "any"):
        if key in cond:
            items = [_simplified(item, targets) for item in cond[key]]
            items = _joined_in(items) if key == "any" else _joined_not(items)
            items = _matrix_answered(items, targets, key)
            return items[0] if len(items) == 1 else {key: items}
    if "not" in cond:
        return {"not": _simplified(cond["not"], targets)}
    return _matrix_answered([cond], targets, "any" if cond.get("answered") else "all")[0]


def _subject_key(cond: dict) -> tuple | None:
    if "question" in cond:
        return ("question", cond["question"])
    if "hidden" in cond:
        return ("hidden", cond["hidden"])
    return None


def _joined_in(items: list[dict]) -> list[dict]:
    """`a = 1 or a = 2` -> `in: [1, 2]`."""
    out: list[dict] = []
    for item in items:
        subject = _subject_key(item)
        earlier = next((o for o in out if subject and _subject_key(o) == subject and _is_in(o)), None)
        if subject and _is_in(item) and earlier is not None:
            values = earlier.pop("equals", None)
            earlier.setdefault("in", [values] if values is not None else [])
            earlier["in"].extend(item.get("in", [item.get("equals")]) if "in" in item else [item["equals"]])
        else:
            out.append(dict(item))
    return out


def _is_in(cond: dict) -> bool:
    return len(cond) == 2 and ("equals" in cond or "in" in cond)


def _joined_not(items: list[dict]) -> list[dict]:
    """`a answered and not(a = 1)` -> `not_equals: 1`; with `not(a in [..])` -> `not_in`."""
    out = list(items)
    for item in items:
        if "not" not in item or not _is_in(item["not"]):
            continue
        inner = item["not"]
        subject = _subject_key(inner)
        answered = next((o for o in out if _subject_key(o) == subject and o.get("answered") is True), None)
        if answered is None:
            continue
        key = dict([subject])
        merged = {
            **key,
            **({"not_equals": inner["equals"]} if "equals" in inner else {"not_in": inner["in"]}),
        }
        out[out.index(answered)] = merged
        out.remove(item)
    return out


def _matrix_answered(items: list[dict], targets: dict[str, Target], key: str) -> list[dict]:
    """Every row of a matrix answered (in `any`) or every row unanswered (in `all`): the matrix
    answered or not, as Lyssna tests it."""
    wanted = key == "any"
    for matrix in {t.id: t for t in targets.values() if t.kind == "question" and t.type == "matrix"}.values():
        tests = [i for i in items if i.get("~matrix") == matrix.id and i.get("answered") is wanted]
        if tests and {t["~row"] for t in tests} == set(matrix.rows):
            first = items.index(tests[0])
            items = [i for i in items if i not in tests]
            items.insert(first, {"question": matrix.id, "answered": wanted})
    return items


# ----------------------------------------------------------------------------- show_if -> XPath


def condition_to_xpath(cond: Any, survey: Survey) -> str:
    """A `show_if` condition as a `relevant` expression (read back by relevant_to_condition as the
    same condition)."""
    return _xpath(cond, survey)[0]


def _xpath(cond: Any, survey: Survey) -> tuple[str, str | None]:
    """The expression, and the join (`and`, `or`) at its top that a surrounding join must bracket."""
    if isinstance(cond, (AllOf, AnyOf)):
        join, children = ("and", cond.all_) if isinstance(cond, AllOf) else ("or", cond.any_)
        parts = []
        for child in children:
            text, top = _xpath(child, survey)
            parts.append(f"({text})" if top not in (None, join) else text)
        return f" {join} ".join(parts), join if len(parts) > 1 else None
    if isinstance(cond, NotOf):
        return f"not({_xpath(cond.not_, survey)[0]})", None
    return _comparison_xpath(cond, survey)


def _comparison_xpath(cond: Comparison, survey: Survey) -> tuple[str, str | None]:
    question = survey.question(cond.question) if cond.question else None
    if question is not None and question.type == "matrix":
        return _matrix_xpath(cond, question)
    ref = f"${{{cond.question or cond.hidden}}}"
    op, value = cond.operator, cond.value
    kind = question.type if question is not None else "hidden"
    if op == "answered":
        return (f"{ref} != ''" if value else f"{ref} = ''"), None
    if op == "contains":
        return f"selected({ref}, {_xpath_value(value, kind)})", None
    if op in ("in", "not_in"):
        each = " or ".join(f"{ref} = {_xpath_value(v, kind)}" for v in value)
        if op == "not_in":
            return f"{ref} != '' and not({each})", "and"
        return (f"({each})" if len(value) > 1 else each), None
    written = _xpath_value(value, kind, compared=op in ("gt", "gte", "lt", "lte"))
    if op == "not_equals":
        return f"{ref} != '' and {ref} != {written}", "and"
    symbol = {"equals": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
    return f"{ref} {symbol} {written}", None


def _matrix_xpath(cond: Comparison, question: Any) -> tuple[str, str | None]:
    """Lyssna tests a matrix only for being answered: any row answered, or none."""
    names = [f"${{{question.id}_{row.id}}}" for row in question.rows]
    if len(names) == 1:
        return f"{names[0]} {'!=' if cond.value else '='} ''", None
    if cond.value:
        return "(" + " or ".join(f"{n} != ''" for n in names) + ")", None
    return " and ".join(f"{n} = ''" for n in names), "and"


def _xpath_value(value: Any, kind: str, compared: bool = False) -> str:
    """A compared value: choice codes and hidden fields as text, numbers and dates as XPath has them."""
    if isinstance(value, date):
        return f"date('{value.isoformat()}')"
    textual = kind in ("single_choice", "multiple_choice", "text", "hidden")
    if textual and not (compared and not isinstance(value, str)):
        return literal(str(value))
    return literal(value)
