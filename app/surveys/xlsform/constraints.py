"""`constraint` and Lyssna's limits, both ways: `. >= 0 and . <= 10` is min and max, `regex(., '…')`
a pattern, `string-length(.) <= 6` max_length, `count-selected(.)` min_selected and max_selected,
`not(selected(., 'none') and count-selected(.) > 1)` an exclusive choice. Anything else in a
constraint is more than Lyssna checks, and is refused with an XPathError."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from app.surveys.xlsform.xpath import And, Call, Compare, Dot, Expr, Literal, Not, XPathError, literal, parse

FLIPPED = {"=": "=", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}
SUPPORTED = "ranges (. >= 0 and . <= 10), regex(., '…'), string-length(.) <= n and count-selected(.)"


def constraint_keys(text: str, kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """The Lyssna keys of a constraint on a question of type `kind`; `values` maps choice names to
    Lyssna values (for an exclusive choice)."""
    tree = parse(text)
    keys: dict[str, Any] = {}
    for part in tree.items if isinstance(tree, And) else (tree,):
        for key, value in _part(part, kind, values).items():
            if key == "exclusive":
                keys.setdefault("exclusive", []).extend(value)
            elif key in keys and keys[key] != value:
                raise XPathError(f"the constraint sets {key} twice")
            else:
                keys[key] = value
    return keys


def _part(node: Expr, kind: str, values: dict[str, Any]) -> dict[str, Any]:
    regex = isinstance(node, Call) and node.name == "regex" and len(node.args) == 2 and kind == "text"
    if regex and isinstance(node.args[0], Dot) and isinstance(node.args[1], Literal):
        return {"pattern": whole_answer(str(node.args[1].value))}
    if isinstance(node, Not) and kind == "multiple_choice":
        return {"exclusive": [_exclusive(node.item, values)]}
    if isinstance(node, Compare):
        left, op, right = node.left, node.op, node.right
        if isinstance(right, Dot) or (
            isinstance(right, Call) and right.name in ("string-length", "count-selected")
        ):
            left, op, right = right, FLIPPED[op], left
        if isinstance(left, Dot) and kind in ("integer", "decimal", "date"):
            return _bound(op, _operand(right, kind), kind)
        if isinstance(left, Call) and left.args == (Dot(),) and isinstance(right, Literal):
            if left.name == "string-length" and kind in ("text", "long_text") and op in ("<=", "<"):
                return {"max_length": _whole(right.value) - (op == "<")}
            if left.name == "count-selected" and kind == "multiple_choice":
                return _selected_count(op, _whole(right.value))
    raise XPathError(f"Lyssna checks only {SUPPORTED}")


def _operand(node: Expr, kind: str) -> Any:
    if kind == "date":
        if isinstance(node, Call) and node.name == "today" and not node.args:
            return "today"
        if isinstance(node, Call) and node.name == "date" and len(node.args) == 1:
            node = node.args[0]
        if isinstance(node, Literal) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(node.value)):
            return date.fromisoformat(str(node.value))
        raise XPathError("a date is limited by date('YYYY-MM-DD') or today()")
    if not isinstance(node, Literal) or isinstance(node.value, str):
        raise XPathError("a number is limited by numbers, not by other answers")
    value = node.value
    return int(value) if kind == "integer" and float(value).is_integer() else value


def _bound(op: str, value: Any, kind: str) -> dict[str, Any]:
    if op in (">=", "<="):
        return {"min" if op == ">=" else "max": value}
    if op in (">", "<") and kind == "integer":
        return {"min": value + 1} if op == ">" else {"max": value - 1}
    if op in (">", "<") and kind == "date" and value != "today":
        return {"min": value + timedelta(days=1)} if op == ">" else {"max": value - timedelta(days=1)}
    raise XPathError(
        f"Lyssna's limits include their end: write {'>=' if '>' in op else '<='} instead of {op}"
    )


def _selected_count(op: str, number: int) -> dict[str, Any]:
    if op == "=":
        return {"min_selected": number, "max_selected": number}
    if op in (">=", ">"):
        return {"min_selected": number + (op == ">")}
    if op in ("<=", "<"):
        return {"max_selected": number - (op == "<")}
    raise XPathError("count-selected(.) is limited with >=, <= or =")


def _exclusive(node: Expr, values: dict[str, Any]) -> Any:
    """`selected(., 'v') and count-selected(.) > 1`: the value that cannot be combined."""
    if isinstance(node, And) and len(node.items) == 2:
        for first, second in (node.items, node.items[::-1]):
            chosen = isinstance(first, Call) and first.name == "selected" and first.args[:1] == (Dot(),)
            many = second == Compare(">", Call("count-selected", (Dot(),)), Literal(1))
            if chosen and many and len(first.args) == 2 and isinstance(first.args[1], Literal):
                name = str(first.args[1].value)
                return values.get(name, name)
    raise XPathError(f"Lyssna checks only {SUPPORTED}, and not(selected(., 'v') and count-selected(.) > 1)")


def _whole(value: Any) -> int:
    if isinstance(value, str) or not float(value).is_integer():
        raise XPathError(f"{value!r} is not a whole number")
    return int(value)


def whole_answer(pattern: str) -> str:
    """An XPath regex matches anywhere in the answer; a Lyssna pattern must match all of it."""
    if pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$"):
        return pattern
    return f".*(?:{pattern}).*"


# ----------------------------------------------------------------------------- Lyssna -> constraint


def keys_to_constraint(question: Any, survey: Any) -> str:
    """The question's limits, as it sets them in its file, written as one constraint ('' for none)."""
    given = question.model_fields_set
    parts: list[str] = []
    if question.type in ("integer", "decimal", "date"):
        for key, op in (("min", ">="), ("max", "<=")):
            bound = getattr(question, key)
            if bound is not None:
                parts.append(f". {op} {_bound_text(bound)}")
    if question.type == "text" and question.pattern:
        pattern = question.pattern
        if whole_answer(pattern) != pattern:  # not anchored at both ends: Lyssna matches the whole answer
            pattern = f"^(?:{pattern})$"
        parts.append(f"regex(., {literal(pattern)})")
    if question.type in ("text", "long_text") and "max_length" in given:
        parts.append(f"string-length(.) <= {question.max_length}")
    if question.type == "multiple_choice":
        for key, op in (("min_selected", ">="), ("max_selected", "<=")):
            if getattr(question, key) is not None:
                parts.append(f"count-selected(.) {op} {getattr(question, key)}")
        for value in question.exclusive:
            parts.append(f"not(selected(., {literal(str(value))}) and count-selected(.) > 1)")
    return " and ".join(parts)


def _bound_text(bound: Any) -> str:
    if bound == "today":
        return "today()"
    if isinstance(bound, date):
        return f"date('{bound.isoformat()}')"
    return literal(int(bound) if float(bound).is_integer() else bound)
