"""Exports researchers trust: one table (table.py, codebook.py), one module per file format."""

from app.exports.files import (
    FORMATS,
    MIMETYPES,
    ExportResult,
    PreparedExport,
    export_filename,
    export_survey,
    prepare_export,
)
from app.exports.table import ExportError, ExportOptions

__all__ = [
    "FORMATS",
    "MIMETYPES",
    "ExportError",
    "ExportOptions",
    "ExportResult",
    "PreparedExport",
    "export_filename",
    "export_survey",
    "prepare_export",
]
