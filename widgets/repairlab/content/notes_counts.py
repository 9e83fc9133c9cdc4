"""Counts in instructor notes, checked against the items the pages show.

A teacher planning a seminar wants to know how much a page holds, so instructor notes state
counts. Written into prose ("23 rewrites at two to three minutes each") a count goes stale as
soon as an item is added, and nothing notices. So the notes state them in one fixed form, a
line of its own per page, which ``repairlab check`` compares with the ``show("...")`` calls of
that page's notebook:

    **Practice page:** 14 classify-marker, 5 find-the-moment, 4 pick-repair-step (23 items).

The page is one of the module's notebooks that show items (``practice``, ``cases``); each entry
is a number and an exercise kind's ``type`` exactly as items write it; the total in brackets is
optional. Every kind the page shows must be listed, and no other. A wrong line is an authoring
problem naming the notes file, the line and the line as it should read. A page showing a
broken or missing item is not counted until that item is fixed (its own problem says how).
Counts written anywhere else in the notes are not checked: state them in this line instead.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from ..registry import KINDS
from .errors import AuthoringProblem
from .layout import notebook_item_refs

NOTES_FILE = "instructor-notes.md"
# "**Practice page:** ..." / "**Cases page:** ...": the page is a notebook role in module.yaml.
COUNT_LINE = re.compile(r"^\*\*(?P<page>[A-Za-z]+) page:\*\*\s*(?P<body>.*?)\s*$")
ENTRY = re.compile(r"^(?P<n>\d+) (?P<kind>[a-z][a-z-]*)$")
TOTAL = re.compile(r"\((?P<n>\d+) items?\)\.?$")
PAGES = ("practice", "cases")


def count_line(page: str, counts: Counter[str]) -> str:
    """The line as it should read: kinds in the order of the registry, then the total."""
    entries = ", ".join(f"{counts[kind]} {kind}" for kind in KINDS if counts[kind])
    total = sum(counts.values())
    return f"**{page.capitalize()} page:** {entries} ({total} item{'s' * (total != 1)})."


def page_counts(course: Any, module: Any) -> dict[str, Counter[str] | None]:
    """Items per kind on each of the module's item pages, from the notebooks' ``show`` calls.
    None for a page that shows an item which is broken or missing: that item's own problem
    says what to fix, and the count is checked once it is fixed (one slip, one message)."""
    counts: dict[str, Counter[str] | None] = {}
    for page in PAGES:
        if not getattr(module.manifest.notebooks, page, None):
            continue
        try:
            refs = [item_id for item_id, _ in notebook_item_refs(module.notebook(page))]
        except (OSError, ValueError, KeyError):  # reported by the module's own checks
            counts[page] = None
            continue
        items = course.bank.items
        counts[page] = (Counter(items[i].type for i in refs) if all(i in items for i in refs)
                        else None)
    return counts


def notes_count_problems(course: Any) -> list[AuthoringProblem]:
    """Each count line of each module's instructor notes that disagrees with its page."""
    problems: list[AuthoringProblem] = []
    for module in course.modules:
        notes = module.path / NOTES_FILE
        if not notes.is_file():
            continue
        counts = page_counts(course, module)
        for number, text in enumerate(notes.read_text(encoding="utf-8").splitlines(), 1):
            found = COUNT_LINE.match(text)
            if found:
                problems.extend(_line_problems(notes, number, found, counts))
    return problems


def _line_problems(notes: Path, line: int, found: re.Match,
                   counts: dict[str, Counter[str] | None]) -> list[AuthoringProblem]:
    page = found.group("page").lower()
    if page not in counts:
        return [AuthoringProblem(
            notes, line, f"a count line for the {page} page, but this module has no {page} "
            "notebook.", fix=f"name one of this module's pages ({', '.join(sorted(counts))}) "
            "or remove the line.")]
    actual = counts[page]
    if actual is None:
        return []
    expected = count_line(page, actual)
    body = found.group("body")
    total = TOTAL.search(body)
    stated: Counter[str] = Counter()
    for entry in filter(None, (e.strip() for e in body[:total.start() if total else None]
                              .rstrip(" .").split(","))):
        parsed = ENTRY.match(entry)
        if not parsed or parsed.group("kind") not in KINDS:
            return [AuthoringProblem(
                notes, line, f"the {page} page's count line has {entry!r}, which is not a number "
                "and an exercise kind.",
                fix=f"write each entry as a number and a kind's `type` "
                f"({', '.join(KINDS)}); this page reads: {expected}")]
        stated[parsed.group("kind")] += int(parsed.group("n"))
    wrong = [f"{stated[kind]} {kind} (the page shows {actual[kind]})"
             for kind in KINDS if stated[kind] != actual[kind]]
    if total and int(total.group("n")) != sum(actual.values()):
        wrong.append(f"{total.group('n')} items in all (the page shows {sum(actual.values())})")
    if not wrong:
        return []
    return [AuthoringProblem(
        notes, line, f"the {page} page's count line is out of date: it says "
        f"{'; '.join(wrong)}.", fix=f"replace the line with: {expected}")]
