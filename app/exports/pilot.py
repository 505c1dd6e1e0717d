"""One file across the waves of a pilot: each wave's table (table.py, which already lays one survey's
versions side by side) put under one set of columns, with a `wave` and a `survey` column first.

- Waves are the surveys with the same `pilot:`, in wave order: `baseline` first, then the others by
  their `wave:` label (numbers in number order), as the pilot page shows them.
- Questions are matched by id: the newest wave's columns first, in its order, then the columns only
  earlier waves had. A column a wave did not ask is empty in that wave's rows.
- Choices are merged by value: the newest wave's labels, then values only earlier waves offered.
- A question whose type differs between waves (a single choice that became a multiple choice, say)
  cannot share columns: each wave's columns of it are kept apart, named `<id>_w<n>...` after the
  wave's number in the pilot (`kind_w1`, `kind_w2_a`), and the codebook says which wave asked them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from app.exports.rows import neutralise
from app.exports.table import Column, ExportError, ExportOptions, Progress, Table, build_table
from app.surveys.catalog import current_registry
from app.surveys.models import Survey

if TYPE_CHECKING:
    from app.exports.files import ExportResult, PreparedExport


def wave_order(survey: Survey) -> tuple:
    """Baseline first, then the other waves in natural order of their labels ('2' before '10')."""
    wave = survey.wave or ""
    natural = (0, int(wave), "") if wave.isdigit() else (1, 0, wave.casefold())
    return (wave != "baseline", natural, survey.id)


@dataclass(frozen=True)
class WaveValue:
    """A value of the `wave` column: the wave's label (its survey id when it has none)."""

    value: str
    label: str


@dataclass
class Wave:
    """One wave of the pilot: its survey, label and number (1 = first), its own table, and where each of
    the pilot's columns is in that table's rows (-1: not asked by this wave)."""

    survey: Survey
    label: str
    number: int
    table: Table
    positions: list[int] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # pilot column name -> this wave's column name


@dataclass
class PilotTable(Table):
    """The columns and rows of every wave of a pilot, as one table the writers take like any other."""

    pilot: str = ""
    waves: list[Wave] = field(default_factory=list)

    @property
    def languages(self) -> list[str]:
        """Every wave's languages, the newest wave's first."""
        return list(dict.fromkeys(lang for wave in reversed(self.waves) for lang in wave.survey.languages))

    def with_lang(self, lang: str) -> PilotTable:
        """The same table with its texts in another language (each wave's in its own, if it lacks it)."""
        waves = [replace(wave, table=wave.table.with_lang(lang)) for wave in self.waves]
        return replace(self, lang=lang, waves=waves)

    def is_loose(self, column: Column) -> bool:
        """True when some wave's own versions changed the question's type."""
        return any(wave.table.is_loose(own) for wave, own in self.sources(column) if own.question is not None)

    def sources(self, column: Column) -> list[tuple[Wave, Column]]:
        """The waves that have the column, newest first, each with its own column."""
        found = []
        for wave in reversed(self.waves):
            name = wave.names.get(column.name)
            if name is not None:
                found.append((wave, next(c for c in wave.table.columns if c.name == name)))
        return found

    def answered_between(self) -> tuple[date, date] | None:
        """The first and last dates answered, across the waves."""
        spans = [span for wave in self.waves if (span := wave.table.answered_between()) is not None]
        if not spans:
            return None
        return min(s[0] for s in spans), max(s[1] for s in spans)

    def row_batches(self, progress: Progress | None = None, guard: bool = False) -> Iterator[Iterator[list]]:
        """Each wave's rows in turn, under the pilot's columns, with the wave and the survey first."""
        done = 0
        for wave in self.waves:
            plan = _row_plan(wave, guard)
            for batch in wave.table.row_batches(_offset(progress, done, self.total), guard):
                yield map(plan, batch)
            done += wave.table.total

    def records(self, progress: Progress | None = None) -> Iterator[dict]:
        """Every response as a JSON object, its wave and survey first."""
        done = 0
        for wave in self.waves:
            for record in wave.table.records(_offset(progress, done, self.total)):
                yield {"wave": wave.label, "survey": wave.survey.id, **record}
            done += wave.table.total


def _offset(progress: Progress | None, done: int, total: int) -> Progress | None:
    """A wave's progress as progress through the whole pilot."""
    if progress is None:
        return None
    return lambda wave_done, _wave_total: progress(done + wave_done, total)


def _row_plan(wave: Wave, guard: bool) -> Callable[[list], list]:
    """The function from a row of the wave's table to a row of the pilot's."""
    head = [neutralise(wave.label) if guard else wave.label, wave.survey.id]  # a wave label is free text
    positions = wave.positions

    def plan(row: list) -> list:
        row.append(None)  # position -1: a column this wave did not ask
        return head + [row[i] for i in positions]

    return plan


def pilot_surveys(pilot: str) -> list[Survey]:
    """The loaded surveys of a pilot, in wave order."""
    return sorted((s for s in current_registry().surveys.values() if s.pilot == pilot), key=wave_order)


def build_pilot_table(
    session: Session, pilot: str, options: ExportOptions, surveys: list[Survey] | None = None
) -> PilotTable:
    """Check the options against every wave, build each wave's table and lay out the pilot's columns.
    `surveys`: the waves to include (those a researcher may see); by default every survey of the pilot."""
    surveys = sorted(surveys if surveys is not None else pilot_surveys(pilot), key=wave_order)
    if not surveys:
        known = sorted({s.pilot for s in current_registry().surveys.values() if s.pilot})
        raise ExportError(f"Unknown pilot '{pilot}'. Known pilots: {', '.join(known) or 'none'}.")
    languages = list(dict.fromkeys(lang for s in reversed(surveys) for lang in s.languages))
    lang = options.lang or surveys[-1].default_language
    if lang not in languages:
        raise ExportError(f"Language '{lang}' is not one of the pilot's languages ({', '.join(languages)}).")
    waves = []
    for number, survey in enumerate(surveys, start=1):
        wave_options = replace(options, lang=lang if lang in survey.languages else None)
        try:
            table = build_table(session, survey.id, wave_options)
        except ExportError as exc:
            raise ExportError(f"{survey.id} (wave {survey.wave or number}): {exc}") from None
        waves.append(Wave(survey, survey.wave or survey.id, number, table))
    newest = waves[-1].table
    columns = _columns(waves)
    return PilotTable(
        survey=newest.survey,
        options=options,
        lang=lang,
        columns=columns,
        versions=[],
        total=sum(w.table.total for w in waves),
        demo_rows=sum(w.table.demo_rows for w in waves),
        timezone=newest.timezone,
        made_at=newest.made_at,
        _session=session,
        pilot=pilot,
        waves=waves,
    )


def _columns(waves: list[Wave]) -> list[Column]:
    """`wave`, `survey`, the fixed columns, hidden fields and participant, then the questions: the newest
    wave's columns first, then those only earlier waves had; choices merged by value across waves."""
    wave_values = tuple(WaveValue(w.label, w.label) for w in waves)
    columns = [Column("wave", "wave", "choice", choices=wave_values), Column("survey", "pilot", "text")]
    clashes = _type_clashes(waves)
    merged = _merged_choices(waves, clashes)
    for wave in waves:  # each wave's rows get the merged labels too (--values labels)
        wave.table.columns = [
            replace(c, choices=merged[c.qid]) if c.qid in merged and c.question is not None else c
            for c in wave.table.columns
        ]
    taken: dict[str, Column] = {}
    order: list[str] = []
    for wave in reversed(waves):
        for own in wave.table.columns:
            name = own.name
            if own.question is not None and own.qid in clashes:
                name = f"{own.qid}_w{wave.number}{own.name[len(own.qid) :]}"
            if name not in taken:
                taken[name] = replace(own, name=name)
                order.append(name)
            wave.names[name] = own.name
    columns += _in_layout_order([taken[name] for name in order])
    names = [c.name for c in columns]
    for wave in waves:
        index = {c.name: i for i, c in enumerate(wave.table.columns)}
        wave.positions = [index.get(wave.names.get(name, ""), -1) for name in names[2:]]
    return columns


def _in_layout_order(columns: list[Column]) -> list[Column]:
    """Fixed columns, then hidden fields, then the participant code, then the questions (as one
    survey's export has them), each group in the order met."""
    groups = ("fixed", "hidden", "participant")
    ordered = [c for group in groups for c in columns if c.source == group]
    return ordered + [c for c in columns if c.source not in groups]


def _type_clashes(waves: list[Wave]) -> set[str]:
    """The question ids asked with different types in different waves."""
    types: dict[str, set[str]] = {}
    for wave in waves:
        for column in wave.table.columns:
            if column.question is not None:
                types.setdefault(column.qid, set()).add(column.question.type)
    return {qid for qid, kinds in types.items() if len(kinds) > 1}


def _merged_choices(waves: list[Wave], clashes: set[str]) -> dict[str, tuple]:
    """Per question id shared by the waves, its choices by value: the newest wave's, then the values only
    earlier waves had."""
    merged: dict[str, list] = {}
    for wave in reversed(waves):
        for column in wave.table.columns:
            if column.question is None or column.qid in clashes:
                continue
            known = merged.setdefault(column.qid, [])
            values = {c.value for c in known}
            known += [c for c in column.choices if c.value not in values]
    return {qid: tuple(choices) for qid, choices in merged.items()}


def pilot_codebook(table: PilotTable) -> list:
    """The codebook across waves: each column described as the newest wave that asked it describes it,
    with the versions and wordings of every wave (`baseline v1, follow-up v1`)."""
    from flask_babel import force_locale, gettext

    from app.exports.codebook import CodebookEntry, Wording, codebook, stored_codes

    own = {
        wave.number: dict(zip(wave.table.names, codebook(wave.table), strict=True)) for wave in table.waves
    }
    entries = []
    with force_locale(table.lang):
        for column in table.columns:
            if column.source == "wave":
                values = tuple((w.label, w.label) for w in table.waves)
                text = gettext("The wave of the pilot the response belongs to (in the order of the waves)")
                stored = stored_codes([w.label for w in table.waves])
                entries.append(
                    CodebookEntry("wave", text, gettext("wave"), "", values, "", "", stored=stored)
                )
                continue
            if column.source == "pilot":
                text = gettext("The survey (of the wave) the response was given to")
                entries.append(CodebookEntry("survey", text, gettext("survey"), "", (), "", ""))
                continue
            sources = table.sources(column)
            newest = own[sources[0][0].number][sources[0][1].name]
            versions: list[str] = []
            wordings: dict[str, list[str]] = {}
            for wave, wave_column in reversed(sources):
                entry = own[wave.number][wave_column.name]
                versions += [f"{wave.label} v{n}" for n in entry.versions]
                for wording in entry.wordings or (Wording(entry.question, ()),):
                    wordings.setdefault(wording.text, []).extend(
                        f"{wave.label} v{n}" for n in wording.versions
                    )
            question = newest.question
            if column.name != sources[0][1].name:  # a question kept apart: its type differs between waves
                question += " " + gettext(
                    "(wave %(wave)s only: its type differs between waves)", wave=sources[0][0].label
                )
            fixed = column.question is None and column.source == "fixed"
            entries.append(
                replace(
                    newest,
                    name=column.name,
                    question=question,
                    versions=() if fixed else tuple(versions),
                    wordings=() if fixed else tuple(Wording(t, tuple(v)) for t, v in wordings.items()),
                )
            )
    return entries


COLUMNS_ACROSS_WAVES = (
    "questions matched by id across the waves; a column a wave did not ask is empty in its rows; choices "
    "merged by value with the newest wave's labels; a question whose type differs between waves has columns "
    "of its own per wave, named <id>_w<n>"
)


def _version_numbers(table: Table) -> str:
    """'1, 2': the versions of a wave's survey that responses in the export were answered on."""
    return (
        ", ".join(str(v.number) for v in sorted(table.versions, key=lambda v: v.number) if v.number) or "none"
    )


def pilot_about(table: PilotTable, app_version: str, rows: int | None = None) -> list[tuple[str, str]]:
    """The About facts of a file across waves: the pilot and each wave (survey, versions, rows), then
    the facts every export has."""
    from app.exports.codebook import about

    facts = dict(about(table.waves[-1].table, app_version))
    waves = "; ".join(
        f"{wave.number}. {wave.label} ({wave.survey.id}: {wave.table.label(wave.survey.title)}; "
        f"versions {_version_numbers(wave.table)}; {wave.table.total} row(s))"
        for wave in table.waves
    )
    demo = "none"
    if table.demo_rows:
        demo = f"{table.demo_rows} of {table.total} rows are DEMO DATA made by `flask demo seed`, "
        demo += "not real answers"
    out = [
        ("pilot", table.pilot),
        ("waves", waves),
        ("columns", COLUMNS_ACROSS_WAVES),
        ("rows", str(table.total if rows is None else rows)),
        ("demo data", demo),
    ]
    skip = {"survey", "title", "pilot", "wave", "versions", "rows", "demo data"}
    out += [(key, value) for key, value in facts.items() if key not in skip]
    if table.cuts:
        out = [(k, v) for k, v in out if k != "cut answers"]
        columns = ", ".join(dict.fromkeys(cut.column for cut in table.cuts))
        out.append(
            (
                "cut answers",
                f"{len(table.cuts)} answer(s) longer than this format holds ({table.cuts[0].limit}) were cut "
                f"here, in {columns}; the other formats keep them whole",
            )
        )
    return out


def prepare_pilot_export(
    pilot: str, fmt: str, options: ExportOptions | None = None, surveys: list[Survey] | None = None
) -> PreparedExport:
    """A prepared export of every wave of a pilot (or of `surveys`, the waves a researcher may see),
    written and streamed as any export is; named `<pilot>-waves-<time>.<ext>`."""
    from app.exports.files import check_options, prepared
    from app.extensions import db

    options = check_options(fmt, options)
    return prepared(build_pilot_table(db.session, pilot, options, surveys), fmt, f"{pilot}-waves")


def export_pilot(
    pilot: str,
    fmt: str,
    options: ExportOptions | None = None,
    out: Path | str | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Export every wave of a pilot to `out` (a path or folder; by default LYSSNA_EXPORTS_DIR)."""
    from app.exports.files import package_path, target_path

    export = prepare_pilot_export(pilot, fmt, options)
    place = package_path if export.is_package else target_path
    return export.write(place(out, export.filename), progress)
