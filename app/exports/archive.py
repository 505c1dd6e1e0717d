"""An export with its photos: one ZIP holding the export file and a media/ folder.

The names in media/ are exactly the names in the photo questions' columns, so a researcher can
open `media/<name>` for any row. Only photos named in the exported rows are included, and only
files the media folder really holds under a valid name.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from app import media
from app.exports.files import PreparedExport
from app.exports.table import Progress
from app.private_files import create_private, private_dir

MEDIA_FOLDER = "media"


@dataclass(frozen=True)
class ArchiveResult:
    """What a ZIP export holds: the file, its rows, and how many photos were included or missing."""

    path: Path
    rows: int
    demo_rows: int
    photos: int
    missing: int


def archive_name(export: PreparedExport) -> str:
    """The ZIP's name: the export's name with `.zip` for its extension."""
    return f"{Path(export.filename).stem}.zip"


def photo_names(export: PreparedExport) -> list[str]:
    """The photo file names in the export's photo columns, in row order, each once."""
    positions = [
        i
        for i, column in enumerate(export.table.columns)
        if column.source == "answer" and getattr(column.question, "type", None) == "photo"
    ]
    if not positions:
        return []
    names: dict[str, None] = {}
    for row in export.table.rows():
        for i in positions:
            if media.is_valid_name(row[i]):
                names[row[i]] = None
    return list(names)


def write_with_media(
    export: PreparedExport, path: Path, progress: Progress | None = None, photos: bool = True
) -> ArchiveResult:
    """Write a ZIP with the export file (and its CSV codebook) and media/<name> for every photo in it.

    A data package (a CSV with its datapackage.json) is put in a folder `<name>/` inside the ZIP, its
    photos in `<name>/media/`; `photos=False` leaves the photos out (a data package alone)."""
    private_dir(path.parent)
    included = missing = 0
    prefix = f"{Path(export.filename).stem}/" if export.is_package else ""
    temporary = create_private(path.with_name(f".{path.name}.{secrets.token_hex(4)}.part"))
    try:
        with tempfile.TemporaryDirectory(prefix="lyssna-export-") as folder:
            result = export.write(Path(folder) / export.filename, progress)
            with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
                for written in (result.path, result.codebook_path, result.package_path):
                    if written is not None:
                        archive.write(written, prefix + written.name)
                for name in photo_names(export) if photos else ():
                    try:
                        source = media.photo_path(name)
                    except media.MediaNotFound:
                        missing += 1
                        continue
                    # JPEGs do not shrink further: store them as they are.
                    archive.write(source, f"{prefix}{MEDIA_FOLDER}/{name}", compress_type=zipfile.ZIP_STORED)
                    included += 1
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return ArchiveResult(path, result.rows, result.demo_rows, included, missing)
