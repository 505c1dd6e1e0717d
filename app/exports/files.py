"""The export API: prepare an export, then write it to a file (temp name, then rename) or stream its bytes."""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from app.config import PROJECT_ROOT
from app.exports.table import Cut, ExportError, ExportOptions, Progress, Table, build_table
from app.extensions import db
from app.private_files import FILE_MODE, create_private, private_dir
from app.surveys.models import SURVEY_ID

FORMATS = ("xlsx", "csv", "sav", "zsav", "dta", "json", "ddi")
EXTENSIONS = {"ddi": "xml"}  # a format's file extension, where it is not the format's name
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "sav": "application/x-spss-sav",
    "zsav": "application/x-spss-sav",  # zlib-compressed .sav (SPSS 21 and later)
    "dta": "application/x-stata-dta",
    "json": "application/json",
    "ddi": "application/xml",
}
# A file name's stem: a survey id, or a pilot's with "-waves"; never anything that could name a folder.
FILE_STEM = re.compile(r"[a-z0-9][a-z0-9_-]{0,80}")
STREAM_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: the file (None when streamed), its rows, and how many are demo data."""

    path: Path | None
    rows: int
    demo_rows: int
    codebook_path: Path | None = None
    cuts: tuple[Cut, ...] = ()  # answers the format could not hold whole
    package_path: Path | None = None  # the datapackage.json beside a CSV, when asked for


def app_version() -> str:
    """The app's version for the About sheet: the installed package, else the git commit, else 'dev'."""
    try:
        return metadata.version("lyssna")
    except metadata.PackageNotFoundError:
        pass
    head = PROJECT_ROOT / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if ref.startswith("ref: "):
            name = ref[5:]
            loose = PROJECT_ROOT / ".git" / name
            if loose.exists():
                return "git " + loose.read_text().strip()[:12]
            for line in (PROJECT_ROOT / ".git" / "packed-refs").read_text().splitlines():
                if line.endswith(" " + name):
                    return "git " + line[:12]
        return "git " + ref[:12]
    except OSError:
        return "dev"


def export_filename(survey_id: str, fmt: str, when: datetime | None = None) -> str:
    """`<survey>-<YYYYmmdd-HHMMSS>.<ext>` in local time (a pilot's: `<pilot>-waves-...`); never built
    from anything else."""
    if not (re.match(SURVEY_ID, survey_id) or FILE_STEM.fullmatch(survey_id)) or fmt not in FORMATS:
        raise ExportError("An export file name needs a valid survey id and format.")
    from zoneinfo import ZoneInfo

    local = (when or datetime.now(UTC)).astimezone(ZoneInfo(current_app.config["LYSSNA_TIMEZONE"]))
    return f"{survey_id}-{local:%Y%m%d-%H%M%S}.{EXTENSIONS.get(fmt, fmt)}"


@dataclass
class PreparedExport:
    """An export whose options are checked and whose rows are counted; write or stream it next."""

    table: Table
    fmt: str
    filename: str

    @property
    def rows(self) -> int:
        """How many responses the export will hold."""
        return self.table.total

    @property
    def is_package(self) -> bool:
        """A CSV with its datapackage.json: a folder, downloaded as a ZIP."""
        return self.table.options.datapackage

    @property
    def mimetype(self) -> str:
        """The media type to send the file with."""
        return "application/zip" if self.is_package else MIMETYPES[self.fmt]

    @property
    def download_name(self) -> str:
        """The name of the downloaded file: the export's, or its ZIP's for a data package."""
        return f"{Path(self.filename).stem}.zip" if self.is_package else self.filename

    def write(self, path: Path, progress: Progress | None = None) -> ExportResult:
        """Write the file under a temporary name beside `path`, then rename it into place (0600, see
        app.private_files); a CSV's codebook and datapackage.json beside it when asked for."""
        private_dir(path.parent)
        rows = _atomically(path, lambda tmp: self._write_file(tmp, progress))
        codebook_path = package_path = None
        if self.fmt == "csv" and self.table.options.codebook:
            from app.exports.delimited import codebook_csv

            codebook_path = path.with_name(f"{path.stem}-codebook.csv")
            _atomically(codebook_path, lambda tmp: tmp.write_bytes(codebook_csv(self.table)))
        if self.is_package:
            from app.exports.datapackage import FILE_NAME, write_descriptor

            package_path = path.with_name(FILE_NAME)
            _atomically(package_path, lambda tmp: write_descriptor(self.table, path, tmp, app_version()))
        cuts = tuple(self.table.cuts)
        return ExportResult(path, rows, self.table.demo_rows, codebook_path, cuts, package_path)

    def chunks(self, progress: Progress | None = None) -> Iterator[bytes]:
        """The file's bytes for a streamed download: CSV and JSON as they are made, others once written
        (a data package as a ZIP of its folder)."""
        if self.is_package:
            yield from self._package_zip(progress)
            return
        if self.fmt in ("csv", "json", "ddi"):
            yield from self._stream(progress)
            return
        with tempfile.TemporaryDirectory(prefix="lyssna-export-") as folder:
            path = create_private(Path(folder) / self.filename)
            self._write_file(path, progress)
            with path.open("rb") as handle:
                while chunk := handle.read(STREAM_CHUNK):
                    yield chunk

    def write_to_stream(self, out: BinaryIO, progress: Progress | None = None) -> ExportResult:
        """Write the file's bytes into an open binary stream."""
        for chunk in self.chunks(progress):
            out.write(chunk)
        return ExportResult(None, self.table.total, self.table.demo_rows, cuts=tuple(self.table.cuts))

    def _package_zip(self, progress: Progress | None) -> Iterator[bytes]:
        from app.exports.archive import write_with_media

        with tempfile.TemporaryDirectory(prefix="lyssna-export-") as folder:
            path = Path(folder) / f"{Path(self.filename).stem}.zip"
            write_with_media(self, path, progress, photos=False)
            with path.open("rb") as handle:
                while chunk := handle.read(STREAM_CHUNK):
                    yield chunk

    def _stream(self, progress: Progress | None) -> Iterator[bytes]:
        if self.fmt == "ddi":
            from app.exports.ddi import ddi_xml

            return iter([ddi_xml(self.table, f"{Path(self.filename).stem}.csv", app_version())])
        if self.fmt == "csv":
            from app.exports.delimited import csv_chunks

            return csv_chunks(self.table, progress)
        from app.exports.jsonfile import json_chunks

        return json_chunks(self.table, app_version(), progress)

    def _write_file(self, path: Path, progress: Progress | None) -> int:
        if self.fmt == "xlsx":
            from app.exports.xlsx import write_xlsx

            return write_xlsx(self.table, path, app_version(), progress)
        if self.fmt in ("sav", "zsav", "dta"):
            from app.exports.stata_spss import write_stats_file

            return write_stats_file(self.table, path, self.fmt, app_version(), progress)
        with path.open("wb") as handle:
            for chunk in self._stream(progress):
                handle.write(chunk)
        return self.table.total


def _atomically(path: Path, write) -> int:
    """Run `write(temp_path)` on a hidden temporary name in the same folder, then rename to `path`.

    The temporary file is made 0600 before `write` fills it, and set 0600 again before the rename in
    case a writer replaced it.
    """
    tmp = create_private(path.with_name(f".{path.name}.{secrets.token_hex(4)}.part"))
    try:
        result = write(tmp)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return result


def check_options(fmt: str, options: ExportOptions | None) -> ExportOptions:
    """The format and the options that go with it, checked before anything is read."""
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format '{fmt}' (formats: {', '.join(FORMATS)}).")
    options = options or ExportOptions()
    if options.sep not in (",", ";", "\t"):
        raise ExportError("The CSV separator must be ',', ';' or a tab.")
    if options.datapackage and fmt != "csv":
        raise ExportError("A data package describes a CSV file: --datapackage goes with --format csv.")
    return options


def prepared(table: Table, fmt: str, stem: str) -> PreparedExport:
    """The export of a built table, once it is known to fit the format."""
    if fmt == "xlsx":
        from app.exports.xlsx import check_rows

        check_rows(table.total)
    return PreparedExport(table, fmt, export_filename(stem, fmt, table.made_at))


def prepare_export(survey_id: str, fmt: str, options: ExportOptions | None = None) -> PreparedExport:
    """Check the format and options and count the rows; raises ExportError with a plain message."""
    options = check_options(fmt, options)
    return prepared(build_table(db.session, survey_id, options), fmt, survey_id)


def export_survey(
    survey_id: str,
    fmt: str,
    options: ExportOptions | None = None,
    out: Path | str | BinaryIO | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Export a survey's responses: to `out` (a path, a folder or a binary stream), by default to
    LYSSNA_EXPORTS_DIR/<survey>-<YYYYmmdd-HHMMSS>.<ext> (a data package: in a folder of that name).
    `progress(done, total)` follows the rows."""
    export = prepare_export(survey_id, fmt, options)
    if out is not None and not isinstance(out, (str, Path)):
        return export.write_to_stream(out, progress)
    place = package_path if export.is_package else target_path
    return export.write(place(out, export.filename), progress)


def target_path(out: Path | str | None, filename: str) -> Path:
    """The file to write: `out` itself, or `filename` in the folder `out` or in LYSSNA_EXPORTS_DIR."""
    if out is None:
        return Path(current_app.config["LYSSNA_EXPORTS_DIR"]) / filename
    path = Path(out)
    return path / filename if path.is_dir() else path


def package_path(out: Path | str | None, filename: str) -> Path:
    """Where a data package's CSV goes: `out` itself, in a folder that holds nothing else (made when
    missing), or, for a folder or no `out`, `<stem>/<filename>` in it or in LYSSNA_EXPORTS_DIR."""
    base = Path(out) if out is not None else Path(current_app.config["LYSSNA_EXPORTS_DIR"])
    if out is None or base.is_dir():
        return base / Path(filename).stem / filename
    from app.exports.datapackage import FILE_NAME

    ours = {base.name, FILE_NAME, f"{base.stem}-codebook.csv"}
    folder = base.parent
    others = sorted(p.name for p in folder.iterdir() if p.name not in ours) if folder.is_dir() else []
    if others:
        raise ExportError(
            f"A data package needs a folder of its own, and {folder} holds {', '.join(others[:3])}: "
            "name a CSV in a new or empty folder (the folder is made), or give a folder to make it in."
        )
    return base
