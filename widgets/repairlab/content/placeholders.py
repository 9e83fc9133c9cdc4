"""Placeholders left from the new-module template: `check` fails until they are replaced.

`repairlab new-module` fills in the module's number, slug and title, and leaves "TODO: ..."
where only the author can write the text: the summary and objectives, the reading, its key
points and sources. A student must never see one, so each is an error naming the file, the
line (for a notebook, the cell and its line) and what to write instead. Comments in YAML
are not shown to students and are not checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import AuthoringProblem
from .validation import field_path
from .yaml_source import PathKey, YamlDocument

# "TODO" as a word, and the template's own markers that new-module replaces.
PLACEHOLDER = re.compile(r"\bTODO\b|__(?:NN|SLUG|TITLE)__")
_MARKER_FIX = {
    "__NN__": "the module's two-digit number (as in its folder name, e.g. 08)",
    "__SLUG__": "the module's slug (its folder name without the number, e.g. cultural-ruptures)",
    "__TITLE__": "the module's title",
}


def _shown(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _problem(path: Path, line: int | None, where: str, text: str, *, field: str = "",
             item_id: str = "") -> AuthoringProblem:
    found = PLACEHOLDER.search(text)
    marker = found.group(0) if found else "TODO"
    if marker in _MARKER_FIX:
        return AuthoringProblem(
            path, line, f"{where}the template's marker {marker} was never filled in: "
            f"{_shown(text)!r}.",
            fix=f"replace the placeholder {marker} with {_MARKER_FIX[marker]}; "
            "`repairlab new-module` fills these in when it creates a module.",
            field=field, item_id=item_id, kind="placeholder")
    start = text.find(marker)
    return AuthoringProblem(
        path, line, f"{where}placeholder text from the template, not yet written: "
        f"{_shown(text[start:])!r}.",
        fix="replace the placeholder (the whole TODO line) with your own text, as it asks; "
        "students would see it as it is.", field=field, item_id=item_id, kind="placeholder")


def _strings(value: Any, key: PathKey = ()) -> Iterator[tuple[PathKey, str]]:
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for name, child in value.items():
            yield from _strings(child, (*key, name))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _strings(child, (*key, index))


def _line_in_file(document: YamlDocument, key: PathKey, lines: list[str], text: str) -> int | None:
    """The line of the file on which the placeholder in the value at ``key`` is written: the
    value's own line, or a later one for text written over several lines."""
    start = document.line_of(key)
    if start is None:
        return None
    found = PLACEHOLDER.search(text)
    marker = found.group(0) if found else "TODO"
    for number in range(start, len(lines) + 1):
        line = lines[number - 1]
        before_comment = line.split(" #")[0] if not line.lstrip().startswith("#") else ""
        if marker in before_comment:
            return number
    return start


def yaml_placeholders(document: YamlDocument, base: PathKey = (),
                      item_id: str = "") -> list[AuthoringProblem]:
    """Every placeholder in the text values of ``document`` under the key ``base`` (the whole
    document, or e.g. one item, ``("items", 3)``); fields are named relative to ``base``."""
    value = document.data
    for part in base:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return []
    found = [(key, text) for key, text in _strings(value) if PLACEHOLDER.search(text)]
    if not found:
        return []
    try:
        lines = document.path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    return [_problem(document.path, _line_in_file(document, (*base, *key), lines, text), "",
                     text, field=field_path(key), item_id=item_id)
            for key, text in found]


def notebook_placeholders(path: Path) -> list[AuthoringProblem]:
    """Every line of a notebook's cells that holds a placeholder, by cell and line."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return []  # `check` reports an unreadable notebook on its own
    problems = []
    for number, cell in enumerate(cells, 1):
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        for line_number, line in enumerate(text.splitlines(), 1):
            if PLACEHOLDER.search(line):
                problems.append(_problem(path, None, f"cell {number}, line {line_number}: ",
                                         line))
    return problems
