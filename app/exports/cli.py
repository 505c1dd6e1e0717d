"""Command line: `flask export <survey> ...` and `flask demo seed|clear` (demo data to try exports on)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from app import demo
from app.exports.archive import archive_name, write_with_media
from app.exports.files import FORMATS, ExportResult, PreparedExport, package_path, prepare_export, target_path
from app.exports.pilot import PilotTable, prepare_pilot_export
from app.exports.table import ExportError, ExportOptions
from app.extensions import db
from app.surveys.catalog import current_registry
from app.surveys.models import CHANNELS

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _where(_ctx, _param, values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        name, sep, wanted = value.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"'{value}' is not name=value (for example station=12)")
        pairs.append((name.strip(), wanted.strip()))
    return tuple(pairs)


@click.command("export")
@click.argument("survey_id", metavar="[SURVEY]", required=False)
@click.option(
    "--pilot",
    metavar="PILOT",
    help="Instead of SURVEY: one file across the waves of a pilot, with a wave column.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="xlsx", show_default=True)
@click.option("--values", type=click.Choice(["codes", "labels"]), default="codes", show_default=True)
@click.option("--lang", help="Language of labels and codebook (default: the survey's first language).")
@click.option("--from", "date_from", type=DATE, help="Submitted on or after this date (YYYY-MM-DD).")
@click.option("--to", "date_to", type=DATE, help="Submitted on or before this date (YYYY-MM-DD).")
@click.option("--where", multiple=True, callback=_where, help="Hidden-field value, e.g. station=12.")
@click.option("--language", help="Only responses answered in this language.")
@click.option("--include-partial", is_flag=True, help="Also started but unsubmitted responses.")
@click.option("--no-demo", is_flag=True, help="Leave out demo data (flask demo seed).")
@click.option("--channel", type=click.Choice(CHANNELS), help="Only responses from a kiosk, or from links.")
@click.option("--sep", type=click.Choice([",", ";"]), default=",", show_default=True, help="CSV separator.")
@click.option("--codebook", is_flag=True, help="CSV: also write <name>-codebook.csv beside it.")
@click.option(
    "--datapackage", is_flag=True, help="CSV: a folder with the CSV and its datapackage.json (Frictionless)."
)
@click.option("--with-media", is_flag=True, help="A ZIP with the export and a media/ folder of its photos.")
@click.option("--out", type=click.Path(path_type=Path), help="File or folder (default: the exports folder).")
@with_appcontext
def export_command(survey_id, fmt, values, lang, date_from, date_to, where, language, **flags) -> None:
    """Export a survey's responses (or a pilot's, across its waves) as xlsx, csv, sav or zsav (SPSS), dta
    (Stata), json, or ddi (a DDI Codebook 2.5 describing the CSV)."""
    if date_from and date_to and date_from > date_to:
        raise click.UsageError("--from is after --to.")
    if bool(survey_id) == bool(flags["pilot"]):
        if survey_id:
            raise click.UsageError("Export either a SURVEY or --pilot PILOT, not both.")
        raise click.UsageError("Name a SURVEY, or a pilot with --pilot PILOT.")
    options = ExportOptions(
        values=values,
        lang=lang,
        submitted_from=date_from.date() if date_from else None,
        submitted_to=date_to.date() if date_to else None,
        where=where,
        language=language,
        include_partial=flags["include_partial"],
        include_demo=not flags["no_demo"],
        channel=flags["channel"],
        sep=flags["sep"],
        codebook=flags["codebook"],
        datapackage=flags["datapackage"],
    )
    try:
        if flags["pilot"]:
            export = prepare_pilot_export(flags["pilot"], fmt, options)
        else:
            export = prepare_export(survey_id, fmt, options)
        if flags["with_media"]:
            _export_with_media(export, flags["out"])
            return
        place = package_path if export.is_package else target_path
        result = _write(export, place(flags["out"], export.filename))
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{result.path}")
    demo_note = f" ({result.demo_rows} of them demo data)" if result.demo_rows else ""
    click.echo(f"{result.rows} row(s){_waves_note(export)}{demo_note}.")
    if result.codebook_path:
        click.echo(f"Codebook: {result.codebook_path}")
    if result.package_path:
        click.echo(f"Data package: {result.package_path}")
    for cut in result.cuts:  # the format's own limit: other formats keep these answers whole
        click.echo(
            f"Cut: response {cut.response_id}, {cut.column}: {cut.length:,} characters, "
            f"more than this format holds ({cut.limit}). CSV, JSON and Stata keep it whole.",
            err=True,
        )


def _waves_note(export: PreparedExport) -> str:
    """For a file across waves: how many rows each wave gave."""
    table = export.table
    if not isinstance(table, PilotTable):
        return ""
    per_wave = ", ".join(f"{wave.label} ({wave.table.total})" for wave in table.waves)
    return f" in {len(table.waves)} wave(s): {per_wave}"


def _interactive() -> bool:
    """A progress bar only makes sense on a terminal (not in a pipe, a log or a test)."""
    return sys.stdout.isatty()


def _write(export: PreparedExport, path: Path) -> ExportResult:
    """Write the export, with a progress bar on a terminal."""
    if not (_interactive() and export.rows):
        return export.write(path)
    with click.progressbar(length=export.rows, label=f"Exporting {export.rows} rows") as bar:
        state = {"done": 0}

        def progress(done: int, _total: int) -> None:
            bar.update(done - state["done"])
            state["done"] = done

        return export.write(path, progress)


def _export_with_media(export, out: Path | None) -> None:
    """Write the export and its photos as one ZIP and say what it holds."""
    result = write_with_media(export, target_path(out, archive_name(export)))
    click.echo(f"{result.path}")
    click.echo(f"{result.rows} row(s), {result.photos} photo(s) in media/.")
    if result.missing:
        click.echo(
            f"{result.missing} photo(s) named in the export were not found in the media folder.", err=True
        )


demo_cli = AppGroup("demo", help="Synthetic demo responses, to try the dashboard and exports.")


@demo_cli.command("seed")
@click.argument("survey_id", metavar="SURVEY")
@click.option("--responses", "count", type=click.IntRange(1), default=1000, show_default=True)
@click.option("--seed", "seed_value", type=int, help="Random seed, for the same data again.")
@click.option("--force", is_flag=True, help="Seed even though the survey has real responses.")
def seed_command(survey_id: str, count: int, seed_value: int | None, force: bool) -> None:
    """Add demo responses that follow the survey's definition (marked as demo data)."""
    registry = current_registry()
    survey = registry.get(survey_id)
    if survey is None:
        known = ", ".join(sorted(registry.surveys)) or "none"
        raise click.ClickException(f"Unknown survey '{survey_id}'. Known surveys: {known}.")
    started = datetime.now()
    try:
        demo.seed(db.session, survey, registry.version_id(db.session, survey_id), count, seed_value, force)
    except demo.DemoError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    seconds = (datetime.now() - started).total_seconds()
    click.echo(f"Added {count} demo response(s) to {survey_id} in {seconds:.1f} s.")


@demo_cli.command("clear")
@click.argument("survey_id", metavar="SURVEY")
def clear_command(survey_id: str) -> None:
    """Delete a survey's demo responses (real responses are never touched)."""
    removed = demo.clear(db.session, survey_id)
    db.session.commit()
    click.echo(f"Deleted {removed} demo response(s) of {survey_id}.")
