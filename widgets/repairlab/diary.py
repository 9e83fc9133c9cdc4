"""The practice diary: per module, what I practised, what was hard, what I will try next.

The deliberate-practice books end each session with a short diary entry; RepairLab keeps one
entry per module and student, beside their attempts in the progress store (both stores), and
carries it in the hand-in file (an optional ``diary`` key). The questions are worded here once,
for the page's labelled boxes (``views/diary.py``) and the hand-in's renderer
(``views/render.py``). Pure: no widgets, no sqlite3 (the static site's kernel imports it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["QUESTIONS", "clean_entry", "is_empty", "modules_with_entries", "read_entries"]

# (key kept in the store and the hand-in, the question the student answers)
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("practised", "What I practised"),
    ("hard", "What was hard"),
    ("next", "What I will try next"),
)
KEYS = tuple(key for key, _question in QUESTIONS)
# A diary entry is short; this only stops a runaway paste from bloating every hand-in.
MAX_CHARS = 20_000


def clean_entry(entry: Mapping[str, Any]) -> dict[str, str]:
    """The entry as kept: each question's text (missing ones empty), JSON-safe (a lone
    surrogate from the browser becomes U+FFFD, as in attempts). ``ValueError`` for an
    entry that is not text or is longer than ``MAX_CHARS``: a programming error, never the
    student's typing, which reaches here as a str."""
    if not isinstance(entry, Mapping):
        raise ValueError(f"a diary entry must be a mapping, got {type(entry).__name__}")
    unknown = set(entry) - set(KEYS)
    if unknown:
        raise ValueError(f"a diary entry has no question {sorted(unknown)!r}")
    kept = {}
    for key in KEYS:
        text = entry.get(key, "")
        if not isinstance(text, str):
            raise ValueError(f"a diary answer must be text, got {type(text).__name__}")
        if len(text) > MAX_CHARS:
            raise ValueError(f"a diary answer is at most {MAX_CHARS} characters")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        kept[key] = text
    return kept


def is_empty(entry: Mapping[str, Any]) -> bool:
    return not any(isinstance(entry.get(key), str) and entry[key].strip() for key in KEYS)


def read_entries(value: Any) -> dict[str, dict[str, str]]:
    """A hand-in's ``diary`` as module slug -> entry, keeping only what is text: what any
    reader of a hand-in can show safely (older files have none)."""
    if not isinstance(value, Mapping):
        return {}
    entries = {}
    for slug, entry in value.items():
        if isinstance(entry, Mapping):
            entries[str(slug)] = {key: entry[key] for key in (*KEYS, "saved_at")
                                  if isinstance(entry.get(key), str)}
    return entries


def modules_with_entries(value: Any) -> set[str]:
    """The modules a hand-in's ``diary`` holds an entry for with something written in it:
    what the gradebook's diary columns and the dashboard say (the text stays in the hand-in)."""
    return {slug for slug, entry in read_entries(value).items() if not is_empty(entry)}


def to_json(entry: Mapping[str, str]) -> str:
    return json.dumps(dict(entry), ensure_ascii=False, separators=(",", ":"))
