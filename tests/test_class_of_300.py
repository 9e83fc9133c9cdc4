"""A class of 300: an LMS bulk download with one folder per student, read by the gradebook (with
its progress bar) and the dashboard alike.

Three students really work through the demo module's views; their saved attempts (real
scorers' feedback) are then recorded again for 300 students in one lab computer's progress file
(one store, 300 student ids, as with REPAIRLAB_STUDENT), and each hand-in written by the real
exporter.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from gradebook_helpers import assert_they_agree, demo_share, read_both

from repairlab.cli import main as repairlab
from repairlab.content.course import load_course
from repairlab.coursework import item_index
from repairlab.dashboard.statistics import completion_by_module
from repairlab.handin import export_submission
from repairlab.progress import ProgressStore

CLASS_SIZE = 300
WORK = {
    "solid": [("m01-step-01", "acknowledge"), ("m01-marker-01", "minimal"),
              ("m01-reflect-01", "It was hard to stay with it.")],
    "shaky": [("m01-step-01", "explain"), ("m01-marker-01", "complaint")],
    "idle": [],
}


@pytest.fixture
def class_of_300(laptop, demo_course, tmp_path):
    lab = laptop("lab")
    for template, answers in WORK.items():
        lab.work(answers, student=template)
    course, _problems = load_course(demo_course)
    folder = tmp_path / "bulk-download"
    with ProgressStore(lab.data / "progress.sqlite3") as store:
        templates = {t: store.attempts(t) for t in WORK}
        for n in range(CLASS_SIZE):
            student = f"s{n:04d}"
            template = list(WORK)[n % 3]
            for attempt in templates[template]:
                store.record(replace(attempt, student=student))
            export_submission(store, student,
                              _mkdir(folder / f"Student {n}_{4000 + n}_assignsubmission_file_")
                              / f"repairlab-{student}.html",
                              course_title=course.manifest.title,
                              curriculum_version=course.version, items=item_index(course),
                              created_at=f"2026-03-01T09:{n // 60:02d}:{n % 60:02d}+00:00")
    return demo_course, course, folder


def _mkdir(path):
    path.mkdir(parents=True)
    return path


def test_a_class_of_300_in_lms_folders_with_the_progress_bar(class_of_300, tmp_path, capsys):
    root, course, folder = class_of_300
    grades = tmp_path / "grades.csv"
    assert repairlab(["gradebook", str(folder), "-o", str(grades), "--course", str(root)]) == 0
    captured = capsys.readouterr()
    assert f"Wrote {grades}: 300 students." in captured.out
    counts = [int(n) for n in re.findall(r"\] (\d+)/300 files", captured.err)]
    assert counts == list(range(1, CLASS_SIZE + 1))  # one step per file, to the end
    assert captured.err.rstrip().endswith(f"[{'#' * 30}] 300/300 files")
    assert captured.err.count("\n") == 1  # drawn over itself on one line

    code, err, rows, data = read_both(folder, root, course, tmp_path, capsys)
    assert code == 0
    assert len(rows) == len(data.students) == CLASS_SIZE
    assert_they_agree(folder, err, rows, data, course)
    [module] = completion_by_module(data)
    # Completion is skills mastered: one right try in a skill masters none here (each needs
    # another level or another item), so nobody has completed any of the module.
    assert (module.all_done, module.some_done, module.none_done) == (0, 0, 300)
    # Attempted: solid 3 items; shaky: the marker wrong, the step wrong: 0; idle: 0.
    assert module.mean_attempted == pytest.approx(float(demo_share(3, course)) / 3, abs=0.1)
    assert rows["s0000"]["demo attempted"] == demo_share(3, course)
    assert rows["s0001"]["demo attempted"] == "0.0"
