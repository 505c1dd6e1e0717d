"""SPSS (.sav) and Stata (.dta) exports through pyreadstat: names, labels and measure levels per format."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.exports.codebook import about, codebook
from app.exports.rows import OTHER_LABELS
from app.exports.table import Column, Progress, Table
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
# Stata's extended missing values .a to .z stand for answers such as "prefer not to say".
STATA_MISSING = "abcdefghijklmnopqrstuvwxyz"


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
    """How one column is stored: its codes, labels, missing codes and measure level."""

    values: list
    value_labels: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)  # sav: codes that mean "no substantive answer"
    stata_missing: list = field(default_factory=list)
    measure: str = "nominal"


def _choice_variable(table: Table, column: Column, values: list, fmt: str, rules: Rules) -> Variable | None:
    """Choice codes as labelled numbers; text codes become 1..n, or missing codes beside numeric ones."""
    labels = {c.value: table.label(c.label) for c in column.choices}
    if getattr(column.question, "other", False) and column.source == "answer":
        labels[OTHER] = OTHER_LABELS.get(table.lang, OTHER_LABELS["en"])
    if any(v is not None and v not in labels for v in values):
        return None  # values no definition names (a changed question): keep them as text
    numeric = [c for c in labels if isinstance(c, int)]
    texts = [c for c in labels if not isinstance(c, int)]
    if not texts:
        codes = {c: c for c in numeric}
    elif not numeric:
        codes = {c: n for n, c in enumerate(texts, start=1)}
    elif fmt == "sav":
        codes = {**{c: c for c in numeric}, **{c: -n for n, c in enumerate(texts, start=1)}}
    else:
        if len(texts) > len(STATA_MISSING):
            return None
        codes = {**{c: c for c in numeric}, **dict(zip(texts, STATA_MISSING, strict=False))}
    var = Variable([codes[v] if v is not None else None for v in values])
    var.value_labels = {codes[c]: truncate(label, rules.value_label) for c, label in labels.items()}
    var.measure = "ordinal" if numeric else "nominal"
    if numeric and texts:
        if fmt == "sav":
            var.missing = [{"lo": -len(texts), "hi": -1}]
        else:
            var.stata_missing = [codes[c] for c in texts]
    return var


def _variable(table: Table, column: Column, values: list, fmt: str, rules: Rules) -> Variable:
    if column.kind == "choice" and table.options.values == "codes":
        var = _choice_variable(table, column, values, fmt, rules)
        if var is not None:
            return var
        return Variable([None if v is None else str(v) for v in values])
    if column.kind in ("integer", "number", "flag", "rank"):
        if any(v is not None and not isinstance(v, (int, float)) for v in values):
            return Variable([None if v is None else str(v) for v in values])
        var = Variable(values, measure="scale")
        if column.source == "flag":
            var.measure = "nominal"
            var.value_labels = {1: "chosen", 0: "not chosen"}
        elif column.source == "rank" or (column.question is not None and column.question.type == "rating"):
            var.measure = "ordinal"
        elif column.name == "survey_version":
            var.measure = "nominal"
        return var
    if column.kind in ("date", "datetime"):
        if all(v is None or hasattr(v, "year") for v in values):
            return Variable(values, measure="scale")
        return Variable([None if v is None else str(v) for v in values])
    return Variable(values)


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


def _series(column: Column, var: Variable) -> Any:
    """The pandas column pyreadstat writes: date-times, numbers with NaN for empty, or objects."""
    import numpy as np  # heavy: only the SPSS and Stata exports need pandas
    import pandas as pd

    if column.kind == "datetime" and var.measure == "scale":
        return pd.to_datetime(pd.Series(var.values, dtype=object))
    if var.stata_missing:
        return pd.Series([np.nan if v is None else v for v in var.values], dtype=object)
    if var.values and all(v is None or isinstance(v, (int, float)) for v in var.values):
        return pd.Series([np.nan if v is None else v for v in var.values], dtype="float64")
    return pd.Series(var.values, dtype=object)


@dataclass
class _Meta:
    """What pyreadstat takes beside the data: labels, value labels, missing codes, measures."""

    labels: dict = field(default_factory=dict)
    value_labels: dict = field(default_factory=dict)
    missing: dict = field(default_factory=dict)
    stata_missing: dict = field(default_factory=dict)
    measures: dict = field(default_factory=dict)

    def add(self, name: str, label: str, var: Variable) -> None:
        self.labels[name] = label
        self.measures[name] = var.measure
        for target, value in (
            (self.value_labels, var.value_labels),
            (self.missing, var.missing),
            (self.stata_missing, var.stata_missing),
        ):
            if value:
                target[name] = value


def write_stats_file(
    table: Table, path: Path, fmt: str, app_version: str, progress: Progress | None = None
) -> int:
    """Write a .sav (fmt 'sav') or .dta (fmt 'dta') file; returns the number of rows."""
    import pandas as pd
    import pyreadstat

    rules = SAV if fmt == "sav" else DTA
    rows, columns = _collect(table, progress)
    names = safe_names(table.names, rules)
    data: dict[str, Any] = {}
    meta = _Meta()
    for i, (name, column, entry) in enumerate(zip(names, table.columns, codebook(table), strict=True)):
        var = _variable(table, column, columns[i], fmt, rules)
        columns[i] = []  # let the row values go as soon as they are copied
        data[name] = _series(column, var)
        meta.add(name, truncate(entry.question, rules.variable_label), var)
    frame = pd.DataFrame(data)
    title = truncate(table.label(table.survey.title), 80)
    if fmt == "sav":
        # SPSS documents are lines of 80 characters: the About facts travel with the file.
        facts = about(table, app_version, rows)
        notes = [line for key, value in facts for line in textwrap.wrap(f"{key}: {value}", 80)]
        pyreadstat.write_sav(
            frame,
            str(path),
            file_label=title,
            column_labels=meta.labels,
            variable_value_labels=meta.value_labels,
            missing_ranges=meta.missing,
            variable_measure=meta.measures,
            note=notes,
        )
    else:
        pyreadstat.write_dta(
            frame,
            str(path),
            file_label=title,
            column_labels=meta.labels,
            variable_value_labels=meta.value_labels,
            missing_user_values=meta.stata_missing,
        )
    return rows
