"""JSON export: the About facts, the codebook, then one object per response with answers by question id."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from app.exports.codebook import CodebookEntry, about, codebook
from app.exports.table import Progress, Table

CHUNK_ROWS = 500


def _value(entry: CodebookEntry, code: Any, label: str) -> dict:
    """A value of the codebook: its code and label, and for a text code what SPSS and Stata store."""
    value = {"code": code, "label": label}
    if code in entry.stored:
        value["spss"], value["stata"] = entry.stored[code]
    return value


def codebook_json(table: Table) -> list[dict]:
    """The codebook as JSON objects: one per column, its values with their codes and labels."""
    entries = [
        {**asdict(e), "values": [_value(e, code, label) for code, label in e.values]} for e in codebook(table)
    ]
    for entry in entries:
        del entry["stored"]
    return entries


def json_chunks(table: Table, app_version: str, progress: Progress | None = None) -> Iterator[bytes]:
    """The JSON document as UTF-8 chunks; responses are streamed, never all held at once."""
    head = {
        "about": dict(about(table, app_version)),
        "codebook": codebook_json(table),
    }
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    text = json.dumps(head, ensure_ascii=False, indent=1)
    parts = [text[: text.rindex("}")].rstrip() + ',\n "responses": [']
    first = True
    for record in table.records(progress):
        parts.append(("\n  " if first else ",\n  ") + dumps(record))
        first = False
        if len(parts) >= CHUNK_ROWS:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("\n ]\n}\n")
    yield "".join(parts).encode("utf-8")
