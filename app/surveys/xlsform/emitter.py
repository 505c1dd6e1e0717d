"""Write survey data as YAML that reads like the hand-written files in surveys/: short mappings
on one line (`label: {sv: Ja, en: "Yes"}`), lists of codes in brackets, texts quoted only where
YAML needs it (and "yes"/"no" always, for tools that read YAML 1.1), long texts as `|` blocks,
comments where the data came from, blank lines between pages and questions.

PyYAML cannot write comments or choose a style per mapping, hence this small writer. Every plain
scalar it writes is read back, by Lyssna's loader and by a YAML 1.1 one, before it is trusted.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import lru_cache
from typing import Any

import yaml

from app.surveys.loader import DefinitionLoader

WIDTH = 100  # a mapping goes on one line when the line stays this short


class Node:
    """Comments and layout of a mapping or list: `eol` (after a key's or item's first line), `above`
    (comment lines before it), `gaps` (a blank line before it) and `block` (never on one line)."""

    def __init__(self, block: bool = False) -> None:
        self.eol: dict[Any, str] = {}
        self.above: dict[Any, list[str]] = {}
        self.gaps: set[Any] = set()
        self.block = block

    def comment(self, key: Any, text: str) -> None:
        """A comment at the end of the key's (or item's) first line; a second one joins it."""
        self.eol[key] = f"{self.eol[key]}; {text}" if key in self.eol else text

    def note(self, key: Any, text: str) -> None:
        """A comment line above the key (or item)."""
        self.above.setdefault(key, []).append(text)


class Map(dict, Node):
    """A mapping with comments and layout."""

    def __init__(self, *args: Any, block: bool = False, **kwargs: Any) -> None:
        dict.__init__(self, *args, **kwargs)
        Node.__init__(self, block)


class Seq(list, Node):
    """A list with comments and layout; `spaced` puts a blank line between its items."""

    def __init__(self, items: Any = (), block: bool = False, spaced: bool = False) -> None:
        list.__init__(self, items)
        Node.__init__(self, block)
        if spaced:
            self.gaps = set(range(1, len(self)))


def dump(data: Map, header: list[str] | None = None) -> str:
    """The YAML text of a survey mapping, with `header` as comment lines at the top."""
    lines = [_comment_line("", text) for text in header or []]
    lines += _mapping(data, 0)
    return "\n".join(lines) + "\n"


def _comment_line(pad: str, text: str) -> str:
    return f"{pad}# {text}".rstrip()


def _eol(node: Any, key: Any) -> str:
    text = getattr(node, "eol", {}).get(key)
    return f"  # {text}" if text else ""


def _before(node: Any, key: Any, pad: str, lines: list[str]) -> None:
    if key in getattr(node, "gaps", ()):
        lines.append("")
    lines.extend(_comment_line(pad, text) for text in getattr(node, "above", {}).get(key, []))


def _mapping(data: dict, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for key, value in data.items():
        _before(data, key, pad, lines)
        head = f"{pad}{_scalar(key, flow=True)}:"
        lines += _entry(head, value, indent, _eol(data, key))
    return lines


def _entry(head: str, value: Any, indent: int, eol: str) -> list[str]:
    """`head` (a key and colon, or a dash) followed by its value, on one line or as a block."""
    if isinstance(value, str) and "\n" in value and _literal_ok(value):
        chomp = "" if value.endswith("\n") else "-"
        body = [f"{' ' * (indent + 2)}{line}".rstrip() for line in value.rstrip("\n").split("\n")]
        return [f"{head} |{chomp}{eol}", *body]
    if not isinstance(value, (dict, list)):
        return [f"{head} {_scalar(value, flow=False)}{eol}"]
    one_line = _flow(value)
    if one_line is not None and not getattr(value, "block", False) and len(head) + len(one_line) < WIDTH:
        return [f"{head} {one_line}{eol}"]
    if isinstance(value, dict):
        return [f"{head}{eol}", *_mapping(value, indent + 2)]
    return [f"{head}{eol}", *_sequence(value, indent + 2)]


def _sequence(items: list, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for index, item in enumerate(items):
        _before(items, index, pad, lines)
        eol = _eol(items, index)
        one_line = _flow(item) if isinstance(item, (dict, list)) else None
        fits = one_line is not None and len(pad) + 2 + len(one_line) < WIDTH
        if isinstance(item, dict) and item and not (fits and not getattr(item, "block", False)):
            body = _mapping(item, indent + 2)
            lines.append(
                f"{pad}- {body[0].lstrip()}{eol}" if not _starts_with_comment(item) else f"{pad}-{eol}"
            )
            lines += body[1:] if not _starts_with_comment(item) else body
        else:
            lines += _entry(f"{pad}-", item, indent, eol)
    return lines


def _starts_with_comment(item: dict) -> bool:
    first = next(iter(item))
    return bool(getattr(item, "above", {}).get(first)) or first in getattr(item, "gaps", ())


def _flow(value: Any) -> str | None:
    """The value on one line, or None when it holds a text of several lines or a comment."""
    if isinstance(value, str) and "\n" in value:
        return None
    if isinstance(value, (dict, list)) and (getattr(value, "eol", None) or getattr(value, "above", None)):
        return None
    if isinstance(value, dict):
        parts = [(_scalar(k, flow=True), _flow(v)) for k, v in value.items()]
        if any(p is None for _, p in parts):
            return None
        return "{" + ", ".join(f"{k}: {v}" for k, v in parts) + "}"
    if isinstance(value, list):
        if any(isinstance(v, dict) for v in value):  # conditions in all/any, choices: one a line
            return None
        parts = [_flow(v) for v in value]
        return None if any(p is None for p in parts) else "[" + ", ".join(parts) + "]"
    return _scalar(value, flow=True)


def _scalar(value: Any, flow: bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text if "e" not in text else f"{value:.15f}".rstrip("0")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return text if _plain_ok(text, flow) else _quoted(text)


@lru_cache(maxsize=4096)
def _plain_ok(text: str, flow: bool) -> bool:
    """Whether the text may stand unquoted: both YAML 1.2 (Lyssna) and 1.1 read it back as itself."""
    if not text or text != text.strip() or any(not _printable(c) for c in text) or "\n" in text:
        return False
    if text[0] in "-?:,[]{}#&*!|>'\"%@`" or text.endswith(":") or ": " in text or " #" in text:
        return False
    if flow and any(c in text for c in ",[]{}"):
        return False
    probe = f"k: {{v: {text}}}" if flow else f"k: {text}"
    try:
        for loader in (DefinitionLoader, yaml.SafeLoader):
            read = yaml.load(probe, Loader=loader)  # noqa: S506 (both loaders are safe loaders)
            if (read["k"]["v"] if flow else read["k"]) != text:
                return False
    except (yaml.YAMLError, TypeError, KeyError):
        return False
    return True


def _printable(char: str) -> bool:
    code = ord(char)
    return (
        char in "\t"
        or 0x20 <= code <= 0x7E
        or code == 0x85
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or code >= 0x10000
    )


_ESCAPE = re.compile("[^\t\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029]")


def _quoted(text: str) -> str:
    """A double-quoted YAML scalar (JSON's escapes are YAML's), with every unprintable character escaped."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _ESCAPE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", quoted)


def _literal_ok(text: str) -> bool:
    """Whether a text of several lines can be a `|` block: kept exactly as it is."""
    lines = text.rstrip("\n").split("\n")
    return (
        not text.endswith("\n\n")
        and not lines[0].startswith((" ", "\t"))
        and all(line == line.rstrip() and all(_printable(c) for c in line) for line in lines)
        and "\r" not in text
        and "\u2028" not in text
        and "\u2029" not in text
        and "\x85" not in text
    )
