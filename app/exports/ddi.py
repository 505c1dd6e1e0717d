"""DDI Codebook 2.5 (the DDI Alliance's XML for describing a study and its data files, which the
Swedish National Data Service builds its metadata on): the study, the data file, one `var` per export
column with its labels, question text, categories and missing codes in every survey language.

Elements and their order follow the DDI Codebook 2.5 schema (codebook.xsd, namespace
ddi:codebook:2_5): codeBook holds docDscr, stdyDscr, fileDscr, dataDscr in that order; a var holds
labl, qstn, invalrng, universe, catgry, varFormat, notes in that order. The file describes the CSV
that the same export writes with choice codes (`--values codes`), whatever `--values` asked for.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from app.exports.codebook import CodebookEntry, about, categories, codebook, missing_codes
from app.exports.codes import is_number
from app.exports.table import Column, Table

NAMESPACE = "ddi:codebook:2_5"
SCHEMA_LOCATION = "http://www.ddialliance.org/Specification/DDI-Codebook/2.5/XMLSchema/codebook.xsd"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
FILE_ID = "F1"


def _tag(name: str) -> str:
    # Plain names under a root that declares the DDI namespace as the default (xmlns="ddi:codebook:2_5"):
    # ElementTree's default_namespace refuses the plain attribute names DDI uses (ID, name, ...).
    return name


def _add(
    parent: ET.Element, tag: str, text: Any = None, /, lang: str | None = None, **attributes
) -> ET.Element:
    """A child element with its text, its language and its attributes (None: left out)."""
    element = ET.SubElement(parent, _tag(tag), {k: str(v) for k, v in attributes.items() if v is not None})
    if lang:
        element.set(XML_LANG, lang)
    if text is not None:
        element.text = str(text)
    return element


def ddi_xml(table: Table, data_file: str, app_version: str) -> bytes:
    """The DDI Codebook of an export as UTF-8 XML; `data_file` names the CSV it describes."""
    languages = table.languages
    tables = {lang: table.with_lang(lang) for lang in languages}
    entries = {lang: codebook(tables[lang]) for lang in languages}
    root = ET.Element("codeBook", {"xmlns": NAMESPACE, "version": "2.5"})
    root.set(f"{{{XSI}}}schemaLocation", f"{NAMESPACE} {SCHEMA_LOCATION}")
    root.set(XML_LANG, table.lang)
    _doc_description(root, table, app_version)
    _study_description(root, tables)
    _file_description(root, table, data_file, app_version)
    data = _add(root, "dataDscr")
    for index, column in enumerate(table.columns):
        _variable(data, table, column, index, {lang: entries[lang][index] for lang in languages})
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def _title(table: Table) -> str:
    pilot = getattr(table, "pilot", None)
    return pilot or table.label(table.survey.title)


def _doc_description(root: ET.Element, table: Table, app_version: str) -> None:
    """Who made this document, and when: Lyssna, at the export."""
    citation = _add(_add(root, "docDscr"), "citation")
    _add(_add(citation, "titlStmt"), "titl", _title(table), lang=table.lang)
    production = _add(citation, "prodStmt")
    made = table.made_at.astimezone(table.timezone)
    _add(production, "prodDate", made.date().isoformat(), date=made.date().isoformat())
    _add(production, "software", "Lyssna", version=app_version)


def _study_description(root: ET.Element, tables: dict[str, Table]) -> None:
    """Title in every language, the pilot and wave, the versions, the abstract and the dates answered."""
    first = next(iter(tables.values()))
    study = _add(root, "stdyDscr")
    citation = _add(study, "citation")
    titles = _add(citation, "titlStmt")
    waves = getattr(first, "waves", None)
    if waves is not None:  # a file across the waves of a pilot
        _add(titles, "titl", first.pilot, lang=first.lang)
        for wave in waves:
            for lang in wave.table.languages:
                label = wave.table.with_lang(lang).label(wave.survey.title)
                _add(titles, "subTitl", f"{wave.label}: {label}", lang=lang)
        _add(titles, "IDNo", first.pilot, agency="Lyssna", level="project")
    else:
        for i, (lang, table) in enumerate(tables.items()):
            _add(titles, "parTitl" if i else "titl", table.label(table.survey.title), lang=lang)
        _add(titles, "IDNo", first.survey.id, agency="Lyssna", level="study")
    made = first.made_at.astimezone(first.timezone).date().isoformat()
    _add(_add(citation, "prodStmt"), "prodDate", made, date=made)
    if first.survey.pilot:
        series = _add(citation, "serStmt")
        _add(series, "serName", first.survey.pilot)
        for label in [w.label for w in waves] if waves is not None else [first.survey.wave or ""]:
            if label:
                _add(series, "serInfo", f"wave: {label}")
    for label, number, when in _versions(first):
        statement = _add(citation, "verStmt")
        _add(statement, "version", number, date=when, type=label)
    info = _add(study, "stdyInfo")
    if waves is None and first.survey.description:
        for lang, table in tables.items():
            _add(info, "abstract", table.label(first.survey.description), lang=lang)
    summary = _add(info, "sumDscr")
    answered = first.answered_between()
    if answered is not None:
        _add(summary, "collDate", answered[0].isoformat(), date=answered[0].isoformat(), event="start")
        _add(summary, "collDate", answered[1].isoformat(), date=answered[1].isoformat(), event="end")
    _add(summary, "anlyUnit", "individual", unit="individual")
    _add(summary, "dataKind", "survey data")


def _versions(table: Table) -> list[tuple[str, str, str]]:
    """(type, number, first seen) of each survey version in the export; across waves, per wave."""
    waves = getattr(table, "waves", None)
    pairs = [(w.label, w.table) for w in waves] if waves is not None else [("", table)]
    out = []
    for label, each in pairs:
        for version in sorted(each.versions, key=lambda v: v.number):
            if version.number:
                kind = f"survey version, wave {label}" if label else "survey version"
                seen = version.first_seen.astimezone(each.timezone).date().isoformat()
                out.append((kind, f"{label} v{version.number}" if label else str(version.number), seen))
    return out


def _file_description(root: ET.Element, table: Table, data_file: str, app_version: str) -> None:
    """The CSV the codebook describes: its name, rows and columns, and the export's About facts."""
    description = _add(root, "fileDscr", ID=FILE_ID)
    text = _add(description, "fileTxt")
    _add(text, "fileName", data_file)
    _add(text, "fileStrc", type="rectangular")
    dimensions = _add(text, "dimensns")
    _add(dimensions, "caseQnty", table.total)
    _add(dimensions, "varQnty", len(table.columns))
    _add(text, "fileType", "text/csv", charset="UTF-8")
    _add(text, "software", "Lyssna", version=app_version)
    for key, value in about(table, app_version):
        _add(description, "notes", f"{key}: {value}", lang="en", subject=key)


def _variable(parent: ET.Element, table: Table, column: Column, index: int, entries: dict) -> None:
    """One `var`: labels and question text per language, missing codes, the condition, categories."""
    entry: CodebookEntry = entries[table.lang]
    loose = table.is_loose(column)
    attributes = _var_attributes(column, entry, loose)
    var = _add(parent, "var", ID=f"V{index + 1}", name=column.name, files=FILE_ID, **attributes)
    for lang, each in entries.items():
        _add(var, "labl", each.question, lang=lang, level="variable")
    if column.question is not None:
        for lang in entries:
            text = column.survey.text(column.question.label, lang)
            _add(_add(var, "qstn", lang=lang, responseDomainType=_domain(column)), "qstnLit", text)
    values = [] if loose else categories(table, column, entry)
    missing = [] if loose else missing_codes(column, entry)
    if missing:
        ranges = _add(var, "invalrng")
        for code in missing:
            _add(ranges, "item", VALUE=code)
    for lang, each in entries.items():
        if each.condition:
            _add(var, "universe", each.condition, lang=lang, clusion="I")
    labelled = (
        {lang: dict(categories(table, column, each)) for lang, each in entries.items()} if values else {}
    )
    for code, _label in values:
        category = _add(var, "catgry", missing="Y" if code in missing else None)
        _add(category, "catValu", code)
        for lang in entries:
            label = labelled[lang].get(code)
            if label:
                _add(category, "labl", label, lang=lang, level="category")
        if code in entry.stored:
            sav, dta = entry.stored[code]
            _add(category, "txt", f"SPSS {sav}, Stata {dta}", lang="en")
    _add(var, "varFormat", **_format(column, loose, values))
    # Lyssna's own notes are in English, the language of the codebook's column names and types.
    if entry.versions_text:
        _add(var, "notes", f"versions: {entry.versions_text}", lang="en", subject="versions")
    if entry.wordings_text:
        _add(var, "notes", f"wordings: {entry.wordings_text}", lang="en", subject="wordings")


def _var_attributes(column: Column, entry: CodebookEntry, loose: bool) -> dict:
    """representationType, interval and nature, as SPSS's measure levels decide them in stata_spss.py."""
    if loose or (column.kind == "text" and not entry.values):
        return {"representationType": "text", "intrvl": "discrete"}
    if column.kind in ("date", "datetime"):
        return {"representationType": "datetime", "intrvl": "contin"}
    question = column.question
    if column.kind in ("integer", "number") and not (question is not None and question.type == "rating"):
        return {"representationType": "numeric", "intrvl": "contin", "nature": "ratio"}
    ordinal = column.kind == "rank" or (
        question is not None
        and (
            question.type == "rating"
            or (column.kind == "choice" and any(is_number(c) for c, _ in entry.values))
        )
    )
    return {"representationType": "code", "intrvl": "discrete", "nature": "ordinal" if ordinal else "nominal"}


def _domain(column: Column) -> str:
    """The kind of answer the question takes (qstn's responseDomainType)."""
    kind = column.question.type
    if kind in ("single_choice", "matrix", "rating"):
        return "category"
    if kind in ("multiple_choice", "ranking"):
        return "multiple"
    if kind in ("integer", "decimal"):
        return "numeric"
    return "datetime" if kind == "date" else "text"


def _format(column: Column, loose: bool, values: list) -> dict:
    """How the CSV writes the column's values (varFormat)."""
    if loose or (column.kind == "text" and not any(is_number(code) for code, _ in values)):
        return {"type": "character", "schema": "other", "otherSchema": "CSV"}
    if column.kind == "choice" and not all(is_number(code) for code, _ in values):
        return {"type": "character", "schema": "other", "otherSchema": "CSV"}
    if column.kind == "date":
        return {"type": "numeric", "schema": "ISO", "category": "date", "formatname": "YYYY-MM-DD"}
    if column.kind == "datetime":
        return {"type": "numeric", "schema": "ISO", "category": "date", "formatname": "YYYY-MM-DD hh:mm:ss"}
    return {"type": "numeric", "schema": "other", "otherSchema": "CSV"}
