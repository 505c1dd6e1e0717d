"""A small recursive-descent parser for the XPath that XLSForms write in `relevant` and `constraint`.

It reads the common subset and nothing more: `${name}` references, `.`, strings, numbers, the
comparisons `= != < > <= >=`, `and`, `or`, `not(...)`, parentheses and function calls such as
`selected(${q}, 'v')`, `regex(., '...')`, `count-selected(.)`, `string-length(.)`, `date('...')`
and `today()`. Arithmetic, paths and the rest of XPath are refused with an `XPathError` that says
where; deciding what a parsed expression means to Lyssna is left to the callers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COMPARISONS = ("=", "!=", "<", ">", "<=", ">=")


class XPathError(ValueError):
    """An expression outside the subset, or not well formed."""


@dataclass(frozen=True)
class Ref:
    """`${name}`: the answer of another row."""

    name: str


@dataclass(frozen=True)
class Dot:
    """`.`: the answer of the row itself (in a constraint)."""


@dataclass(frozen=True)
class Literal:
    """A string ('v' or "v") or a number (3, -1, 2.5)."""

    value: str | int | float


@dataclass(frozen=True)
class Call:
    """A function call, such as selected(${q}, 'v')."""

    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Compare:
    """`left op right` with one of the six comparisons."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class And:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Not:
    item: Expr


Expr = Ref | Dot | Literal | Call | Compare | And | Or | Not

# Spreadsheets often turn straight quotes into typographic ones; XPath only has the straight ones.
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
_TOKEN = re.compile(
    r"""\s*(?:
    (?P<ref>\$\{\s*(?P<refname>[^}\s]+)\s*\})
    |(?P<string>'[^']*'|"[^"]*")
    |(?P<number>\d+(?:\.\d*)?|\.\d+)
    |(?P<op><=|>=|!=|=|<|>)
    |(?P<punct>[(),])
    |(?P<name>[A-Za-z_][A-Za-z0-9_:-]*)
    |(?P<dot>\.)
    |(?P<minus>-)
    |(?P<other>\S)
    )""",
    re.VERBOSE,
)


def tokenize(text: str) -> list[tuple[str, str]]:
    """The expression as (kind, text) tokens, ending with ('end', '')."""
    tokens = []
    text = text.translate(_QUOTES).strip()
    position = 0
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None:  # only trailing spaces are left
            break
        position = found.end()
        kind = found.lastgroup if found.lastgroup != "refname" else "ref"
        if kind == "ref":
            tokens.append(("ref", found.group("refname")))
        elif kind == "other":
            raise XPathError(f"{found.group(kind)!r} is not part of the XPath Lyssna reads")
        else:
            tokens.append((kind, found.group(kind)))
    tokens.append(("end", ""))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.at = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.at]

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expect(self, text: str) -> None:
        _kind, got = self.take()
        if got != text:
            raise XPathError(f"expected {text!r}, found {got or 'the end'!r}")

    def accept_word(self, word: str) -> bool:
        if self.peek() == ("name", word):
            self.at += 1
            return True
        return False

    def expression(self) -> Expr:
        items = [self.conjunction()]
        while self.accept_word("or"):
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def conjunction(self) -> Expr:
        items = [self.comparison()]
        while self.accept_word("and"):
            items.append(self.comparison())
        return items[0] if len(items) == 1 else And(tuple(items))

    def comparison(self) -> Expr:
        left = self.operand()
        if self.peek()[0] == "op":
            op = self.take()[1]
            right = self.operand()
            if self.peek()[0] == "op":
                raise XPathError("write one comparison at a time, joined with 'and' or 'or'")
            return Compare(op, left, right)
        return left

    def operand(self) -> Expr:
        kind, text = self.take()
        if kind == "ref":
            return Ref(text)
        if kind == "string":
            return Literal(text[1:-1])
        if kind == "number":
            return Literal(_number(text))
        if kind == "minus" and self.peek()[0] == "number":
            return Literal(-_number(self.take()[1]))
        if kind == "dot":
            return Dot()
        if kind == "punct" and text == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if kind == "name" and self.peek() == ("punct", "("):
            return self.call(text)
        if kind == "name" and text in ("div", "mod"):
            raise XPathError("arithmetic is not part of the XPath Lyssna reads")
        if kind == "minus":
            raise XPathError("arithmetic is not part of the XPath Lyssna reads")
        raise XPathError(f"unexpected {text or 'end'!r}")

    def call(self, name: str) -> Expr:
        self.expect("(")
        args: list[Expr] = []
        if self.peek() != ("punct", ")"):
            args.append(self.expression())
            while self.peek() == ("punct", ","):
                self.take()
                args.append(self.expression())
        self.expect(")")
        if name == "not":
            if len(args) != 1:
                raise XPathError("not() takes one condition")
            return Not(args[0])
        return Call(name, tuple(args))


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def parse(text: str) -> Expr:
    """The expression's tree; XPathError when it is outside the subset or not well formed."""
    parser = _Parser(text)
    if parser.peek()[0] == "end":
        raise XPathError("the expression is empty")
    tree = parser.expression()
    kind, rest = parser.peek()
    if kind != "end":
        if kind == "op" or rest in ("+", "*", "-", "div", "mod", "|", "/", "["):
            raise XPathError("arithmetic and paths are not part of the XPath Lyssna reads")
        raise XPathError(f"unexpected {rest!r} after a complete expression")
    return tree


def literal(value: str | int | float) -> str:
    """A value written as an XPath literal: numbers as they are, text in quotes."""
    if isinstance(value, bool):
        raise XPathError("true/false cannot be written as an XPath value")
    if isinstance(value, (int, float)):
        return repr(value)
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    raise XPathError(f"{value!r} has both kinds of quotes, which XPath cannot write")
