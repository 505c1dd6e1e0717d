"""CSV export: UTF-8 with a byte order mark (so Excel reads it as UTF-8), comma or semicolon separated."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from app.exports.codebook import CODEBOOK_HEADER, codebook
from app.exports.table import Progress, Table

BOM = "\ufeff"


def csv_chunks(table: Table, progress: Progress | None = None) -> Iterator[bytes]:
    """The CSV file as UTF-8 chunks, written as the rows stream from the database.

    With `;` as separator (Excel in a Swedish locale), decimals get a decimal comma too. Texts a
    spreadsheet would run as a formula get a leading `'` (CSV is the one format that needs it).
    """
    sep = table.options.sep
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(table.names)
    yield buffer.getvalue().encode("utf-8")  # the header, even when no row follows
    buffer.seek(0)
    buffer.truncate()
    decimals = [i for i, c in enumerate(table.columns) if c.kind == "number"] if sep == ";" else []
    for rows in table.row_batches(progress, guard=True):
        writer.writerows(_decimal_commas(rows, decimals) if decimals else rows)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


def _decimal_commas(rows: Iterator[list], positions: list[int]) -> Iterator[list]:
    """Rows with a decimal comma in the decimal columns (Excel in a Swedish locale reads those)."""
    for row in rows:
        for i in positions:
            if row[i].__class__ is float:
                row[i] = repr(row[i]).replace(".", ",")
        yield row


def codebook_csv(table: Table) -> bytes:
    """The codebook as a CSV file of its own (`<name>-codebook.csv`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=table.options.sep, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(CODEBOOK_HEADER)
    writer.writerows(entry.cells(guard=True) for entry in codebook(table))
    return buffer.getvalue().encode("utf-8")
