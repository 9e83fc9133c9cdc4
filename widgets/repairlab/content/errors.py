"""Authoring errors: what an instructor sees when content is wrong.

Every problem names the file and line, the field, what was expected, and the fix, so an
instructor can correct a YAML file without reading Python. ``repairlab check`` prints them;
nothing in the content layer lets a traceback through for a content mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AuthoringProblem:
    path: Path
    line: int | None
    message: str
    fix: str = ""
    field: str = ""
    item_id: str = ""
    note: str = ""  # what else this problem explains, e.g. the notebook cells waiting for it
    kind: str = ""  # "placeholder": template text not yet written (content/placeholders.py)

    def format(self, root: Path | None = None) -> str:
        path = self.path
        if root is not None and self.path.resolve().is_relative_to(root.resolve()):
            path = self.path.resolve().relative_to(root.resolve())
        where = f"{path}:{self.line}" if self.line else f"{path}"
        subject = []
        if self.item_id:
            subject.append(f"item {self.item_id!r}")
        if self.field:
            subject.append(f"field `{self.field}`")
        head = f"{where}: " + (", ".join(subject) + ": " if subject else "") + self.message
        return (head + (f"\n    fix: {self.fix}" if self.fix else "")
                + (f"\n    note: {self.note}" if self.note else ""))


class ContentError(Exception):
    """Raised when content cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[AuthoringProblem]):
        self.problems = problems
        super().__init__("\n".join(p.format() for p in problems))
