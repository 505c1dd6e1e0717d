"""`flask surveys import-xlsform`: an XLSForm (the spreadsheets of KoboToolbox, ODK, Ona and
SurveyCTO) as a Lyssna survey file that reads like one written by hand.

Groups become pages (a `table-list` group a matrix), rows questions, choice lists used twice or more
`choice_lists`; `relevant` becomes `show_if` and `constraint` Lyssna's limits. Every part carries a
comment naming the row it came from (`# survey!12`). What Lyssna cannot do is refused, every problem
at once as `FILE.xlsx:survey!12: column: message`; with `skip_unsupported` the rest is converted and
what was left out is listed. The result is checked as `flask surveys validate` checks a file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.surveys.loader import load_text
from app.surveys.models import OTHER, SURVEY_ID
from app.surveys.xlsform.conditions import Target, choice_value
from app.surveys.xlsform.emitter import Map, Seq, dump
from app.surveys.xlsform.languages import code_of
from app.surveys.xlsform.questions import Context, Kind, _range, base_type, item_id, kind_of, question
from app.surveys.xlsform.workbook import Found, Row, read_workbook

# Which column of the form a key of the survey file comes from (to locate a problem `validate` finds).
COLUMNS = {
    "show_if": "relevant",
    "label": "label",
    "text": "label",
    "hint": "hint",
    "required": "required",
    "id": "name",
    "type": "type",
    "choices": "type",
    "scale": "parameters",
    "pattern_message": "constraint_message",
    **dict.fromkeys(
        ("min", "max", "step", "pattern", "max_length", "min_selected", "max_selected", "exclusive"),
        "constraint",
    ),
}


ORDER = (
    "id",
    "type",
    "scale",
    "display",
    "required",
    "show_if",
    "label",
    "text",
    "hint",
    "choices",
    "rows",
    "min",
    "max",
    "step",
    "max_length",
    "pattern",
    "pattern_message",
    "min_selected",
    "max_selected",
    "exclusive",
    "other",
)


@dataclass
class Element:
    """A row of the survey sheet, with the rows inside it when it begins a group or repeat."""

    row: Row
    kind: str  # group, repeat or item
    children: list[Element] = field(default_factory=list)


@dataclass
class Imported:
    """What an import gives: the file's text (None when something stops it) and what was found."""

    survey_id: str
    text: str | None = None
    problems: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pages: int = 0
    questions: int = 0
    unsupported: int = 0  # how many of the problems --skip-unsupported would leave out


def import_xlsform(
    path: Path, name: str, survey_id: str | None = None, skip_unsupported: bool = False
) -> Imported:
    """Convert the XLSForm at `path` (called `name` in messages) into the text of a survey file."""
    book = read_workbook(path)
    found_id = _survey_id(survey_id, book.settings, path)
    result = Imported(found_id or "")
    if not book.survey:
        if not book.problems:
            book.problems.append(Found("survey", 1, "file", "the survey sheet has no rows"))
        result.problems = [p.located(name) for p in book.problems]
        return result
    languages = _languages(book)
    ctx = Context(languages or [])
    ctx.problems.extend(book.problems)
    if found_id is None:
        ctx.problems.append(Found("settings", 2, "form_id", "no usable survey id here: pass --id"))
    tree = _tree(book.survey, ctx)
    lists = _choice_lists(book.choices, ctx)
    _collect_targets(tree, lists, ctx)
    builder = _Builder(ctx, lists, "pages" in book.settings.get("style", "").lower())
    survey = builder.survey(tree, found_id or "imported", book.settings, languages, path)
    text = _validated(survey, builder, name, found_id, ctx, skip_unsupported)
    refused = [p for p in ctx.problems if not (skip_unsupported and p.unsupported)]
    result.problems = [p.located(name) for p in _unique(refused)]
    result.unsupported = sum(p.unsupported for p in _unique(refused))
    result.left_out = [p.located(name) for p in _unique(ctx.problems) if skip_unsupported and p.unsupported]
    result.notes = [p.located(name) for p in _unique(ctx.notes)]
    if not result.problems:
        result.text = text
        result.pages = len(survey["pages"])
        result.questions = sum(len(page["questions"]) for page in survey["pages"])
    return result


def _unique(found: list[Found]) -> list[Found]:
    return list(dict.fromkeys(found))


def _survey_id(given: str | None, settings: dict[str, str], path: Path) -> str | None:
    if given:
        return given if re.fullmatch(SURVEY_ID, given) else None
    written = settings.get("form_id") or path.stem
    converted = re.sub(r"[^a-z0-9]+", "-", written.lower()).strip("-")
    return converted if re.fullmatch(SURVEY_ID, converted) else None


def _languages(book: Any) -> list[str]:
    """The languages of the label columns, the settings' default_language first."""
    languages = list(book.languages)
    default = (
        code_of(book.settings.get("default_language", "")) if book.settings.get("default_language") else None
    )
    if default:
        languages = [default, *(lang for lang in languages if lang != default)]
    return languages


def _tree(rows: list[Row], ctx: Context) -> list[Element]:
    """The survey sheet as nested groups; a begin without its end (or the other way round) is a problem."""
    top: list[Element] = []
    stack: list[Element] = []
    for row in rows:
        written = base_type(row)
        begin = re.match(r"^begin[ _](group|repeat|loop|looped group|lgroup|kobomatrix)\b", written)
        end = re.match(r"^end[ _](group|repeat|loop|looped group|lgroup|kobomatrix)$", written)
        siblings = stack[-1].children if stack else top
        if begin:
            element = Element(row, "group" if begin.group(1) == "group" else "repeat")
            siblings.append(element)
            stack.append(element)
        elif end:
            if not stack:
                ctx.problems.append(row.found("type", f"{written!r} ends a group that was never begun"))
            else:
                stack.pop()
        elif written:
            siblings.append(Element(row, "item"))
        elif row.get("name") or row.texts:
            ctx.problems.append(row.found("type", "the row has no type"))
    for element in stack:
        ctx.problems.append(element.row.found("type", f"{base_type(element.row)!r} has no end"))
    return top


@dataclass
class ChoiceList:
    """A list of the choices sheet: its rows and each choice's Lyssna value and text."""

    name: str
    choices: list[dict] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # choice name in the form -> Lyssna value
    first_row: int = 0


def _choice_lists(rows: list[Row], ctx: Context) -> dict[str, ChoiceList]:
    lists: dict[str, ChoiceList] = {}
    for row in rows:
        list_name, name = row.get("list_name"), row.get("name")
        if not list_name:
            continue
        if not name:
            ctx.problems.append(row.found("name", "a choice needs a name"))
            continue
        chosen = lists.setdefault(
            list_name, ChoiceList(item_id(list_name) or "choices", first_row=row.number)
        )
        value = choice_value(name)
        if value is None:
            value = re.sub(r"[^a-z0-9_-]+", "_", name.lower()).strip("_-") or None
            if value is not None:
                ctx.notes.append(row.found("name", f"{name!r} is the choice value {value!r} in Lyssna"))
        if value is None or value in chosen.values.values():
            what = (
                "cannot be a choice value" if value is None else f"is the value {value!r} twice in the list"
            )
            ctx.problems.append(row.found("name", f"{name!r} {what}"))
            continue
        chosen.values[name] = value
        choice = {"value": value, "label": ctx.text(row, "label", required=True)}
        if row.texts.get("image"):
            ctx.notes.append(
                row.found("image", "left out: a picture needs a file in surveys/media and alt text")
            )
        chosen.choices.append(choice)
    return lists


def _collect_targets(tree: list[Element], lists: dict[str, ChoiceList], ctx: Context) -> None:
    """What each name of the form stands for, before any condition is read (names must be unique)."""
    seen: dict[str, Row] = {}

    def name_of(row: Row) -> str | None:
        name = row.get("name")
        if not name:
            return None
        qid = item_id(name)
        if qid is None:
            ctx.problems.append(row.found("name", f"{name!r} cannot be a Lyssna id"))
        elif qid in seen:
            ctx.problems.append(
                row.found("name", f"{qid!r} is used twice (also {seen[qid].sheet}!{seen[qid].number})")
            )
        else:
            seen[qid] = row
            if qid != name:
                ctx.notes.append(row.found("name", f"{name!r} is the id {qid!r} in Lyssna"))
        return qid

    def walk(elements: list[Element]) -> None:
        for element in elements:
            row = element.row
            qid = name_of(row)
            if element.kind == "group" and is_matrix(element, lists) and qid:
                rows = tuple(child.row.get("name") for child in element.children)
                values = lists[element.children[0].row.get("type").split()[1]].values
                ctx.targets[row.get("name")] = Target("question", qid, "matrix", values, rows)
                for child in element.children:
                    name_of(child.row)
                    ctx.targets[child.row.get("name")] = Target("row", qid, rows=(child.row.get("name"),))
                continue
            if element.kind != "item":
                walk(element.children)
                continue
            if qid is not None:
                _target(row, qid, lists, ctx)

    walk(tree)


def _target(row: Row, qid: str, lists: dict[str, ChoiceList], ctx: Context) -> None:
    kind = kind_of(row)
    name = row.get("name")
    if kind.type == "hidden":
        ctx.targets[name] = Target("hidden", qid)
    elif kind.type == "calculate":
        reference = re.fullmatch(r"\s*\$\{([^}\s]+)\}\s*", row.get("calculation"))
        if (
            reference
            and reference.group(1) in ctx.targets
            and ctx.targets[reference.group(1)].kind == "hidden"
        ):
            ctx.targets[name] = ctx.targets[reference.group(1)]
        elif _constant(row.get("calculation")) is not None:
            ctx.targets[name] = Target("hidden", qid)
    elif kind.type == "note":
        ctx.targets[name] = Target("note", qid)
    elif kind.type in ("single_choice", "multiple_choice", "ranking"):
        values = lists[kind.list_name].values if kind.list_name in lists else {}
        ctx.targets[name] = Target("question", qid, kind.type, values)
    elif kind.type == "range":
        ctx.targets[name] = Target("question", qid, _range(row, Context([]))[0])
    elif kind.type not in ("unsupported", "metadata", "consent"):
        ctx.targets[name] = Target("question", qid, kind.type)


def _constant(calculation: str) -> str | None:
    """The value of a calculation that is a constant ('12', "x", 3), else None."""
    found = re.fullmatch(r"\s*(?:'([^']*)'|\"([^\"]*)\"|(-?\d+(?:\.\d+)?))\s*", calculation or "")
    return None if found is None else next(g for g in found.groups() if g is not None)


def is_matrix(group: Element, lists: dict[str, ChoiceList]) -> bool:
    """A table-list group of select_one questions on one list, none with its own condition: a matrix."""
    if "table-list" not in group.row.get("appearance").lower() or not group.children:
        return False
    kinds = [kind_of(child.row) if child.kind == "item" else None for child in group.children]
    return (
        all(k is not None and k.type == "single_choice" and not k.other for k in kinds)
        and len({k.list_name for k in kinds}) == 1
        and kinds[0].list_name in lists
        and not any(child.row.get("relevant") for child in group.children)
    )


class _Builder:
    """Turns the tree into the survey's data (Map and Seq, with comments), page by page."""

    def __init__(self, ctx: Context, lists: dict[str, ChoiceList], style_pages: bool) -> None:
        self.ctx, self.lists, self.style_pages = ctx, lists, style_pages
        self.uses: list[tuple[Map, str, bool]] = []  # question, list name, without its 'other' choice
        self.hidden: list[tuple[str, Row, str]] = []
        self.consent: Row | None = None
        self.questions_by_name = {name for name, t in ctx.targets.items() if t.kind != "hidden"}

    def survey(
        self, tree: list[Element], survey_id: str, settings: dict, languages: list[str], path: Path
    ) -> Map:
        data = Map(block=True)
        data["id"] = survey_id
        data["title"] = settings.get("form_title") or settings.get("form_id") or path.stem
        data.comment(
            "title", "settings!2: form_title" if settings.get("form_title") else "the form has no form_title"
        )
        if languages:
            data["languages"] = languages
        else:
            data.comment(
                "title", "the form names no language, so Lyssna takes it to be Swedish (sv): add `languages:`"
            )
        self._first_item(tree)
        pages = self._pages(tree)
        if self.hidden:
            data["hidden_fields"] = [name for name, _, _ in self.hidden]
            data.comment(
                "hidden_fields", ", ".join(f"survey!{row.number}{extra}" for _, row, extra in self.hidden)
            )
        if self.consent is not None:
            text = self.ctx.text(self.consent, "label", required=True)
            hint = self.ctx.text(self.consent, "hint")
            data["consent"] = Map({"text": _joined(text, hint, languages)})
            data.gaps.add("consent")
            data.comment("consent", f"survey!{self.consent.number}: acknowledge")
        lists = self._resolve_choices()
        if lists:
            data["choice_lists"] = lists
            data.gaps.add("choice_lists")
        data["pages"] = pages
        data.gaps.add("pages")
        for found in self.ctx.problems:  # what --skip-unsupported leaves out of the file, said where it was
            if found.unsupported and found.column in ("type", "calculation"):
                data.note("pages", f"left out: {found.sheet}!{found.row}: {found.message}")
        if not pages:
            self.ctx.problems.append(Found("survey", 2, "type", "the form has no question Lyssna can ask"))
        return data

    def _first_item(self, tree: list[Element]) -> None:
        """An acknowledge that is the first thing a resident sees is the consent step."""
        for element in tree:
            if element.kind == "item":
                kind = kind_of(element.row).type
                if kind in ("metadata", "hidden", "calculate"):
                    continue
                if kind == "consent":
                    self.consent = element.row
                return
            if element.kind == "group":
                return self._first_item(element.children)
            return None
        return None

    # ------------------------------------------------------------------ pages

    def _pages(self, tree: list[Element]) -> Seq:
        pages = Seq(spaced=True)
        loose: list[Element] = []

        def flush() -> None:
            if loose:
                page = Map({"id": self._page_id(f"page_{len(pages) + 1}", pages)}, block=True)
                self._fill(page, list(loose), [], loose[0].row)
                if page["questions"]:
                    pages.append(page)
                loose.clear()

        for element in tree:
            if element.kind == "group" and not is_matrix(element, self.lists):
                flush()
                page = self._group_page(element, pages)
                if page["questions"]:
                    pages.append(page)
            elif element.kind == "repeat":
                self._repeat(element)
            else:
                loose.append(element)
                if self.style_pages:
                    flush()
        flush()
        for index, page in enumerate(pages):
            if page.source_note:
                pages.comment(index, page.source_note)
        pages.gaps = set(range(1, len(pages)))
        return pages

    def _page_id(self, wanted: str, pages: Seq) -> str:
        taken = {page["id"] for page in pages}
        candidate, n = wanted, 2
        while candidate in taken:
            candidate, n = f"{wanted}_{n}", n + 1
        return candidate

    def _group_page(self, group: Element, pages: Seq) -> Map:
        row = group.row
        wanted = item_id(row.get("name") or "") or f"page_{len(pages) + 1}"
        stem = wanted.removesuffix("_page")
        if wanted.endswith("_page") and stem in {t.id for t in self.ctx.targets.values()}:
            wanted = stem  # written so by export-xlsform: a page named like one of its questions
        page = Map({"id": self._page_id(wanted, pages)}, block=True)
        title = self.ctx.text(row, "label")
        if title:
            page["title"] = title
        children = list(group.children)
        first = children[0].row if children else None
        if (
            first is not None
            and first.get("name") == f"{row.get('name')}_intro"
            and kind_of(first).type == "note"
        ):
            page["intro"] = self.ctx.text(first, "label")
            children = children[1:]
        elif self.ctx.text(row, "hint"):
            page["intro"] = self.ctx.text(row, "hint")
        shown = _condition_of(row, self.ctx)
        if shown is not None:
            page["show_if"] = shown
        self._fill(page, children, [], row)
        page.source_note = f"survey!{row.number}"
        return page

    def _fill(self, page: Map, elements: list[Element], conditions: list[dict], row: Row) -> None:
        questions = Seq(spaced=True)
        self._items(elements, conditions, questions)
        questions.gaps = set(range(1, len(questions)))
        page["questions"] = questions
        if not hasattr(page, "source_note"):
            page.source_note = None

    def _repeat(self, element: Element) -> None:
        self.ctx.problems.append(
            element.row.found("type", "Lyssna has no repeats: each question is asked once per response", True)
        )

    # ------------------------------------------------------------------ questions

    def _items(self, elements: list[Element], conditions: list[dict], out: Seq) -> None:
        skip: set[int] = set()
        for index, element in enumerate(elements):
            if index in skip:
                continue
            row = element.row
            if element.kind == "repeat":
                self._repeat(element)
            elif element.kind == "group" and is_matrix(element, self.lists):
                self._add(out, self._matrix(element, conditions), row)
            elif element.kind == "group":
                self._nested(element, conditions, out)
            else:
                following = elements[index + 1] if index + 1 < len(elements) else None
                made = self._item(row, conditions, following)
                if made is not None:
                    self._add(out, made, row)
                    if made.get("other") and getattr(made, "took_next", False):
                        skip.add(index + 1)

    def _add(self, out: Seq, made: Map, row: Row) -> None:
        for key in ORDER:  # the order of keys in the example surveys
            if key in made:
                made[key] = made.pop(key)
        out.append(made)
        index = len(out) - 1
        out.comment(index, f"survey!{row.number}")
        for note in self.ctx.notes:
            if note.sheet == row.sheet and note.row == row.number:
                out.note(index, f"survey!{note.row}: {note.column}: {note.message}")
        made.source = row

    def _nested(self, group: Element, conditions: list[dict], out: Seq) -> None:
        """A group inside a page: its label a note, its condition on each of its questions."""
        row = group.row
        shown = _condition_of(row, self.ctx)
        label = self.ctx.text(row, "label")
        inner = [*conditions, shown] if shown is not None else conditions
        if label and row.get("name") and item_id(row.get("name")):
            note = Map({"id": item_id(row.get("name")), "type": "note"}, block=True)
            if inner:
                note["show_if"] = _all(inner)
            note["text"] = label
            self._add(out, note, row)
        self._items(group.children, inner, out)

    def _item(self, row: Row, conditions: list[dict], following: Element | None) -> Map | None:
        kind = kind_of(row)
        name = row.get("name")
        target = self.ctx.targets.get(name)
        if kind.type == "unsupported":
            self.ctx.problems.append(row.found("type", kind.why, True))
            return None
        if kind.type == "metadata":
            self.ctx.notes.append(
                row.found(
                    "type",
                    f"{base_type(row)!r} left out: Lyssna records started_at and submitted_at itself, "
                    "and nothing about the device",
                )
            )
            return None
        if kind.type in ("hidden", "calculate"):
            self._hidden(row, kind)
            return None
        if kind.type == "consent":
            if row is not self.consent:
                self.ctx.problems.append(
                    row.found(
                        "type", "Lyssna takes an acknowledge only as the consent step, the first item", True
                    )
                )
            return None
        if target is None or target.kind == "hidden":
            return None  # its name is a problem already
        choices = None
        drop_other = False
        if kind.list_name is not None:
            if kind.list_name not in self.lists:
                self.ctx.problems.append(
                    row.found("type", f"there is no choice list {kind.list_name!r} in choices")
                )
                return None
            drop_other = not kind.other and self._specify_other(row, kind, following)
            choices = "~"
        made = question(
            row, Kind(kind.type, kind.list_name, kind.other or drop_other), target.id, self.ctx, choices
        )
        if conditions:
            made["show_if"] = _all([*conditions, made["show_if"]] if "show_if" in made else conditions)
        if kind.list_name is not None:
            self.uses.append((made, kind.list_name, drop_other))
        made.took_next = drop_other
        return made

    def _specify_other(self, row: Row, kind: Kind, following: Element | None) -> bool:
        """A choice 'other', then a text `<name>_other` shown when it is chosen: Lyssna's `other: true`."""
        if OTHER not in self.lists[kind.list_name].values or following is None or following.kind != "item":
            return False
        nxt = following.row
        name = row.get("name")
        if nxt.get("name") != f"{name}_other" or kind_of(nxt).type != "text":
            return False
        test = re.sub(r"\s+", "", nxt.get("relevant").replace('"', "'"))
        return test in (f"selected(${{{name}}},'{OTHER}')", f"${{{name}}}='{OTHER}'")

    def _matrix(self, group: Element, conditions: list[dict]) -> Map:
        row = group.row
        target = self.ctx.targets[row.get("name")]
        made = Map({"id": target.id, "type": "matrix"}, block=True)
        required = [_is_yes(child.row.get("required")) for child in group.children]
        if all(required):
            made["required"] = True
        elif any(required):
            self.ctx.notes.append(
                row.found("required", "some rows are required: Lyssna requires all rows or none")
            )
        shown = _condition_of(row, self.ctx)
        if shown is not None or conditions:
            made["show_if"] = _all([*conditions, *([shown] if shown is not None else [])])
        made["label"] = self.ctx.text(row, "label", required=True)
        hint = self.ctx.text(row, "hint")
        if hint:
            made["hint"] = hint
        made["choices"] = "~"
        prefix = f"{row.get('name')}_"
        made["rows"] = Seq(
            [
                {
                    "id": item_id(child.row.get("name").removeprefix(prefix)) or "row",
                    "label": self.ctx.text(child.row, "label", required=True),
                }
                for child in group.children
            ]
        )
        self.uses.append((made, group.children[0].row.get("type").split()[1], False))
        return made

    def _hidden(self, row: Row, kind: Kind) -> None:
        target = self.ctx.targets.get(row.get("name"))
        if kind.type == "calculate" and (target is None or target.kind != "hidden"):
            self.ctx.problems.append(
                row.found(
                    "calculation",
                    f"{row.get('calculation')!r}: Lyssna calculates nothing; only a constant "
                    "or ${hidden field} can come along, as a hidden field",
                    True,
                )
            )
            return
        if target is None or any(name == target.id for name, _, _ in self.hidden):
            return  # an alias of a hidden field already listed
        extra = ""
        constant = (
            _constant(row.get("calculation")) if kind.type == "calculate" else row.get("default") or None
        )
        if constant is not None:
            extra = f" ({constant!r} in the form: give it in the link, ?{target.id}={constant})"
        self.hidden.append((target.id, row, extra))

    # ------------------------------------------------------------------ choices

    def _resolve_choices(self) -> Map:
        """Each question's choices: a list two or more questions use is named, others are written in place."""
        contents: dict[str, tuple[str, list[dict], int]] = {}
        keyed = []
        for made, list_name, drop_other in self.uses:
            source = self.lists[list_name]
            choices = [c for c in source.choices if not (drop_other and c["value"] == OTHER)]
            key = json.dumps(choices, sort_keys=True, default=str)
            name, _, count = contents.get(key, (source.name, choices, 0))
            contents[key] = (name, choices, count + 1)
            keyed.append((made, key, source))
        named = Map(block=True)
        taken: set[str] = set()
        for made, key, source in keyed:
            name, choices, count = contents[key]
            if count < 2:
                made["choices"] = Seq([dict(c) for c in choices])
                continue
            if key not in taken:
                unique, n = name, 2
                while unique in named:
                    unique, n = f"{name}_{n}", n + 1
                contents[key] = (unique, choices, count)
                named[unique] = Seq([dict(c) for c in choices], block=True)
                named.comment(unique, f"choices!{source.first_row}")
                taken.add(key)
            made["choices"] = contents[key][0]
        return named


def _condition_of(row: Row, ctx: Context) -> dict | None:
    from app.surveys.xlsform.questions import condition

    return condition(row, ctx)


def _all(conditions: list[dict]) -> dict:
    items: list[dict] = []
    for cond in conditions:
        items.extend(cond["all"] if list(cond) == ["all"] else [cond])
    return items[0] if len(items) == 1 else {"all": items}


def _is_yes(value: str) -> bool:
    return value.strip().lower() in ("yes", "true", "true()", "1")


def _joined(text: Any, hint: Any, languages: list[str]) -> Any:
    """The consent text: the acknowledge's label, and its hint as a second paragraph."""
    if not hint:
        return text
    if isinstance(text, str) and isinstance(hint, str):
        return f"{text}\n\n{hint}\n"
    as_dict = {
        lang: (t if isinstance(t, str) else t.get(lang, ""))
        for lang, t in ((lang, text) for lang in languages)
    }
    hints = {lang: (hint if isinstance(hint, str) else hint.get(lang, "")) for lang in languages}
    return {lang: f"{as_dict[lang]}\n\n{hints[lang]}\n" for lang in languages}


# ----------------------------------------------------------------------------- checking the result


def _validated(
    survey: Map, builder: _Builder, name: str, survey_id: str | None, ctx: Context, skip: bool
) -> str:
    """The file's text, checked as `validate` checks a file; its problems are located in the form. With
    `skip`, a condition Lyssna refuses (on a question asked later, say) is left out and the rest checked
    again."""
    header = [
        f"Imported from {Path(name).name} (an XLSForm) by `flask surveys import-xlsform`.",
        "A comment such as `survey!12` names the row of the form a part came from.",
    ]
    for _attempt in range(20):
        text = dump(survey, header)
        checked = load_text(text, f"{survey.get('id')}.yaml", expected_id=survey.get("id"))
        if checked.survey is not None or survey_id is None:
            return text
        sources = _sources(survey)
        dropped = False
        reported = {(p.sheet, p.row) for p in ctx.problems}
        for problem in checked.problems:
            _where, node, rest = _locate(problem.path, sources)
            key = rest.split(".")[0].split("[")[0] if rest else ""
            column = COLUMNS.get(key, "name")
            row = getattr(node, "source", None) if node is not None else None
            if row is None:
                found = Found("survey", 1, problem.path, problem.message)
            else:
                found = row.found(column, problem.message, unsupported=key == "show_if")
            if skip and key == "show_if" and "show_if" in node:
                del node["show_if"]
                ctx.problems.append(found)
                dropped = True
            elif (found.sheet, found.row) not in reported or not found.unsupported:
                ctx.problems.append(found)
        if not dropped:
            return text
    return text


def _sources(survey: Map) -> dict[str, Any]:
    """Every part of the file that came from a row, by its path as `validate` writes it."""
    sources: dict[str, Any] = {}
    for p, page in enumerate(survey.get("pages", [])):
        sources[f"pages[{p}]"] = page
        for q, made in enumerate(page.get("questions", [])):
            sources[f"pages[{p}].questions[{q}]"] = made
    return sources


def _locate(path: str, sources: dict[str, Any]) -> tuple[str, Any, str]:
    """The longest path with a source that `path` starts with, its node and the rest of the path."""
    best = ""
    for known in sources:
        if (path == known or path.startswith(known + ".") or path.startswith(known + "[")) and len(
            known
        ) > len(best):
            best = known
    if not best:
        return "", None, path
    return best, sources[best], path[len(best) :].lstrip(".")
