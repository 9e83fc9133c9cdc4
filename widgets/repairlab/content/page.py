"""The course as one page's kernel needs it: manifests at once, items only when shown.

``load_course`` reads and validates everything, which ``repairlab check``, the CLI and the
hand-in need. A student's page needs far less: ``module_nav()`` the manifests, the landing
page the manifests and the ids each notebook shows, ``show(id)`` one item. ``CoursePage``
gives them that: it reads the manifests (without pydantic when they are plainly valid, else
validated like ``load_course`` does) and reads each item asked for, once per kernel, from the
compiled course (content/compiled.py: validated by ``check`` or ``serve``, plain JSON, no
pydantic). Without a compiled course that matches the files, it finds the item's file from
the ids written in the exercise files, parses that file (libyaml where available) and
validates only that item. So a page imports only the exercise kinds it shows, a page of a
compiled course imports no pydantic, and a broken item elsewhere in the course does not stop
this page's items.

Problems are logged in the same "file:line: ..." form ``repairlab check`` prints; a missing
or invalid item is ``None`` and the caller shows the student a plain notice.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..static import static_mode
from .errors import AuthoringProblem, ContentError
from .layout import (
    COURSE_FILE,
    ID_IN_TEXT,
    MODULE_FILE,
    MODULE_FOLDER,
    ItemSource,
    Module,
    ShownItems,
    exercise_folder,
    notebook_item_refs,
)

if TYPE_CHECKING:
    from ..kinds.base import Item
    from .compiled import CompiledCourse
    from .course import Course
    from .yaml_source import YamlDocument

log = logging.getLogger("repairlab")


class CoursePage(ShownItems):
    """A course read lazily, for one kernel. Same reading surface as ``Course`` for the
    notebook functions: ``manifest``, ``version``, ``modules``, ``shown_in``, ``items_of``,
    ``module_of_item``, plus ``item(id)`` and ``full()``."""

    def __init__(self, root: Path, manifest: Any, modules: list[Module],
                 compiled: CompiledCourse | None):
        self.root = root
        self.manifest = manifest
        self.modules = modules
        # The compiled course (content/compiled.py), if it was compiled from these files.
        self.compiled = compiled
        self._items: dict[str, Item | None] = {}
        self._sources: dict[str, ItemSource] = {}
        # exercise file -> {item id -> [(index, raw entry, line)]}, parsed files only
        self._entries: dict[Path, dict[str, list[tuple[int, dict, int | None]]]] = {}
        self._documents: dict[Path, YamlDocument] = {}
        self._full: Course | None = None

    @property
    def version(self) -> str:
        return self.manifest.version

    @cached_property
    def shown_in(self) -> dict[str, tuple[Module, Path]]:
        """item id -> (module, notebook) for every show("...") in the modules' notebooks, the
        first one winning, as in ``load_course`` (which also reports the rest). On the site,
        from the compiled course: opening every notebook in the browser's drive cost a page
        about 40 round trips to the page (bench/README.md)."""
        shown: dict[str, tuple[Module, Path]] = {}
        if static_mode() and self.compiled is not None and self.compiled.shown is not None:
            modules = {module.folder: module for module in self.modules}
            for item_id, (folder, notebook) in self.compiled.shown.items():
                if folder in modules:
                    shown[item_id] = (modules[folder], self.root / notebook)
            return shown
        for module in self.modules:
            notebooks = module.manifest.notebooks
            for which in ("reading", "practice") + (("cases",) if notebooks.cases else ()):
                notebook = module.notebook(which)
                try:
                    refs = notebook_item_refs(notebook)
                except (OSError, ValueError, KeyError):
                    continue  # `repairlab check` reports it
                for item_id, _ in refs:
                    shown.setdefault(item_id, (module, notebook))
        return shown

    def _source_of(self, item_id: str) -> ItemSource | None:
        return self._sources.get(item_id)

    def item(self, item_id: str) -> Item | None:
        """The valid item with this id, once per kernel: from the compiled course when it
        matches the files, else validated now; None, with the problems logged, if there is
        none."""
        if item_id not in self._items:
            found = self._compiled_item(item_id)
            if found is None and static_mode():
                # The static site ships the course compiled, and has no pydantic to validate
                # with: an item missing from it was invalid when the site was built.
                log.warning("content problem: %s is not in the compiled course (was it valid "
                            "when the site was built? `repairlab check` says)", item_id)
            elif found is None:
                found = self._find(item_id)
            self._items[item_id] = found
        return self._items[item_id]

    def _compiled_item(self, item_id: str) -> Item | None:
        # An id missing from the compiled course is left to _find, which logs why.
        found = self.compiled.item(item_id) if self.compiled is not None else None
        if found is None:
            return None
        self._sources[item_id] = ItemSource(found.path, found.line, found.folder)
        return found.item

    def full(self) -> Course | CoursePage | None:
        """The whole course, loaded and validated (the hand-in needs every item's title). On
        the static site, this page itself: every item it can show comes from the compiled
        course, validated when the site was built (``bank`` reads them one by one)."""
        if static_mode():
            return self
        if self._full is None:
            from .course import load_course

            course, problems = load_course(self.root)
            for problem in problems:
                log.warning("content problem: %s", problem.format(self.root))
            self._full = course
        return self._full

    @property
    def bank(self) -> _CompiledBank:
        """``Course.bank``'s one reading method, ``get(id)``, for the hand-in (static site)."""
        return _CompiledBank(self)

    # -- finding an item --------------------------------------------------------------------

    @cached_property
    def _files(self) -> list[Path]:
        from .bank import exercise_files

        return exercise_files(self.root / "exercises")

    @cached_property
    def _ids_in_files(self) -> dict[str, list[Path]]:
        """item id -> the exercise files whose text names it, in the bank's file order."""
        index: dict[str, list[Path]] = {}
        for path in self._files:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # parsed (and reported) only if an item cannot be found elsewhere
            for item_id in dict.fromkeys(ID_IN_TEXT.findall(text)):
                index.setdefault(item_id, []).append(path)
        return index

    def _candidates(self, item_id: str) -> list[Path]:
        found = self._ids_in_files.get(item_id)
        if found:
            return found
        # Not written as `id: ...` anywhere we could see: look in every file that mentions it.
        candidates = []
        for path in self._files:
            try:
                if item_id in path.read_text(encoding="utf-8"):
                    candidates.append(path)
            except UnicodeDecodeError:
                candidates.append(path)  # parsing it reports the problem
            except OSError:
                continue
        return candidates

    def _find(self, item_id: str) -> Item | None:
        # As in the full load: the first valid item with the id, in file order, wins.
        from .bank import validate_entry  # pydantic, and each kind's schema when validated

        if not item_id:
            return None
        exercises = self.root / "exercises"
        for path in self._candidates(item_id):
            entries = self._file_entries(path)
            for index, raw, line in entries.get(item_id, ()):
                problems: list[AuthoringProblem] = []
                item = validate_entry(self._documents[path], index, raw, problems)
                self._log(problems)
                if item is not None and item.id == item_id:
                    self._sources[item_id] = ItemSource(path, line,
                                                        exercise_folder(path, exercises))
                    return item
        return None

    def _file_entries(self, path: Path) -> dict[str, list[tuple[int, dict, int | None]]]:
        if path not in self._entries:
            from .bank import file_entries
            from .yaml_source import load_entries  # PyYAML: not on the static site

            by_id: dict[str, list[tuple[int, dict, int | None]]] = {}
            problems: list[AuthoringProblem] = []
            try:
                document = load_entries(path, fast=True)
            except ContentError as error:
                problems.extend(error.problems)
            else:
                self._documents[path] = document
                for broken in document.broken.values():  # the rest of the file still works
                    problems.extend(broken.problems)
                for index, raw, line in file_entries(document, problems):
                    by_id.setdefault(str(raw.get("id", "")), []).append((index, raw, line))
            self._log(problems)
            self._entries[path] = by_id
        return self._entries[path]

    def _log(self, problems: list[AuthoringProblem]) -> None:
        for problem in problems:
            log.warning("content problem: %s", problem.format(self.root))


@dataclass(frozen=True)
class _CompiledBank:
    page: CoursePage

    def get(self, item_id: str) -> Item | None:
        return self.page.item(item_id)


def load_page(root: Path) -> CoursePage | None:
    """The course's manifests; None (problems logged) if the course manifest is unusable. No
    exercise item is read until ``item()`` asks for it.

    Manifests that are plainly valid are read without pydantic (the landing page and the
    reading pages then never import it); anything doubtful goes through the same validation
    as ``load_course``, which logs what is wrong and keeps the modules that are fine.
    """
    from .compiled import CompiledCourse

    compiled = CompiledCourse.open(root)
    try:
        manifest, modules = _plain_manifests(root, compiled)
    except _Doubtful:
        if static_mode():  # no pydantic in the browser; `repairlab build-site` checked them
            log.warning("content problem: a course or module manifest is not plainly valid; "
                        "run `repairlab check` and build the site again")
            return None
        return _validated_page(root, compiled)
    return CoursePage(root, manifest, modules, compiled)


def _validated_page(root: Path, compiled: CompiledCourse | None) -> CoursePage | None:
    from .course import CourseManifest, course_modules, load_manifest

    problems: list[AuthoringProblem] = []
    manifest = load_manifest(root / COURSE_FILE, CourseManifest, problems)
    modules = list(course_modules(root, manifest, problems)) if manifest is not None else []
    for problem in problems:
        log.warning("content problem: %s", problem.format(root))
    if manifest is None:
        return None
    return CoursePage(root, manifest, modules, compiled)


# -- manifests without pydantic ---------------------------------------------------------------
# Plain twins of CourseManifest, ModuleManifest and NotebookRefs (content/course.py), with the
# same fields and values (text stripped, as ``Strict`` does). The checks below accept only what
# those models certainly accept, with no conversion; anything else is _Doubtful and is
# validated by pydantic. tests/test_page.py keeps the fields and the values in step.


@dataclass(frozen=True, eq=True)
class PlainNotebookRefs:
    reading: str
    practice: str
    cases: str | None = None
    practice_mode: str | None = None


@dataclass(frozen=True, eq=True)
class PlainMastery:
    correct: int = 3
    of_last: int = 4
    down_after: int = 2


@dataclass(frozen=True, eq=True)
class PlainSkill:
    id: str
    name: str
    description: str | None = None
    default_for: list[str] = field(default_factory=list)
    mastery: PlainMastery = field(default_factory=PlainMastery)


@dataclass(frozen=True, eq=True)
class PlainCourseManifest:
    title: str
    version: str
    scope_note: str
    modules: list[str]
    audience: str | None = None


@dataclass(frozen=True, eq=True)
class PlainModuleManifest:
    title: str
    summary: str
    objectives: list[str]
    notebooks: PlainNotebookRefs
    exercises: str
    minutes: int = 60
    skills: list[PlainSkill] = field(default_factory=list)


class _Doubtful(Exception):
    """Not certainly valid: let pydantic decide, and explain."""


def _mapping(data: Any, required: set[str], optional: set[str] = frozenset()) -> dict:
    if type(data) is not dict or not required <= data.keys() <= required | optional:
        raise _Doubtful
    return data


def _text(value: Any, *, may_be_empty: bool = False) -> str:
    if type(value) is not str or not (value.strip() or may_be_empty):
        raise _Doubtful
    return value.strip()


def _texts(value: Any, least: int, most: int | None = None) -> list[str]:
    if type(value) is not list or len(value) < least or (most is not None and len(value) > most):
        raise _Doubtful
    return [_text(v) for v in value]


def _read(root: Path, path: Path, compiled: CompiledCourse | None) -> Any:
    """A manifest's data: as compiled while its file is unchanged, so that a page's kernel
    imports no YAML parser (about 1 MB, bench/README.md); else parsed from the file."""
    data = compiled.manifest(path) if compiled is not None else None
    if data is not None:
        return data
    if static_mode():  # no YAML parser in the browser: every manifest comes compiled
        log.warning("content problem: %s is not in the compiled course; build the site again",
                    path.relative_to(root).as_posix())
        raise _Doubtful
    try:
        from .yaml_source import load_yaml

        return load_yaml(path, fast=True).data  # duplicate keys are an error, as in check
    except (OSError, ContentError):
        raise _Doubtful from None


def plain_course_manifest(data: Any) -> PlainCourseManifest:
    data = _mapping(data, {"title", "version", "scope_note", "modules"}, {"audience"})
    audience = data.get("audience")
    return PlainCourseManifest(
        title=_text(data["title"]), version=_text(data["version"]),
        scope_note=_text(data["scope_note"]), modules=_texts(data["modules"], 1),
        audience=None if audience is None else _text(audience, may_be_empty=True))


def plain_module_manifest(data: Any) -> PlainModuleManifest:
    data = _mapping(data, {"title", "summary", "objectives", "notebooks", "exercises"},
                    {"minutes", "skills"})
    notebooks = _mapping(data["notebooks"], {"reading", "practice"}, {"cases", "practice_mode"})
    cases = notebooks.get("cases")
    practice_mode = notebooks.get("practice_mode")
    minutes = _number(data.get("minutes", 60), 5, 600)
    skills = data.get("skills", [])
    if type(skills) is not list or len(skills) > 12:
        raise _Doubtful
    return PlainModuleManifest(
        title=_text(data["title"]), summary=_text(data["summary"]),
        objectives=_texts(data["objectives"], 1, 8),
        notebooks=PlainNotebookRefs(
            reading=_text(notebooks["reading"]), practice=_text(notebooks["practice"]),
            cases=None if cases is None else _text(cases),
            practice_mode=None if practice_mode is None else _text(practice_mode)),
        exercises=_text(data["exercises"]), minutes=minutes,
        skills=[plain_skill(skill) for skill in skills])


_SKILL_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _number(value: Any, least: int, most: int) -> int:
    if type(value) is not int or not least <= value <= most:
        raise _Doubtful
    return value


def plain_skill(data: Any) -> PlainSkill:
    data = _mapping(data, {"id", "name"}, {"description", "default_for", "mastery"})
    skill_id = _text(data["id"])
    if len(skill_id) > 64 or not _SKILL_ID.match(skill_id):
        raise _Doubtful
    description = data.get("description")
    mastery = _mapping(data.get("mastery", {}), set(), {"correct", "of_last", "down_after"})
    criterion = PlainMastery(**{k: _number(v, 1, 20) for k, v in mastery.items()})
    if criterion.correct > criterion.of_last:
        raise _Doubtful
    return PlainSkill(
        id=skill_id, name=_text(data["name"]),
        description=None if description is None else _text(description, may_be_empty=True),
        default_for=_texts(data.get("default_for", []), 0), mastery=criterion)


def _plain_manifests(root: Path, compiled: CompiledCourse | None
                     ) -> tuple[PlainCourseManifest, list[Module]]:
    """The manifests, if every one is certainly valid and every module listed is usable."""
    manifest = plain_course_manifest(_read(root, root / COURSE_FILE, compiled))
    modules: list[Module] = []
    for folder in manifest.modules:
        match = MODULE_FOLDER.match(folder)
        path = root / "curriculum" / folder
        if not match or any(m.slug == match.group(2) for m in modules):
            raise _Doubtful
        if not static_mode() and not (path / MODULE_FILE).is_file():
            raise _Doubtful  # (on the site, _read says whether it was there)
        modules.append(Module(folder, int(match.group(1)), match.group(2), path,
                              plain_module_manifest(_read(root, path / MODULE_FILE, compiled))))
    return manifest, modules
