"""The gradebook: the numbers an instructor uploads to the LMS, and the files it refuses."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from repairlab.gradebook import merge_submissions, write_csv
from repairlab.handin import export_submission
from repairlab.progress import Attempt, ProgressStore

VERSION = "2025.1"
MODULES = [("noticing", "Noticing ruptures"), ("repairing", "Repairing ruptures")]
MODULE_ITEMS = {
    "noticing": ["n-schema-1", "n-marker-1", "n-reflect-1"],
    "repairing": ["r-step-1", "r-order-1", "r-rewrite-1", "r-reflect-1"],
}
KINDS = {
    "n-schema-1": "spot-the-schema",
    "n-marker-1": "classify-marker",
    "n-reflect-1": "reflection",
    "r-step-1": "pick-repair-step",
    "r-order-1": "order-repair-steps",
    "r-rewrite-1": "rewrite-reply",
    "r-reflect-1": "reflection",
    "retired-item": "spot-the-schema",
}
MODULE_OF = {item: slug for slug, items in MODULE_ITEMS.items() for item in items}
MODULE_OF["retired-item"] = "noticing"
ITEMS = {
    item: {
        "module": slug,
        "module_title": dict(MODULES)[slug],
        "kind": KINDS[item],
        "title": item.replace("-", " ").title(),
    }
    for slug, items in MODULE_ITEMS.items()
    for item in items
}
HEADER = [
    "student",
    "noticing completion",
    "noticing score",
    "noticing attempted",
    "noticing first-try accuracy",
    "noticing diary",
    "repairing completion",
    "repairing score",
    "repairing attempted",
    "repairing first-try accuracy",
    "repairing diary",
    "total completion",
    "total score",
    "total attempted",
    "total first-try accuracy",
]


def hand_in(folder: Path, student: str, attempts, *, name=None, version=VERSION, created_at=None,
            store=None):
    """Record (item, status, score) attempts as ``student`` in their own progress file (or
    ``store``'s) and export the hand-in file."""
    path = folder / (name or f"{student}.html")
    stores = folder.parent / "stores"
    stores.mkdir(exist_ok=True)
    with ProgressStore(stores / f"{store or path.stem}.sqlite3") as store:
        for item_id, status, score in attempts:
            store.record(
                Attempt(
                    student=student,
                    item_id=item_id,
                    module=MODULE_OF[item_id],
                    kind=KINDS[item_id],
                    response="my answer",
                    feedback={"message": "shown"},
                    score=score,
                    status=status,
                    curriculum_version=version,
                )
            )
        export_submission(
            store,
            student,
            path,
            course_title="RepairLab",
            curriculum_version=version,
            items=ITEMS,
            created_at=created_at,
        )
    return path


ANN = [
    ("n-schema-1", "incorrect", 0.0),
    ("n-schema-1", "correct", 1.0),  # completed, best 1.0
    ("n-marker-1", "incorrect", 0.0),  # never right: not completed, best 0.0
    ("n-reflect-1", "submitted", None),  # completed, no score
    ("r-step-1", "correct", 1.0),
    ("r-order-1", "partial", 0.5),
    ("r-order-1", "partial", 0.75),  # completed, best 0.75
    ("r-rewrite-1", "good", 0.9),
    ("r-rewrite-1", "partial", 0.4),  # a worse retry: the best, 0.9, still counts
]
BOB = [
    ("n-schema-1", "correct", 1.0),
    ("retired-item", "correct", 1.0),  # no longer in the course: ignored
]
CAROL_OLD = [("n-schema-1", "incorrect", 0.0)]
CAROL_NEW = [
    ("n-schema-1", "incorrect", 0.0),
    ("n-schema-1", "correct", 1.0),
    ("n-marker-1", "correct", 1.0),
    ("n-reflect-1", "submitted", None),
    ("r-step-1", "incorrect", 0.0),
    ("r-reflect-1", "submitted", None),
]

# Worked out by hand from the attempts above (7 items: 3 noticing, 4 repairing). Without
# skills a module's completion is the item rule, which is also its "attempted" column.
# First-try accuracy: of the items tried (reflections left out), the share right first time.
# Nobody here kept a practice diary: "no" in each module's diary column.
EXPECTED = [
    # ann: noticing 2/3 done, mean(1.0, 0.0), first tries 0 of 2 (schema, marker);
    #      repairing 3/4, mean(1.0, 0.75, 0.9), first tries 2 of 3 (the order was partial);
    #      total 5/7, mean(1, 0, 1, .75, .9) = 0.73, first tries 2 of 5
    ["ann", "66.7", "50.0", "66.7", "0.0", "no", "75.0", "88.3", "75.0", "66.7", "no",
     "71.4", "73.0", "71.4", "40.0"],
    # bob: noticing 1/3, mean(1.0), 1 of 1 first time; repairing nothing; total 1/7, 1 of 1
    ["bob", "33.3", "100.0", "33.3", "100.0", "no", "0.0", "", "0.0", "", "no",
     "14.3", "100.0", "14.3", "100.0"],
    # carol (newer file): noticing 3/3, mean(1, 1), 1 of 2 first time (the marker);
    #      repairing 1/4 (reflection), mean(0.0), 0 of 1; total 4/7, mean(1, 1, 0), 1 of 3
    ["carol", "100.0", "100.0", "100.0", "50.0", "no", "25.0", "0.0", "25.0", "0.0", "no",
     "57.1", "66.7", "57.1", "33.3"],
]


@pytest.fixture
def handins(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    # Carol hands in a draft, works on, and hands in again from the same progress file.
    carol_old = hand_in(folder, "carol", CAROL_OLD, name="carol-draft.html", store="carol",
                        created_at="2025-03-10T09:00:00+00:00")
    carol_new = hand_in(folder, "carol", CAROL_NEW, name="carol-final.html", store="carol",
                        created_at="2025-03-12T18:00:00+00:00")
    paths = {
        "ann": hand_in(folder, "ann", ANN),
        "bob": hand_in(folder, "bob", BOB),
        # Listed before the older file on purpose: "newest" means by creation time.
        "carol_new": carol_new,
        "carol_old": carol_old,
        "dave": hand_in(folder, "dave", ANN, version="2024.2"),
        "erin": hand_in(folder, "erin", [("r-order-1", "partial", 0.25)], name="erin.json"),
        "notes": folder / "notes.txt",
    }
    paths["notes"].write_text("Please grade kindly.", encoding="utf-8")
    erin = paths["erin"].read_text(encoding="utf-8")
    assert '"score": 0.25' in erin
    paths["erin"].write_text(erin.replace('"score": 0.25', '"score": 1.0'), encoding="utf-8")
    return paths


def test_merged_csv_has_the_hand_computed_grades_of_each_student(handins, tmp_path):
    calls: list[tuple[int, int]] = []
    result = merge_submissions(
        list(handins.values()),
        curriculum_version=VERSION,
        modules=MODULES,
        module_items=MODULE_ITEMS,
        progress=lambda done, total: calls.append((done, total)),
    )
    out = write_csv(result, tmp_path / "gradebook.csv")

    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == HEADER
    assert rows[1:] == EXPECTED
    assert calls == [(n, 7) for n in range(1, 8)]


def test_wrong_version_tampered_and_foreign_files_are_reported_and_left_out(handins):
    result = merge_submissions(
        list(handins.values()),
        curriculum_version=VERSION,
        modules=MODULES,
        module_items=MODULE_ITEMS,
    )

    assert [row["student"] for row in result.rows] == ["ann", "bob", "carol"]
    assert len(result.errors) == 3
    dave, erin, notes = result.errors
    assert str(handins["dave"]) in dave
    assert "'2024.2'" in dave
    assert "Merge it separately" in dave
    assert str(handins["erin"]) in erin
    assert "edited by hand after download" in erin
    assert "download a fresh hand-in" in erin
    assert str(handins["notes"]) in notes
    assert "is not a RepairLab hand-in" in notes


def test_the_newest_of_a_students_files_is_used_and_the_choice_is_noted(handins):
    paths = [handins["carol_old"], handins["carol_new"]]
    for order in (paths, paths[::-1]):
        result = merge_submissions(
            order, curriculum_version=VERSION, modules=MODULES, module_items=MODULE_ITEMS
        )
        assert result.row_for("carol")["noticing completion"] == 100.0
        assert result.errors == []
        assert result.conflicts == []
        (note,) = result.notes
        assert note.startswith(f"carol handed in again: {handins['carol_new']} (downloaded "
                               "2025-03-12 18:00 UTC, progress file ")
        assert (f"counts, and replaces the earlier {handins['carol_old']} (downloaded "
                "2025-03-10 09:00 UTC") in note
        assert note.endswith("from the same progress file.")


def test_csv_is_utf8_and_spreadsheet_formulas_in_names_are_defused(tmp_path):
    zoe = hand_in(tmp_path, "zoë.łukasz", [("n-schema-1", "correct", 1.0)], name="zoe.html")
    sneaky = hand_in(tmp_path, '=HYPERLINK("http://x","y")', [], name="sneaky.html")
    result = merge_submissions(
        [zoe, sneaky], curriculum_version=VERSION, modules=MODULES, module_items=MODULE_ITEMS
    )
    out = write_csv(result, tmp_path / "gradebook.csv")

    rows = list(csv.reader(out.open(encoding="utf-8", newline="")))
    assert [row[0] for row in rows[1:]] == ['\'=HYPERLINK("http://x","y")', "zoë.łukasz"]
    assert rows[2][1:] == EXPECTED[1][1:]  # bob's work, under another name
    # Nothing done: no score, no first try, no diary.
    assert rows[1][1:] == ["0.0", "", "0.0", "", "no"] * 2 + ["0.0", "", "0.0", ""]


def test_a_module_without_its_item_list_is_a_caller_error(tmp_path):
    with pytest.raises(ValueError, match="repairing"):
        merge_submissions(
            [],
            curriculum_version=VERSION,
            modules=MODULES,
            module_items={"noticing": MODULE_ITEMS["noticing"]},
        )


def test_one_grading_module_and_no_import_cycle():
    """The rule lives in grading.py, which imports nothing of RepairLab's; the hand-in uses it
    without importing the gradebook (which reads hand-ins)."""
    import subprocess
    import sys

    code = ("import sys, repairlab.grading; before = {m for m in sys.modules if m.startswith("
            "'repairlab.')}; import repairlab.handin; print(sorted(before), "
            "'repairlab.gradebook' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "['repairlab.grading'] False"


def test_a_column_per_skill_says_mastered_in_progress_or_not_started(handins):
    from repairlab.practice import PracticeItem, SkillSpec

    noticing = [SkillSpec("naming-your-schema", "Naming your own schema"),
                SkillSpec("noticing-markers", "Noticing markers")]
    items = [PracticeItem("n-schema-1", "naming-your-schema", "beginner", KINDS["n-schema-1"]),
             PracticeItem("n-marker-1", "noticing-markers", "beginner", KINDS["n-marker-1"])]
    result = merge_submissions(
        [handins["ann"], handins["bob"], handins["carol_new"]], curriculum_version=VERSION,
        modules=MODULES, module_items=MODULE_ITEMS, module_skills={"noticing": (noticing, items)})
    assert result.columns[:8] == ["student", "noticing completion", "noticing score",
                                  "noticing attempted", "noticing first-try accuracy",
                                  "noticing naming-your-schema", "noticing noticing-markers",
                                  "noticing mean difficulty"]
    assert {row["noticing mean difficulty"] for row in result.rows} == {None}  # none rated
    cells = {row["student"]: (row["noticing naming-your-schema"], row["noticing noticing-markers"])
             for row in result.rows}
    # ann: wrong then right on one serving of the schema item (one try, missed); the marker
    # item missed. bob: right first time. carol: schema missed first, marker right first time.
    assert cells == {"ann": ("in progress", "in progress"),
                     "bob": ("mastered", "not started"),
                     "carol": ("in progress", "mastered")}
    assert "repairing naming-your-schema" not in result.columns  # no skills given for it
    # Completion is mastery where the module defines skills; "attempted" keeps the item rule.
    by = {row["student"]: row for row in result.rows}
    assert {s: (by[s]["noticing completion"], by[s]["noticing attempted"]) for s in by} == {
        "ann": (0.0, 66.7), "bob": (50.0, 33.3), "carol": (50.0, 100.0)}
    # A module without skills keeps the item rule; the total weighs modules by their items:
    # ann, noticing 0 of 2 skills (3 items) and repairing 3 of 4 items: 3/7.
    assert by["ann"]["repairing completion"] == by["ann"]["repairing attempted"] == 75.0
    assert by["ann"]["total completion"] == 42.9
    assert by["ann"]["total attempted"] == 71.4


def test_the_mean_difficulty_column_is_the_mean_of_the_ratings_handed_in(tmp_path):
    from repairlab.practice import PracticeItem, SkillSpec

    folder = tmp_path / "downloads"
    folder.mkdir()
    with ProgressStore(tmp_path / "ann.sqlite3") as store:
        for item_id, rating in [("n-schema-1", 9), ("n-marker-1", 4), ("n-marker-1", None),
                                ("r-order-1", 0)]:  # r-order-1 is another module's
            stored = store.record(Attempt(
                student="ann", item_id=item_id, module=MODULE_OF[item_id], kind=KINDS[item_id],
                response="my answer", feedback={"message": "shown"}, score=1.0,
                status="correct", curriculum_version=VERSION))
            if rating is not None:
                store.save_rating("ann", stored, rating)
        export_submission(store, "ann", folder / "ann.html", course_title="RepairLab",
                          curriculum_version=VERSION, items=ITEMS)
    skills = [SkillSpec("noticing-markers", "Noticing markers")]
    items = [PracticeItem(i, "noticing-markers", "beginner", KINDS[i])
             for i in ("n-schema-1", "n-marker-1")]
    result = merge_submissions([folder], curriculum_version=VERSION, modules=MODULES,
                               module_items=MODULE_ITEMS,
                               module_skills={"noticing": (skills, items)})
    assert result.row_for("ann")["noticing mean difficulty"] == 6.5
    rows = write_csv(result, tmp_path / "grades.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    ann = next(row for row in rows if row.startswith("ann,")).split(",")
    assert ann[header.index("noticing mean difficulty")] == "6.5"
