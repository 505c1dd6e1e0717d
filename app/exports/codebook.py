"""What every export column means (the codebook), conditions in words, and the About facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l

from app.exports.codes import is_number, numeric_codes
from app.exports.rows import OTHER_LABELS, neutralise
from app.exports.table import Column, Table
from app.surveys.models import OTHER, AllOf, AnyOf, NotOf, Survey

APP_NAME = "Lyssna"
# Bump with changes to the export layout, so a file says which layout it follows.
EXPORT_LAYOUT_VERSION = "1"

FIXED_TEXTS = {
    "response_id": _l("Random id of the response (not linked to any person)"),
    "survey_version": _l(
        "Number of the survey version the response was submitted on (if unfinished: last saved on); see About"
    ),
    "started_version": _l("Number of the survey version the response was started on; see About"),
    "status": _l("complete (submitted) or in_progress (started, not submitted)"),
    "started_at": _l("When the resident started (local time, {tz})"),
    "submitted_at": _l("When the resident submitted (local time, {tz}); empty if not submitted"),
    "duration_seconds": _l("Seconds from start to submission"),
    "language": _l("Language the resident answered in"),
    "channel": _l("How the resident came: kiosk (a shared device at a meeting) or link (a QR code or link)"),
    "demo": _l("1 for demo data made by `flask demo seed` (not real answers), else 0"),
    "last_page": _l("Unfinished responses: the page the resident would see next"),
    "last_active_at": _l("Unfinished responses: when the resident last saved a page (local time, {tz})"),
}
TYPE_NAMES = {"fixed": _l("response"), "hidden": _l("hidden field"), "participant": _l("participant code")}
OPERATOR_WORDS = {
    "equals": _l("is"),
    "not_equals": _l("is not"),
    "in": _l("is one of"),
    "not_in": _l("is none of"),
    "gt": _l("is more than"),
    "gte": _l("is at least"),
    "lt": _l("is less than"),
    "lte": _l("is at most"),
    "contains": _l("includes"),
}
CODEBOOK_HEADER = (
    "name",
    "question",
    "type",
    "page",
    "values",
    "condition",
    "required",
    "versions",
    "wordings",
)


@dataclass(frozen=True)
class CodebookEntry:
    """One codebook row: what a column holds."""

    name: str
    question: str
    type: str
    page: str
    values: tuple[tuple[Any, str], ...]
    condition: str
    required: str
    versions: tuple = ()  # the versions that asked this column (all: empty); across waves "baseline v1"
    wordings: tuple[Wording, ...] = ()  # each distinct wording of the question, with its versions
    stored: dict = field(default_factory=dict)  # text code -> (SPSS number, Stata value): see stored_codes

    @property
    def values_text(self) -> str:
        """The codes and their labels in one line: '1 = Yes; no_answer = No answer (SPSS -1, Stata .a)'."""
        return "; ".join(f"{code} = {label}{self._stored_text(code)}" for code, label in self.values)

    def _stored_text(self, code: Any) -> str:
        if code not in self.stored:
            return ""
        sav, dta = self.stored[code]
        return f" (SPSS and Stata {sav})" if str(sav) == dta else f" (SPSS {sav}, Stata {dta})"

    @property
    def versions_text(self) -> str:
        """The versions that asked the column, e.g. '1, 2, 3'; empty when every version has it."""
        return ", ".join(str(n) for n in self.versions)

    @property
    def wordings_text(self) -> str:
        """Every wording with its versions, e.g. 'v1, v2: How happy are you? | v3: How happy are you now?';
        empty when there was only ever one."""
        if len(self.wordings) < 2:
            return ""
        return " | ".join(w.text_with_versions for w in self.wordings)

    def cells(self, guard: bool = False) -> list[str]:
        """The entry as text cells, in CODEBOOK_HEADER order (with the formula guard for CSV)."""
        cells = [
            self.name,
            self.question,
            self.type,
            self.page,
            self.values_text,
            self.condition,
            self.required,
            self.versions_text,
            self.wordings_text,
        ]
        return [neutralise(x) for x in cells] if guard else cells


@dataclass(frozen=True)
class Wording:
    """One wording of a question (in the export's language) and the versions that asked it so."""

    text: str
    versions: tuple  # version numbers; across the waves of a pilot, 'baseline v1'

    @property
    def text_with_versions(self) -> str:
        """'v1, v2: How happy are you?' (across waves: 'baseline v1, follow-up v1: ...')."""
        return ", ".join(n if isinstance(n, str) else f"v{n}" for n in self.versions) + ": " + self.text


def condition_text(cond: Any, survey: Survey, lang: str) -> str:
    """A show_if condition as readable text, e.g. 'satisfaction is at most 2 or station is one of 12, 13'."""
    if cond is None:
        return ""
    with force_locale(lang):
        return _condition_words(cond, survey, lang)


def _condition_words(cond: Any, survey: Survey, lang: str) -> str:
    if isinstance(cond, (AllOf, AnyOf)):
        parts, word = (cond.all_, gettext("and")) if isinstance(cond, AllOf) else (cond.any_, gettext("or"))
        return f" {word} ".join(_grouped(c, survey, lang) for c in parts)
    if isinstance(cond, NotOf):
        return f"{gettext('not')} {_grouped(cond.not_, survey, lang)}"
    if cond.hidden is not None:
        subject, question = gettext("hidden field %(name)s", name=cond.hidden), None
    else:
        subject, question = cond.question, survey.question(cond.question)
    if cond.operator == "answered":
        return f"{subject} {gettext('is answered') if cond.value else gettext('is not answered')}"
    values = cond.value if isinstance(cond.value, list) else [cond.value]
    shown = ", ".join(_value_words(v, question, survey, lang) for v in values)
    return f"{subject} {OPERATOR_WORDS[cond.operator]} {shown}"


def _grouped(cond: Any, survey: Survey, lang: str) -> str:
    text = _condition_words(cond, survey, lang)
    return f"({text})" if isinstance(cond, (AllOf, AnyOf)) else text


def _value_words(value: Any, question: Any, survey: Survey, lang: str) -> str:
    """A compared value, with its choice label where the question has choices."""
    if question is not None:
        for choice in survey.choices(question):
            if choice.value == value:
                return f"{value} ({survey.text(choice.label, lang)})"
    return str(value)


def _condition(column: Column, lang: str) -> str:
    """The page's and the question's conditions together, in words."""
    survey = column.survey
    parts = [
        condition_text(column.page.show_if, survey, lang),
        condition_text(column.question.show_if, survey, lang),
    ]
    parts = [p for p in parts if p]
    if len(parts) == 2:
        return f"({parts[0]}) and ({parts[1]})"
    return parts[0] if parts else ""


def codebook(table: Table) -> list[CodebookEntry]:
    """One entry per column of the table, in column order; its fixed words in the export's language."""
    from app.exports.pilot import PilotTable, pilot_codebook

    if isinstance(table, PilotTable):
        return pilot_codebook(table)
    with force_locale(table.lang):
        return [_entry(table, column) for column in table.columns]


def _entry(table: Table, column: Column) -> CodebookEntry:
    lang = table.lang
    if column.question is None:
        return _fixed_entry(table, column)
    survey, question = column.survey, column.question
    text = _wording(survey, column, lang) or survey.text(question.label, lang)
    page = column.page.id + (f" ({survey.text(column.page.title, lang)})" if column.page.title else "")
    values: tuple = ()
    choices = {c.value: survey.text(c.label, lang) for c in column.choices}
    if column.source in ("flag", "other_chosen"):
        values = ((1, gettext("chosen")), (0, gettext("not chosen")))
    elif column.source == "rank":
        values = ((1, gettext("ranked first")), (len(column.choices), gettext("ranked last")))
    elif column.source == "row":
        values = tuple(choices.items())
    elif question.type == "single_choice":
        if getattr(question, "other", False):
            choices.setdefault(OTHER, OTHER_LABELS.get(lang, OTHER_LABELS["en"]))
        values = tuple(choices.items())
    elif question.type == "rating":
        values = tuple(scale_labels(question, lang).items())
    kind = question.type + SOURCE_KINDS.get(column.source, "")
    required = gettext("yes") if question.required else gettext("no")
    if question.required and question.type == "matrix":
        required = gettext("yes (every row)")
    versions, wordings = _versions_and_wordings(table, column)
    stored = stored_codes([code for code, _ in values]) if column.kind == "choice" else {}
    return CodebookEntry(
        column.name, text, kind, page, values, _condition(column, lang), required, versions, wordings, stored
    )


def categories(table: Table, column: Column, entry: CodebookEntry) -> list[tuple[Any, str | None]]:
    """Every value a coded column can hold, with its label where it has one (the codebook's values, a
    rating's whole scale, 0 before 1 for flags); empty for texts, numbers, dates and ranks."""
    question = column.question
    if table.is_loose(column):
        return []
    if question is not None and question.type == "rating" and column.source == "answer":
        labels = dict(entry.values)
        low, high = question.bounds
        return [(n, labels.get(n)) for n in range(low, high + 1)]
    if (column.kind not in ("choice", "flag") and column.source != "fixed") or not entry.values:
        return []
    if column.kind == "flag":
        return sorted(entry.values)
    return list(entry.values)


def missing_codes(column: Column, entry: CodebookEntry) -> list[Any]:
    """The text codes of a question that mixes them with number codes: the answers SPSS and Stata store as
    missing values (see codes.numeric_codes), so that no mean counts them."""
    if column.kind != "choice" or not any(is_number(code) for code, _ in entry.values):
        return []
    return [code for code, _ in entry.values if not is_number(code)]


def stored_codes(codes: list) -> dict[Any, tuple[Any, str]]:
    """For text codes, what SPSS and Stata store: {'no_answer': (-1, '.a')}; {} when every code is a
    number (stored as it is)."""
    if all(is_number(code) for code in codes):
        return {}
    sav, dta = numeric_codes(codes, "sav"), numeric_codes(codes, "dta")
    return {
        code: (sav[code], f".{dta[code]}" if isinstance(dta[code], str) else str(dta[code]))
        for code in codes
        if not is_number(code)
    }


SOURCE_KINDS = {
    "flag": " (0/1)",
    "rank": " (rank)",
    "other_chosen": " (other, 0/1)",
    "other": " (other text)",
}


def _fixed_entry(table: Table, column: Column) -> CodebookEntry:
    """A column every response has: fixed, hidden field or participant code."""
    values: tuple = ()
    versions: tuple[int, ...] = ()
    if column.source == "fixed":
        text = str(FIXED_TEXTS[column.name]).format(tz=table.timezone.key)
        if column.name == "status":
            values = (("complete", gettext("submitted")), ("in_progress", gettext("started, not submitted")))
        elif column.name == "channel":
            values = (("kiosk", gettext("a shared kiosk device")), ("link", gettext("a QR code or a link")))
        elif column.name == "demo":
            values = ((1, gettext("demo data")), (0, gettext("real answers")))
    elif column.source == "hidden":
        text = gettext(
            "Hidden field '%(name)s', taken from the survey link (e.g. the QR code)", name=column.qid
        )
        versions = _numbers(v.number for v in table.versions if column.qid in v.survey.hidden_fields)
    else:
        text = gettext("Participant code the resident answered with")
    return CodebookEntry(column.name, text, str(TYPE_NAMES[column.source]), "", values, "", "", versions)


def _wording(survey: Survey, column: Column, lang: str) -> str | None:
    """The column's question text as `survey` asks it, e.g. 'What do you sort? [Glass]'; None when
    that version has no such column."""
    question = survey.question(column.qid)
    if question is None or column.name not in survey.columns(question):
        return None
    text = survey.text(question.label, lang)
    if column.source in ("flag", "rank"):
        choice = next((c for c in survey.choices(question) if c.value == column.part), None)
        return f"{text} [{survey.text(choice.label, lang) if choice else column.part}]"
    if column.source == "row":
        row = next((r for r in question.rows if r.id == column.part), None)
        return f"{text} [{survey.text(row.label, lang) if row else column.part}]"
    if column.source in ("other", "other_chosen"):
        other = OTHER_LABELS.get(lang, OTHER_LABELS["en"])
        return f"{text} [{other}]" if column.source == "other_chosen" else f"{text} [{other}: text]"
    return text


def _versions_and_wordings(table: Table, column: Column) -> tuple[tuple[int, ...], tuple[Wording, ...]]:
    """The versions in the export that asked the column, and each distinct wording with its versions."""
    asked: dict[str, list[int]] = {}
    for version in sorted(table.versions, key=lambda v: v.number):
        text = _wording(version.survey, column, table.lang)
        if text is not None and version.number:
            asked.setdefault(text, []).append(version.number)
    versions = _numbers(n for numbers in asked.values() for n in numbers)
    return versions, tuple(Wording(text, tuple(numbers)) for text, numbers in asked.items())


def _numbers(numbers) -> tuple[int, ...]:
    """Version numbers, ascending, without the never-stored version 0."""
    return tuple(sorted(set(numbers) - {0}))


SMILEY_WORDS = (
    "Very dissatisfied",
    "Dissatisfied",
    "Neither satisfied nor dissatisfied",
    "Satisfied",
    "Very satisfied",
)


def scale_labels(question: Any, lang: str) -> dict[int, str]:
    """The value labels of a rating scale in `lang`, worded as residents saw them: the smileys' words,
    "3 stars", and the two ends of the 0-10 recommendation score."""
    with force_locale(lang):
        if question.scale == "smiley5":
            return {n: gettext(word) for n, word in enumerate(SMILEY_WORDS, start=1)}
        if question.scale == "nps":
            return {0: gettext("Not at all likely"), 10: gettext("Extremely likely")}
        return {n: ngettext("%(num)s star", "%(num)s stars", n) for n in range(1, 6)}


def about(table: Table, app_version: str, rows: int | None = None) -> list[tuple[str, str]]:
    """The facts of the About sheet: survey, versions, filters, rows, demo data, when and how made, and
    the answers this format had to cut (known once the rows are written)."""
    from app.exports.pilot import PilotTable, pilot_about

    if isinstance(table, PilotTable):
        return pilot_about(table, app_version, rows)
    options, survey = table.options, table.survey
    versions = "; ".join(
        f"{v.number}: first seen {v.first_seen.astimezone(table.timezone):%Y-%m-%d %H:%M}, {v.rows} row(s)"
        + (" (current)" if i == 0 else "")
        for i, v in enumerate(table.versions)
        if v.number
    )
    filters = [f"status: {'complete and in_progress' if options.include_partial else 'complete only'}"]
    if options.submitted_from:
        filters.append(f"submitted from {options.submitted_from.isoformat()}")
    if options.submitted_to:
        filters.append(f"submitted to {options.submitted_to.isoformat()} (inclusive)")
    filters += [f"hidden field {name} = {value}" for name, value in options.where]
    if options.language:
        filters.append(f"answered in {options.language}")
    if not options.include_demo:
        filters.append("demo data left out")
    demo = "none"
    if table.demo_rows:
        demo = (
            f"{table.demo_rows} of {table.total} rows are DEMO DATA made by `flask demo seed`, "
            "not real answers"
        )
    facts = [
        ("survey", survey.id),
        ("title", table.label(survey.title)),
        ("pilot", survey.pilot or ""),
        ("wave", survey.wave or ""),
        ("versions", versions or "none"),
        ("filters", "; ".join(filters)),
        ("rows", str(table.total if rows is None else rows)),
        ("demo data", demo),
        ("test responses", "never exported"),
        ("values", "labels" if options.values == "labels" else "codes (see Codebook)"),
        ("language of labels", table.lang),
        ("time zone", table.timezone.key),
        ("made at", f"{table.made_at.astimezone(table.timezone):%Y-%m-%d %H:%M:%S}"),
        ("made by", f"{APP_NAME} {app_version}, export layout {EXPORT_LAYOUT_VERSION}"),
        (
            "question texts",
            "in the current wording (the newest version that asked each question), also as the SPSS "
            "and Stata variable labels; the Codebook's wordings column gives every wording with its versions",
        ),
        (
            "texts",
            "exactly as typed; only in CSV files, a text that begins with =, +, -, @, a tab or a carriage "
            "return is written with a leading ' so that no spreadsheet runs it as a formula",
        ),
    ]
    if table.cuts:
        columns = ", ".join(dict.fromkeys(cut.column for cut in table.cuts))
        facts.append(
            (
                "cut answers",
                f"{len(table.cuts)} answer(s) longer than this format holds ({table.cuts[0].limit}) were cut "
                f"here, in {columns}; the other formats keep them whole",
            )
        )
    return facts
