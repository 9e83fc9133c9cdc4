"""The course: ``curriculum/course.yaml``, each module's ``module.yaml``, and the item bank."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import Field, ValidationError, model_validator

from ..kinds.base import Item
from ..schemas.base import NonEmptyText, SkillId, Strict
from .bank import ItemBank, load_bank
from .errors import AuthoringProblem, ContentError
from .layout import (  # noqa: F401  (re-exported: the CLI, bench and tests import them here)
    COURSE_FILE,
    MODULE_FILE,
    MODULE_FOLDER,
    SHOW_CALL,
    Module,
    ShownItems,
    find_course_root,
    notebook_item_refs,
)
from .placeholders import notebook_placeholders, yaml_placeholders
from .skills import skill_problems
from .validation import problems_from_validation
from .yaml_source import load_yaml


class CourseManifest(Strict):
    title: NonEmptyText = Field(description="The course title shown on the landing page.")
    version: NonEmptyText = Field(description="Curriculum version; hand-in files record it.")
    audience: str | None = Field(default=None, description="Who the course is for.")
    scope_note: NonEmptyText = Field(description="What the tool is and is not (not therapy).")
    modules: list[NonEmptyText] = Field(min_length=1,
                                        description="Module folders under curriculum/, in order.")


class NotebookRefs(Strict):
    reading: NonEmptyText = Field(description="The reading notebook, e.g. reading.ipynb.")
    practice: NonEmptyText = Field(description="The practice notebook, e.g. practice.ipynb.")
    cases: NonEmptyText | None = Field(
        default=None, description="A notebook of case simulations (optional), e.g. cases.ipynb.")
    practice_mode: NonEmptyText | None = Field(
        default=None, description="The practice-mode notebook (optional), e.g. "
                                  "practice-mode.ipynb: one item at a time, chosen for the "
                                  "student by the practice rule (repairlab/practice.py).")


class Mastery(Strict):
    """When a skill counts as mastered at a level (see repairlab/practice.py)."""

    correct: int = Field(default=3, ge=1, le=20, description=(
        "How many of the last `of_last` tries at the current level must be right on the first "
        "try (a rewrite: judged not defensive, with every move the item asks for)."))
    of_last: int = Field(default=4, ge=1, le=20, description="How many recent tries are counted.")
    down_after: int = Field(default=2, ge=1, le=20, description=(
        "Misses in a row at a level that move the student down one level."))

    @model_validator(mode="after")
    def _correct_fits(self) -> Mastery:
        if self.correct > self.of_last:
            raise ValueError(f"`correct` ({self.correct}) cannot be more than `of_last` "
                             f"({self.of_last}): lower `correct` or raise `of_last`")
        return self


class Skill(Strict):
    id: SkillId
    name: NonEmptyText = Field(description="What the student practises, e.g. Owning your part.")
    description: str | None = Field(default=None, description="One sentence for the student.")
    default_for: list[NonEmptyText] = Field(
        default_factory=list,
        description="Exercise kinds (e.g. rewrite-reply) whose items train this skill when they "
                    "name no `skill:` of their own.")
    mastery: Mastery = Field(default_factory=Mastery,
                             description="The mastery criterion; 3 of the last 4 by default.")


class ModuleManifest(Strict):
    title: NonEmptyText = Field(description="The module title.")
    summary: NonEmptyText = Field(description="One or two sentences for the landing page.")
    objectives: list[NonEmptyText] = Field(min_length=1, max_length=8,
                                           description="Learning objectives, 2 to 6 is usual.")
    notebooks: NotebookRefs = Field(description="The module's reading and practice notebooks.")
    exercises: NonEmptyText = Field(description="The folder under exercises/ with its items.")
    minutes: int = Field(default=60, ge=5, le=600, description="A rough time to complete.")
    skills: list[Skill] = Field(
        default_factory=list, max_length=12,
        description="The skills the module trains; each item names one (`skill:`).")


@dataclass
class Course(ShownItems):
    root: Path
    manifest: CourseManifest
    modules: list[Module]
    bank: ItemBank
    # item id -> (module folder, notebook path) for every show("...") in a notebook
    shown_in: dict[str, tuple[Module, Path]] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.manifest.version

    def _source_of(self, item_id: str):
        return self.bank.sources.get(item_id)

    def item(self, item_id: str) -> Item | None:
        """The item with this id, or None if there is no valid one."""
        return self.bank.items.get(item_id)

    def full(self) -> Course:
        """The whole course (what the hand-in needs); a ``CoursePage`` loads it on demand."""
        return self


def load_course(root: Path) -> tuple[Course | None, list[AuthoringProblem]]:
    """Load and cross-check the whole course; content problems are returned, never raised."""
    problems: list[AuthoringProblem] = []
    course_path = root / COURSE_FILE
    manifest = load_manifest(course_path, CourseManifest, problems)
    bank, bank_problems = load_bank(root / "exercises")
    problems.extend(bank_problems)
    if manifest is None:
        return None, problems

    course = Course(root, manifest, [], bank)
    problems.extend(_manifest_placeholders(course_path))
    waiting: dict[str, list[tuple[Path, int]]] = {}
    for module in course_modules(root, manifest, problems):
        course.modules.append(module)
        _check_module(course, module, problems, waiting)
    _note_waiting_cells(root, bank, problems, waiting)
    return course, problems


def _note_waiting_cells(root: Path, bank: ItemBank, problems: list[AuthoringProblem],
                        waiting: dict[str, list[tuple[Path, int]]]) -> None:
    """Add to each broken item's first problem the notebook cells that show it: they are not
    problems of their own, and work again once the item is fixed."""
    cells_of: dict[int, list[tuple[Path, int]]] = {}
    for item_id, cells in waiting.items():
        source = bank.broken[item_id]
        index = next((n for n, p in enumerate(problems)
                      if p.path == source.path and p.item_id == item_id), None)
        if index is None:  # the whole file is unreadable: its own problem explains the cells
            index = next((n for n, p in enumerate(problems) if p.path == source.path), None)
        if index is not None:
            cells_of.setdefault(index, []).extend(cells)
    for index, cells in cells_of.items():
        problem = problems[index]
        by_notebook: dict[Path, list[int]] = {}
        for notebook, cell in cells:
            by_notebook.setdefault(notebook, []).append(cell)
        where = "; ".join(
            f"{_relative(notebook, root)} cell{'s' if len(numbers) > 1 else ''} "
            f"{_and(sorted(numbers))}" for notebook, numbers in by_notebook.items())
        cell = "cell" if len(cells) == 1 else "cells"
        what = ("this item", "it") if problem.item_id else ("items of this file", "the file")
        problems[index] = replace(problem, note=(
            f"the notebook {cell} showing {what[0]} ({where}) will work once {what[1]} is "
            "fixed; nothing else needs to change."))


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _and(numbers: list[int]) -> str:
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def course_modules(root: Path, manifest: CourseManifest, problems: list[AuthoringProblem]):
    """Each module the course manifest lists, its manifest validated, in course order; the
    problems found on the way go to ``problems`` as they are met."""
    course_path = root / COURSE_FILE
    document = load_yaml(course_path)
    seen_slugs: set[str] = set()
    for index, folder in enumerate(manifest.modules):
        line = document.line_of(("modules", index))
        match = MODULE_FOLDER.match(folder)
        if not match:
            problems.append(AuthoringProblem(
                course_path, line, f"{folder!r} is not a module folder name.",
                fix="module folders are named NN-slug, e.g. 08-cultural-ruptures.",
                field=f"modules#{index + 1}"))
            continue
        module_path = root / "curriculum" / folder
        if not (module_path / MODULE_FILE).is_file():
            problems.append(AuthoringProblem(
                course_path, line, f"there is no curriculum/{folder}/{MODULE_FILE}.",
                fix="create the module with `repairlab new-module`, or fix the folder name.",
                field=f"modules#{index + 1}"))
            continue
        if match.group(2) in seen_slugs:
            problems.append(AuthoringProblem(course_path, line, f"module {folder!r} is listed twice.",
                                             fix="remove the second entry."))
            continue
        seen_slugs.add(match.group(2))
        module_manifest = load_manifest(module_path / MODULE_FILE, ModuleManifest, problems)
        if module_manifest is None:
            continue
        yield Module(folder, int(match.group(1)), match.group(2), module_path, module_manifest)


def load_manifest(path: Path, model, problems: list[AuthoringProblem]):
    try:
        document = load_yaml(path)
    except FileNotFoundError:
        problems.append(AuthoringProblem(path, None, "the file is missing.",
                                         fix="restore it from the repository."))
        return None
    except ContentError as error:
        problems.extend(error.problems)
        return None
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        problems.extend(problems_from_validation(error, model, document, ()))
        return None


def _manifest_placeholders(path: Path) -> list[AuthoringProblem]:
    try:
        return yaml_placeholders(load_yaml(path))
    except (OSError, ContentError):
        return []  # reported when the manifest was read


def _check_module(course: Course, module: Module, problems: list[AuthoringProblem],
                  waiting: dict[str, list[tuple[Path, int]]]) -> None:
    manifest_path = module.path / MODULE_FILE
    problems.extend(_manifest_placeholders(manifest_path))
    problems.extend(skill_problems(module, course.bank))
    exercises = course.root / "exercises" / module.manifest.exercises
    if not exercises.is_dir():
        problems.append(AuthoringProblem(
            manifest_path, None, f"there is no folder exercises/{module.manifest.exercises}/.",
            fix="create it, or set `exercises:` to the folder that holds this module's items.",
            field="exercises"))
    # `cases` is optional: a module without case simulations simply has no such notebook.
    wanted = ["reading", "practice"] + [which for which in ("cases", "practice_mode")
                                        if getattr(module.manifest.notebooks, which)]
    for which in wanted:
        notebook = module.notebook(which)
        if not notebook.is_file():
            problems.append(AuthoringProblem(
                manifest_path, None, f"the {which} notebook {notebook.name} does not exist.",
                fix=f"create curriculum/{module.folder}/{notebook.name} or fix `notebooks.{which}`.",
                field=f"notebooks.{which}"))
            continue
        try:
            refs = notebook_item_refs(notebook)
            outputs = _cells_with_outputs(notebook)
        except (ValueError, KeyError):
            problems.append(AuthoringProblem(notebook, None, "the notebook is not valid JSON.",
                                             fix="restore it from git, or re-save it in JupyterLab."))
            continue
        problems.extend(notebook_placeholders(notebook))
        if outputs:
            problems.append(AuthoringProblem(
                notebook, None, f"cells {', '.join(map(str, outputs))} have saved outputs.",
                fix="notebooks are committed without outputs: run `make clean-notebooks`."))
        for item_id, cell in refs:
            if item_id not in course.bank and item_id in course.bank.broken:
                # The item is there but broken: its own problem says so, and notes this cell.
                waiting.setdefault(item_id, []).append((notebook, cell))
            elif item_id not in course.bank:
                close = course.bank.suggest(item_id, module.manifest.exercises)
                hint = f"did you mean {close[0]!r}? " if close else ""
                problems.append(AuthoringProblem(
                    notebook, None, f"cell {cell} shows item {item_id!r}, which does not exist.",
                    fix=f"{hint}Use the id of an item in exercises/, or add the item."))
            elif item_id in course.shown_in:
                other = course.shown_in[item_id][1]
                problems.append(AuthoringProblem(
                    notebook, None, f"cell {cell} shows item {item_id!r}, already shown in "
                    f"{other.relative_to(course.root)}.",
                    fix="show each item once, so its progress belongs to one module."))
            else:
                course.shown_in[item_id] = (module, notebook)


def _cells_with_outputs(path: Path) -> list[int]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [n for n, c in enumerate(cells, 1) if c.get("outputs")]
