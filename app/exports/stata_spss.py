"""SPSS (.sav, .zsav) and Stata (.dta) files through pyreadstat: names, labels and measure levels per format.

Each variable's type, value labels and missing codes come from its column's definition, never from
the data, so an export with no rows has the same variables as one with rows. Empty text is "" in
both formats (Stata has no missing value for text). Stata keeps long texts whole (strL); SPSS holds
at most 32,767 bytes in a text, so a longer answer is cut to fit, recorded in `Table.cuts` and
counted in the file's documents.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.exports.codebook import about, codebook, scale_labels
from app.exports.codes import is_number, numeric_codes
from app.exports.rows import OTHER_LABELS
from app.exports.table import Column, Cut, Progress, Table
from app.surveys.models import OTHER


@dataclass(frozen=True)
class Rules:
    """What one format allows: name pattern and length, label lengths (in UTF-8 bytes)."""

    max_name: int
    name_chars: str  # a regex character class of characters allowed in names
    reserved: frozenset[str]
    variable_label: int
    value_label: int


SAV = Rules(
    max_name=64,
    name_chars=r"A-Za-z0-9_.@#$",
    reserved=frozenset(["all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"]),
    variable_label=256,
    value_label=120,
)
DTA = Rules(
    max_name=32,
    name_chars=r"A-Za-z0-9_",
    reserved=frozenset(
        {
            *("_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long"),
            *("_n", "_pi", "_pred", "_rc", "_skip", "strl", "using", "with"),
        }
    ),
    variable_label=80,
    value_label=32000,
)
SPSS_TEXT_BYTES = 32767  # the longest text an SPSS string variable holds
SPSS_CUT = "32,767 bytes (SPSS)"
# Dates are stored as numbers: SPSS counts seconds from 1582-10-14, Stata days from 1960-01-01.
DATE_NUMBERS = {"sav": (date(1582, 10, 14).toordinal(), 86400), "dta": (date(1960, 1, 1).toordinal(), 1)}
DATE_FORMATS = {"sav": "DATE11", "dta": "%td"}
VERSION_COLUMNS = ("survey_version", "started_version")
CHOSEN = {1: "chosen", 0: "not chosen"}
YES_NO = {1: "yes", 0: "no"}


def truncate(text: str, max_bytes: int) -> str:
    """Cut a text to at most `max_bytes` of UTF-8 without splitting a character."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[: max_bytes - 3].decode("utf-8", "ignore").rstrip() + "..."


def safe_names(names: list[str], rules: Rules) -> list[str]:
    """Valid, unique variable names for the format, as close to the export's names as allowed."""
    out: list[str] = []
    taken: set[str] = set()
    for name in names:
        safe = re.sub(f"[^{rules.name_chars}]", "_", name)
        if not re.match("[A-Za-z]", safe):
            safe = "v" + safe
        if safe.lower() in rules.reserved:
            safe += "_"
        safe = safe[: rules.max_name].rstrip(".")
        candidate, n = safe, 1
        while candidate.lower() in taken:
            n += 1
            suffix = f"_{n}"
            candidate = safe[: rules.max_name - len(suffix)] + suffix
        taken.add(candidate.lower())
        out.append(candidate)
    return out


@dataclass
class Variable:
    """How one column is stored: as text, number, date or datetime; its labels, missing codes and measure."""

    storage: str
    codes: dict | None = None  # choice code -> stored number (or Stata missing letter)
    value_labels: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)  # sav: codes that mean "no substantive answer"
    stata_missing: list = field(default_factory=list)
    measure: str = "nominal"
    format: str | None = None


def _value_label(label: str, code: Any, rules: Rules) -> str:
    """A value label; a text code stays visible after it, e.g. 'Vill inte svara [no_answer]'."""
    if is_number(code):
        return truncate(label, rules.value_label)
    suffix = f" [{code}]"
    return truncate(label, rules.value_label - len(suffix.encode("utf-8"))) + suffix


def _choice_variable(table: Table, column: Column, fmt: str, rules: Rules) -> Variable:
    """Choice codes as labelled numbers (see numeric_codes), text codes beside numbers as missing."""
    labels = {c.value: table.label(c.label) for c in column.choices}
    if getattr(column.question, "other", False) and column.source == "answer":
        labels[OTHER] = OTHER_LABELS.get(table.lang, OTHER_LABELS["en"])
    codes = numeric_codes(list(labels), fmt)
    numbered = any(map(is_number, labels))
    mixed = [codes[c] for c in labels if not is_number(c)] if numbered else []
    var = Variable("number", codes, measure="ordinal" if numbered else "nominal")
    var.value_labels = {codes[c]: _value_label(label, c, rules) for c, label in labels.items()}
    if mixed and fmt == "dta":
        var.stata_missing = [m for m in mixed if isinstance(m, str)]
    elif mixed:
        var.missing = [{"lo": min(mixed), "hi": max(mixed)}]
    return var


def _number_variable(table: Table, column: Column, rules: Rules) -> Variable:
    """Numbers: scale; ranks and ratings ordinal (ratings labelled as residents saw them)."""
    var = Variable("number", measure="scale")
    question = column.question
    if column.source == "rank":
        var.measure = "ordinal"
    elif question is not None and question.type == "rating":
        var.measure = "ordinal"
        labels = scale_labels(question, table.lang)
        var.value_labels = {n: truncate(str(label), rules.value_label) for n, label in labels.items()}
    elif column.name in VERSION_COLUMNS:
        var.measure = "nominal"
    return var


def _variable(table: Table, column: Column, fmt: str, rules: Rules) -> Variable:
    """How a column is stored, decided from its definition alone."""
    if table.is_loose(column):
        return Variable("text")
    if column.kind == "choice":
        if table.options.values == "labels":
            return Variable("text")
        return _choice_variable(table, column, fmt, rules)
    if column.kind == "flag":
        return Variable("number", value_labels=dict(YES_NO if column.question is None else CHOSEN))
    if column.kind in ("integer", "number", "rank"):
        return _number_variable(table, column, rules)
    if column.kind == "date":
        return Variable("date", measure="scale", format=DATE_FORMATS[fmt])
    if column.kind == "datetime":
        return Variable("datetime", measure="scale")
    return Variable("text")


def _collect(table: Table, progress: Progress | None) -> tuple[int, list[list]]:
    """All rows, column by column (SPSS and Stata files are written whole)."""
    columns: list[list] = [[] for _ in table.columns]
    appenders = [c.append for c in columns]
    rows = 0
    for row in table.rows(progress):
        for append, value in zip(appenders, row, strict=True):
            append(value)
        rows += 1
    return rows, columns


def _texts(values: list, column: Column, spss: tuple[list, list[Cut]] | None) -> list[str]:
    """Texts with "" for empty; given (ids, cuts) for SPSS, a text over 32,767 bytes is cut and recorded."""
    texts = ["" if v is None else v if v.__class__ is str else str(v) for v in values]
    if spss is not None:
        ids, cuts = spss
        for i, text in enumerate(texts):
            # At most four bytes a character: a shorter text fits without being encoded.
            if len(text) * 4 > SPSS_TEXT_BYTES and len(data := text.encode("utf-8")) > SPSS_TEXT_BYTES:
                cuts.append(Cut(str(ids[i]), column.name, len(text), SPSS_CUT))
                texts[i] = data[:SPSS_TEXT_BYTES].decode("utf-8", "ignore")
    return texts


def _numbers(values: list, var: Variable, fmt: str) -> list:
    """Numbers (None for empty): choice codes as stored, dates as the format counts them."""
    if var.codes is not None:
        codes = var.codes
        return [None if v is None else codes[v] for v in values]
    if var.storage == "date":
        start, unit = DATE_NUMBERS[fmt]
        for v in values:
            if v is not None and not isinstance(v, date):
                raise ValueError(f"{v!r} is not a date")
        return [None if v is None else (v.toordinal() - start) * unit for v in values]
    return values


def _series(var: Variable, values: list, fmt: str) -> Any:
    """The pandas column pyreadstat writes, typed by the variable whatever the values (or no values)."""
    import numpy as np  # heavy: only the SPSS and Stata exports need pandas
    import pandas as pd

    if var.storage == "text":
        return pd.Series(values, dtype=object)
    if var.storage == "datetime":
        return pd.Series(values, dtype="datetime64[us]")
    numbers = _numbers(values, var, fmt)
    if var.stata_missing:
        # Floats beside the letters: pyreadstat writes an int column mixed with letters with 0 for NaN.
        return pd.Series(
            [np.nan if v is None else v if v.__class__ is str else float(v) for v in numbers], dtype=object
        )
    return pd.Series(numbers, dtype="float64")


def _column_data(var: Variable, values: list, column: Column, fmt: str, spss: tuple | None) -> Any:
    """One column's series. A value its definition does not know (an answer stored before the
    versions it came from were tracked, say) is never dropped: the column is then written as text."""
    if var.storage != "text":
        try:
            return _series(var, values, fmt)
        except (KeyError, TypeError, ValueError):
            vars(var).update(
                storage="text", codes=None, value_labels={}, missing=[], stata_missing=[], format=None
            )
    return _series(var, _texts(values, column, spss), fmt)


@dataclass
class _Meta:
    """What pyreadstat takes beside the data: labels, value labels, missing codes, measures, formats."""

    labels: dict = field(default_factory=dict)
    value_labels: dict = field(default_factory=dict)
    missing: dict = field(default_factory=dict)
    stata_missing: dict = field(default_factory=dict)
    measures: dict = field(default_factory=dict)
    formats: dict = field(default_factory=dict)

    def add(self, name: str, label: str, var: Variable) -> None:
        self.labels[name] = label
        self.measures[name] = var.measure
        for target, value in (
            (self.value_labels, var.value_labels),
            (self.missing, var.missing),
            (self.stata_missing, var.stata_missing),
            (self.formats, var.format),
        ):
            if value:
                target[name] = value


def _notes(table: Table, app_version: str, rows: int, cuts: list[Cut]) -> list[str]:
    """The About facts as SPSS documents (lines of 80 characters), with the answers cut to fit."""
    facts = about(table, app_version, rows)
    if cuts:
        per_column = ", ".join(f"{name} ({n})" for name, n in Counter(c.column for c in cuts).items())
        facts.append(
            (
                "cut texts",
                f"{len(cuts)} answer(s) longer than {SPSS_TEXT_BYTES:,} bytes, the most an SPSS text "
                f"holds, were cut to fit, in {per_column}; the other formats hold them whole",
            )
        )
    return [line for key, value in facts for line in textwrap.wrap(f"{key}: {value}", 80)]


def write_stats_file(
    table: Table, path: Path, fmt: str, app_version: str, progress: Progress | None = None
) -> int:
    """Write a .sav (fmt 'sav', row-compressed), .zsav ('zsav') or .dta ('dta') file; returns the rows."""
    import pandas as pd
    import pyreadstat

    base = "dta" if fmt == "dta" else "sav"
    rules = DTA if base == "dta" else SAV
    rows, columns = _collect(table, progress)
    ids, cuts = columns[0], []  # row[0] is the response id, kept for the record of cut texts
    names = safe_names(table.names, rules)
    data: dict[str, Any] = {}
    meta = _Meta()
    for i, (name, column, entry) in enumerate(zip(names, table.columns, codebook(table), strict=True)):
        var = _variable(table, column, base, rules)
        data[name] = _column_data(var, columns[i], column, base, (ids, cuts) if base == "sav" else None)
        columns[i] = []  # let the row values go as soon as they are copied
        meta.add(name, truncate(str(entry.question), rules.variable_label), var)
    frame = pd.DataFrame(data)
    title = truncate(table.label(table.survey.title), 80)
    if base == "dta":
        pyreadstat.write_dta(
            frame,
            str(path),
            # Format 118 (Stata 14 and later): R's haven reads long texts (strL) of format 119, the
            # default, as empty strings. 119 only adds room for more than 32,767 variables.
            version=14,
            file_label=title,
            column_labels=meta.labels,
            variable_value_labels=meta.value_labels,
            missing_user_values=meta.stata_missing,
            variable_format=meta.formats,
        )
        return rows
    pyreadstat.write_sav(
        frame,
        str(path),
        file_label=title,
        column_labels=meta.labels,
        variable_value_labels=meta.value_labels,
        missing_ranges=meta.missing,
        variable_measure=meta.measures,
        variable_format=meta.formats,
        note=_notes(table, app_version, rows, cuts),
        compress=fmt == "zsav",
        row_compress=fmt != "zsav",
    )
    table.cuts.extend(cuts)
    return rows
