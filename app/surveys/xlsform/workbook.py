"""Read an XLSForm's sheets (`survey`, `choices`, `settings`) into rows of text, as pyxform reads
them: sheet names in any case, headers in snake case with their aliases, `label::Swedish (sv)` and
`media::image::Swedish (sv)` columns by language."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from app.surveys.xlsform.languages import code_of

# Columns that hold a text per language; the others hold one value.
TRANSLATABLE = frozenset(
    {
        "label",
        "hint",
        "constraint_message",
        "required_message",
        "guidance_hint",
        "image",
        "big-image",
        "audio",
        "video",
    }
)
ALIASES = {
    "relevance": "relevant",
    "calculate": "calculation",
    "caption": "label",
    "constraining_message": "constraint_message",
    "jr:constraintmsg": "constraint_message",
    "requiredmsg": "required_message",
    "jr:requiredmsg": "required_message",
    "list name": "list_name",
    "value": "name",
    "readonly": "read_only",
    "repeat_count": "repeat_count",
    "jr:count": "repeat_count",
    "count": "repeat_count",
}


@dataclass(frozen=True)
class Found:
    """A problem in the form, located as FILE.xlsx:sheet!ROW: column: message."""

    sheet: str
    row: int
    column: str
    message: str
    unsupported: bool = False  # Lyssna cannot do it (--skip-unsupported leaves it out), not a mistake

    def located(self, file: str) -> str:
        return f"{file}:{self.sheet}!{self.row}: {self.column}: {self.message}"


@dataclass
class Row:
    """One row of a sheet: single values by column, texts by column and language ('' = no language)."""

    sheet: str
    number: int
    cells: dict[str, str] = field(default_factory=dict)
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    headers: dict[tuple[str, str], str] = field(default_factory=dict)  # (column, language) -> as written

    def get(self, column: str) -> str:
        return self.cells.get(column, "")

    def header(self, column: str, language: str = "") -> str:
        """The column's header as the form writes it, for messages."""
        return self.headers.get((column, language)) or next(
            (h for (c, _), h in self.headers.items() if c == column), column
        )

    def found(self, column: str, message: str, unsupported: bool = False) -> Found:
        return Found(self.sheet, self.number, self.header(column), message, unsupported)


@dataclass
class Workbook:
    """The sheets of an XLSForm, with the languages of its label columns in order."""

    survey: list[Row] = field(default_factory=list)
    choices: list[Row] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    languages: list[str] = field(default_factory=list)
    problems: list[Found] = field(default_factory=list)


def read_workbook(path: Path) -> Workbook:
    """The form's sheets; a file that is not an .xlsx workbook, or has no survey sheet, is a problem."""
    book = Workbook()
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        hint = " (save it as .xlsx)" if path.suffix.lower() == ".xls" else ""
        book.problems.append(Found("survey", 1, "file", f"not an .xlsx workbook{hint}"))
        return book
    try:
        sheets = {sheet.title.strip().lower(): sheet for sheet in workbook.worksheets}
        if "survey" not in sheets:
            book.problems.append(Found("survey", 1, "file", "the workbook has no sheet named 'survey'"))
            return book
        for name in ("survey", "choices"):
            if name in sheets:
                setattr(book, name, _rows(name, sheets[name], book))
        if "settings" in sheets:
            rows = _rows("settings", sheets["settings"], book)
            book.settings = rows[0].cells if rows else {}
    finally:
        workbook.close()
    return book


def _rows(name: str, sheet: Any, book: Workbook) -> list[Row]:
    rows = iter(sheet.iter_rows(values_only=True))
    header_row = next(rows, None) or ()
    columns = [_column(name, number, text(value), book) for number, value in enumerate(header_row, start=1)]
    out = []
    for number, values in enumerate(rows, start=2):
        row = Row(name, number)
        for column, value in zip(columns, values, strict=False):
            cell = text(value)
            if column is None or not cell:
                continue
            base, language, written = column
            row.headers[(base, language)] = written
            if base in TRANSLATABLE:
                row.texts.setdefault(base, {})[language] = cell
            else:
                row.cells[base] = cell
        if row.cells or row.texts:
            out.append(row)
    return out


def _column(sheet: str, number: int, header: str, book: Workbook) -> tuple[str, str, str] | None:
    """(column, language code or '', header as written) of a header cell; None for an empty one."""
    if not header:
        return None
    if "::" in header:
        tokens = [t.strip() for t in header.split("::")]
    elif ":" in header and not header.lower().startswith("jr:"):
        tokens = [t.strip() for t in header.split(":")]
    else:
        tokens = [header]
    if tokens[0].lower() == "media" and len(tokens) > 1:
        tokens = tokens[1:]
    base = " ".join(tokens[0].split()).lower()
    base = ALIASES.get(base, base.replace(" ", "_"))
    base = ALIASES.get(base, base)
    language = ""
    if len(tokens) > 1 and base in TRANSLATABLE:
        language = code_of(tokens[1]) or ""
        if not language:
            book.problems.append(
                Found(
                    sheet,
                    1,
                    header,
                    f"cannot tell the language of {tokens[1]!r}: write it as Name (code), e.g. Swedish (sv)",
                )
            )
            return None
        if base == "label" and language not in book.languages:
            book.languages.append(language)
    return base, language, header


def text(value: Any) -> str:
    """A cell as text: whole numbers without '.0', days without a time, yes/no as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return re.sub(r"[ \t]+\n", "\n", str(value)).strip()
