"""The item bank: every exercise item in ``exercises/``, validated and indexed by id."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ..kinds.base import Item
from ..registry import KINDS
from ..schemas import validate
from .errors import AuthoringProblem, ContentError
from .layout import ID_IN_TEXT, ItemSource, exercise_folder
from .placeholders import yaml_placeholders
from .validation import problems_from_validation
from .yaml_source import YamlDocument, load_entries


@dataclass
class ItemBank:
    items: dict[str, Item] = field(default_factory=dict)
    sources: dict[str, ItemSource] = field(default_factory=dict)
    # Items written in an exercise file that could not be used (a YAML slip, an invalid field,
    # a file that cannot be read): id -> where. Their problems are reported once, as theirs;
    # a notebook showing one is waiting for that fix, not naming a missing item.
    broken: dict[str, ItemSource] = field(default_factory=dict)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.items

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items.values())

    def get(self, item_id: str) -> Item:
        return self.items[item_id]

    def suggest(self, item_id: str, folder: str | None = None) -> list[str]:
        """Ids close to ``item_id``: those of the exercise folder ``folder`` (a module's own
        items) when any is close, else any item's."""
        if folder is not None:
            own = [i for i, source in self.sources.items() if source.exercise_folder == folder]
            close = difflib.get_close_matches(item_id, own, n=3, cutoff=0.6)
            if close:
                return close
        return difflib.get_close_matches(item_id, list(self.items), n=3, cutoff=0.6)


def exercise_files(exercises_dir: Path) -> list[Path]:
    return sorted(p for p in exercises_dir.rglob("*")
                  if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))


def load_bank(exercises_dir: Path) -> tuple[ItemBank, list[AuthoringProblem]]:
    """Load every item; return the valid ones and every problem found (never raises for content)."""
    bank = ItemBank()
    problems: list[AuthoringProblem] = []
    for path in exercise_files(exercises_dir):
        folder = exercise_folder(path, exercises_dir)
        try:
            document = load_entries(path)
        except ContentError as error:
            problems.extend(error.problems)
            for item_id, line in _ids_written_in(path).items():
                bank.broken.setdefault(item_id, ItemSource(path, line, folder))
            continue
        for broken in document.broken.values():  # one entry unreadable, the others still read
            problems.extend(broken.problems)
            if broken.item_id:
                bank.broken.setdefault(broken.item_id, ItemSource(path, broken.line, folder))
        for item, line in _items_of(document, problems, bank.broken, folder):
            earlier = bank.sources.get(item.id)
            if earlier is not None:
                problems.append(AuthoringProblem(
                    path, line, f"the id is already used at {earlier.path}:{earlier.line}.",
                    fix="give this item a new id; ids must be unique across all files.",
                    field="id", item_id=item.id))
                continue
            bank.items[item.id] = item
            bank.sources[item.id] = ItemSource(path, line, folder)
    for item_id in bank.items:
        bank.broken.pop(item_id, None)  # a valid item with this id exists: notebooks work
    return bank, problems


def _ids_written_in(path: Path) -> dict[str, int]:
    """The ids written in a file that cannot be parsed, each with the line it is on."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        for item_id in ID_IN_TEXT.findall(line):
            found.setdefault(item_id, number)
    return found


def _items_of(document: YamlDocument, problems: list[AuthoringProblem],
              broken: dict[str, ItemSource], folder: str):
    for index, raw, line in file_entries(document, problems):
        item = validate_entry(document, index, raw, problems)
        if item is not None:
            problems.extend(yaml_placeholders(document, ("items", index), item.id))
            yield item, line
        elif isinstance(raw.get("id"), str) and raw["id"]:
            broken.setdefault(raw["id"], ItemSource(document.path, line, folder))


def file_entries(document: YamlDocument, problems: list[AuthoringProblem]):
    """(index, raw mapping, line) for each entry of an exercise file, not validated; problems
    with the file's shape, or an entry that is not a mapping, go to ``problems``."""
    path, data = document.path, document.data
    if not isinstance(data, dict) or "items" not in data:
        problems.append(AuthoringProblem(
            path, 1, "an exercise file must be a mapping with one key, `items`.",
            fix="start the file with `items:` and list the items below it, each starting '- id:'."))
        return
    for key in data:
        if key != "items":
            problems.append(AuthoringProblem(
                path, document.line_of((key,)), f"unknown top-level key `{key}`.",
                fix="an exercise file holds only `items:`; move this under an item or remove it."))
    entries = data["items"]
    if not isinstance(entries, list):
        problems.append(AuthoringProblem(
            path, document.line_of(("items",)), "`items` must be a list.",
            fix="write each item below `items:` starting with '- id: ...'."))
        return
    for index, raw in enumerate(entries):
        if index in document.broken:
            continue  # could not be read as YAML: its problems are reported already
        line = document.line_of(("items", index))
        if not isinstance(raw, dict):
            problems.append(AuthoringProblem(
                path, line, f"item #{index + 1} is not a mapping of fields.",
                fix="write the item as `key: value` lines, starting with '- id: ...'."))
            continue
        yield index, raw, line


def validate_entry(document: YamlDocument, index: int, raw: dict,
                   problems: list[AuthoringProblem]) -> Item | None:
    """One entry through its kind's schema (importing that kind only now); None if invalid."""
    item_id = str(raw.get("id", "")) or f"#{index + 1}"
    kind = KINDS.get(raw.get("type"))  # type: ignore[arg-type]
    if kind is None:
        problems.append(_unknown_type(document, index, raw, item_id))
        return None
    try:
        return validate(raw)
    except ValidationError as error:
        problems.extend(problems_from_validation(
            error, kind.schema, document, ("items", index), item_id))
        return None


def _unknown_type(document: YamlDocument, index: int, raw: dict, item_id: str) -> AuthoringProblem:
    given = raw.get("type")
    known = ", ".join(KINDS)
    if given is None:
        return AuthoringProblem(document.path, document.line_of(("items", index)),
                                "required field is missing.", fix=f"add `type:`, one of: {known}.",
                                field="type", item_id=item_id)
    close = difflib.get_close_matches(str(given), list(KINDS), n=1)
    hint = f"did you mean `{close[0]}`? " if close else ""
    return AuthoringProblem(document.path, document.line_of(("items", index, "type")),
                            f"unknown exercise type {given!r}.",
                            fix=f"{hint}The types are: {known}.", field="type", item_id=item_id)
