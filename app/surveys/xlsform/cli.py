"""`flask surveys import-xlsform` and `flask surveys export-xlsform` (registered in app/surveys/cli.py):
bring instruments written as XLSForms in, and give surveys back to KoboToolbox or ODK."""

from __future__ import annotations

import re
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.private_files import private_dir
from app.surveys.loader import load_file
from app.surveys.models import SURVEY_ID
from app.surveys.xlsform.reading import import_xlsform
from app.surveys.xlsform.writing import export_xlsform


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@click.command("import-xlsform")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "survey_id", help="The survey's id (default: the settings sheet's form_id).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Default: surveys/ID.yaml.")
@click.option("--skip-unsupported", is_flag=True, help="Convert what Lyssna can do; list what is left out.")
@click.option("--force", is_flag=True, help="Replace the survey file if it exists.")
def import_xlsform_command(
    file: Path, survey_id: str | None, out: Path | None, skip_unsupported: bool, force: bool
) -> None:
    """Convert an XLSForm (.xlsx) into a Lyssna survey file that `flask surveys validate` accepts."""
    if survey_id is not None and not re.fullmatch(SURVEY_ID, survey_id):
        raise click.ClickException(f"{survey_id!r} is not a survey id: lowercase letters, digits and '-'")
    result = import_xlsform(file, _display(file), survey_id, skip_unsupported)
    for line in result.notes:
        click.echo(f"note: {line}")
    for line in result.left_out:
        click.echo(f"left out: {line}")
    if result.problems:
        for line in result.problems:
            click.echo(line)
        hint = "; --skip-unsupported converts the rest" if result.unsupported else ""
        click.echo(f"{len(result.problems)} problem(s): nothing written{hint}.", err=True)
        raise SystemExit(1)
    target = out or Path(current_app.config["LYSSNA_SURVEYS_DIR"]) / f"{result.survey_id}.yaml"
    if target.suffix != ".yaml" or target.stem != result.survey_id:
        raise click.ClickException(
            f"the file of the survey {result.survey_id!r} must be named {result.survey_id}.yaml"
        )
    if target.exists() and not force:
        raise click.ClickException(f"{_display(target)} exists: --force replaces it")
    target.write_text(result.text, encoding="utf-8")
    left = f"; {len(result.left_out)} left out (listed above)" if result.left_out else ""
    click.echo(
        f"{_display(target)}: {result.pages} page(s), {result.questions} question(s){left}. "
        "Read it through, then `flask surveys sync` publishes it."
    )


@click.command("export-xlsform")
@with_appcontext
@click.argument("survey", metavar="SURVEY")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Default: exports/SURVEY.xlsx.")
def export_xlsform_command(survey: str, out: Path | None) -> None:
    """Write a survey (an id in the surveys folder, or a .yaml file) as an XLSForm for KoboToolbox or ODK."""
    path = Path(survey)
    if not (survey.endswith(".yaml") and path.is_file()):
        folder = Path(current_app.config["LYSSNA_SURVEYS_DIR"])
        path = folder / f"{survey}.yaml"
        if not re.fullmatch(SURVEY_ID, survey) or not path.is_file():
            raise click.ClickException(f"no survey file for {survey!r} in {_display(folder)}")
    loaded = load_file(path, _display(path))
    if loaded.survey is None:
        for problem in loaded.problems:
            click.echo(str(problem))
        raise click.ClickException("the survey file has problems; fix them first")
    if out is None:
        out = private_dir(Path(current_app.config["LYSSNA_EXPORTS_DIR"])) / f"{loaded.survey.id}.xlsx"
    for line in export_xlsform(loaded.survey, out):
        click.echo(f"not in the XLSForm: {line}")
    click.echo(f"written to {_display(out)}")
