"""Setting top-level keys of a survey file with ruamel.yaml's round trip: comments, quotes, key order and
layout stay as the file has them (opening and closing a survey in the browser)."""

from __future__ import annotations

import io

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

# Indentations (mapping, sequence, dash offset) survey files are written with; the one that writes the
# file back unchanged is used. The examples use the first.
INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (3, 3, 0))
# Where a key the file lacks goes: after the last of the keys before it in this order that the file has.
ORDER = ("id", "title", "description", "languages", "pilot", "wave", "status", "opens_at", "closes_at")


def set_keys(text: str, values: dict[str, str | None]) -> str:
    """The file with each top-level key set to its value (text, written in double quotes when it looks
    like a date), or left out when the value is None."""
    yaml = _round_trip(text)
    data = yaml.load(text)
    for key, value in values.items():
        if value is None:
            if key in data:
                _remove(data, key)
            continue
        scalar = DoubleQuotedScalarString(value) if value[:1].isdigit() else value
        if key in data:
            _replace(data, key, scalar, text)
        else:
            _insert(data, key, scalar)
    return _dump(yaml, data)


def _replace(data: CommentedMap, key: str, value, text: str) -> None:
    """Set a key's value; a comment at the end of its line keeps its distance from the value."""
    item = data.ca.items.get(key)
    comment = item[2] if item and len(item) > 2 else None
    if comment is not None and comment.start_mark is not None:
        line, value_column = data.lc.value(key)
        written = text.splitlines()[line][: comment.start_mark.column]
        if len(written) == comment.start_mark.column:  # the comment is on the value's line
            gap = len(written) - len(written.rstrip())
            width = len(value) + (2 if isinstance(value, DoubleQuotedScalarString) else 0)
            comment.start_mark.column = value_column + width + gap
    data[key] = value


def _round_trip(text: str) -> YAML:
    """A round-trip YAML reader and writer with the indentation that writes this text back unchanged."""
    best, fewest = None, None
    for mapping, sequence, offset in INDENTS:
        yaml = YAML()
        yaml.preserve_quotes = True
        yaml.width = 4096  # never fold a long line the file has on one line
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        again = _dump(yaml, yaml.load(text))
        if again == text:
            return yaml
        differing = sum(a != b for a, b in zip(again.splitlines(), text.splitlines(), strict=False))
        if fewest is None or differing < fewest:
            best, fewest = yaml, differing
    return best


def _dump(yaml: YAML, data) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _insert(data: CommentedMap, key: str, value) -> None:
    """Put a new key after the last key before it in ORDER that the file has (after `id` at least).

    The comment lines that followed that key stay where they were, above the key that came next.
    """
    earlier = ORDER[: ORDER.index(key)] if key in ORDER else ORDER
    keys = list(data)
    after = max((keys.index(k) for k in earlier if k in data), default=0)
    below = _lines_below(data, keys[after])
    if below and after + 1 < len(keys):
        _put_above(data, keys[after + 1], below)
    data.insert(after + 1, key, value)


def _remove(data: CommentedMap, key: str) -> None:
    """Leave a key out; the comment lines that followed it stay, above the key that came next."""
    keys = list(data)
    index = keys.index(key)
    below = _lines_below(data, key)
    del data[key]
    if not below:
        return
    if index + 1 < len(keys):
        _put_above(data, keys[index + 1], below)
    elif index > 0:  # it was the last key: the lines go below the one before
        item = data.ca.items.setdefault(keys[index - 1], [None, None, None, None])
        if item[2] is None:
            item[2] = CommentToken("\n" + below, CommentMark(0))
        else:
            item[2].value += below


def _lines_below(data: CommentedMap, key: str) -> str:
    """Take the comment lines that follow a key's line from it (its end-of-line comment stays): ''."""
    item = data.ca.items.get(key)
    if not item or len(item) < 3 or item[2] is None:
        return ""
    end_of_line, newline, below = item[2].value.partition("\n")
    if below:
        if end_of_line.strip():
            item[2].value = end_of_line + newline
        else:
            item[2] = None
    return below


def _put_above(data: CommentedMap, key: str, lines: str) -> None:
    """Comment (and blank) lines written just above a key."""
    item = data.ca.items.setdefault(key, [None, None, None, None])
    item[1] = [CommentToken(lines, CommentMark(0)), *(item[1] or [])]
