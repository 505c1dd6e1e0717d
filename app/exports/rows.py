"""Turn stored responses into export rows quickly: one small function compiled per definition version.

An export of 100,000 responses runs the row function 100,000 times, and a Python call per cell
would cost more than writing the file. So for each stored version the column plan is turned into
the source of one function that reads every answer once and builds the row in a single list
display. The source holds only generated names (k0, v3, ...); every value from a definition
(question ids, choice codes, label maps) reaches the function through its namespace, never as text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import orjson

from app.surveys.models import OTHER

if TYPE_CHECKING:
    from app.exports.table import Column, Table, VersionInfo

# A text starting with one of these is a formula (or the start of one) to a spreadsheet.
DANGEROUS_FIRST = frozenset("=+-@\t\r")
# The label of the "Other, please specify" choice that `other: true` adds.
OTHER_LABELS = {"sv": "Annat", "en": "Other", "ar": "أخرى"}
EPOCH = datetime(1970, 1, 1)
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)
_EXACT = object()  # an hour in which the zone's offset changes: convert each time exactly
HIDDEN_AT = 9  # where the hidden-field values start in a fetched row (see Table.batches)


def neutralise(text: str) -> str:
    """Prefix a text that a spreadsheet would evaluate (=, +, -, @, tab, CR) with a `'`."""
    if text and text[0] in DANGEROUS_FIRST:
        return "'" + text
    return text


def decode(value: Any) -> dict:
    """A JSON column as fetched (text, or already a dict) as a dict."""
    if value.__class__ is str:
        return orjson.loads(value)
    return value or {}


class Clock:
    """UTC timestamps from the database to naive local times of the export's time zone.

    The zone's offset is looked up once per hour of UTC time (exactly, where it changes within
    that hour), which keeps 200,000 conversions cheap.
    """

    def __init__(self, tz: ZoneInfo, raw_text: bool):
        self.tz, self.raw_text = tz, raw_text
        self._offsets: dict[int, Any] = {}
        # SQLite text "YYYY-MM-DD HH" -> offset, for hours without a change of offset.
        self.text_offsets: dict[str, timedelta] = {}

    def local_of_text(self, text: str, utc_naive: datetime) -> datetime:
        """Local time of a SQLite timestamp, remembering its hour's offset for the next ones."""
        local = self.local(utc_naive)
        offset = self._offsets[(utc_naive - EPOCH) // HOUR]
        if offset is not _EXACT:
            self.text_offsets[text[:13]] = offset
        return local

    def utc(self, value: Any) -> datetime | None:
        """A naive UTC datetime in whole seconds: from SQLite's stored text, or an aware datetime."""
        if value is None:
            return None
        if self.raw_text:
            return datetime.fromisoformat(value[:19])
        return value.astimezone(UTC).replace(tzinfo=None, microsecond=0)

    def local(self, utc_naive: datetime) -> datetime:
        """The same moment as naive local time."""
        hour = (utc_naive - EPOCH) // HOUR
        offset = self._offsets.get(hour)
        if offset is None:
            offset = self._offsets[hour] = self._offset(EPOCH + hour * HOUR)
        if offset is _EXACT:
            return utc_naive.replace(tzinfo=UTC).astimezone(self.tz).replace(tzinfo=None)
        return utc_naive + offset

    def iso(self, utc_naive: datetime) -> str:
        """ISO 8601 local time with its offset, e.g. 2026-03-01T14:03:22+01:00."""
        return utc_naive.replace(tzinfo=UTC).astimezone(self.tz).isoformat(timespec="seconds")

    def _offset(self, start: datetime) -> Any:
        first = start.replace(tzinfo=UTC).astimezone(self.tz).utcoffset()
        last = (start + HOUR - SECOND).replace(tzinfo=UTC).astimezone(self.tz).utcoffset()
        return first if first == last else _EXACT


# ----------------------------------------------------------------------------- cell helpers


def _date(text: str) -> date | str:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return neutralise(text)


def _rank(ranked: Any, value: Any) -> int | None:
    if ranked.__class__ is list and value in ranked:
        return ranked.index(value) + 1
    return None


def _loose(value: Any) -> Any:
    """A value of a question whose type changed between versions, made fit for one cell."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, str):
        return neutralise(value)
    return value


def label_map(table: Table, choices: tuple) -> dict:
    """Choice value -> its label in the export's language (neutralised), "other" included."""
    labels = {c.value: neutralise(table.label(c.label)) for c in choices}
    labels.setdefault(OTHER, OTHER_LABELS.get(table.lang, OTHER_LABELS["en"]))
    return labels


# ----------------------------------------------------------------------------- compiled rows


class _Source:
    """Collects the statements, cells and namespace of one generated row function."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "N": neutralise,
            "DATE": _date,
            "RANK": _rank,
            "LOOSE": _loose,
            "DECODE": decode,
            "E": {},
        }
        self.statements: list[str] = []
        self.cells: list[str] = []
        self.answer_vars: dict[str, str] = {}

    def const(self, value: Any) -> str:
        """A generated name bound to `value` in the function's namespace."""
        name = f"k{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def answer(self, key: str) -> str:
        """The variable holding answers[key], read once per row."""
        if key not in self.answer_vars:
            var = f"v{len(self.answer_vars)}"
            self.answer_vars[key] = var
            self.statements.append(f"    {var} = g({self.const(key)})")
        return self.answer_vars[key]


def _cell(src: _Source, table: Table, column: Column, version: Any) -> str:
    """The expression of one answer cell, for responses of `version`."""
    question = version.question(column.qid)
    if question is None:
        return "None"  # the question did not exist in this version
    if question.type != column.question.type:
        return f"LOOSE({src.answer(column.qid)})"
    labels = table.options.values == "labels" and column.kind == "choice"
    source, part = column.source, column.part
    if source == "other":
        var = src.answer(f"{column.qid}_other")
        return f"(N({var}) if {var}.__class__ is str else {var})"
    var = src.answer(column.qid)
    if source == "flag":
        if part not in {c.value for c in version.choices(question)}:
            return "None"  # not offered in this version: unknown, not "not chosen"
        return f"(None if {var} is None else (1 if {src.const(part)} in {var} else 0))"
    if source == "rank":
        return f"RANK({var}, {src.const(part)})"
    if source == "row":
        value = f"({var} if {var}.__class__ is dict else E).get({src.const(part)})"
        if labels:
            lab = src.const(label_map(table, column.choices))
            return f"{lab}.get({value}, {value})"
        return value
    if column.kind == "text":
        return f"(N({var}) if {var}.__class__ is str else {var})"
    if column.kind == "date":
        return f"(DATE({var}) if {var}.__class__ is str else {var})"
    if labels:
        return f"{src.const(label_map(table, column.choices))}.get({var}, {var})"
    return var


def _time_lines(clock: Clock, namespace: dict) -> list[str]:
    """Source lines that set st_l, sub_l (local times) and dur (seconds) from t0 and t1."""
    if clock.raw_text:
        # SQLite's stored text: parse it, and look the offset up by its hour ("YYYY-MM-DD HH").
        namespace.update(ISO=datetime.fromisoformat, OFF=clock.text_offsets, LOCAL=clock.local_of_text)
        return [
            "    st = ISO(t0[:19])",
            "    st_l = st + o if (o := OFF.get(t0[:13])) is not None else LOCAL(t0, st)",
            "    if t1 is None:",
            "        sub_l = dur = None",
            "    else:",
            "        sub = ISO(t1[:19])",
            "        sub_l = sub + o if (o := OFF.get(t1[:13])) is not None else LOCAL(t1, sub)",
            "        dur = (sub - st) // SEC",
        ]
    namespace.update(UTC_=clock.utc, LOCAL=clock.local)
    return [
        "    st = UTC_(t0)",
        "    st_l = LOCAL(st)",
        "    if t1 is None:",
        "        sub_l = dur = None",
        "    else:",
        "        sub = UTC_(t1)",
        "        sub_l = LOCAL(sub)",
        "        dur = (sub - st) // SEC",
    ]


def row_shaper(table: Table, version: VersionInfo, clock: Clock) -> Callable[[Any], list]:
    """The function from one fetched response of `version` to its export row (a list of cells)."""
    src = _Source()
    src.namespace["SEC"] = SECOND
    src.cells = ["pid", src.const(version.number), "status", "st_l", "sub_l", "dur", "lang"]
    hidden = 0
    for column in table.columns:
        if column.source == "hidden":
            var = f"x{hidden}"
            src.cells.append(f"(N({var}) if {var} else None)")
            hidden += 1
        elif column.source == "participant":
            src.cells.append("(N(code) if code else None)")
    answer_cells = [
        _cell(src, table, c, version.survey) for c in table.columns if c.source not in _NOT_ANSWERS
    ]
    src.cells += answer_cells
    times = _time_lines(clock, src.namespace)
    body = "\n".join(
        [
            "def shape(rec):",
            "    _, pid, _, status, t0, t1, lang, ans, code"
            + "".join(f", x{i}" for i in range(hidden))
            + " = rec",
            *times,
            "    g = DECODE(ans).get",
            *src.statements,
            "    return [" + ", ".join(src.cells) + "]",
        ]
    )
    # Generated from names this module makes; no text of a definition or response is in `body`.
    exec(compile(body, f"<export row of {table.survey.id} v{version.number}>", "exec"), src.namespace)  # noqa: S102
    return src.namespace["shape"]


_NOT_ANSWERS = ("fixed", "hidden", "participant")


# ----------------------------------------------------------------------------- JSON records


def record_shaper(table: Table, version: VersionInfo, clock: Clock) -> Callable[[Any], dict]:
    """The function from one fetched response to a JSON object with answers keyed by question id."""
    hidden = [c.qid for c in table.columns if c.source == "hidden"]
    participant = any(c.source == "participant" for c in table.columns)
    questions = _json_questions(table)
    number = version.number

    def shape(record: Any) -> dict:
        _, public_id, _, status, started, submitted, language, answers, code = record[:HIDDEN_AT]
        started, submitted = clock.utc(started), clock.utc(submitted)
        out = {
            "response_id": public_id,
            "survey_version": number,
            "status": status,
            "started_at": clock.iso(started),
            "submitted_at": clock.iso(submitted) if submitted else None,
            "duration_seconds": (submitted - started) // SECOND if submitted else None,
            "language": language,
        }
        values = record[HIDDEN_AT:]
        out["hidden"] = {h: neutralise(v) for h, v in zip(hidden, values, strict=True) if v}
        if participant:
            out["participant"] = neutralise(code) if code else None
        answers = decode(answers)
        out["answers"] = {key: convert(answers[key]) for key, convert in questions if key in answers}
        return out

    return shape


def _json_questions(table: Table) -> list[tuple[str, Callable[[Any], Any]]]:
    """(answer key, converter) in column order: codes or labels, texts neutralised."""
    labels_wanted = table.options.values == "labels"
    seen: set[str] = set()
    out: list[tuple[str, Callable[[Any], Any]]] = []
    for column in table.columns:
        if column.question is None or column.qid in seen:
            continue
        seen.add(column.qid)
        question = column.question
        if labels_wanted and question.type in ("single_choice", "matrix", "multiple_choice", "ranking"):
            labels = label_map(table, column.choices)
            out.append((column.qid, lambda v, m=labels: _json_value(v, m)))
        else:
            out.append((column.qid, _json_value))
        if getattr(question, "other", False):
            out.append((f"{column.qid}_other", _json_value))
    return out


def _json_value(value: Any, labels: dict | None = None) -> Any:
    """An answer for JSON: strings neutralised, choice codes turned into labels when asked."""
    if isinstance(value, list):
        return [_json_value(v, labels) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v, labels) for k, v in value.items()}
    if labels and not isinstance(value, bool) and value in labels:
        return labels[value]
    if isinstance(value, str):
        return neutralise(value)
    return value
