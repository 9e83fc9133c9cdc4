"""Reading one folder with the gradebook CLI and with the dashboard, and checking that they
agree: the same students, the same files left out with the same words, the same notes, the same
hand-in counted for each student, and the dashboard's completion and attempted equal to the
CSV's."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from repairlab.cli import main as repairlab
from repairlab.coursework import item_index, module_items, module_skills, module_titles
from repairlab.dashboard import load_folder
from repairlab.dashboard.statistics import completion_by_module
from repairlab.gradebook import merge_submissions


def read_both(folder: Path, root: Path, course, tmp_path: Path, capsys, *, newest=False,
              renames=None):
    """(exit code, stderr, CSV rows by student, dashboard data) for one folder. The CSV rows are
    empty when the gradebook wrote nothing."""
    grades = tmp_path / "grades.csv"
    grades.unlink(missing_ok=True)
    flags = (["--newest"] if newest else []) + [
        f"--rename={file}={student}" for file, student in (renames or {}).items()]
    code = repairlab(["gradebook", str(folder), "-o", str(grades), "--course", str(root),
                      "--quiet", *flags])
    err = capsys.readouterr().err
    rows = ({r["student"]: r for r in csv.DictReader(grades.open(encoding="utf-8"))}
            if grades.exists() else {})
    data = load_folder(folder, curriculum_version=course.version, items=item_index(course),
                       newest=newest, renames=renames, skills=module_skills(course))
    return code, err, rows, data


def assert_they_agree(folder: Path, err: str, rows: dict, data, course, *, newest=False,
                      renames=None) -> None:
    prefix = f"{folder}/"

    def lines(kind: str) -> list[str]:
        return [line.removeprefix(f"{kind}: ").replace(prefix, "") for line in err.splitlines()
                if line.startswith(f"{kind}: ")]

    assert sorted(lines("skipped")) == sorted(s.message for s in data.skipped)
    assert lines("note") == data.notes
    conflicts = [line for line in lines("error") if not line.startswith("nothing written")]
    assert conflicts == data.conflicts
    if data.conflicts:
        assert rows == {}  # the gradebook wrote nothing; the dashboard shows the others
        return
    assert sorted(rows) == data.students
    # The dashboard's completion per module is the CSV's completion (skills mastered where a
    # module has skills), and its attempted the CSV's attempted, student by student.
    for module in completion_by_module(data):
        column = [float(rows[s][f"{module.module} completion"]) for s in data.students]
        tried = [float(rows[s][f"{module.module} attempted"]) for s in data.students]
        assert module.all_done == sum(c == 100 for c in column)
        assert module.none_done == sum(c == 0 for c in column)
        assert module.some_done == len(column) - module.all_done - module.none_done
        assert module.mean_completion == pytest.approx(sum(column) / len(column), abs=0.1)
        assert module.mean_attempted == pytest.approx(sum(tried) / len(tried), abs=0.1)
    # And the same file counted for each student.
    merged = merge_submissions([folder], curriculum_version=course.version,
                               modules=module_titles(course), module_items=module_items(course),
                               newest=newest, renames=renames)
    assert {s: (h.path, h.member) for s, h in merged.chosen.items()} == {
        s: (h.path, h.member) for s, h in data.chosen.items()}


def demo_share(done: int, course) -> str:
    """The demo module's attempted share, as the CSV writes it, for ``done`` completed items: from
    the course's own item count, so adding an item to the template changes no test."""
    total = sum(1 for item in course.bank if item.id.startswith("m01-"))
    return f"{100 * done / total:.1f}"
