"""Translations for translators who do not edit YAML: every text of a survey under a stable key, its state
in a target language (missing, stale or done, from the stored versions), written to and read from a
spreadsheet (xlsx) or a PO file, and written back into the survey's YAML file keeping its comments and layout.

Keys (docs/survey-format.md, "Translators: export and import") name items by id, never by position:
`title`, `consent/text`, `page:more/intro`, `question:count/label`, `question:count/choice:1/label`,
`question:views/row:clean/label`, `choice_list:agree5/choice:1/label`, `question:map/image/alt`.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import yaml as pyyaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from flask_babel import force_locale
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)
from ruamel.yaml.tokens import CommentToken
from sqlalchemy import inspect, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.i18n import text_direction
from app.models import SurveyVersion
from app.surveys.checks import TEXT_KEYS
from app.surveys.loader import (
    Problem,
    content_hash,
    format_path,
    line_of,
    load_text,
    parse_yaml,
    survey_from_json,
)
from app.surveys.models import LANGUAGE, Strict, Survey, Text

# How an item of a list is named in a key: its kind, then its id (pages, questions, rows) or value (choices).
ITEM_KINDS = {"pages": "page", "questions": "question", "rows": "row", "choices": "choice"}
FORMATS = ("xlsx", "po")


class TranslationError(Exception):
    """A translation file that cannot be read, or translations that cannot be imported; says why."""


class InvalidResult(TranslationError):
    """The survey file, before or after the translations, has problems (listed as `validate` lists them)."""

    def __init__(self, message: str, problems: list[Problem]):
        super().__init__(message)
        self.problems = problems


# ----------------------------------------------------------------------------- the texts of a survey


@dataclass(frozen=True)
class SurveyText:
    """One text of a survey: its stable key, where it is in the file, and its value."""

    key: str
    path: tuple[str | int, ...]
    text: Text


def survey_texts(survey: Survey) -> list[SurveyText]:
    """Every text of a survey in definition order, each under a key that survives reordering."""
    return list(_walk(survey, "", ()))


def _walk(node: Strict, prefix: str, path: tuple) -> Iterator[SurveyText]:
    for name, info in type(node).model_fields.items():
        key, value = info.alias or name, getattr(node, name)
        here = (*path, key)
        if value is None:
            continue
        if key in TEXT_KEYS and _is_text(value):
            yield SurveyText(prefix + key, here, value)
        elif key == "interface":  # the survey's own wording of interface texts: any of its languages
            items = value.items() if isinstance(value, dict) else _fields(value)
            yield from (SurveyText(f"{prefix}{key}/{k}", (*here, k), v) for k, v in items if _is_text(v))
        elif key == "choice_lists":
            for list_name, choices in value.items():
                yield from _items(choices, f"choice_list:{list_name}/", "choice", (*here, list_name))
        elif key in ITEM_KINDS and isinstance(value, list):
            # Question ids are unique in a survey: a question's key leaves its page out and survives a move.
            yield from _items(value, "" if key == "questions" else prefix, ITEM_KINDS[key], here)
        elif isinstance(value, Strict):  # the consent step, a picture (its `alt`)
            yield from _walk(value, f"{prefix}{key}/", here)


def _items(items: list, prefix: str, kind: str, path: tuple) -> Iterator[SurveyText]:
    for index, item in enumerate(items):
        name = item.value if kind == "choice" else item.id
        yield from _walk(item, f"{prefix}{kind}:{name}/", (*path, index))


def _fields(model: Strict) -> Iterator[tuple[str, Any]]:
    return ((info.alias or name, getattr(model, name)) for name, info in type(model).model_fields.items())


def _is_text(value: Any) -> bool:
    return isinstance(value, str) or (
        isinstance(value, dict) and bool(value) and all(isinstance(v, str) for v in value.values())
    )


def wordings(text: Text, languages: Iterable[str]) -> dict[str, str]:
    """A text by language: one string stands for every language of the survey."""
    return dict.fromkeys(languages, text) if isinstance(text, str) else dict(text)


# ----------------------------------------------------------------------------- states, from the versions


@dataclass
class Row:
    """One text in a translation file: its key, source text, translation ('' for none), state and notes."""

    key: str
    source: str
    translation: str
    state: str = ""
    note: str = ""


@dataclass
class Translations:
    """What a translation file holds: which survey, from and into which language, and its rows."""

    survey_id: str | None
    language: str
    rows: list[Row]
    source: str | None = None
    title: str = ""
    version: str = ""  # which stored version the texts are, in words

    def count(self, state: str) -> int:
        return sum(row.state == state for row in self.rows)


# The texts by key and language of each stored version (its number), then of the file (None) if it differs.
History = list[tuple[int | None, dict[str, dict[str, str]]]]


def _history(session: Session, survey: Survey) -> History:
    stored = session.execute(
        select(SurveyVersion.content_hash, SurveyVersion.definition)
        .filter_by(survey_id=survey.id)
        .order_by(SurveyVersion.id)
    ).all()
    states: list[tuple[int | None, Survey]] = [
        (number, survey_from_json(row.definition)) for number, row in enumerate(stored, start=1)
    ]
    if not stored or stored[-1].content_hash != content_hash(survey):
        states.append((None, survey))
    return [(n, {t.key: wordings(t.text, s.languages) for t in survey_texts(s)}) for n, s in states]


def _since(history: History, key: str, language: str) -> int:
    """The index in `history` from which the text has had its current wording in `language`."""
    current = history[-1][1].get(key, {}).get(language)
    index = len(history) - 1
    while index > 0 and history[index - 1][1].get(key, {}).get(language) == current:
        index -= 1
    return index


@dataclass(frozen=True)
class Staleness:
    """A translation older than its source text: where each last changed, and what was translated."""

    source_changed: int | None  # a version number, or None: in the file, not yet recorded
    translated: int | None
    translated_from: str

    def message(self, source: str, language: str) -> str:
        return (
            f"the {source} text changed in {_version(self.source_changed)}; "
            f"the {language} translation is from {_version(self.translated)}"
        )


def _version(number: int | None) -> str:
    return "this file (not yet recorded by sync)" if number is None else f"version {number}"


def _stale(history: History, key: str, source: str, language: str) -> Staleness | None:
    source_since, translation_since = _since(history, key, source), _since(history, key, language)
    if source_since <= translation_since:
        return None
    then = history[translation_since]
    return Staleness(history[source_since][0], then[0], then[1][key].get(source, ""))


def export_translations(session: Session, survey: Survey, language: str) -> Translations:
    """Every text of the survey with its translation into `language` and its state."""
    source = survey.default_language
    if not re.fullmatch(LANGUAGE, language):
        raise TranslationError(f"{language!r} is not a language code (such as so, ar or pt-BR)")
    if language == source:
        raise TranslationError(f"{language} is the survey's first language: its texts are translated from it")
    history = _history(session, survey)
    rows = []
    for text in survey_texts(survey):
        words = wordings(text.text, survey.languages)
        row = Row(text.key, words.get(source) or _app_text(text.key, source), words.get(language, ""), "done")
        stale = _stale(history, text.key, source, language) if row.translation else None
        if not row.translation:
            row.state = "missing"
        elif stale:
            row.state = "stale"
            row.note = (
                f"{stale.message(source, language)}. The translation was made for: {stale.translated_from}"
            )
        rows.append(row)
    number = history[-1][0]
    version = f"version {number}" if number else "not yet recorded by flask surveys sync"
    title = wordings(survey.title, survey.languages)[source]
    return Translations(survey.id, language, rows, source, title, version)


def _app_text(key: str, language: str) -> str:
    """Lyssna's own wording of an interface text (`interface/next`) in `language`: what residents see
    where the survey words it in other languages only."""
    from app.languages.interface import TEXTS  # only surveys with `interface` texts get here

    with force_locale(language):
        return str(TEXTS[key.rsplit("/", 1)[-1]][0])


def stale_translations(session: Session, survey: Survey, path: Path, display: str) -> list[Problem]:
    """A warning for each translation older than its source text, by the stored versions (for `validate`)."""
    history = _history(session, survey)
    if len(history) < 2:
        return []
    _, lines = parse_yaml(path.read_text(encoding="utf-8"))
    source = survey.default_language
    found = []
    for text in survey_texts(survey):
        for language in survey.languages[1:]:
            stale = _stale(history, text.key, source, language)
            if stale:
                where, message = (*text.path, language), stale.message(source, language)
                found.append(
                    Problem(display, line_of(where, lines), format_path(text.path), f"warning: {message}")
                )
    return found


def stale_warnings(session: Session, loaded: list[tuple[Path, str, Survey]]) -> list[str]:
    """`validate`'s warnings about stale translations in the valid files (path, name shown, survey); without
    a database to read versions from, one line that says none were looked for."""
    try:
        if not inspect(session.get_bind()).has_table(SurveyVersion.__tablename__):
            return []
    except OperationalError as exc:
        return [f"stale translations not checked: the database cannot be read ({exc.orig})"]
    return [str(p) for path, name, survey in loaded for p in stale_translations(session, survey, path, name)]


# ----------------------------------------------------------------------------- files: xlsx and PO

HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
SOURCE_FILL = PatternFill("solid", fgColor="F2F2F2")  # read-only looking: the source is not to be edited
STATE_FILLS = {
    "missing": PatternFill("solid", fgColor="F8D7DA"),
    "stale": PatternFill("solid", fgColor="FFF3CD"),
}
WIDTHS = {"A": 38, "B": 60, "C": 60, "D": 10, "E": 50}
HOW_TO = (
    "Write each translation in the translation column (C), one cell per text, and leave the other columns "
    "as they are. An empty cell means no translation. 'missing': not translated yet; 'stale': the source "
    "text changed after it was translated (the notes say what it was); 'done': translated. The notes column "
    "is yours too: it is not read back.",
    "Then: flask surveys translations import FILE (with --add-language for a language the survey does not "
    "have yet).",
)


def write_file(translations: Translations, path: Path, fmt: str) -> None:
    """Write the translations as a spreadsheet (`xlsx`) or a PO file (`po`)."""
    (_write_xlsx if fmt == "xlsx" else _write_po)(translations, path)


def _write_xlsx(translations: Translations, path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Translations"
    header = [
        "key",
        f"{translations.source} (source)",
        f"{translations.language} (translation)",
        "state",
        "notes",
    ]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in translations.rows:
        values = [row.key, row.source, row.translation or None, row.state, row.note or None]
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a text that begins with '=' stays a text, never a formula
        key, source, _, state, _ = sheet[sheet.max_row]
        key.font = source.font = Font(color="595959")
        source.fill = SOURCE_FILL
        if row.state in STATE_FILLS:
            state.fill = STATE_FILLS[row.state]
    for column, width in WIDTHS.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:E{sheet.max_row}"
    sheet.sheet_view.rightToLeft = text_direction(translations.language) == "rtl"
    about = book.create_sheet("About")
    for label, value in (
        ("survey", translations.survey_id),
        ("title", translations.title),
        ("from", translations.source),
        ("into", translations.language),
        ("texts", f"{translations.version}, exported {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"),
        *(("how", line) for line in HOW_TO),
    ):
        about.append([label, value])
        about.cell(about.max_row, 2).data_type = "s"
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 10, 100
    for (cell,) in about.iter_rows(max_col=1):
        cell.font = Font(bold=True)
    for (cell,) in about.iter_rows(min_col=2, max_col=2):
        cell.alignment = wrap
    book.save(path)


def _write_po(translations: Translations, path: Path) -> None:
    catalog = Catalog(
        locale=translations.language.replace("-", "_"),
        project=translations.survey_id,
        version=(translations.version.split()[-1] if translations.version.startswith("version") else "new"),
        header_comment=(
            f"# Texts of the survey {translations.survey_id} ({translations.title}), from "
            f"{translations.source} into {translations.language}: {translations.version}.\n"
            "# msgctxt is the text's key, msgid the source text; write the translation in msgstr.\n"
            "# An empty msgstr means no translation; fuzzy: the source text changed after the translation.\n"
            "# Then: flask surveys translations import FILE"
        ),
        fuzzy=False,
    )
    for row in translations.rows:
        message = catalog.add(
            row.source,
            row.translation,
            context=row.key,
            flags=["fuzzy"] if row.state == "stale" else [],
            auto_comments=[row.note] if row.note else [],
        )
        message.flags.discard("python-format")  # a % in a survey text is just a per cent sign
    with path.open("wb") as out:
        write_po(out, catalog, width=100)


def read_translations(path: Path) -> Translations:
    """Read back a file written by `write_file` (and edited by a translator)."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".po"):
        raise TranslationError(f"{path.name}: not a translation file (.xlsx or .po)")
    try:
        return _read_xlsx(path) if suffix == ".xlsx" else _read_po(path)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, UnicodeDecodeError) as exc:
        raise TranslationError(f"{path.name}: cannot be read as a translation file ({exc})") from None


def _read_xlsx(path: Path) -> Translations:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        sheet = book["Translations"] if "Translations" in book.sheetnames else book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_cell(value) for value in next(rows, ())]
        found = [m for m in (re.fullmatch(r"(\S+) \(translation\)", h) for h in header) if m]
        if "key" not in header or not found:
            raise TranslationError(
                f"{path.name}: no 'key' and 'LANGUAGE (translation)' columns in its first row"
            )
        key, translation = header.index("key"), header.index(found[0].group(0))
        source = next((i for i, h in enumerate(header) if h.endswith(" (source)")), None)
        read = [
            Row(_cell(r[key]), _cell(r[source]) if source is not None else "", _cell(r[translation]))
            for r in rows
            if len(r) > max(key, translation) and _cell(r[key])
        ]
        about = {}
        if "About" in book.sheetnames:
            about = {
                _cell(r[0]): _cell(r[1]) for r in book["About"].iter_rows(values_only=True) if len(r) > 1
            }
    finally:
        book.close()
    return Translations(about.get("survey") or None, found[0].group(1), read)


def _read_po(path: Path) -> Translations:
    with path.open("rb") as f:
        catalog = read_po(f)
    if not catalog.locale_identifier:
        raise TranslationError(f"{path.name}: the PO file has no Language header")
    rows = [
        Row(message.context or "", _cell(message.id), _cell(message.string))
        for message in catalog
        if message.id and isinstance(message.id, str)
    ]
    project = catalog.project if catalog.project not in ("", "PROJECT") else None
    return Translations(project, catalog.locale_identifier.replace("_", "-"), rows)


def _cell(value: Any) -> str:
    """A cell's or message's text as a survey text: line breaks as \\n, no blanks around it ('' for none)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


# ----------------------------------------------------------------------------- import into the YAML file


@dataclass
class ImportReport:
    """What an import did: the keys translated, how many were unchanged or empty, and what it skipped."""

    translated: list[str] = field(default_factory=list)
    unchanged: int = 0
    empty: int = 0
    skipped: list[str] = field(default_factory=list)  # "key (why)"
    outdated: list[str] = field(default_factory=list)  # translated from a source text since changed
    added_language: bool = False
    written: bool = False


def import_translations(path: Path, display: str, incoming: Translations, add_language: bool) -> ImportReport:
    """Write the translations into the survey file at `path`, keeping its comments and layout, if the result
    is valid; the file is not touched when nothing changes."""
    text = path.read_text(encoding="utf-8")
    before = load_text(text, display, expected_id=path.stem)
    if before.survey is None:
        raise InvalidResult("the survey file has problems; fix them first", before.problems)
    survey, language = before.survey, incoming.language
    if language == survey.default_language:
        raise TranslationError(
            f"{language} is the survey's first language: translations go into other languages"
        )
    if language not in survey.languages and not add_language:
        raise TranslationError(
            f"{survey.id} has no {language} among its languages ({', '.join(survey.languages)}); "
            f"pass --add-language to add it"
        )
    changes, report = _changes(survey, incoming)
    report.added_language = language not in survey.languages
    if not changes and not report.added_language:
        return report
    edited = _edit(text, survey, language, changes)
    after = load_text(edited, display, expected_id=path.stem)
    if after.survey is None:
        raise InvalidResult("the survey file would not be valid with these translations", after.problems)
    if _without(after.survey, language, survey.languages) != _without(survey, language, survey.languages):
        # A safeguard: whatever ruamel.yaml does, nothing but the translations may change.
        raise TranslationError(f"writing would change more than the {language} texts (please report this)")
    _replace(path, edited)
    report.written = True
    return report


def _without(survey: Survey, language: str, languages: list[str]) -> str:
    """The survey as JSON with `language` left out of its texts and languages (each text read in
    `languages`, so a text written once equals the map it became)."""
    data = survey.model_dump(mode="json", by_alias=True)
    data["languages"] = [lang for lang in data["languages"] if lang != language]
    for text in survey_texts(survey):
        parent = data
        for part in text.path[:-1]:
            parent = parent[part]
        words = wordings(text.text, languages)
        parent[text.path[-1]] = {lang: words[lang] for lang in sorted(words) if lang != language}
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def _changes(
    survey: Survey, incoming: Translations
) -> tuple[dict[str, tuple[SurveyText, str]], ImportReport]:
    """The texts whose translation the file changes, with the new translation; and the report so far."""
    texts = {t.key: t for t in survey_texts(survey)}
    source, language = survey.default_language, incoming.language
    changes: dict[str, tuple[SurveyText, str]] = {}
    report, seen = ImportReport(), set()
    for row in incoming.rows:
        entry = texts.get(row.key)
        if entry is None or row.key in seen:
            why = "listed twice" if entry else f"no such text in {survey.id}"
            report.skipped.append(f"{row.key} ({why})")
            continue
        seen.add(row.key)
        words = wordings(entry.text, survey.languages)
        new = _cell(row.translation)
        if not new:
            report.empty += 1
        elif new == _cell(words.get(language)) or (isinstance(entry.text, str) and new == _cell(entry.text)):
            report.unchanged += 1  # a text written once, copied as it is, stands for the new language too
        else:
            changes[row.key] = (entry, new)
            report.translated.append(row.key)
            if row.source and words.get(source) and row.source != _cell(words[source]):
                report.outdated.append(row.key)
    return changes, report


def _edit(text: str, survey: Survey, language: str, changes: dict[str, tuple[SurveyText, str]]) -> str:
    """The file's text with the translations set and the language added (if new), by a round trip."""
    yaml = _round_trip(text)
    data = yaml.load(text)
    base = _dump(yaml, data)
    lines = text.splitlines()
    languages = survey.languages if language in survey.languages else [*survey.languages, language]
    for entry, new in changes.values():
        parent, key = data, entry.path[-1]
        for part in entry.path[:-1]:
            parent = parent[part]
        _set(parent, key, language, new, languages)
        _keep_gap(parent, key, lines)
        _keep_gap(parent[key], language, lines)
    if language not in survey.languages:
        _add_language(data, languages, lines)
    return _keep_layout(text, base, _dump(yaml, data))


def _set(parent: CommentedMap, key: str, language: str, new: str, languages: list[str]) -> None:
    """Set one text's translation; a text written once becomes a map of every language."""
    value = parent[key]
    flow = bool(parent.fa.flow_style())
    if isinstance(value, CommentedMap):
        flow = bool(value.fa.flow_style())
        if language in value:
            old = value[language]
            value[language] = _scalar(new, flow, quoted=old, block=old)
        else:
            _insert(value, len(value), language, _scalar(new, flow, block=next(iter(value.values()))))
        return
    mapping = CommentedMap()
    (mapping.fa.set_flow_style if flow else mapping.fa.set_block_style)()
    for lang in languages:
        mapping[lang] = _scalar(new, flow, block=value) if lang == language else value
    below = "" if flow else _take_below(parent, key)
    parent[key] = mapping
    _put_below(mapping, languages[-1], below)


def _scalar(text: str, flow: bool, quoted: Any = None, block: Any = None) -> Any:
    """A text as YAML writes it: several lines as a `|` block (ending in a line break when `block`, its
    neighbour, does), quoted as `quoted` was or where plain would not read back as this text."""
    if "\n" in text:
        if flow:
            return DoubleQuotedScalarString(text)
        return LiteralScalarString(text + "\n" if str(block or "").endswith("\n") else text)
    if isinstance(quoted, (DoubleQuotedScalarString, SingleQuotedScalarString)):
        return type(quoted)(text)
    return text if _plain_reads_back(text, flow) else DoubleQuotedScalarString(text)


def _plain_reads_back(text: str, flow: bool) -> bool:
    """True when `text` unquoted reads back as this text: ruamel.yaml writes it so, Lyssna's loader (stricter
    in `{...}`: `full?}`) reads it so, and older tools do not take it for true or false (yes/no/on/off)."""
    if text.lower() in ("yes", "no", "on", "off", "y", "n"):
        return False
    probe = CommentedMap([("k", text)])
    if flow:
        probe.fa.set_flow_style()
    yaml = YAML()
    yaml.width = 1_000_000
    written = _dump(yaml, probe)
    if written not in (f"k: {text}\n", f"{{k: {text}}}\n"):
        return False
    try:
        return parse_yaml(written)[0] == {"k": text}
    except pyyaml.YAMLError:
        return False


def _insert(mapping: CommentedMap, index: int, key: str, value: Any) -> None:
    """Put a key in a map at `index`; in a block map, the comment and blank lines below the key before it
    (they belong to what comes next in the file) move below the new one."""
    below = "" if mapping.fa.flow_style() or not index else _take_below(mapping, list(mapping)[index - 1])
    mapping.insert(index, key, value)
    _put_below(mapping, key, below)


def _take_below(mapping: CommentedMap, key: str) -> str:
    """Take the comment and blank lines below a key's value (below the last key of a block map value) from
    it, leaving a comment at the end of its line where it is; '' when there are none."""
    value = mapping[key]
    if isinstance(value, CommentedMap) and value and not value.fa.flow_style():
        return _take_below(value, next(reversed(value)))
    item = mapping.ca.items.get(key)
    token = item[2] if item and len(item) > 2 else None
    if token is None:
        return ""
    if isinstance(value, (LiteralScalarString, FoldedScalarString)):  # it ends its own line: all is below
        item[2] = None
        column = getattr(token.start_mark, "column", 0) if not token.value.startswith("\n") else 0
        return " " * column + token.value
    end_of_line, newline, below = token.value.partition("\n")
    if below:
        if end_of_line.strip():
            token.value = end_of_line + newline
        else:
            item[2] = None
    return below


def _put_below(mapping: CommentedMap, key: str, below: str) -> None:
    """Comment and blank lines below a key's value (a `|` block ends its own line)."""
    if below:
        end = "" if isinstance(mapping[key], (LiteralScalarString, FoldedScalarString)) else "\n"
        mapping.ca.items[key] = [None, None, CommentToken(end + below, CommentMark(0)), None]


def _keep_gap(mapping: Any, key: str, lines: list[str]) -> None:
    """Keep the spaces between a value and the comment at the end of its line, however long the value
    grows (ruamel.yaml would keep the comment's column instead)."""
    item = mapping.ca.items.get(key) if isinstance(mapping, CommentedMap) else None
    token = item[2] if item and len(item) > 2 else None
    if token is None or token.value.startswith("\n") or not getattr(token.start_mark, "column", 0):
        return
    line, column = token.start_mark.line, token.start_mark.column
    gap = column - len(lines[line][:column].rstrip())
    token.value = " " * max(gap - 1, 0) + token.value  # the writer adds one space before column 0
    token.start_mark.column = 0


def _add_language(data: CommentedMap, languages: list[str], lines: list[str]) -> None:
    """Set `languages`: the new one appended to the list, or the list written after the title."""
    if "languages" in data:
        data["languages"].append(languages[-1])
        _keep_gap(data, "languages", lines)
        return
    written = CommentedSeq(languages)
    written.fa.set_flow_style()
    after = max(list(data).index(k) for k in ("id", "title", "description") if k in data)
    _insert(data, after + 1, "languages", written)


# Indentations (mapping, sequence, dash offset) survey files are written with; the examples use the first.
INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (3, 3, 0))


def _round_trip(text: str) -> YAML:
    """A round-trip reader and writer with the indentation that writes this text back most like it is."""
    best, fewest = None, None
    for mapping, sequence, offset in INDENTS:
        yaml = YAML()
        yaml.preserve_quotes = True
        yaml.width = 1_000_000  # never fold a line the file has on one line
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        again = _dump(yaml, yaml.load(text))
        differing = sum(a != b for a, b in zip(again.splitlines(), text.splitlines(), strict=False))
        differing += abs(len(again.splitlines()) - len(text.splitlines()))
        if fewest is None or differing < fewest:
            best, fewest = yaml, differing
        if not differing:
            break
    return best


def _dump(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _keep_layout(original: str, base: str, edited: str) -> str:
    """The edited text with every line the edit left alone as the file has it. Where ruamel.yaml writes
    the unedited file otherwise (`base`: another indentation, lines joined), those lines stay as they were,
    and the lines the edit adds are indented as the file indents their neighbours."""
    if base == original:
        return edited
    old, unedited, new = original.splitlines(True), base.splitlines(True), edited.splitlines(True)
    file_line: dict[
        int, int
    ] = {}  # a line of `base` -> the same line (perhaps indented otherwise) of the file
    blocks = difflib.SequenceMatcher(
        None, [x.strip() for x in old], [x.strip() for x in unedited], autojunk=False
    )
    for tag, i1, i2, j1, j2 in blocks.get_opcodes():
        if tag == "equal":
            file_line.update(zip(range(j1, j2), range(i1, i2), strict=True))
    kept, added = [False] * len(unedited), {}  # base lines the edit keeps; new lines before a base line
    for tag, j1, j2, k1, k2 in difflib.SequenceMatcher(None, unedited, new, autojunk=False).get_opcodes():
        if tag == "equal":
            kept[j1:j2] = [True] * (j2 - j1)
            continue
        anchor = j1 if tag == "replace" else j1 - 1
        added[j1] = [_reindent(line, old, unedited, file_line, anchor) for line in new[k1:k2]]
    out: list[str] = []
    for tag, i1, i2, j1, j2 in blocks.get_opcodes():
        if tag != "equal" and all(kept[j1:j2]) and not any(j in added for j in range(j1 + 1, j2)):
            out += added.pop(j1, []) + old[i1:i2]  # written otherwise by ruamel.yaml, untouched by the edit
            continue
        for j in range(j1, j2):
            out += added.pop(j, [])
            if kept[j]:
                out.append(old[file_line[j]] if j in file_line else unedited[j])
    return "".join(out + added.pop(len(unedited), []))


def _reindent(line: str, old: list[str], unedited: list[str], file_line: dict[int, int], anchor: int) -> str:
    """A line of the edited text, indented as the file indents the nearest line before it that ruamel.yaml
    indents no deeper."""
    depth = len(line) - len(line.lstrip(" "))
    for j in range(anchor, -1, -1):
        written = len(unedited[j]) - len(unedited[j].lstrip(" "))
        if j in file_line and written <= depth and unedited[j].strip():
            shift = len(old[file_line[j]]) - len(old[file_line[j]].lstrip(" ")) - written
            return " " * shift + line if shift >= 0 else line[min(-shift, depth) :]
    return line


def _replace(path: Path, text: str) -> None:
    """Write the file whole or not at all: a temporary file in the same folder, renamed over it."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
