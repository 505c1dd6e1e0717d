"""XLSForms written by the tests themselves, with openpyxl, as a team would write them in Excel."""

from __future__ import annotations

from pathlib import Path

import openpyxl

LANGS = ["label::Swedish (sv)", "label::English (en)"]


def write_form(
    path: Path, survey: list[list], choices: list[list] | None = None, settings: dict | None = None
) -> Path:
    """An .xlsx with a survey sheet (the first row its header), and choices and settings if given."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    if choices:
        sheet = book.create_sheet("choices")
        for row in choices:
            sheet.append(row)
    if settings:
        sheet = book.create_sheet("settings")
        sheet.append(list(settings))
        sheet.append(list(settings.values()))
    book.save(path)
    return path


def rows(header: list[str], *lines: dict) -> list[list]:
    """A sheet from a header and rows given as {column: value}."""
    return [header, *([line.get(column) for column in header] for line in lines)]
