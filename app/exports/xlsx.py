"""Excel export: sheets Responses, Codebook and About, streamed with xlsxwriter's constant_memory mode."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from app.exports.codebook import CODEBOOK_HEADER, about, codebook
from app.exports.table import Cut, ExportError, Progress, Table

# Excel's sheet is 1,048,576 rows, one of which is the header; a cell holds at most 32,767 characters.
MAX_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767
WIDTHS = {
    "datetime": 19,
    "date": 11,
    "integer": 8,
    "number": 9,
    "flag": 6,
    "rank": 6,
    "choice": 14,
    "text": 24,
}
FIXED_WIDTHS = {"response_id": 34, "status": 12, "language": 9, "survey_version": 15}


def check_rows(rows: int) -> None:
    """Refuse an export Excel could not open whole, pointing to CSV."""
    if rows + 1 > MAX_ROWS:
        raise ExportError(
            f"{rows:,} rows do not fit in an Excel sheet ({MAX_ROWS - 1:,} rows at most). "
            "Export as CSV (--format csv) instead, or narrow the export with filters."
        )


def write_xlsx(table: Table, path: Path, app_version: str, progress: Progress | None = None) -> int:
    """Write the workbook to `path`; returns the number of response rows."""
    check_rows(table.total)
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            # Text stays text: never a formula, a number or a link, whatever a resident typed.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    try:
        responses = workbook.add_worksheet("Responses")
        book_sheet = workbook.add_worksheet("Codebook")
        about_sheet = workbook.add_worksheet("About")
        bold = workbook.add_format({"bold": True})
        rows = _write_responses(workbook, responses, table, bold, progress)
        _write_codebook(book_sheet, table, bold)
        _write_about(about_sheet, table, bold, app_version, rows)
    finally:
        workbook.close()
    return rows


def _write_responses(workbook, sheet, table: Table, bold, progress: Progress | None) -> int:
    columns = table.columns
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for index, column in enumerate(columns):
        width = FIXED_WIDTHS.get(column.name) or max(WIDTHS[column.kind], min(len(column.name) + 2, 40))
        if column.kind == "text" and column.question is not None and column.question.type == "long_text":
            width = 40
        if column.kind == "choice" and table.options.values == "labels":
            width = max(width, 24)
        sheet.set_column(index, index, width)
    for index, name in enumerate(table.names):
        sheet.write_string(0, index, name, bold)
    sheet.freeze_panes(1, 0)

    write_string, write_number = sheet.write_string, sheet.write_number
    write_datetime = sheet.write_datetime
    r = 0
    for r, row in enumerate(table.rows(progress), start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            kind = value.__class__
            if kind is str:
                if len(value) > MAX_CELL_CHARS:
                    value = _cut(table, row, c, value)
                if write_string(r, c, value):
                    raise ExportError(f"Excel could not take the value in column {table.names[c]}, row {r}.")
            elif kind is int or kind is float:
                write_number(r, c, value)
            elif kind is datetime:
                write_datetime(r, c, value, datetime_format)
            elif kind is date:
                write_datetime(r, c, value, date_format)
            else:
                write_string(r, c, str(value))
    sheet.autofilter(0, 0, max(r, 1), len(columns) - 1)
    return r


def _cut(table: Table, row: list, col: int, value: str) -> str:
    """A text longer than a cell holds, cut to fit and recorded (the About sheet says which)."""
    limit = f"{MAX_CELL_CHARS:,} characters (Excel)"
    table.cuts.append(Cut(str(row[0]), table.names[col], len(value), limit))
    return value[:MAX_CELL_CHARS]


def _write_codebook(sheet, table: Table, bold) -> None:
    widths = (24, 60, 20, 24, 60, 50, 10, 12, 80)
    for c, (name, width) in enumerate(zip(CODEBOOK_HEADER, widths, strict=True)):
        sheet.set_column(c, c, width)
        sheet.write_string(0, c, name, bold)
    for r, entry in enumerate(codebook(table), start=1):
        for c, text in enumerate(entry.cells()):
            if text:
                sheet.write_string(r, c, text)
    sheet.freeze_panes(1, 0)


def _write_about(sheet, table: Table, bold, app_version: str, rows: int) -> None:
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, 100)
    for r, (key, value) in enumerate(about(table, app_version, rows)):
        sheet.write_string(r, 0, key, bold)
        sheet.write_string(r, 1, value)
