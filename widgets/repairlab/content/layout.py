"""Where a course's files are, read without pydantic: the folder layout, the ``Module`` record,
finding the course root and the ``show("id")`` calls in a notebook.

``content/course.py`` (the full, validated load) and ``content/page.py`` (a page's kernel)
both build on it; importing it costs no more than the standard library.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import AuthoringProblem, ContentError

COURSE_FILE = Path("curriculum") / "course.yaml"
MODULE_FILE = "module.yaml"
MODULE_FOLDER = re.compile(r"^(\d{2})-([a-z0-9][a-z0-9-]*)$")
# The one line an exercise cell holds: show("m01-schema-03").
SHOW_CALL = re.compile(r"""\bshow\(\s*["']([^"']*)["']""")
# Where an exercise file names an item: `- id: m01-schema-03`, quoted or not, or `{id: ...}`.
# Read from the text, without parsing it: a shortlist of files to parse, or the ids of a file
# that cannot be parsed.
ID_IN_TEXT = re.compile(r"""\bid:[ \t]*["']?([^\s"'#,{}\[\]]+)""")


@dataclass
class Module:
    folder: str
    number: int
    slug: str
    path: Path
    manifest: Any  # a ModuleManifest (content/course.py), or its plain twin (content/page.py)

    @property
    def title(self) -> str:
        return self.manifest.title

    def notebook(self, which: str) -> Path:
        return self.path / getattr(self.manifest.notebooks, which)


@dataclass(frozen=True)
class ItemSource:
    path: Path
    line: int | None
    exercise_folder: str  # the module slug the file lives under


def exercise_folder(path: Path, exercises_dir: Path) -> str:
    """The module slug an exercise file lives under ("" for a file directly in exercises/)."""
    return path.relative_to(exercises_dir).parts[0] if path.parent != exercises_dir else ""


class ShownItems:
    """Where items belong, from the ``show("id")`` calls in the notebooks: shared by the full
    ``Course`` and a page's ``CoursePage``, which supply ``modules``, ``shown_in`` and
    ``_source_of`` (an item's ``ItemSource``, for an item no notebook shows)."""

    def items_of(self, module: Module) -> list[str]:
        """The ids a module's notebooks show, in page order."""
        return [i for i, (m, _) in self.shown_in.items() if m is module]

    def module_of_item(self, item_id: str) -> Module | None:
        found = self.shown_in.get(item_id)
        if found:
            return found[0]
        source = self._source_of(item_id)
        return next((m for m in self.modules
                     if source and m.manifest.exercises == source.exercise_folder), None)


def find_course_root(start: Path | None = None) -> Path:
    """The folder holding ``curriculum/course.yaml``, found up from ``start`` when one is given
    (a path on the command line means that course), else $REPAIRLAB_COURSE_DIR (set for the
    kernels by `serve` and Binder), else up from the current folder."""
    from ..static import static_mode

    env = os.environ.get("REPAIRLAB_COURSE_DIR")
    if start is None and env:
        return Path(env).resolve()
    if start is None and static_mode():
        # On the static site every file test is a round trip from the kernel's worker to the
        # page (the browser's drive), a few milliseconds each and more under load: walking up
        # on every show() was about 6 of the 12 a practice page's exercise cost. The site
        # never changes under a kernel, so each folder's answer is kept.
        cwd = os.getcwd()
        if cwd not in _SITE_ROOTS:
            _SITE_ROOTS[cwd] = _walk_up(Path(cwd))
        return _SITE_ROOTS[cwd]
    return _walk_up((start or Path.cwd()).resolve())


_SITE_ROOTS: dict[str, Path] = {}


def _walk_up(here: Path) -> Path:
    for folder in (here, *here.parents):
        if (folder / COURSE_FILE).is_file():
            return folder
    raise ContentError([AuthoringProblem(
        here, None, "no course found: there is no curriculum/course.yaml here or above.",
        fix="run from inside a RepairLab checkout, or set REPAIRLAB_COURSE_DIR to its folder.")])


def notebook_item_refs(path: Path) -> list[tuple[str, int]]:
    """Every ``show("id")`` in a notebook's code cells, with the cell number (from 1)."""
    refs = []
    for number, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"], 1):
        if cell.get("cell_type") == "code":
            refs.extend((m.group(1), number) for m in SHOW_CALL.finditer("".join(cell["source"])))
    return refs


def course_signature(root: Path) -> str:
    """Changes whenever anything a page shows from the course changes: the course and module
    manifests (by content, they are small), the notebooks and the exercise files (by size and
    modification time, as the compiled course's fingerprint). A kernel that keeps the course
    between cells (``notebook.current_course``) and the server's pre-heated pages
    (``serving/app.py``) compare it, so an instructor's edit is never shown stale. Cheap (a
    few hundred microseconds for the whole course): it is read on every ``show()``."""
    from ..static import static_mode

    if static_mode():
        return "static site"  # built once; nothing on it changes under a kernel
    digest = hashlib.sha256()
    curriculum = os.path.join(root, "curriculum")
    files: list[str] = []  # notebooks and exercise files, by size and time
    manifests = [os.path.join(root, COURSE_FILE)]
    for entry in _entries(curriculum):
        if entry.name.endswith(".ipynb"):
            files.append(entry.path)
        elif entry.is_dir(follow_symlinks=True):
            manifests.append(os.path.join(entry.path, MODULE_FILE))
            files.extend(e.path for e in _entries(entry.path) if e.name.endswith(".ipynb"))
    folders = [os.path.join(root, "exercises")]
    while folders:
        for entry in _entries(folders.pop()):
            if entry.is_dir(follow_symlinks=True):
                folders.append(entry.path)
            elif entry.name.endswith((".yaml", ".yml")):
                files.append(entry.path)
    for path in sorted(manifests):
        try:
            with open(path, "rb") as handle:
                digest.update(handle.read())
        except OSError:
            digest.update(b"(none)")
        digest.update(f"\0{path}\n".encode())
    for path in sorted(files):
        try:
            stat = os.stat(path)
        except OSError:
            continue
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:24]


def _entries(folder: str) -> list[os.DirEntry]:
    """The folder's entries, hidden ones left out (as everywhere in the course)."""
    try:
        with os.scandir(folder) as found:
            return [e for e in found if not e.name.startswith(".")]
    except OSError:
        return []


_WARNING = re.compile(r"content warning", re.IGNORECASE)


def notebook_content_warnings(path: Path) -> dict[str, str]:
    """item id -> the content warning a notebook gives just before showing it: the text of a
    markdown cell that says "Content warning", for the first ``show("id")`` after it. A page
    that shows the item elsewhere (practice mode) shows the same warning first."""
    warnings: dict[str, str] = {}
    pending: str | None = None
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"])
        if cell.get("cell_type") == "markdown":
            pending = source if _WARNING.search(source) else pending
        elif cell.get("cell_type") == "code" and pending:
            found = SHOW_CALL.search(source)
            if found:
                warnings[found.group(1)] = pending
                pending = None
    return warnings
