"""Reading a folder of hand-ins for the dashboard: one submission per student, and the files
left out, by :mod:`repairlab.collect` (the same collector and choice as the gradebook)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from repairlab import timestamps
from repairlab.collect import ZIP_SUFFIX, HandIn, Skipped, choose, collect

__all__ = ["ClassData", "course_arguments", "is_folder_or_zip", "load_folder"]


@dataclass
class ClassData:
    """The hand-ins of one class: one submission per student, and the files left out."""

    folder: Path
    curriculum_version: str | None
    course: str | None  # the course title recorded in the hand-ins
    items: dict[str, dict[str, Any]]  # item id -> {module, module_title, kind, title}, in order
    submissions: dict[str, dict[str, Any]]  # student -> the submission that counts, by name
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    chosen: dict[str, HandIn] = field(default_factory=dict)  # student -> the hand-in counted
    conflicts: list[str] = field(default_factory=list)  # one id, several progress files: not shown
    # module slug -> (skills, items) as the practice rule reads them (coursework.module_skills):
    # only from the course folder, for the hand-ins do not carry the skills.
    skills: dict[str, Any] = field(default_factory=dict)

    @property
    def students(self) -> list[str]:
        return list(self.submissions)

    @property
    def modules(self) -> list[tuple[str, str]]:
        """(slug, title) in course order."""
        return _modules_of(self.items)

    def module_items(self, slug: str) -> list[str]:
        return [i for i, meta in self.items.items() if meta.get("module") == slug]

    def attempts_by_item(self, student: str) -> dict[str, list[dict[str, Any]]]:
        """item id -> the student's attempts at it, oldest first (items of the course only).

        Attempts at items the course no longer lists are left out, as in the gradebook.
        """
        by_item: dict[str, list[dict[str, Any]]] = {}
        for attempt in self.submissions[student].get("attempts") or []:
            item_id = attempt.get("item_id")
            if item_id in self.items:
                by_item.setdefault(item_id, []).append(attempt)
        return by_item


def load_folder(
    folder: str | os.PathLike[str],
    *,
    curriculum_version: str | None = None,
    items: Mapping[str, Mapping[str, Any]] | None = None,
    newest: bool = False,
    renames: Mapping[str, str] | None = None,
    skills: Mapping[str, Any] | None = None,
) -> ClassData:
    """Read every hand-in under ``folder``; never raises for a bad file.

    The files are read by :func:`repairlab.collect.collect` and one hand-in per student chosen
    by :func:`repairlab.collect.choose`, exactly as ``repairlab gradebook`` does: sub-folders
    and zip files are read too, and a file left out is listed in ``skipped`` with the reason
    (not a hand-in, changed after download, another curriculum version than
    ``curriculum_version``). Without ``curriculum_version`` the version most hand-ins were made
    for is used (so totals are never mixed across versions). Hand-ins with one student id from
    different progress files are listed in ``conflicts`` and that student is not shown, unless
    ``newest``; ``renames`` counts a file as another student id (both as in the gradebook; a
    rename that finds no file raises :class:`repairlab.collect.RenameError`).

    ``items`` (item id -> {module, module_title, kind, title}, in course order, e.g.
    :func:`repairlab.coursework.item_index`) fixes the modules and items; without it they are
    taken from the hand-ins themselves, which each carry the course's item list. ``skills``
    (:func:`repairlab.coursework.module_skills`) gives each module's skills, for the mastery
    table; without it that table is not drawn.

    ``folder`` may also be a zip file (an LMS's bulk download, not unzipped). Raises
    ``NotADirectoryError`` only when ``folder`` is neither a folder nor a zip file.
    """
    root = Path(folder).expanduser()
    if not is_folder_or_zip(root):
        raise NotADirectoryError(f"{root} is not a folder. Give the folder the hand-ins were "
                                 "downloaded to (or the zip file of them).")
    found = collect([root], relative_to=root if root.is_dir() else root.parent)
    choice = choose(found.handins, curriculum_version=curriculum_version, newest=newest,
                    renames=renames)
    submissions = {student: handin.submission for student, handin in choice.chosen.items()}
    if items is not None:
        index = {str(k): dict(v) for k, v in items.items()}
    else:
        index = _items_from(submissions.values())
    course = next((s.get("course") for s in sorted(
        submissions.values(), key=_created, reverse=True)), None)
    skipped = sorted([*found.skipped, *choice.skipped], key=lambda s: s.name)
    return ClassData(folder=root, curriculum_version=choice.version, course=course, items=index,
                     submissions=submissions, skipped=skipped, notes=choice.notes,
                     chosen=choice.chosen, conflicts=choice.conflicts,
                     skills={slug: plan for slug, plan in (skills or {}).items()
                             if slug in {m for m, _title in _modules_of(index)}})


def course_arguments(course: Any) -> dict[str, Any]:
    """What a loaded course tells :func:`load_folder`: its curriculum version, its items in
    order, and each module's skills (for the notebook and the hand-in service alike)."""
    from repairlab.coursework import item_index, module_skills

    return {"curriculum_version": course.version, "items": item_index(course),
            "skills": module_skills(course)}


def _modules_of(items: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for meta in items.values():
        found.setdefault(str(meta.get("module", "")), str(meta.get("module_title") or ""))
    return [(slug, title or slug) for slug, title in found.items()]


def is_folder_or_zip(path: Path) -> bool:
    return path.is_dir() or (path.is_file() and path.suffix.lower() == ZIP_SUFFIX)


def _created(submission: Mapping[str, Any]):
    return timestamps.newest_first_key(submission.get("created_at"))


def _items_from(submissions: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The item list of the newest hand-in, then any item only older ones list."""
    index: dict[str, dict[str, Any]] = {}
    for submission in sorted(submissions, key=_created, reverse=True):
        for item_id, meta in (submission.get("items") or {}).items():
            if item_id not in index and isinstance(meta, Mapping):
                index[item_id] = dict(meta)
    return index

