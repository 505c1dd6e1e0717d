"""JSON export: the About facts, the codebook, then one object per response with answers by question id."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict

from app.exports.codebook import about, codebook
from app.exports.table import Progress, Table

CHUNK_ROWS = 500


def json_chunks(table: Table, app_version: str, progress: Progress | None = None) -> Iterator[bytes]:
    """The JSON document as UTF-8 chunks; responses are streamed, never all held at once."""
    entries = [
        {**asdict(e), "values": [{"code": c, "label": t} for c, t in e.values]} for e in codebook(table)
    ]
    head = {
        "about": dict(about(table, app_version)),
        "codebook": entries,
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
