"""A Frictionless Data Package (v2) for a CSV export: `datapackage.json` beside the CSV, with an inline
Table Schema whose fields are the CSV's columns in order, typed by their kind, with the codebook's
categories, labels and missing values, so that R, Python and archives load the data in one call.

The descriptor follows the Data Package standard v2 (datapackage.org): `categories` with value and
label, `categoriesOrdered`, and `missingValues` as objects with labels where a column has missing codes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from flask_babel import force_locale, gettext

from app.exports.codebook import CodebookEntry, about, categories, codebook, missing_codes
from app.exports.codes import is_number
from app.exports.table import Column, Table

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
FILE_NAME = "datapackage.json"
# How CSV writes local times (str() of a naive datetime): a pattern, since the default needs a "T".
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
TYPES = {
    "text": "string",
    "integer": "integer",
    "number": "number",
    "date": "date",
    "datetime": "datetime",
    "flag": "integer",
    "rank": "integer",
}


def descriptor(table: Table, csv_path: Path, app_version: str) -> dict:
    """The datapackage.json of the CSV at `csv_path` (already written: its size and hash are recorded)."""
    entries = codebook(table)
    with force_locale(table.lang):
        fields = [_field(table, column, entry) for column, entry in zip(table.columns, entries, strict=True)]
    resource: dict[str, Any] = {
        "name": csv_path.stem.lower(),
        "path": csv_path.name,
        "type": "table",
        "title": table.label(table.survey.title),
        "description": "\n".join(f"{key}: {value}" for key, value in about(table, app_version)),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": csv_path.stat().st_size,
        "hash": "sha256:" + _sha256(csv_path),
        "dialect": {"delimiter": table.options.sep, "header": True},
        "schema": {"fields": fields, "missingValues": [""]},
    }
    package: dict[str, Any] = {
        "$schema": PROFILE,
        "name": _package_name(table),
        "title": table.label(table.survey.title),
        "created": table.made_at.astimezone(table.timezone).isoformat(timespec="seconds"),
        "resources": [resource],
    }
    if table.survey.description and not _across_waves(table):
        package["description"] = table.label(table.survey.description)
    keywords = [k for k in (table.survey.pilot, *_waves(table)) if k]
    if keywords:
        package["keywords"] = list(dict.fromkeys(keywords))
    return package


def write_descriptor(table: Table, csv_path: Path, target: Path, app_version: str) -> None:
    """Write the descriptor of `csv_path` to `target` (UTF-8, readable indentation)."""
    text = json.dumps(descriptor(table, csv_path, app_version), ensure_ascii=False, indent=2)
    target.write_text(text + "\n", encoding="utf-8")


def _field(table: Table, column: Column, entry: CodebookEntry) -> dict:
    """One Table Schema field: name, type, title and description, and for coded columns the categories
    (and missing codes) a researcher's software can load as a labelled factor."""
    field: dict[str, Any] = {"name": column.name, "type": TYPES.get(column.kind, "string")}
    field["title"] = entry.question
    field["description"] = _description(entry)
    if table.is_loose(column):
        field["type"] = "string"
        return field
    if column.kind == "datetime":
        field["format"] = DATETIME_FORMAT
    if column.kind == "number" and table.options.sep == ";":
        field["decimalChar"] = ","
    if column.kind == "rank":
        field["constraints"] = {"minimum": 1}
    values = categories(table, column, entry)
    if not values:
        return field
    if column.kind == "choice" and table.options.values == "labels":
        field["type"] = "string"
        field["categories"] = list(dict.fromkeys(label or str(code) for code, label in values))
        return field
    missing = missing_codes(column, entry)
    kept = [(code, label) for code, label in values if code not in missing]
    if all(is_number(code) for code, _ in kept):
        field["type"] = "integer"
    field["categories"] = _categories(kept)
    if column.source == "wave" or (column.question is not None and column.question.type == "rating"):
        field["categoriesOrdered"] = True
    if missing:
        labels = dict(values)
        field["missingValues"] = [{"value": "", "label": gettext("empty: not asked or not answered")}] + [
            {"value": str(code), "label": labels[code]} for code in missing
        ]
    return field


def _categories(values: list[tuple[Any, str | None]]) -> list[dict]:
    """Categories as value and label objects; a label used twice gets its code, as labels must differ."""
    seen: set[str] = set()
    out = []
    for code, label in values:
        category: dict[str, Any] = {"value": code}
        if label:
            category["label"] = label if label not in seen else f"{label} [{code}]"
            seen.add(category["label"])
        out.append(category)
    return out


def _description(entry: CodebookEntry) -> str:
    """The codebook's words on a column in one text."""
    parts = [entry.question, entry.type]
    if entry.page:
        parts.append(gettext("page %(page)s", page=entry.page))
    if entry.condition:
        parts.append(gettext("shown when %(condition)s", condition=entry.condition))
    if entry.required:
        parts.append(gettext("required: %(required)s", required=entry.required))
    if entry.versions_text:
        parts.append(gettext("versions: %(versions)s", versions=entry.versions_text))
    if entry.wordings_text:
        parts.append(gettext("wordings: %(wordings)s", wordings=entry.wordings_text))
    return "; ".join(parts)


def _across_waves(table: Table) -> bool:
    return hasattr(table, "waves")


def _waves(table: Table) -> list[str]:
    if _across_waves(table):
        return [wave.label for wave in table.waves]
    return [table.survey.wave] if table.survey.wave else []


def _package_name(table: Table) -> str:
    if _across_waves(table):
        return f"{table.pilot}-waves"
    return table.survey.id


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 16):
            digest.update(chunk)
    return digest.hexdigest()
