"""`repairlab check` for skills: each module's `skills:` list and each item's `skill:`.

A module that names skills must give every item of its exercise folder one (its own `skill:`,
or a skill's `default_for` its kind), every skill at least one scored item, and each kind at
most one default. An item may name a skill only if its module has it. The practice rule
(repairlab/practice.py) relies on all of that.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from ..practice import UNSCORED_KINDS, resolve_skill
from ..registry import KINDS
from .errors import AuthoringProblem
from .layout import MODULE_FILE, Module
from .yaml_source import load_yaml


def skill_problems(module: Module, bank) -> list[AuthoringProblem]:
    """What is wrong with ``module``'s skills and its items' `skill:` fields."""
    manifest_path = module.path / MODULE_FILE
    skills = list(module.manifest.skills)
    problems: list[AuthoringProblem] = []
    try:
        document = load_yaml(manifest_path)
    except Exception:  # reported where the manifest is read
        document = None

    def manifest_line(*key) -> int | None:
        return document.line_of(("skills", *key)) if document is not None else None

    ids = [skill.id for skill in skills]
    defaults: dict[str, str] = {}
    for index, skill in enumerate(skills):
        if skill.id in ids[:index]:
            problems.append(AuthoringProblem(
                manifest_path, manifest_line(index, "id"), f"skill {skill.id!r} is listed twice.",
                fix="give each skill its own id, or remove the second one.",
                field=f"skills#{index + 1}.id"))
        for kind in skill.default_for:
            if kind not in KINDS:
                close = difflib.get_close_matches(kind, list(KINDS), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                problems.append(AuthoringProblem(
                    manifest_path, manifest_line(index, "default_for"),
                    f"{kind!r} is not an exercise kind.",
                    fix=f"{hint}Use one of: {', '.join(KINDS)}.",
                    field=f"skills#{index + 1}.default_for"))
            elif kind in defaults:
                problems.append(AuthoringProblem(
                    manifest_path, manifest_line(index, "default_for"),
                    f"{kind} items already default to skill {defaults[kind]!r}.",
                    fix=f"name {kind} in the `default_for` of one skill only.",
                    field=f"skills#{index + 1}.default_for"))
            else:
                defaults[kind] = skill.id

    trained: dict[str, int] = dict.fromkeys(ids, 0)
    for item_id, source in bank.sources.items():
        if source.exercise_folder != module.manifest.exercises:
            continue
        item = bank.items[item_id]
        where = (source.path, _skill_line(source.path, source.line))
        if item.skill and not skills:
            problems.append(AuthoringProblem(
                *where, f"names skill {item.skill!r}, but {module.folder}/{MODULE_FILE} lists "
                "no skills.", fix=f"add it under `skills:` in curriculum/{module.folder}/"
                f"{MODULE_FILE}, or remove `skill:` from the item.",
                field="skill", item_id=item_id))
            continue
        if not skills:
            continue
        skill = resolve_skill(item.skill, item.type, skills)
        if skill is None:
            problems.append(AuthoringProblem(
                where[0], source.line, "names no skill.",
                fix=f"add `skill:` with one of {_listing(ids)}, or name {item.type} in a "
                f"skill's `default_for` in curriculum/{module.folder}/{MODULE_FILE}.",
                field="skill", item_id=item_id))
        elif skill not in trained:
            close = difflib.get_close_matches(skill, ids, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(AuthoringProblem(
                *where, f"{skill!r} is not a skill of module {module.folder}.",
                fix=f"{hint}Use one of {_listing(ids)}, or add the skill under `skills:` in "
                f"curriculum/{module.folder}/{MODULE_FILE}.", field="skill", item_id=item_id))
        elif item.type not in UNSCORED_KINDS:
            trained[skill] += 1
    # A broken item, or one whose skill is wrong, may be the one that trains a skill: its own
    # problem says what to fix, and saying the skill has no items as well would be a second
    # message for one slip.
    if problems or any(source.exercise_folder == module.manifest.exercises
                       for source in bank.broken.values()):
        return problems
    for index, skill in enumerate(skills):
        if skill.id in trained and not trained[skill.id]:
            problems.append(AuthoringProblem(
                manifest_path, manifest_line(index, "id"),
                f"no scored item trains skill {skill.id!r}, so it can never be mastered.",
                fix="name it in some items' `skill:` (not only reflections), or remove it.",
                field=f"skills#{index + 1}"))
    return problems


def _skill_line(path: Path, item_line: int | None) -> int | None:
    """The line of the item's `skill:` (the item's first line if it has none)."""
    if item_line is None:
        return None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return item_line
    for number in range(item_line, len(lines) + 1):
        text = lines[number - 1].strip()
        if number > item_line and text.startswith("- id:"):
            break
        if text.startswith("skill:") or text.startswith("- skill:"):
            return number
    return item_line


def _listing(ids: list[str]) -> str:
    return ", ".join(ids)
