"""Three students work, hand in, and the instructor merges: the whole path, from the CLI."""

from __future__ import annotations

import csv

import pytest

from repairlab.cli import main as repairlab


@pytest.fixture
def class_of_three(demo_course, hand_ins):
    steps = {"ana": ["acknowledge"], "ben": ["explain"], "chi": ["explain", "acknowledge"]}
    work = {student: [("m01-step-01", pick) for pick in picks]
            + [("m01-reflect-01", f"{student} reflects <b>honestly</b>")]
            for student, picks in steps.items()}
    return demo_course, hand_ins(work)


def test_export_then_gradebook_gives_one_row_per_student(class_of_three, tmp_path, capsys):
    course, handins = class_of_three
    grades = tmp_path / "grades.csv"
    assert repairlab(["gradebook", str(handins), "-o", str(grades), "--course", str(course)]) == 0
    rows = {r["student"]: r for r in csv.DictReader(grades.open(encoding="utf-8"))}
    assert set(rows) == {"ana", "ben", "chi"}
    completion = next(c for c in rows["ana"] if "demo" in c and "attempted" in c)
    score = next(c for c in rows["ana"] if "demo" in c and "score" in c)
    # 9 items in the module: ana and chi solved the step and saved a reflection; ben only reflected.
    assert float(rows["ana"][completion]) == pytest.approx(100 * 2 / 9, abs=0.1)
    assert float(rows["ben"][completion]) == pytest.approx(100 * 1 / 9, abs=0.1)
    assert float(rows["chi"][score]) == 100.0  # best attempt counts
    assert float(rows["ben"][score]) == 0.0
    assert "3/3 files" in capsys.readouterr().err  # the progress bar ran to the end


def test_the_report_shows_student_text_as_text(class_of_three):
    _, handins = class_of_three
    html = (handins / "ben.html").read_text(encoding="utf-8")
    assert "ben reflects &lt;b&gt;honestly&lt;/b&gt;" in html
    assert "<b>honestly" not in html


def test_a_hand_edited_file_is_reported_and_left_out(class_of_three, tmp_path, capsys):
    course, handins = class_of_three
    edited = handins / "ben.html"
    edited.write_text(edited.read_text(encoding="utf-8").replace("ben reflects", "ben reflected"),
                      encoding="utf-8")
    grades = tmp_path / "grades.csv"
    assert repairlab(["gradebook", str(handins), "-o", str(grades), "--course", str(course)]) == 1
    err = capsys.readouterr().err
    assert "ben.html" in err
    assert "edited" in err
    students = {r["student"] for r in csv.DictReader(grades.open(encoding="utf-8"))}
    assert students == {"ana", "chi"}


def test_export_refuses_an_unknown_file_type(demo_course, tmp_path, capsys):
    assert repairlab(["export", "-o", str(tmp_path / "work.docx"),
                      "--course", str(demo_course)]) == 1
    assert ".html or .json" in capsys.readouterr().err


def test_completion_is_mastery_where_the_module_has_skills_and_attempted_keeps_the_item_rule(
        demo_course, hand_ins, tmp_path):
    # Real views, real store, real hand-ins, the CLI with the demo course (five skills).
    # dee finds the moment first time: "finding-where-it-begins" has one item, so one right
    # try masters it. eve misses it, then finds it on the same serving (one try, missed).
    folder = hand_ins({"dee": [("m01-moment-01", "t3")],
                       "eve": [("m01-moment-01", "t1"), ("m01-moment-01", "t3"),
                               ("m01-step-01", "acknowledge")]})
    grades = tmp_path / "grades.csv"
    assert repairlab(["gradebook", str(folder), "-o", str(grades), "--course",
                      str(demo_course), "--quiet"]) == 0
    rows = {r["student"]: r for r in csv.DictReader(grades.open(encoding="utf-8"))}
    dee, eve = rows["dee"], rows["eve"]
    assert dee["demo finding-where-it-begins"] == "mastered"
    assert dee["demo completion"] == "20.0"  # 1 of the 5 skills mastered
    assert float(dee["demo attempted"]) == pytest.approx(100 / 9, abs=0.1)  # 1 of 9 items
    assert dee["demo first-try accuracy"] == "100.0"
    assert eve["demo finding-where-it-begins"] == "in progress"
    assert eve["demo completion"] == "0.0"  # nothing mastered, though two items are done
    assert float(eve["demo attempted"]) == pytest.approx(200 / 9, abs=0.1)
    assert eve["demo first-try accuracy"] == "50.0"  # the moment missed, the step right
    assert dee["total completion"] == "20.0"  # one module: the total is its completion
