"""Read survey YAML files into validated models, reporting every problem with its file and line."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.survey_media import files as media_files
from app.surveys import checks
from app.surveys.models import ITEM_ID, LANGUAGE, SLUG, SURVEY_ID, Strict, Survey

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in a definition, located by file, line and path."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.path}: {self.message}"


@dataclass
class LoadResult:
    """What loading one file gave: a survey, or the problems that kept it from being one."""

    file: str
    survey: Survey | None = None
    problems: list[Problem] = field(default_factory=list)


class DefinitionLoader(yaml.SafeLoader):
    """A safe YAML loader with YAML 1.2 booleans: only true/false, never yes/no/on/off."""


DefinitionLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
DefinitionLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _DuplicateKey(Exception):
    def __init__(self, path: Path_, line: int, first_line: int):
        self.path, self.line, self.first_line = path, line, first_line


def _construct(loader: DefinitionLoader, node: yaml.Node, path: Path_, lines: dict) -> Any:
    """Build plain data from a YAML node, recording the line of every path."""
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict = {}
        seen: dict = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, (str, int)):
                key = str(key)
            if key in seen:
                raise _DuplicateKey((*path, key), line, seen[key])
            seen[key] = line
            lines[(*path, key)] = line
            result[key] = _construct(loader, value_node, (*path, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            items.append(_construct(loader, item, (*path, index), lines))
        return items
    return loader.construct_object(node, deep=True)


def parse_yaml(text: str) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML text into data and a map from each path to its line (1-based)."""
    loader = DefinitionLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path_, int] = {(): 1}
        data = None if node is None else _construct(loader, node, (), lines)
        return data, lines
    finally:
        loader.dispose()


def format_path(path: Path_) -> str:
    """('pages', 1, 'questions', 2) -> 'pages[1].questions[2]'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(survey)"


def line_of(path: Path_, lines: dict[Path_, int]) -> int:
    """The line of a path, or of its nearest ancestor that is in the file."""
    while path not in lines:
        path = path[:-1]
    return lines[path]


def _strip_tags(loc: tuple) -> Path_:
    """Drop the union tags ('~text', '~all', ...) and the '[key]' of a mapping's key pydantic puts in
    an error location."""
    return tuple(part for part in loc if not (isinstance(part, str) and (part[:1] == "~" or part == "[key]")))


PATTERN_HELP = {
    SURVEY_ID: "lowercase letters, digits and '-', 2 to 63 characters, starting with a letter or digit",
    ITEM_ID: "lowercase letters, digits and '_', starting with a letter, at most 64 characters",
    SLUG: "lowercase letters, digits, '-' and '_', starting with a letter or digit",
    LANGUAGE: "a language code such as sv, en, ar or pt-BR",
}


def _known_keys() -> set[str]:
    """Every key the format knows, for 'did you mean' hints."""
    keys: set[str] = set()
    pending = [Strict]
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        keys.update(info.alias or name for name, info in model.model_fields.items())
    return keys


KNOWN_KEYS = _known_keys()


def _message(error: dict) -> str:
    """A plain-language message for one pydantic error."""
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    key = error["loc"][-1] if error["loc"] else ""
    if kind == "extra_forbidden":
        if key in KNOWN_KEYS:
            return f"key '{key}' is not allowed here"
        close = difflib.get_close_matches(str(key), KNOWN_KEYS, n=1, cutoff=0.75)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown key '{key}'{hint}"
    if kind == "missing":
        return "required key is missing"
    if kind == "union_tag_invalid":
        expected = ", ".join(t.strip("'~ ") for t in ctx.get("expected_tags", "").split(","))
        return f"unknown question type '{ctx.get('tag', '').lstrip('~')}' (expected one of: {expected})"
    if kind == "union_tag_not_found":
        return "question has no 'type'"
    if kind == "string_pattern_mismatch":
        help_ = PATTERN_HELP.get(ctx.get("pattern"), f"must match {ctx.get('pattern')}")
        return f"'{value}' is not valid here: use {help_}"
    if kind == "literal_error":
        return f"'{value}' is not allowed here; expected {ctx.get('expected')}"
    if kind in ("too_short", "too_long") and isinstance(value, (list, dict)):
        limit = ctx.get("min_length", ctx.get("max_length"))
        return f"needs at least {limit} item(s)" if kind == "too_short" else f"at most {limit} items"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    msg = error["msg"]
    return msg[0].lower() + msg[1:]


def canonical_json(survey: Survey) -> str:
    """The canonical form of a definition: what is hashed and stored for each version."""
    data = survey.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(survey: Survey) -> str:
    """SHA-256 of the canonical form; equal definitions give equal hashes whatever their layout."""
    return hashlib.sha256(canonical_json(survey).encode()).hexdigest()


def load_text(text: str, file: str, expected_id: str | None = None, media: Path | None = None) -> LoadResult:
    """Validate YAML text; `expected_id` is the id the file name implies; with `media` (a surveys folder's
    media/), the pictures and recordings the survey names are checked there too."""
    result = LoadResult(file)

    def problem(line: int, path: Path_, message: str) -> None:
        result.problems.append(Problem(file, line, format_path(path), message))

    try:
        data, lines = parse_yaml(text)
    except _DuplicateKey as dup:
        key = dup.path[-1]
        problem(dup.line, dup.path, f"duplicate key '{key}' (first at line {dup.first_line})")
        return result
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        result.problems.append(Problem(file, mark.line + 1 if mark else 1, "syntax", reason))
        return result
    if not isinstance(data, dict):
        problem(1, (), "a survey file must be a mapping of keys (id, title, pages, ...)")
        return result

    try:
        survey = Survey.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            path = _strip_tags(error["loc"])
            problem(line_of(path, lines), path, _message(error))
    else:
        for path, message in checks.check(survey):
            problem(line_of(path, lines), path, message)
        if media is not None:
            for path, message in media_files.check(survey, media):
                problem(line_of(path, lines), path, message)
        if expected_id is not None and survey.id != expected_id:
            problem(
                lines.get(("id",), 1),
                ("id",),
                f"id '{survey.id}' does not match the file name '{expected_id}.yaml'",
            )
        if not result.problems:
            result.survey = survey
    result.problems.sort()
    return result


def load_file(path: Path, display_name: str | None = None, media: Path | None = None) -> LoadResult:
    """Validate one survey file (and the files it names in `media`, when given)."""
    name = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return LoadResult(name, problems=[Problem(name, 1, "file", f"not UTF-8 text ({exc.reason})")])
    except OSError as exc:
        return LoadResult(name, problems=[Problem(name, 1, "file", exc.strerror or str(exc))])
    return load_text(text, name, expected_id=path.stem, media=media)


def survey_files(paths: list[Path]) -> list[Path]:
    """The files named, and the *.yaml files in the folders named, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.glob("*.yaml")))
        else:
            found.append(path)
    return found


def survey_from_json(definition: dict) -> Survey:
    """Rebuild a stored version's definition (already validated when it was stored)."""
    return Survey.model_validate(definition)
