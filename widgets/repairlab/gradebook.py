"""The instructor's gradebook: merge students' hand-in files into one LMS-importable CSV.

The grading rule is :mod:`repairlab.grading`'s (the same as the landing page, the hand-in's
summary and the dashboard use).

Which files are used
--------------------
The files are read and chosen by :mod:`repairlab.collect`, as the dashboard reads them. A file
is left out (and reported in ``errors``, naming the file and the fix) when it is not a
RepairLab hand-in, was edited after download (checksum mismatch), or was made for another
curriculum version. A student who handed in again from the same progress file counts with the
newest hand-in (the replaced ones are listed in ``notes``). Hand-ins with one student id from
*different* progress files are never merged silently: they are listed in ``conflicts`` and
:func:`write_csv` refuses to write, unless the instructor renames a file (``renames``) or asks
for the newest (``newest``).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from repairlab.atomic import write_text_atomic
from repairlab.collect import HandIn, choose, collect
from repairlab.diary import modules_with_entries
from repairlab.grading import completion_fraction, first_try_accuracy, mean_difficulty, outcome

__all__ = [
    "GradebookResult",
    "csv_text",
    "merge_submissions",
    "write_csv",
]


# --------------------------------------------------------------------------------------------
# Merging hand-ins


@dataclass
class GradebookResult:
    """One row per student (sorted by student), in ``columns`` order.

    Percentages are rounded to one decimal; an empty score is ``None`` (an empty CSV cell).
    ``errors`` lists the files left out, ``notes`` the hand-ins replaced or renamed, and
    ``conflicts`` the student ids handed in from different progress files (no row: a CSV is
    not written while there are any).
    """

    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    chosen: dict[str, HandIn] = field(default_factory=dict)  # student -> the hand-in counted

    def row_for(self, student: str) -> dict[str, Any] | None:
        return next((row for row in self.rows if row["student"] == student), None)


def _columns(modules: Sequence[tuple[str, str]], module_skills: Mapping[str, Any]) -> list[str]:
    columns = ["student"]
    for slug, _title in modules:
        columns += [f"{slug} completion", f"{slug} score", f"{slug} attempted",
                    f"{slug} first-try accuracy"]
        skills, _items = module_skills.get(slug, ((), ()))
        columns += [f"{slug} {skill.id}" for skill in skills]
        if skills:
            columns.append(f"{slug} mean difficulty")
        columns.append(f"{slug} diary")
    return [*columns, "total completion", "total score", "total attempted",
            "total first-try accuracy"]


def _skill_cells(attempts: Sequence[Any], slug: str, module_skills: Mapping[str, Any]) -> dict:
    """``{slug} {skill}`` -> mastered / in progress / not started, by the practice rule; and
    the module's mean self-rated difficulty."""
    from repairlab.practice import module_skill_states

    plan = module_skills.get(slug)
    if not plan or not plan[0]:
        return {}
    return {**{f"{slug} {state.skill.id}": state.status
               for state in module_skill_states(plan, attempts)},
            f"{slug} mean difficulty": mean_difficulty(attempts, [item.id for item in plan[1]])}


def merge_submissions(
    paths: Iterable[str | os.PathLike[str]],
    *,
    curriculum_version: str,
    modules: Sequence[tuple[str, str]],
    module_items: Mapping[str, Sequence[str]],
    progress: Callable[[int, int], None] | None = None,
    exclude: Iterable[str | os.PathLike[str]] = (),
    newest: bool = False,
    renames: Mapping[str, str] | None = None,
    module_skills: Mapping[str, Any] | None = None,
) -> GradebookResult:
    """Read every hand-in and compute one gradebook row per student.

    ``paths`` are hand-in files, folders of them (sub-folders too) and zip files, read by
    :func:`repairlab.collect.collect` exactly as the dashboard reads them; ``exclude`` lists
    files to pass over. ``modules`` gives the column order as (slug, title); ``module_items``
    the item ids of each module. ``progress(done, total)`` is called after each file, with
    done = 1 .. total. ``newest`` and ``renames`` are :func:`repairlab.collect.choose`'s (a
    rename that finds no file raises :class:`repairlab.collect.RenameError`).
    ``module_skills`` (module slug -> (skills, items), :func:`repairlab.practice.module_plan`)
    adds a column per skill: mastered, in progress or not started, by the practice rule; and
    the module's mean self-rated difficulty (0-10, :func:`repairlab.grading.mean_difficulty`).
    A module with skills is complete in proportion to its skills mastered (grading.py);
    ``attempted`` (the item rule of completion, which a module without skills also shows as
    its completion) and ``first-try accuracy`` are columns of every module and of the total.
    ``<module> diary`` says ``yes`` when the hand-in holds a practice-diary entry for the
    module with something written in it, else ``no`` (the text itself stays in the hand-in).
    """
    module_skills = module_skills or {}
    missing = [slug for slug, _title in modules if slug not in module_items]
    if missing:
        raise ValueError(f"module_items has no entry for module(s): {', '.join(missing)}")

    found = collect(paths, exclude=exclude, progress=progress)
    choice = choose(found.handins, curriculum_version=curriculum_version, newest=newest,
                    renames=renames)
    result = GradebookResult(columns=_columns(modules, module_skills), chosen=choice.chosen,
                             conflicts=choice.conflicts)
    result.errors = [s.message for s in sorted([*found.skipped, *choice.skipped],
                                               key=lambda s: s.name)]
    result.notes = list(choice.notes)

    all_items = [item for slug, _title in modules for item in module_items[slug]]
    for student, handin in choice.chosen.items():
        attempts = handin.submission["attempts"]
        diaries = modules_with_entries(handin.submission.get("diary"))
        row: dict[str, Any] = {"student": student}
        done = 0.0  # completed share of each module, weighted by its items
        for slug, _title in modules:
            got = outcome(attempts, module_items[slug])
            skill_cells = _skill_cells(attempts, slug, module_skills)
            # Completion is mastery where the module defines skills (grading.py's rule, the
            # dashboard's too).
            fraction = completion_fraction(got, [skill_cells[f"{slug} {skill.id}"] for skill
                                                 in module_skills.get(slug, ((), ()))[0]])
            done += (fraction or 0.0) * got.total
            row[f"{slug} completion"] = None if fraction is None else round(100 * fraction, 1)
            row[f"{slug} score"] = got.score_percent
            row[f"{slug} attempted"] = got.completion_percent  # the item rule
            row[f"{slug} first-try accuracy"] = first_try_accuracy(attempts, module_items[slug])
            row.update(skill_cells)
            # Whether a practice diary was kept; its text stays in the hand-in.
            row[f"{slug} diary"] = "yes" if slug in diaries else "no"
        total = outcome(attempts, all_items)
        row["total completion"] = round(100 * done / total.total, 1) if total.total else None
        row["total score"] = total.score_percent
        row["total attempted"] = total.completion_percent
        row["total first-try accuracy"] = first_try_accuracy(attempts, all_items)
        result.rows.append(row)
    return result


# --------------------------------------------------------------------------------------------
# CSV

# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str | float:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(result: GradebookResult) -> str:
    """The gradebook as CSV text with a header row; one row per student (the hand-in
    service sends it as a download, :func:`write_csv` writes it to a file)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow([_cell(row.get(column)) for column in result.columns])
    return out.getvalue()


def write_csv(result: GradebookResult, path: str | os.PathLike[str]) -> Path:
    """Write the gradebook as UTF-8 CSV with a header row; one row per student.

    Written to a temporary file first and renamed, so an interrupted run never leaves half a
    gradebook where the previous one was. Refuses (``ValueError``) while ``result.conflicts``
    says some student id may stand for two students' work.
    """
    if result.conflicts:
        raise ValueError("The gradebook was not written: some hand-ins name the same student but "
                         "come from different progress files. " + " ".join(result.conflicts))
    return write_text_atomic(path, csv_text(result), newline="")
