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
        return text


def _guarded_date(text: str) -> date | str:
    value = _date(text)
    return neutralise(value) if value.__class__ is str else value


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
    return value


def _guarded_loose(value: Any) -> Any:
    value = _loose(value)
    return neutralise(value) if isinstance(value, str) else value


def label_map(table: Table, choices: tuple, guard: bool = False) -> dict:
    """Choice value -> its label in the export's language, "other" included (neutralised for CSV)."""
    labels = {c.value: table.label(c.label) for c in choices}
    labels.setdefault(OTHER, OTHER_LABELS.get(table.lang, OTHER_LABELS["en"]))
    if guard:
        return {value: neutralise(label) for value, label in labels.items()}
    return labels


def asked(column: Column, version: Any, started: Any) -> list:
    """The definitions of a column's question a response could have answered: as the version it was
    last saved on asks it, and as the one it started on did; else the column's own (the answer then
    comes from a version it lived through in between)."""
    found = [s.question(column.qid) for s in (version, started)]
    found = [q for i, q in enumerate(found) if q is not None and q not in found[:i]]
    return found or [column.question]


def offered(column: Column, version: Any, started: Any) -> bool:
    """Whether the response could have chosen the column's choice (so an empty cell would mean "not
    chosen", not "not asked")."""
    definitions = [(s, s.question(column.qid)) for s in (version, started)]
    definitions = [(s, q) for s, q in definitions if q is not None] or [(column.survey, column.question)]
    return any(column.part in {c.value for c in s.choices(q)} for s, q in definitions)


# ----------------------------------------------------------------------------- compiled rows


class _Source:
    """Collects the statements, cells and namespace of one generated row function."""

    def __init__(self, guard: bool) -> None:
        self.guard = guard
        self.namespace: dict[str, Any] = {
            "N": neutralise,
            "DATE": _guarded_date if guard else _date,
            "RANK": _rank,
            "LOOSE": _guarded_loose if guard else _loose,
            "DECODE": decode,
            "E": {},
        }
        self.statements: list[str] = []
        self.cells: list[str] = []
        self.answer_vars: dict[str, str] = {}
        self.made: set[str] = set()  # the matrix answers already read as dicts (rows_of)

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

    def rows_of(self, var: str) -> str:
        """The variable holding a matrix answer as a dict (empty when it is not one), made once per row."""
        name = f"m{var}"
        if name not in self.made:
            self.made.add(name)
            self.statements.append(f"    {name} = {var} if {var}.__class__ is dict else E")
        return name

    def text(self, var: str) -> str:
        """The expression of a text cell: exact, or with the formula guard for CSV."""
        return f"(N({var}) if {var}.__class__ is str else {var})" if self.guard else var


def _cell(src: _Source, table: Table, column: Column, version: Any, started: Any) -> str:
    """The expression of one answer cell, for responses last saved on `version` that began on `started`."""
    question = asked(column, version, started)[0]
    if question.type != column.question.type:
        return f"LOOSE({src.answer(column.qid)})"
    labels = table.options.values == "labels" and column.kind == "choice"
    source, part = column.source, column.part
    if source == "other":
        return src.text(src.answer(f"{column.qid}_other"))
    var = src.answer(column.qid)
    if source == "flag":
        # A choice the response could not have seen is unknown, not "not chosen"; one it holds is 1.
        absent = "0" if offered(column, version, started) else "None"
        return f"(None if {var} is None else (1 if {src.const(part)} in {var} else {absent}))"
    if source == "other_chosen":
        return f"(None if {var} is None else (1 if {src.const(OTHER)} in {var} else 0))"
    if source == "rank":
        return f"RANK({var}, {src.const(part)})"
    if source == "row":
        value = f"{src.rows_of(var)}.get({src.const(part)})"
        if labels:
            lab = src.const(label_map(table, column.choices, src.guard))
            return f"{lab}.get({value}, {value})"
        return value
    if column.kind == "text":
        return src.text(var)
    if column.kind == "date":
        return f"(DATE({var}) if {var}.__class__ is str else {var})"
    if labels:
        return f"{src.const(label_map(table, column.choices, src.guard))}.get({var}, {var})"
    return var


def _time_lines(clock: Clock, namespace: dict) -> list[str]:
    """Source lines that set st_l, sub_l, act_l (local times) and dur (seconds) from t0, t1 and t2
    (started, submitted, last saved; the last only for unfinished responses)."""
    if clock.raw_text:
        # SQLite's stored text: parse it, and look the offset up by its hour ("YYYY-MM-DD HH").
        namespace.update(ISO=datetime.fromisoformat, OFF=clock.text_offsets, LOCAL=clock.local_of_text)
        local = "{0} + o if (o := OFF.get({1}[:13])) is not None else LOCAL({1}, {0})"
        parse = "ISO({}[:19])"
    else:
        namespace.update(UTC_=clock.utc, LOCAL=clock.local)
        local = "LOCAL({0})"
        parse = "UTC_({})"
    return [
        f"    st = {parse.format('t0')}",
        f"    st_l = {local.format('st', 't0')}",
        "    if t1 is None:",
        "        sub_l = dur = None",
        "    else:",
        f"        sub = {parse.format('t1')}",
        f"        sub_l = {local.format('sub', 't1')}",
        "        dur = (sub - st) // SEC",
        "    if t2 is None:",
        "        act_l = None",
        "    else:",
        f"        act = {parse.format('t2')}",
        f"        act_l = {local.format('act', 't2')}",
    ]


# Where the hidden-field values start in a fetched row (see Table.batches).
HIDDEN_AT = 14
RECORD_NAMES = "_, pid, vid, svid, status, t0, t1, lang, chan, demo, page, t2, ans, code"


def row_shaper(
    table: Table, version: VersionInfo, started: VersionInfo, clock: Clock, guard: bool = False
) -> Callable[[Any], list]:
    """The function from one fetched response (last saved on `version`, begun on `started`) to its
    export row (a list of cells); `guard` puts the formula guard on texts (CSV)."""
    src = _Source(guard)
    src.namespace["SEC"] = SECOND
    src.cells = [
        "pid",
        src.const(version.number),
        src.const(started.number),
        "status",
        "st_l",
        "sub_l",
        "dur",
        "lang",
        "chan",
        "(1 if demo else 0)",
        "page",  # fetched for unfinished responses only
        "act_l",
    ]
    hidden = 0
    for column in table.columns:
        if column.source == "hidden":
            var = f"x{hidden}"
            src.cells.append(f"({'N(' + var + ')' if guard else var} if {var} else None)")  # always text
            hidden += 1
        elif column.source == "participant":
            src.cells.append(f"({src.text('code')} if code else None)")
    src.cells += [
        _cell(src, table, c, version.survey, started.survey)
        for c in table.columns
        if c.source not in _NOT_ANSWERS
    ]
    times = _time_lines(clock, src.namespace)
    body = "\n".join(
        [
            "def shape(rec):",
            f"    {RECORD_NAMES}" + "".join(f", x{i}" for i in range(hidden)) + " = rec",
            *times,
            "    g = DECODE(ans).get",
            *src.statements,
            "    return [" + ", ".join(src.cells) + "]",
        ]
    )
    # Generated from names this module makes; no text of a definition or response is in `body`.
    name = f"<export row of {table.survey.id} v{version.number} from v{started.number}>"
    exec(compile(body, name, "exec"), src.namespace)  # noqa: S102
    return src.namespace["shape"]


_NOT_ANSWERS = ("fixed", "hidden", "participant")


# ----------------------------------------------------------------------------- JSON records


def record_shaper(
    table: Table, version: VersionInfo, started: VersionInfo, clock: Clock
) -> Callable[[Any], dict]:
    """The function from one fetched response to a JSON object with answers keyed by question id."""
    hidden = [c.qid for c in table.columns if c.source == "hidden"]
    participant = any(c.source == "participant" for c in table.columns)
    questions = _json_questions(table)
    number, started_number = version.number, started.number

    def shape(record: Any) -> dict:
        _, public_id, _, _, status, started_at, submitted, language, channel, demo, page, saved = record[:12]
        answers, code = record[12:HIDDEN_AT]
        started_at, submitted = clock.utc(started_at), clock.utc(submitted)
        out = {
            "response_id": public_id,
            "survey_version": number,
            "started_version": started_number,
            "status": status,
            "started_at": clock.iso(started_at),
            "submitted_at": clock.iso(submitted) if submitted else None,
            "duration_seconds": (submitted - started_at) // SECOND if submitted else None,
            "language": language,
            "channel": channel,
            "demo": 1 if demo else 0,
            "last_page": page,  # fetched for unfinished responses only
            "last_active_at": clock.iso(clock.utc(saved)) if saved is not None else None,
        }
        values = record[HIDDEN_AT:]
        out["hidden"] = {h: v for h, v in zip(hidden, values, strict=True) if v}
        if participant:
            out["participant"] = code or None
        answers = decode(answers)
        out["answers"] = {key: convert(answers[key]) for key, convert in questions if key in answers}
        return out

    return shape


def _json_questions(table: Table) -> list[tuple[str, Callable[[Any], Any]]]:
    """(answer key, converter) in column order: codes, or labels when asked; texts exact."""
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
    """An answer for JSON: choice codes turned into labels when asked; everything else as stored."""
    if isinstance(value, list):
        return [_json_value(v, labels) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v, labels) for k, v in value.items()}
    if labels and not isinstance(value, bool) and value in labels:
        return labels[value]
    return value
