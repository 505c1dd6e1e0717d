"""One row of an XLSForm's survey sheet as a Lyssna question: its type, texts and columns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.surveys.models import ITEM_ID
from app.surveys.xlsform.conditions import Target, relevant_to_condition
from app.surveys.xlsform.constraints import constraint_keys
from app.surveys.xlsform.emitter import Map
from app.surveys.xlsform.languages import column_suffix
from app.surveys.xlsform.workbook import Found, Row
from app.surveys.xlsform.xpath import XPathError

# Types Lyssna has no question for, and why (what `--skip-unsupported` leaves out).
UNSUPPORTED = {
    **dict.fromkeys(
        ("geopoint", "geotrace", "geoshape", "start-geopoint", "background-geopoint"),
        "Lyssna does not ask for locations",
    ),
    **dict.fromkeys(("audio", "background-audio"), "Lyssna takes photos, not recordings"),
    "video": "Lyssna takes photos, not videos",
    "file": "Lyssna takes no files besides photos",
    "barcode": "Lyssna does not scan barcodes",
    **dict.fromkeys(("time", "datetime"), "Lyssna asks for dates, not times of day"),
    "trigger": "Lyssna has no trigger questions",
    **dict.fromkeys(("xml-external", "csv-external"), "Lyssna reads no external data"),
    "osm": "Lyssna has no map questions",
}
# What the form records by itself; Lyssna keeps started_at and submitted_at, and nothing of the device.
METADATA = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "imei",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "instanceid",
    }
)
_SELECT = re.compile(
    r"^(?P<kind>select_one|select one|select1|select_multiple|select multiple|select all that apply|rank)"
    r"\s+(?P<list>\S+)(?:\s+(?P<other>or_other|or specify other|or other))?$"
)
_FROM_FILE = re.compile(
    r"^(select_one|select_multiple)_(from_file|external)\b|^select (one|multiple) from file"
)
YES = {"yes", "true", "true()", "1"}
NO = {"no", "false", "false()", "0", ""}


@dataclass
class Context:
    """What converting the rows needs to share: the survey's languages, the form's names as Lyssna
    knows them, and what was found on the way."""

    languages: list[str]
    targets: dict[str, Target] = field(default_factory=dict)
    problems: list[Found] = field(default_factory=list)
    notes: list[Found] = field(default_factory=list)

    def text(self, row: Row, column: str, required: bool = False) -> Any:
        """A text column as a Lyssna text: one string, or one per language (missing ones are a problem)."""
        given = row.texts.get(column, {})
        plain = given.get("")
        own = {lang: value for lang, value in given.items() if lang}
        if not own:
            if required and not plain:
                self.problems.append(row.found(column, f"{row.get('type') or 'this row'} needs a {column}"))
            return plain
        for lang in self.languages:
            if plain:
                own.setdefault(lang, plain)
            elif lang not in own:
                where = f"{column}::{column_suffix(lang)}"
                self.problems.append(Found(row.sheet, row.number, where, f"missing translation for {lang}"))
        return {lang: own[lang] for lang in self.languages if lang in own} or None


def base_type(row: Row) -> str:
    """The row's type in small letters with single spaces ('select_one yes_no', 'begin group')."""
    return " ".join(row.get("type").split()).lower() if row.get("type") else ""


def item_id(name: str) -> str | None:
    """A name of the form as a Lyssna id (lowercase letters, digits and _), or None if it cannot be one."""
    converted = re.sub(r"[^a-z0-9_]", "_", name.lower()).strip("_")
    if converted and not converted[0].isalpha():
        converted = f"q_{converted}"
    return converted if re.fullmatch(ITEM_ID, converted or "-") else None


@dataclass
class Kind:
    """What a row asks, in Lyssna's terms."""

    type: str  # a Lyssna question type, or 'unsupported', 'metadata', 'hidden', 'calculate', 'consent'
    list_name: str | None = None
    other: bool = False
    why: str = ""


def kind_of(row: Row) -> Kind:
    """The Lyssna question type of a survey row (not a group)."""
    written = base_type(row)
    appearance = row.get("appearance").lower()
    select = _SELECT.match(written)
    if _FROM_FILE.match(written) or "search(" in appearance:
        return Kind("unsupported", why="Lyssna cannot take choices from a file")
    if select:
        kind = select.group("kind")
        lyssna = "ranking" if kind == "rank" else "multiple_choice"
        if kind in ("select_one", "select one", "select1"):
            lyssna = "single_choice"
        return Kind(lyssna, select.group("list"), other=bool(select.group("other")))
    simple = {
        "text": "text",
        "string": "text",
        "integer": "integer",
        "int": "integer",
        "decimal": "decimal",
        "date": "date",
        "note": "note",
        "range": "range",
        "image": "photo",
        "photo": "photo",
        "acknowledge": "consent",
        "hidden": "hidden",
        "calculate": "calculate",
    }
    if written in simple:
        found = simple[written]
        return Kind("long_text" if found == "text" and "multiline" in appearance else found)
    if written in METADATA:
        return Kind("metadata")
    if written in UNSUPPORTED:
        return Kind("unsupported", why=UNSUPPORTED[written])
    return Kind("unsupported", why=f"{written!r} is not a question type Lyssna can take")


def flag(row: Row, column: str, ctx: Context) -> bool:
    """A yes/no column; an expression there is more than Lyssna can do."""
    value = row.get(column).lower()
    if value in YES:
        return True
    if value not in NO:
        ctx.problems.append(
            row.found(column, f"{column} is yes or no in Lyssna, not {row.get(column)!r}", True)
        )
    return False


def condition(row: Row, ctx: Context) -> dict | None:
    """The row's `relevant` as a condition; an expression Lyssna cannot say is a problem."""
    if not row.get("relevant"):
        return None
    try:
        return relevant_to_condition(row.get("relevant"), ctx.targets)
    except XPathError as exc:
        ctx.problems.append(row.found("relevant", f"{row.get('relevant')!r}: {exc}", True))
        return None


def question(row: Row, kind: Kind, qid: str, ctx: Context, choices: Any) -> Map:
    """The question of a row whose type Lyssna has (choices: what the question's choices become)."""
    q = Map({"id": qid}, block=True)
    lyssna = kind.type
    if lyssna == "range":
        lyssna, limits = _range(row, ctx)
    q["type"] = lyssna
    if lyssna == "rating":
        q["scale"] = limits
    if lyssna == "single_choice" and any(
        a in row.get("appearance").lower() for a in ("minimal", "autocomplete")
    ):
        q["display"] = "dropdown"
    if lyssna != "note" and flag(row, "required", ctx):
        q["required"] = True
    shown = condition(row, ctx)
    if shown is not None:
        q["show_if"] = shown
    if lyssna == "note":
        q["text"] = ctx.text(row, "label", required=True)
    else:
        q["label"] = ctx.text(row, "label", required=True)
    hint = ctx.text(row, "hint")
    if hint:
        q["hint"] = hint
    if choices is not None:
        q["choices"] = choices
    if kind.type == "range" and lyssna != "rating":
        q.update(limits)
    q.update(_limits(row, lyssna, ctx))
    if kind.other:
        q["other"] = True
    _remarks(row, ctx)
    return q


def _range(row: Row, ctx: Context) -> tuple[str, Any]:
    """A range: a rating where it is one of Lyssna's scales, else a number between start and end."""
    params = dict(re.findall(r"(\w+)\s*=\s*([-\d.]+)", row.get("parameters")))
    try:
        start, end, step = (float(params.get(k, d)) for k, d in (("start", 1), ("end", 10), ("step", 1)))
    except ValueError:
        ctx.problems.append(row.found("parameters", "start, end and step must be numbers"))
        return "integer", {}
    if (start, end, step) == (1, 5, 1):
        return "rating", "stars5" if "rating" in row.get("appearance").lower() else "smiley5"
    if (start, end, step) == (0, 10, 1):
        return "rating", "nps"
    if all(v.is_integer() for v in (start, end)) and step == 1:
        return "integer", {"min": int(start), "max": int(end)}
    low, high = min(start, end), max(start, end)
    return "decimal", {"min": _num(low), "max": _num(high), "step": _num(abs(step))}


def _num(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _limits(row: Row, lyssna: str, ctx: Context) -> dict:
    if not row.get("constraint"):
        if row.texts.get("constraint_message"):
            ctx.notes.append(row.found("constraint_message", "left out: there is no constraint it explains"))
        return {}
    values = ctx.targets.get(row.get("name"), Target("question", "")).values
    try:
        keys = constraint_keys(row.get("constraint"), lyssna, values)
    except XPathError as exc:
        ctx.problems.append(row.found("constraint", f"{row.get('constraint')!r}: {exc}", True))
        return {}
    if "pattern" in keys and row.texts.get("constraint_message"):
        keys["pattern_message"] = ctx.text(row, "constraint_message")
    elif row.texts.get("constraint_message"):
        ctx.notes.append(
            row.found("constraint_message", "left out: Lyssna words the messages of its limits itself")
        )
    return keys


def _remarks(row: Row, ctx: Context) -> None:
    """Columns Lyssna has no place for: noted in the file and in the command's output."""
    remarks = {
        "default": "Lyssna does not fill in answers in advance",
        "required_message": "Lyssna words the message for a required question itself",
        "guidance_hint": "Lyssna has no guidance hints",
        "image": "a picture needs a file in surveys/media and alt text: add `image:` by hand",
        "audio": "a recording needs a file in surveys/media: add `audio:` by hand",
        "video": "Lyssna shows no videos",
        "read_only": "Lyssna has no read-only questions",
    }
    for column, why in remarks.items():
        if row.get(column) or row.texts.get(column):
            written = row.get(column) or next(iter(row.texts[column].values()))
            ctx.notes.append(row.found(column, f"{written!r} left out: {why}"))
    if row.get("choice_filter"):
        ctx.problems.append(
            row.found(
                "choice_filter",
                "Lyssna cannot filter choices by earlier answers (all choices are shown)",
                True,
            )
        )
    if row.get("calculation"):
        ctx.problems.append(row.found("calculation", "Lyssna does not calculate answers", True))
