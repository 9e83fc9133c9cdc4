"""Skills on the landing page (issue 16): each student sees their skills in each module as
mastered, in progress or not started, by the practice rule the gradebook's skill columns use.
Views are driven from code; each visit to the landing page is a new kernel."""

from __future__ import annotations

import csv
import re

from repairlab.notebook import build_view


def _home_html() -> str:
    from repairlab.notebook import _progress, current_course
    from repairlab.views.home import home_view

    _progress.cache_clear()
    return home_view(current_course(), _progress()).children[0].value


def _skills(page: str) -> dict[str, str]:
    return dict(re.findall(r'<li class="rl-skill[^"]*">([^<]+): <strong>([^<]+)</strong>', page))


def _demo_skills():
    from repairlab.notebook import current_course

    return {s.name for s in current_course().modules[0].manifest.skills}


def test_a_new_student_sees_every_skill_not_started(in_module):
    page = _home_html()
    assert 'aria-label="Your skills in module 1"' in page
    assert "<strong>Your skills</strong>" in page  # not a heading: the contents stay short
    assert _skills(page) == dict.fromkeys(_demo_skills(), "Not started")


def test_skills_move_to_in_progress_and_mastered_as_the_gradebook_says(
        in_module, monkeypatch, tmp_path):
    from repairlab.cli import main as repairlab

    monkeypatch.setenv("REPAIRLAB_STUDENT", "ann")
    build_view("m01-moment-01").submit("t3")  # the one item of its skill, right first time
    build_view("m01-step-01").submit("explain")  # missed
    shown = _skills(_home_html())
    assert shown["Finding where a rupture begins"] == "Mastered"
    assert shown["Choosing the next repair step"] == "In progress"
    assert shown["Owning your part"] == "Not started"

    # The instructor's gradebook, from ann's hand-in, says the same of every skill.
    handin, grades = tmp_path / "in" / "ann.html", tmp_path / "grades.csv"
    handin.parent.mkdir()
    assert repairlab(["export", "--student", "ann", "-o", str(handin)]) == 0
    assert repairlab(["gradebook", str(handin.parent), "-o", str(grades), "--quiet"]) == 0
    (row,) = csv.DictReader(grades.open(encoding="utf-8"))
    from repairlab.notebook import current_course

    names = {s.id: s.name for s in current_course().modules[0].manifest.skills}
    in_csv = {names[column.split(" ", 1)[1]]: value.capitalize()
              for column, value in row.items() if column.split(" ", 1)[-1] in names}
    assert in_csv == shown


def test_the_landing_page_and_the_hand_in_show_the_gradebooks_completion(
        in_module, monkeypatch, tmp_path):
    """Do a student's landing page and hand-in give the completion their instructor's
    gradebook gives (skills mastered, where the module names skills), with the exercises
    they attempted beside it?"""
    from repairlab.cli import main as repairlab
    from repairlab.handin import read_submission
    from repairlab.notebook import _progress, current_course
    from repairlab.views.home import home_view

    monkeypatch.setenv("REPAIRLAB_STUDENT", "ann")
    build_view("m01-moment-01").submit("t3")  # masters its skill
    build_view("m01-step-01").submit("explain")  # missed: neither done nor mastered
    build_view("m01-reflect-01").submit("I noticed my own heat.")  # done; no skill
    _progress.cache_clear()  # a new visit to the landing page
    page, _name, panel = home_view(current_course(), _progress()).children
    handin, grades = tmp_path / "in" / "ann.html", tmp_path / "grades.csv"
    handin.parent.mkdir()
    handin.write_text(panel.prepare(), encoding="utf-8")  # the landing page's own hand-in
    assert repairlab(["gradebook", str(handin.parent), "-o", str(grades), "--quiet"]) == 0
    (row,) = csv.DictReader(grades.open(encoding="utf-8"))

    module = current_course().modules[0]
    skills = [skill.id for skill in module.manifest.skills]
    mastered = sum(row[f"{module.slug} {skill}"] == "mastered" for skill in skills)
    completion = float(row[f"{module.slug} completion"])
    assert (mastered, completion) == (1, round(100 / len(skills), 1))
    assert float(row[f"{module.slug} attempted"]) == round(100 * 2 / 9, 1)

    shown = page.value
    assert f"Completion: 1 of {len(skills)} skills mastered" in shown
    assert f'value="{round(completion)}" aria-label="Module 1 completion: ' in shown
    assert "Attempted: 2 of 9 exercises done" in shown

    summary = read_submission(handin)["summary"][module.slug]
    assert summary["completion"] == completion
    assert (summary["skills_mastered"], summary["completed"], summary["total"]) == (1, 2, 9)
    readable = handin.read_text(encoding="utf-8")
    assert f"<td>1 of {len(skills)} skills mastered</td><td>2 of 9</td>" in readable
    assert f"<p>Completion: 1 of {len(skills)} skills mastered · attempted 2 of 9 exercises " \
        in readable


def test_a_module_without_skills_reads_the_same_on_the_landing_page_and_the_hand_in():
    """Completion is worded once: where a module names no skills (or the file is from before
    skills), the hand-in says "N of M exercises done" as the landing page does, and does not
    repeat the same count as "attempted"."""
    from repairlab.grading import Outcome
    from repairlab.handin.page import readable_page
    from repairlab.views.home import ModuleStanding

    landing = ModuleStanding(Outcome(completed=2, total=9, score=0.5)).completion_text
    older_file = {"title": "Old", "completed": 2, "total": 9, "score": 50.0}  # no skill keys
    for row in (older_file, {**older_file, "skills": 0, "skills_mastered": 0}):
        page = readable_page({"summary": {"old": row},
                              "items": {"i1": {"module": "old", "title": "An item"}}},
                             lambda item_id: None)
        assert landing == "2 of 9 exercises done"
        assert f"<td>{landing}</td>" in page
        assert f"<p>Completion: {landing} · score 50.0%</p>" in page
