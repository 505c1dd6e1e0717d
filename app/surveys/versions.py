"""What changed between two definitions of a survey, item by item and in plain words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.surveys.checks import TEXT_KEYS
from app.surveys.loader import canonical_json
from app.surveys.models import Choice, Page, Question, Strict, Survey, Text

# Changes after which some stored answers no longer fit the definition (a column or a value goes).
DROPS_DATA = frozenset({"question_removed", "question_retyped", "choice_removed", "row_removed"})
# How each kind of change reads; `old` and `new` hold what the kind compares (see Change).
WORDING = {
    "question_added": "{where} was added on page '{new}'",
    "question_removed": "{where} was removed from page '{old}'",
    "note_added": "{where} was added on page '{new}'",
    "note_removed": "{where} was removed from page '{old}'",
    "question_moved": "{where} moved from page '{old}' to page '{new}'",
    "question_retyped": "{where} changed type from {old} to {new}",
    "page_added": "{where} was added",
    "page_removed": "{where} was removed",
    "choice_added": "{where} was added",
    "choice_removed": "{where} was removed",
    "row_added": "{where} was added",
    "row_removed": "{where} was removed",
    "reordered": "{where} reordered",
    "reworded": "{where} reworded ({language}): {old} -> {new}",
    "wording_added": "{where} wording added ({language}): {new}",
    "wording_removed": "{where} wording removed ({language}): {old}",
    "languages": "{where} changed: {old} -> {new}",
    "settings": "{where}: settings changed ({new})",
    "other": "{where}: changed in a way not listed here; compare the files",
}
# Parts of a question compared on their own rather than as settings.
OWN_COMPARISON = frozenset({"id", "type", "choices", "rows", *TEXT_KEYS})


@dataclass(frozen=True)
class Change:
    """One difference between two definitions.

    `where` names the part in words ("question 'q'", "choice 2 of 'q'", "hint of question 'q'");
    `old` and `new` are the wordings for text changes, the types for a retype, the page ids for a
    move (and the page of an added or removed question), the languages for "languages", and the
    names of the changed settings (in `new`) for "settings". `question` and `item` (a choice value
    or row id) say which question and part it concerns, for per-question use such as a codebook.
    """

    kind: str
    where: str
    language: str | None = None
    old: str | None = None
    new: str | None = None
    question: str | None = None
    item: int | str | None = None

    @property
    def text(self) -> str:
        """The change as one line."""
        quoted = self.kind in ("reworded", "wording_added", "wording_removed")
        old, new = (_quote(self.old), _quote(self.new)) if quoted else (self.old, self.new)
        return WORDING[self.kind].format(where=self.where, language=self.language, old=old, new=new)

    @property
    def drops_data(self) -> bool:
        """True when answers stored on the old definition no longer fit the new one."""
        return self.kind in DROPS_DATA


def compare(old: Survey, new: Survey) -> list[Change]:
    """Every change from `old` to `new`: the survey's own keys, then page by page in definition order."""
    changes = _survey_changes(old, new)
    old_pages, new_pages = {p.id: p for p in old.pages}, {p.id: p for p in new.pages}
    old_home = {q.id: (page.id, q) for page, q in old.questions()}
    new_home = {q.id: (page.id, q) for page, q in new.questions()}
    question_order = _merged(list(old_home), list(new_home))
    for page_id in _merged(list(old_pages), list(new_pages)):
        changes += _page_changes(old, new, old_pages.get(page_id), new_pages.get(page_id), page_id)
        for qid in question_order:
            home = new_home.get(qid) or old_home[qid]
            if home[0] == page_id:
                before, after = old_home.get(qid), new_home.get(qid)
                changes += _question_changes(old, new, before, after)
    if not changes and canonical_json(old) != canonical_json(new):
        changes.append(Change("other", "survey"))
    return changes


def _survey_changes(old: Survey, new: Survey) -> list[Change]:
    """Languages, the survey's texts, its other keys, and its pages put in a new order."""
    changes = []
    if old.languages != new.languages:
        changes.append(
            Change(
                "languages", "survey languages", old=", ".join(old.languages), new=", ".join(new.languages)
            )
        )
    changes += _model_changes(
        old,
        new,
        old,
        new,
        "survey",
        skip={"id", "languages", "pages", "choice_lists"},
        extra=_lists(old, new),
    )
    if _order([p.id for p in old.pages], [p.id for p in new.pages]):
        changes.append(Change("reordered", "pages"))
    return changes


def _lists(old: Survey, new: Survey) -> list[str]:
    """Choice lists no question uses that changed (changes to used ones show in their questions)."""
    used = {
        q.choices
        for s in (old, new)
        for _, q in s.questions()
        if isinstance(getattr(q, "choices", None), str)
    }
    return [
        f"choice list '{name}' (used by no question)"
        for name in _merged(list(old.choice_lists), list(new.choice_lists))
        if name not in used and old.choice_lists.get(name) != new.choice_lists.get(name)
    ]


def _page_changes(
    old: Survey, new: Survey, before: Page | None, after: Page | None, page_id: str
) -> list[Change]:
    """A page added or removed, its texts and condition, and its questions put in a new order."""
    where = f"page '{page_id}'"
    if before is None or after is None:
        return [Change("page_added" if before is None else "page_removed", where)]
    changes = _model_changes(old, new, before, after, where, skip={"id", "questions"})
    kept = {q.id for q in before.questions} & {q.id for q in after.questions}
    if _order(
        [q.id for q in before.questions if q.id in kept], [q.id for q in after.questions if q.id in kept]
    ):
        changes.append(Change("reordered", f"questions on {where}"))
    return changes


def _question_changes(
    old: Survey, new: Survey, before: tuple[str, Question] | None, after: tuple[str, Question] | None
) -> list[Change]:
    """One question: added, removed, moved, retyped, reworded, its choices, rows and settings."""
    question = (after or before)[1]
    noun = "note" if question.type == "note" else "question"
    where = f"{noun} '{question.id}'"
    if before is None:
        return [Change(f"{noun}_added", where, new=after[0], question=question.id)]
    if after is None:
        return [Change(f"{noun}_removed", where, old=before[0], question=question.id)]
    (old_page, was), (new_page, now) = before, after
    changes = []
    if old_page != new_page:
        changes.append(Change("question_moved", where, old=old_page, new=new_page, question=now.id))
    if was.type != now.type:
        changes.append(Change("question_retyped", where, old=was.type, new=now.type, question=now.id))
    primary = "text" if now.type == "note" else "label"
    for key in _merged(_text_keys(was), _text_keys(now)):
        part = where if key == primary else f"{key.replace('_', ' ')} of {where}"
        changes += _text_changes(old, new, getattr(was, key, None), getattr(now, key, None), part, now.id)
    if "choices" in type(was).model_fields and "choices" in type(now).model_fields:
        changes += _choice_changes(old, new, was, now)
    if now.type == "matrix" and was.type == "matrix":
        changes += _items(old, new, {r.id: r for r in was.rows}, {r.id: r for r in now.rows}, "row", now.id)
    settings = [
        name for name in _settings(was) if name in _settings(now) and getattr(was, name) != getattr(now, name)
    ]
    if _list_name(was) != _list_name(now):
        settings.append("choice list")
    if settings:
        changes.append(
            Change("settings", where, new=", ".join(_key(was, name) for name in settings), question=now.id)
        )
    return changes


def _choice_changes(old: Survey, new: Survey, was: Question, now: Question) -> list[Change]:
    """Choices added, removed, reworded or reordered, by value, with choice lists resolved."""
    before: dict[Any, Choice] = {c.value: c for c in old.choices(was)}
    after: dict[Any, Choice] = {c.value: c for c in new.choices(now)}
    return _items(old, new, before, after, "choice", now.id)


def _items(old: Survey, new: Survey, before: dict, after: dict, noun: str, qid: str) -> list[Change]:
    """Choices or matrix rows of one question, matched by value or id."""
    changes = []
    for key in _merged(list(before), list(after)):
        where = f"{noun} {key!r} of '{qid}'"
        if key not in before or key not in after:
            kind = f"{noun}_added" if key not in before else f"{noun}_removed"
            changes.append(Change(kind, where, question=qid, item=key))
        else:
            changes += _text_changes(old, new, before[key].label, after[key].label, where, qid, key)
    kept = set(before) & set(after)
    if _order([k for k in before if k in kept], [k for k in after if k in kept]):
        changes.append(Change("reordered", f"{noun}s of '{qid}'", question=qid))
    return changes


def _model_changes(
    old: Survey, new: Survey, before: Strict, after: Strict, where: str, skip: set, extra: Sequence[str] = ()
) -> list[Change]:
    """A survey's or page's texts, then its other keys (and `extra` ones) summarised as settings."""
    changes, settings = [], []
    for name, info in type(after).model_fields.items():
        key = info.alias or name
        was, now = getattr(before, name), getattr(after, name)
        if key in skip:
            continue
        if key == "consent":  # the consent step is its text
            was, now, key = was and was.text, now and now.text, "consent text"
        if key in TEXT_KEYS or key == "consent text":
            part = f"{where} {key.replace('_', ' ')}" if where == "survey" else f"{key} of {where}"
            changes += _text_changes(old, new, was, now, part)
        elif was != now:
            settings.append(key)
    settings += list(extra)
    if settings:
        changes.append(Change("settings", where, new=", ".join(settings)))
    return changes


def _text_changes(
    old: Survey,
    new: Survey,
    before: Text | None,
    after: Text | None,
    where: str,
    question: str | None = None,
    item: int | str | None = None,
) -> list[Change]:
    """One text compared language by language, each version's text read in its own languages."""
    was, now = _wordings(before, old.languages), _wordings(after, new.languages)
    changes = []
    for lang in _merged(list(was), list(now)):
        if lang not in was:
            changes.append(Change("wording_added", where, lang, new=now[lang], question=question, item=item))
        elif lang not in now:
            changes.append(
                Change("wording_removed", where, lang, old=was[lang], question=question, item=item)
            )
        elif was[lang] != now[lang]:
            changes.append(Change("reworded", where, lang, was[lang], now[lang], question, item))
    return changes


def _wordings(text: Text | None, languages: list[str]) -> dict[str, str]:
    """A text by language: one string stands for every language of the survey."""
    if text is None:
        return {}
    if isinstance(text, str):
        return dict.fromkeys(languages, text)
    return dict(text)


def _text_keys(question: Question) -> list[str]:
    return [
        info.alias or name
        for name, info in type(question).model_fields.items()
        if (info.alias or name) in TEXT_KEYS
    ]


def _settings(question: Question) -> list[str]:
    return [
        name
        for name, info in type(question).model_fields.items()
        if (info.alias or name) not in OWN_COMPARISON
    ]


def _key(question: Question, name: str) -> str:
    return type(question).model_fields[name].alias or name


def _list_name(question: Question) -> str | None:
    choices = getattr(question, "choices", None)
    return choices if isinstance(choices, str) else None


def _order(before: list, after: list) -> bool:
    """True when the items both lists share stand in a different order."""
    kept = set(before) & set(after)
    return [x for x in before if x in kept] != [x for x in after if x in kept]


def _merged(before: list, after: list) -> list:
    """The items of `after` in order, with each item only `before` had placed after its predecessor there."""
    merged = list(after)
    for index, item in enumerate(before):
        if item in merged:
            continue
        previous = next((before[i] for i in range(index - 1, -1, -1) if before[i] in merged), None)
        merged.insert(0 if previous is None else merged.index(previous) + 1, item)
    return merged


def _quote(text: str | None) -> str:
    return '"' + (text or "").replace("\n", "\\n") + '"'
