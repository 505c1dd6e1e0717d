"""`flask surveys export-xlsform`: a survey as an XLSForm that pyxform converts, so that a team can
open the instrument in KoboToolbox or ODK.

Pages become `field-list` groups, `show_if` becomes `relevant`, limits a `constraint`, languages
`label::Swedish (sv)` columns; `import_xlsform` reads the result back as the same questions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from babel.support import Translations

from app.languages.fallback import CATALOGS
from app.languages.interface import TEXTS, wording
from app.surveys.models import OTHER, Survey, text_for
from app.surveys.xlsform.conditions import condition_to_xpath
from app.surveys.xlsform.constraints import keys_to_constraint
from app.surveys.xlsform.languages import column_suffix

SCALES = {
    "stars5": ("start=1 end=5 step=1", "rating"),
    "smiley5": ("start=1 end=5 step=1", ""),
    "nps": ("start=0 end=10 step=1", ""),
}
TRANSLATED = ("label", "hint", "constraint_message", "media::image", "media::audio")
# What a survey file may hold that an XLSForm has no place for (said by the command, not lost silently).
NOT_CARRIED = (
    "description",
    "privacy_notice",
    "thank_you",
    "retention_days",
    "opens_at",
    "closes_at",
    "pilot",
    "wave",
    "interface",
    "fallback_languages",
)


class _Sheet:
    """Rows of one sheet as mappings from column to value; the columns in the order they first appear."""

    def __init__(self, first: tuple[str, ...]) -> None:
        self.columns: list[str] = list(first)
        self.rows: list[dict[str, Any]] = []

    def add(self, **cells: Any) -> dict[str, Any]:
        row = {k: v for k, v in cells.items() if v not in (None, "")}
        self.rows.append(row)
        return row

    def header(self, languages: list[str]) -> list[str]:
        used = {column for row in self.rows for column in row}
        ordered = [c for c in self.columns if c in used or c in ("type", "name", "list_name")]
        for column in TRANSLATED:
            ordered += [
                f"{column}::{column_suffix(lang)}" for lang in languages if f"{column}::{lang}" in used
            ]
        return ordered


def export_xlsform(survey: Survey, path: Path) -> list[str]:
    """Write the survey as an XLSForm; return what the XLSForm could not carry, one line each."""
    writer = _Writer(survey)
    writer.write()
    book = openpyxl.Workbook()
    sheets = (
        ("survey", writer.survey_sheet),
        ("choices", writer.choices_sheet),
        ("settings", writer.settings),
    )
    for title, sheet in sheets:
        worksheet = book.active if title == "survey" else book.create_sheet(title)
        worksheet.title = title
        header = sheet.header(survey.languages)
        worksheet.append(header)
        for row in sheet.rows:
            worksheet.append([_language_cell(row, column) for column in header])
        for cells in worksheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # a text, never a formula
    book.save(path)
    return writer.left_out


def _language_cell(row: dict[str, Any], header: str) -> Any:
    if "::" in header and header.rsplit("::", 1)[0] in TRANSLATED:
        column, suffix = header.rsplit("::", 1)
        code = suffix.rsplit("(", 1)[1].rstrip(")")
        return row.get(f"{column}::{code}")
    return row.get(header)


class _Writer:
    def __init__(self, survey: Survey) -> None:
        self.s = survey
        self.languages = survey.languages
        self.survey_sheet = _Sheet(
            ("type", "name", "required", "relevant", "constraint", "appearance", "parameters")
        )
        self.choices_sheet = _Sheet(("list_name", "name"))
        self.settings = _Sheet(("form_title", "form_id", "default_language", "style"))
        self.lists: dict[str, str] = {}  # a choice list's content key -> its name in the form
        self.left_out: list[str] = []
        names = {q.id for _, q in survey.questions()} | set(survey.hidden_fields)
        names |= {f"{q.id}_{r.id}" for _, q in survey.questions() if q.type == "matrix" for r in q.rows}
        self.names = names

    def texts(self, row: dict[str, Any], column: str, text: Any) -> None:
        """A text in every language of the survey, as `column::lang` cells."""
        if text is None:
            return
        for lang in self.languages:
            row[f"{column}::{lang}"] = text_for(text, lang, self.languages[0])

    def write(self) -> None:
        s = self.s
        self.settings.add(
            form_title=s.text(s.title, s.default_language),
            form_id=s.id,
            default_language=column_suffix(s.default_language),
            style="pages",
        )
        if s.consent is not None:
            name = "consent" if "consent" not in self.names else "consent_step"
            row = self.survey_sheet.add(type="acknowledge", name=name, required="yes")
            self.texts(row, "label", s.consent.text)
        for hidden in s.hidden_fields:
            self.survey_sheet.add(type="hidden", name=hidden)
        for page in s.pages:
            self.page(page)
        given = s.model_fields_set
        carried = [key for key in NOT_CARRIED if key in given]
        if s.access == "token" or s.kiosk:
            carried.append("access" if s.access == "token" else "kiosk")
        if carried:
            self.left_out.append(f"the survey's {', '.join(carried)}: an XLSForm has no place for them")

    def page(self, page: Any) -> None:
        name = page.id if page.id not in self.names else f"{page.id}_page"
        row = self.survey_sheet.add(type="begin group", name=name, appearance="field-list")
        self.texts(row, "label", page.title)
        if page.show_if is not None:
            row["relevant"] = condition_to_xpath(page.show_if, self.s)
        if page.intro is not None:
            self.texts(self.survey_sheet.add(type="note", name=f"{name}_intro"), "label", page.intro)
        for question in page.questions:
            self.question(question)
        self.survey_sheet.add(type="end group", name=name)

    def question(self, q: Any) -> None:
        if q.type == "matrix":
            return self.matrix(q)
        row = self.survey_sheet.add(type=self.xls_type(q), name=q.id)
        if q.type == "note":
            text = q.text
            if q.label is not None:  # a heading: the XLSForm has only one text, so it goes first
                first = self.languages[0]
                text = {
                    lang: f"{text_for(q.label, lang, first)}\n\n{text_for(q.text, lang, first)}"
                    for lang in self.languages
                }
                self.left_out.append(f"note {q.id!r}: its label is written above its text")
            self.texts(row, "label", text)
        else:
            self.texts(row, "label", q.label)
        self.texts(row, "hint", q.hint)
        if q.required:
            row["required"] = "yes"
        if q.show_if is not None:
            row["relevant"] = condition_to_xpath(q.show_if, self.s)
        self.extras(q, row)
        if getattr(q, "other", False):
            other = self.survey_sheet.add(
                type="text",
                name=f"{q.id}_other",
                required="yes",
                relevant=f"selected(${{{q.id}}}, '{OTHER}')",
            )
            self.texts(
                other, "label", {lang: self.interface("other_specify", lang) for lang in self.languages}
            )
        return None

    def xls_type(self, q: Any) -> str:
        if q.type in ("single_choice", "multiple_choice", "ranking"):
            kind = {"single_choice": "select_one", "multiple_choice": "select_multiple", "ranking": "rank"}[
                q.type
            ]
            return f"{kind} {self.choice_list(q)}"
        return {"long_text": "text", "rating": "range", "photo": "image"}.get(q.type, q.type)

    def extras(self, q: Any, row: dict[str, Any]) -> None:
        """Appearance, parameters, constraint and pictures: what each type adds to its row."""
        if q.type == "long_text":
            row["appearance"] = "multiline"
        if q.type == "single_choice" and q.display == "dropdown":
            row["appearance"] = "minimal"
        if q.type == "rating":
            row["parameters"], row["appearance"] = SCALES[q.scale]
        if q.type == "photo":
            row["parameters"] = "max-pixels=1600"  # what Lyssna keeps of a photo anyway
        if q.type == "decimal" and q.step is not None:
            self.left_out.append(f"question {q.id!r}: step {q.step} (an XLSForm decimal has no step)")
        constraint = keys_to_constraint(q, self.s) if q.type != "note" else ""
        if constraint:
            row["constraint"] = constraint
        if getattr(q, "pattern_message", None) is not None:
            self.texts(row, "constraint_message", q.pattern_message)
        image = getattr(q, "image", None)
        if image is not None:
            self.texts(row, "media::image", image.file)
        for lang, file in (getattr(q, "audio", None) or {}).items():
            row[f"media::audio::{lang}"] = file

    def matrix(self, q: Any) -> None:
        row = self.survey_sheet.add(type="begin group", name=q.id, appearance="table-list")
        self.texts(row, "label", q.label)
        self.texts(row, "hint", q.hint)
        if q.show_if is not None:
            row["relevant"] = condition_to_xpath(q.show_if, self.s)
        listed = self.choice_list(q)
        for matrix_row in q.rows:
            cells = self.survey_sheet.add(
                type=f"select_one {listed}",
                name=f"{q.id}_{matrix_row.id}",
                required="yes" if q.required else "",
            )
            self.texts(cells, "label", matrix_row.label)
        self.survey_sheet.add(type="end group", name=q.id)

    def choice_list(self, q: Any) -> str:
        """The name of the question's list on the choices sheet, written there the first time."""
        named = q.choices if isinstance(q.choices, str) else None
        other = bool(getattr(q, "other", False))
        wanted = (named or q.id) + ("_other" if other and named else "")
        key = f"{named or ''}|{q.id if named is None else ''}|{other}"
        if key in self.lists:
            return self.lists[key]
        taken = set(self.lists.values())
        name, n = wanted, 2
        while name in taken:
            name, n = f"{wanted}_{n}", n + 1
        self.lists[key] = name
        for choice in self.s.choices(q):
            row = self.choices_sheet.add(list_name=name, name=str(choice.value))
            self.texts(row, "label", choice.label)
            if getattr(choice, "image", None) is not None:
                self.texts(row, "media::image", choice.image.file)
        if other:
            row = self.choices_sheet.add(list_name=name, name=OTHER)
            self.texts(row, "label", {lang: self.interface("other", lang) for lang in self.languages})
        return name

    def interface(self, key: str, lang: str) -> str:
        """An interface text ("Other") as residents read it: the survey's wording, else the catalog's."""
        own = wording(self.s, key, lang)
        if own:
            return own
        source = TEXTS[key][0]._args[0]
        catalog = Translations.load(str(CATALOGS), [lang.replace("-", "_")])
        return catalog.gettext(source) if isinstance(catalog, Translations) else source
