"""`flask surveys validate|sync|diff|list|codes|translations`: check, store, compare and list survey
definitions, and hand their texts to translators."""

import csv
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from app import audit
from app.extensions import db
from app.models import Response, SurveyVersion
from app.private_files import open_private, private_dir
from app.survey_media import files as media_files
from app.surveys.catalog import current_registry, published, sync
from app.surveys.loader import load_file, survey_files
from app.surveys.models import SURVEY_ID
from app.surveys.registry import SyncReport, load_registry, preview
from app.surveys.translations import (
    FORMATS,
    InvalidResult,
    TranslationError,
    export_translations,
    import_translations,
    read_translations,
    stale_warnings,
    write_file,
)
from app.surveys.xlsform.cli import export_xlsform_command, import_xlsform_command

surveys_cli = AppGroup("surveys", help="Check, store, compare and list survey definitions.")
surveys_cli.add_command(import_xlsform_command)
surveys_cli.add_command(export_xlsform_command)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@surveys_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate_command(paths: tuple[Path, ...]) -> None:
    """Check survey files (default: the surveys folder); print each problem as file:line: path: message."""
    targets = list(paths) or [Path(current_app.config["LYSSNA_SURVEYS_DIR"])]
    missing = [p for p in targets if not p.exists()]
    for path in missing:
        click.echo(f"{_display(path)}:1: file: no such file or folder", err=True)
    files = survey_files([p for p in targets if p.exists()])
    media = media_files.folder(Path(current_app.config["LYSSNA_SURVEYS_DIR"]))  # where the app serves them
    problems = []
    valid = []
    for path in files:
        result = load_file(path, _display(path), media)
        problems.extend(result.problems)
        if result.survey is not None:
            valid.append((path, _display(path), result.survey))
    for problem in problems:
        click.echo(str(problem))
    # Stale translations (app/surveys/translations.py) are warnings: they never fail validation.
    for warning in stale_warnings(db.session, valid):
        click.echo(warning)
    if problems or missing:
        bad = len({p.file for p in problems}) + len(missing)
        total = len(files) + len(missing)
        click.echo(f"{len(problems) + len(missing)} problem(s) in {bad} of {total} file(s).", err=True)
        raise SystemExit(1)
    if not files:
        click.echo("No survey files (*.yaml) found.", err=True)
        raise SystemExit(1)
    click.echo(f"All {len(files)} survey file(s) are valid.")


@surveys_cli.command("sync")
def sync_command() -> None:
    """Publish every changed survey file: every worker serves it within seconds. Say what changed and
    warn about what drops data."""
    files = load_registry(Path(current_app.config["LYSSNA_SURVEYS_DIR"]))  # as the folder is now
    for problem in files.problems:
        click.echo(f"skipped (invalid): {problem}", err=True)
    reports = sync(db.session, files)
    for report in reports:
        if report.published:
            audit.record(db.session, "survey_published", survey_id=report.survey_id, version=report.number)
    db.session.commit()
    for report in reports:
        since = f", changes since version {report.since}:" if report.since and report.changes else ""
        if report.new_version:
            click.echo(f"{report.survey_id}: new version {report.number}{since}")
        elif report.published:
            click.echo(f"{report.survey_id}: version {report.number} published again{since}")
        else:
            click.echo(f"{report.survey_id}: unchanged")
            continue
        for change in report.changes:
            click.echo(f"  {change.text}")
        for warning in report.warnings:
            click.echo(f"  warning: {warning}", err=True)
    click.echo(f"{len(reports)} survey(s) synced, {sum(r.new_version for r in reports)} new version(s).")


@surveys_cli.command("diff")
@click.argument("survey_id", metavar="SURVEY")
def diff_command(survey_id: str) -> None:
    """Show what `sync` would record for one survey: what changed since its newest stored version."""
    folder = Path(current_app.config["LYSSNA_SURVEYS_DIR"])
    path = folder / f"{survey_id}.yaml"
    if not re.fullmatch(SURVEY_ID, survey_id) or not path.is_file():
        raise click.ClickException(
            f"no survey file for {survey_id!r} in {_display(folder)} (see flask surveys list)"
        )
    result = load_file(path, _display(path))
    if result.survey is None:
        for problem in result.problems:
            click.echo(str(problem))
        click.echo(
            f"{len(result.problems)} problem(s): nothing to compare until the file is valid.", err=True
        )
        raise SystemExit(1)
    live = published(db.session).get(survey_id)
    report = preview(db.session, result.survey, against=live.version_id if live else None)
    for line in _diff_lines(report):
        click.echo(line)


def _diff_lines(report: SyncReport) -> list[str]:
    """The lines of `flask surveys diff`: what sync would do, then one line per change and warning."""
    if report.new_version and not report.since:
        head = f"would record version {report.number} (nothing stored yet)"
    elif report.new_version:
        head = f"would record version {report.number}, changes since version {report.since}:"
    elif report.number == report.since:
        head = f"unchanged (version {report.number})"
    else:
        head = (
            f"the file is version {report.number} again, so sync would record nothing new and publish "
            f"version {report.number} again; changes since version {report.since}:"
        )
    changes = [f"  {change.text}" for change in report.changes]
    return [f"{report.survey_id}: {head}", *changes, *(f"  warning: {w}" for w in report.warnings)]


@surveys_cli.command("list")
def list_command() -> None:
    """Show every survey: id, title, state, versions and responses."""
    registry = current_registry()
    tz = ZoneInfo(current_app.config["LYSSNA_TIMEZONE"])
    now = datetime.now(UTC)
    versions = Counter(
        dict(
            db.session.execute(
                select(SurveyVersion.survey_id, func.count()).group_by(SurveyVersion.survey_id)
            ).all()
        )
    )
    responses = Counter()
    for survey_id, status, n in db.session.execute(
        select(Response.survey_id, Response.status, func.count())
        .where(Response.is_demo.is_(False), Response.is_test.is_(False))
        .group_by(Response.survey_id, Response.status)
    ):
        responses[(survey_id, status)] = n
    rows = [("ID", "TITLE", "STATE", "VERSIONS", "COMPLETE", "IN PROGRESS")]
    for survey_id, survey in sorted(registry.surveys.items()):
        rows.append(
            (
                survey_id,
                survey.text(survey.title, survey.default_language),
                survey.state(now, tz),
                str(versions[survey_id]),
                str(responses[(survey_id, Response.COMPLETE)]),
                str(responses[(survey_id, Response.IN_PROGRESS)]),
            )
        )
    widths = [min(max(len(r[i]) for r in rows), 48) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell[:48].ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip())
    for problem in registry.problems:
        click.echo(f"not loaded (invalid): {problem}", err=True)


@surveys_cli.command("codes")
@click.argument("survey_id")
@click.option("--count", default=10, show_default=True, type=click.IntRange(1, 100_000), help="How many.")
def codes_command(survey_id: str, count: int) -> None:
    """Make participant codes for an `access: token` survey, written to a CSV file in the exports folder."""
    from app.answering.access import generate_codes

    survey = current_registry().get(survey_id)
    if survey is None:
        raise click.ClickException(f"no survey with id {survey_id!r} (see flask surveys list)")
    if survey.access != "token":
        raise click.ClickException(f"{survey_id} is not an `access: token` survey, so it takes no codes")
    codes = generate_codes(db.session, survey_id, count)
    folder = Path(current_app.config["LYSSNA_EXPORTS_DIR"])
    path = private_dir(folder) / f"codes-{survey_id}-{datetime.now(UTC):%Y%m%d-%H%M%S}.csv"
    with open_private(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "link"])
        writer.writerows([code, f"/s/{survey_id}?code={code}"] for code in codes)
    db.session.commit()
    click.echo(f"{count} new code(s) for {survey_id} written to {_display(path)}")


@surveys_cli.group("translations")
def translations_cli() -> None:
    """Hand a survey's texts to translators (xlsx or PO) and write their translations into its file."""


def _survey_file(survey_id: str) -> Path:
    """The survey's file in the surveys folder, or a message naming the folder."""
    folder = Path(current_app.config["LYSSNA_SURVEYS_DIR"])
    path = folder / f"{survey_id}.yaml"
    if not re.fullmatch(SURVEY_ID, survey_id) or not path.is_file():
        raise click.ClickException(f"no survey file for {survey_id!r} in {_display(folder)}")
    return path


@translations_cli.command("export")
@click.argument("survey_id", metavar="SURVEY")
@click.option("--lang", "language", required=True, help="The language to translate into, such as so.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="xlsx", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="The file to write.")
def translations_export_command(survey_id: str, language: str, fmt: str, out: Path | None) -> None:
    """Write every text of a survey file, its translation into LANG and its state (missing, stale, done)."""
    path = _survey_file(survey_id)
    result = load_file(path, _display(path))
    if result.survey is None:
        for problem in result.problems:
            click.echo(str(problem))
        raise click.ClickException("the survey file has problems; fix them first")
    try:
        translations = export_translations(db.session, result.survey, language)
    except TranslationError as exc:
        raise click.ClickException(str(exc)) from None
    if out is None:
        folder = private_dir(Path(current_app.config["LYSSNA_EXPORTS_DIR"]))
        out = folder / f"translations-{survey_id}-{language}.{fmt}"
    write_file(translations, out, fmt)
    counts = ", ".join(f"{translations.count(state)} {state}" for state in ("done", "stale", "missing"))
    click.echo(f"{len(translations.rows)} text(s): {counts}; written to {_display(out)}")


@translations_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--survey", "survey_id", help="The survey (default: the one the file was exported from).")
@click.option("--add-language", is_flag=True, help="Add the file's language to the survey's languages.")
def translations_import_command(file: Path, survey_id: str | None, add_language: bool) -> None:
    """Write the translations of an exported file (xlsx or PO) into the survey's file, if it stays valid."""
    try:
        incoming = read_translations(file)
    except TranslationError as exc:
        raise click.ClickException(str(exc)) from None
    if survey_id and incoming.survey_id and survey_id != incoming.survey_id:
        raise click.ClickException(f"{file.name} is for the survey {incoming.survey_id}, not {survey_id}")
    survey_id = survey_id or incoming.survey_id
    if not survey_id:
        raise click.ClickException(f"{file.name} does not say which survey it is for: pass --survey")
    path = _survey_file(survey_id)
    try:
        report = import_translations(path, _display(path), incoming, add_language)
    except InvalidResult as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        click.echo(f"{exc}: nothing written.", err=True)
        raise SystemExit(1) from None
    except TranslationError as exc:
        raise click.ClickException(f"{exc}; nothing written") from None
    if report.added_language:
        click.echo(f"added the language {incoming.language} to the languages of {survey_id}")
    click.echo(
        f"{len(report.translated)} text(s) translated, {report.unchanged} unchanged, {report.empty} empty, "
        f"{len(report.skipped)} skipped"
    )
    for skipped in report.skipped:
        click.echo(f"  skipped: {skipped}")
    for key in report.outdated:
        click.echo(f"  check: {key} was translated from an earlier source text than the file has now")
    if report.written:
        click.echo(f"written to {_display(path)}; `flask surveys sync` publishes it")
    else:
        click.echo(f"nothing to write: {_display(path)} is unchanged")
