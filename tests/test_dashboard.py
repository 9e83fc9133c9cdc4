"""The class dashboard: the numbers an instructor reads off it, and the files it leaves out.

The class is real: three students work through a two-module course in the real exercise views
(their answers, feedback and difficulty ratings recorded by the real scorers in a real progress
store) and hand in with `repairlab export` (tests/class_work.py). Every expected number below is
worked out by hand from what each student did, in the comments beside it. Only the escaping
test writes its own attempts: no scorer produces markup in a marker name, and it must.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from class_work import CLASS, MODULES, export, work
from nbclient import NotebookClient

from repairlab.cli import dashboard as dashboard_cli
from repairlab.dashboard import (
    SUBMISSIONS_ENV,
    course_arguments,
    dashboard_app,
    dashboard_html,
    load_folder,
)
from repairlab.dashboard.statistics import (
    completion_by_module,
    diaries_by_module,
    difficulty_by_module,
    fmt_percent,
    marker_use,
    missed_items,
    rewrite_by_module,
    rewrite_overall,
    rewrite_progress,
    skill_mastery,
)
from repairlab.handin import export_submission
from repairlab.progress import Attempt, ProgressStore, default_store_path


class RealClass:
    """The class's course, hand-ins and progress file, made once for this file."""

    def __init__(self, root: Path):
        from course_factory import make_course

        self.root = root
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("REPAIRLAB_DATA_DIR", str(root / "data"))
            mp.setenv("XDG_CACHE_HOME", str(root / "user-cache"))
            mp.delenv("REPAIRLAB_COURSE_DIR", raising=False)
            self.course = make_course(root / "course", *MODULES)
            for student, answers in CLASS.items():
                work(self.course, student, answers, mp)
            self.folder = root / "handins"
            for student in CLASS:
                export(self.course, student, self.folder / f"{student}.html")
            self.store = default_store_path()
        from repairlab.content.course import load_course

        course, _problems = load_course(self.course)
        self.version = course.version
        self.arguments = course_arguments(course)

    def copy(self, to: Path) -> Path:
        """A copy of the hand-in folder, for a test that adds or changes files."""
        return Path(shutil.copytree(self.folder, to / "handins"))

    def export(self, student: str, path: Path, **options) -> Path:
        """``student``'s hand-in from the class's progress file, by the handin package, with
        ``options`` (created_at, curriculum_version) as given."""
        path.parent.mkdir(parents=True, exist_ok=True)
        index = self.arguments["items"]
        with ProgressStore(self.store) as store:
            export_submission(store, student, path, course_title="Repair practice",
                              items=index, **{"curriculum_version": self.version, **options})
        return path


@pytest.fixture(scope="module")
def real_class(tmp_path_factory) -> RealClass:
    return RealClass(tmp_path_factory.mktemp("class"))


@pytest.fixture
def handins(real_class) -> Path:
    return real_class.folder


# --------------------------------------------------------------------------------------------
# Loading


def test_load_folder_reads_one_hand_in_per_student(real_class):
    data = load_folder(real_class.folder)
    assert data.students == ["ana", "ben", "chi"]
    assert data.skipped == []
    assert data.notes == []
    assert data.curriculum_version == real_class.version
    assert list(data.items) == list(real_class.arguments["items"])  # from the hand-ins
    assert data.modules == [("noticing", "Noticing ruptures"), ("repairing", "Repairing ruptures")]
    assert data.skills == {}  # the hand-ins do not carry the skills: the course does
    assert list(load_folder(real_class.folder, **real_class.arguments).skills) == [
        "noticing", "repairing"]


def test_a_tampered_and_a_foreign_file_are_listed_and_the_rest_still_shown(real_class, tmp_path):
    handins = real_class.copy(tmp_path)
    ben = handins / "ben.html"
    ben.write_text(ben.read_text(encoding="utf-8").replace("keep an eye", "keep an ear"),
                   encoding="utf-8")
    (handins / "notes.html").write_text("<html><body>Week 3 notes</body></html>",
                                        encoding="utf-8")
    (handins / "grades.csv").write_text("student,score\n", encoding="utf-8")
    (handins / ".DS_Store").write_bytes(b"\0\1")  # hidden: nobody's hand-in, not listed
    (handins / "garbled.json").write_bytes(b"\xff\xfe{")

    data = load_folder(handins)
    assert data.students == ["ana", "chi"]
    reasons = {s.name: s.reason for s in data.skipped}
    assert set(reasons) == {"ben.html", "notes.html", "grades.csv", "garbled.json"}
    assert reasons["ben.html"].startswith("was edited by hand after download")
    assert "not a RepairLab hand-in" in reasons["notes.html"]
    assert "not a RepairLab hand-in: hand-ins are .html or .json" in reasons["grades.csv"]
    assert "not a text file" in reasons["garbled.json"]
    assert all(s.message.startswith(s.name + " ") for s in data.skipped)

    html = dashboard_html(data, charts=False)
    assert "4 files left out" in html
    assert "<strong>ben.html</strong> was edited by hand after download" in html
    assert "2 students" in html  # ana and chi are still shown
    [noticing, _] = completion_by_module(data)
    assert (noticing.students, noticing.some_done, noticing.none_done) == (2, 2, 0)


def test_a_file_too_big_to_be_a_hand_in_is_not_read(real_class, tmp_path, monkeypatch):
    import repairlab.collect as collect

    handins = real_class.copy(tmp_path)
    biggest = max(path.stat().st_size for path in handins.iterdir())
    monkeypatch.setattr(collect, "MAX_HANDIN_BYTES", biggest)
    (handins / "lecture.html").write_text("<p>" + "x" * (biggest + 1) + "</p>", encoding="utf-8")
    data = load_folder(handins)
    assert [s.name for s in data.skipped] == ["lecture.html"]
    assert "too big" in data.skipped[0].reason


def test_duplicates_keep_the_newest_and_subfolders_are_read(real_class, tmp_path):
    folder = tmp_path / "handins"
    real_class.export("ana", folder / "ana-week1.html", created_at="2025-03-01T09:00:00+00:00")
    real_class.export("ana", folder / "late" / "ana-week2.html",
                      created_at="2025-03-08T09:00:00+00:00")
    data = load_folder(folder)
    assert data.students == ["ana"]
    assert len(data.submissions["ana"]["attempts"]) == len(CLASS["ana"])
    store = data.chosen["ana"].store_id[:8]
    assert data.notes == [f"ana handed in again: late/ana-week2.html (downloaded 2025-03-08 "
                          f"09:00 UTC, progress file {store}) counts, and replaces the earlier "
                          f"ana-week1.html (downloaded 2025-03-01 09:00 UTC, progress file "
                          f"{store}) from the same progress file."]


def test_other_curriculum_versions_are_left_out(real_class, tmp_path):
    folder = real_class.copy(tmp_path)
    real_class.export("chi", folder / "old.html", curriculum_version="2024.2")
    (folder / "chi.html").unlink()

    by_majority = load_folder(folder)
    assert by_majority.curriculum_version == real_class.version
    assert by_majority.students == ["ana", "ben"]
    [skipped] = by_majority.skipped
    assert skipped.name == "old.html"
    assert "'2024.2'" in skipped.reason

    asked = load_folder(folder, curriculum_version="2024.2")
    assert asked.students == ["chi"]
    assert {s.name for s in asked.skipped} == {"ana.html", "ben.html"}


def test_a_missing_folder_is_the_only_error(tmp_path):
    with pytest.raises(NotADirectoryError, match="not a folder"):
        load_folder(tmp_path / "nowhere")
    empty = load_folder(tmp_path)
    assert empty.students == []
    assert empty.skipped == []
    assert "No usable hand-ins" in dashboard_html(empty)


# --------------------------------------------------------------------------------------------
# The views, against numbers worked out by hand from class_work.CLASS. Each module is the
# template's nine items: schema, rewrite, step, order, marker, red flag, reflection, case and
# find the moment.


def test_completion_per_module_without_the_course_counts_items(handins):
    """Opened without the course the dashboard knows no skills: completion is the item rule,
    as the gradebook's for a module without skills, and equals attempted."""
    noticing, repairing = completion_by_module(load_folder(handins))
    assert (noticing.skills, noticing.mean_attempted) == (0, noticing.mean_completion)
    # noticing: ana 4 (schema, marker, reflection, moment), ben 3 (marker, moment, and a
    # defensive rewrite, which completes as in the gradebook; his schema, answered wrong twice,
    # does not), chi 1 (schema). 9 items: (4 + 3 + 1) / 27.
    assert (noticing.title, noticing.items, noticing.students) == ("Noticing ruptures", 9, 3)
    assert (noticing.all_done, noticing.some_done, noticing.none_done) == (0, 3, 0)
    assert noticing.mean_completion == pytest.approx(100 * 8 / 27, abs=0.05)
    # repairing: ana 2 (step, rewrite), ben 1 (rewrite), chi 0.
    assert (repairing.all_done, repairing.some_done, repairing.none_done) == (0, 2, 1)
    assert repairing.mean_completion == pytest.approx(100 * 3 / 27, abs=0.05)


def test_completion_is_skills_mastered_and_attempted_stays_the_items(real_class):
    data = load_folder(real_class.folder, **real_class.arguments)
    noticing, repairing = completion_by_module(data)
    # Five skills a module. noticing: ana masters finding where it begins, chi naming the
    # schema, ben none (test_skill_mastery_per_module): 1/5, 0, 1/5.
    assert (noticing.skills, noticing.items) == (5, 9)
    assert noticing.mean_completion == pytest.approx(100 * 2 / 15, abs=0.05)
    assert (noticing.all_done, noticing.some_done, noticing.none_done) == (0, 2, 1)
    # Attempted is still the share of items done: (4 + 3 + 1) / 27.
    assert noticing.mean_attempted == pytest.approx(100 * 8 / 27, abs=0.05)
    # repairing: ben alone masters owning your part (his first m02 reply was good): 0, 1/5, 0.
    assert repairing.mean_completion == pytest.approx(100 / 15, abs=0.05)
    assert (repairing.all_done, repairing.some_done, repairing.none_done) == (0, 1, 2)
    assert repairing.mean_attempted == pytest.approx(100 * 3 / 27, abs=0.05)
    html = dashboard_html(data, charts=False)
    assert ('<th scope="row">Noticing ruptures</th><td>5 skills</td>'
            '<td class="rl-num">13.3%</td><td class="rl-num">29.6%</td>'
            f'<td class="rl-num">{fmt_percent(noticing.mean_first_try)}</td>') in html
    assert noticing.mean_first_try is not None  # the CSV's figure: see the next test


def test_dashboard_completion_and_attempted_are_the_gradebooks(real_class):
    """Student by student: the dashboard's figures are the CSV's completion and attempted."""
    gradebook = _gradebook(real_class)
    data = load_folder(real_class.folder, **real_class.arguments)
    for module in completion_by_module(data):
        done = [r[f"{module.module} completion"] for r in gradebook.rows]
        tried = [r[f"{module.module} attempted"] for r in gradebook.rows]
        first = [r[f"{module.module} first-try accuracy"] for r in gradebook.rows
                 if r[f"{module.module} first-try accuracy"] is not None]
        assert module.mean_completion == pytest.approx(sum(done) / len(done), abs=0.1)
        assert module.mean_attempted == pytest.approx(sum(tried) / len(tried), abs=0.1)
        assert first, "the class tried something in every module"
        assert module.mean_first_try == pytest.approx(sum(first) / len(first), abs=0.1)
        assert module.all_done == done.count(100.0)
        assert module.none_done == done.count(0.0)


def test_who_kept_a_practice_diary_in_the_gradebook_and_on_the_dashboard(real_class):
    """ana kept one in repairing, ben in noticing (one box filled), chi none
    (class_work.DIARIES); the CSV says yes or no, the dashboard names them, and the text
    stays out of both."""
    gradebook = _gradebook(real_class)
    assert {r["student"]: (r["noticing diary"], r["repairing diary"])
            for r in gradebook.rows} == {"ana": ("no", "yes"), "ben": ("yes", "no"),
                                         "chi": ("no", "no")}
    assert "repairing diary" in gradebook.columns
    data = load_folder(real_class.folder)  # needs no course: the hand-ins carry the diaries
    noticing, repairing = diaries_by_module(data)
    assert (noticing.kept_by, repairing.kept_by) == (("ben",), ("ana",))
    html = dashboard_html(data, charts=False)
    assert ('<th scope="row">Repairing ruptures</th><td class="rl-num">1 (33.3%)</td>'
            in html)
    assert '<ul class="rl-diarists"><li>ana</li></ul>' in html
    assert "Not mentioning the clock" not in html


def test_missed_items_most_missed_first(handins):
    rows = missed_items(load_folder(handins))
    assert [r.item_id for r in rows[:7]] == ["m01-rewrite-01", "m01-schema-01", "m01-moment-01",
                                             "m02-rewrite-01", "m01-marker-01", "m01-reflect-01",
                                             "m02-step-01"]
    by_id = {r.item_id: r for r in rows}
    # m01-rewrite-01: ben alone, one defensive reply.
    assert (by_id["m01-rewrite-01"].tried, by_id["m01-rewrite-01"].never_solved) == (1, 1)
    # m01-schema-01: ana wrong then right, ben wrong twice, chi right at once.
    schema = by_id["m01-schema-01"]
    assert (schema.tried, schema.first_wrong, schema.never_solved) == (3, 2, 1)
    assert schema.first_wrong_percent == pytest.approx(66.7)
    # m02-rewrite-01: ana defensive then good; ben good then defensive (solved once).
    rewrite = by_id["m02-rewrite-01"]
    assert (rewrite.tried, rewrite.first_wrong, rewrite.never_solved) == (2, 1, 0)
    assert by_id["m02-step-01"].tried == 1
    assert by_id["m02-step-01"].not_tried == 2
    assert all(r.tried == 0 for r in rows[7:])


def test_marker_use_counts_students_attempts_and_first_last(handins):
    [justifying] = marker_use(load_folder(handins))
    # The template's defensive reply justifies ("I have to keep an eye on the time"): ana's
    # first m02 reply, ben's last m02 reply and his one m01 reply.
    assert justifying.label == "Justifying or correcting the record"
    assert justifying.writers == 2  # ana and ben wrote rewrites; chi did not
    assert (justifying.students, justifying.attempts, justifying.uses) == (2, 3, 3)
    assert (justifying.in_first, justifying.in_last) == (2, 2)


def test_rewrite_progress_first_against_last(handins):
    data = load_folder(handins)
    once, twice = rewrite_progress(data)
    # m01-rewrite-01: ben wrote once, so nothing to compare.
    assert (once.item_id, once.wrote, once.revised, once.first_score) == (
        "m01-rewrite-01", 1, 0, None)
    # m02-rewrite-01: ana 0 -> 100 (defensive -> not), ben 100 -> 0 (the other way round).
    assert (twice.item_id, twice.wrote, twice.revised) == ("m02-rewrite-01", 2, 2)
    assert (twice.first_score, twice.last_score) == (50.0, 50.0)
    assert (twice.first_defensive, twice.last_defensive) == (1, 1)
    assert (twice.first_markers, twice.last_markers) == (0.5, 0.5)
    assert (twice.improved, twice.unchanged, twice.worse) == (1, 0, 1)
    # The model rewrite owns, validates and explores: three moves; the defensive reply none.
    assert (twice.first_moves, twice.last_moves) == (1.5, 1.5)

    overall = rewrite_overall(data)
    assert (overall.wrote, overall.revised) == (3, 2)
    assert overall == replace(twice, item_id="", title="All rewrite items", module="", wrote=3)
    noticing, repairing = rewrite_by_module(data)
    assert (noticing.module, noticing.wrote, noticing.revised) == ("noticing", 1, 0)
    assert repairing == replace(twice, item_id="", title="Repairing ruptures",
                                module="repairing")


def test_attempts_at_items_no_longer_in_the_course_are_ignored(real_class):
    items = {k: v for k, v in real_class.arguments["items"].items() if k != "m01-rewrite-01"}
    data = load_folder(real_class.folder, items=items)
    assert [r.item_id for r in rewrite_progress(data)] == ["m02-rewrite-01"]
    assert {r.marker: r.attempts for r in marker_use(data)}["justifying"] == 2


# --------------------------------------------------------------------------------------------
# Skills: mastery by the practice rule, difficulty as rated


def test_skill_mastery_per_module(real_class):
    data = load_folder(real_class.folder, **real_class.arguments)
    rows = {(r.module, r.skill): (r.mastered, r.in_progress, r.not_started)
            for r in skill_mastery(data)}
    assert [(r.module, r.skill) for r in skill_mastery(data)][:5] == [
        ("noticing", "noticing-markers"), ("noticing", "naming-your-schema"),
        ("noticing", "owning-your-part"), ("noticing", "choosing-the-repair-step"),
        ("noticing", "finding-where-it-begins")]
    # The one schema item is the only beginner item of its skill: right on the first try
    # masters it (chi); ana's and ben's first tries were wrong.
    assert rows[("noticing", "naming-your-schema")] == (1, 2, 0)
    # Find the moment, likewise: ana right at once, ben wrong first, chi never tried.
    assert rows[("noticing", "finding-where-it-begins")] == (1, 1, 1)
    # Markers: the beginner level met by ana and ben, the intermediate red flag not tried.
    assert rows[("noticing", "noticing-markers")] == (0, 2, 1)
    # A try is right when its first attempt is: ben's first m02 reply was good, ana's was not.
    assert rows[("repairing", "owning-your-part")] == (1, 1, 1)
    # The step alone of two beginner items (step and case) is not yet the criterion.
    assert rows[("repairing", "choosing-the-repair-step")] == (0, 1, 2)
    assert rows[("repairing", "naming-your-schema")] == (0, 0, 3)


def _gradebook(real_class):
    from repairlab.content.course import load_course
    from repairlab.coursework import module_items, module_titles
    from repairlab.gradebook import merge_submissions

    course, _problems = load_course(real_class.course)
    return merge_submissions([real_class.folder], curriculum_version=course.version,
                             modules=module_titles(course), module_items=module_items(course),
                             module_skills=real_class.arguments["skills"])


def test_skill_mastery_is_the_gradebooks(real_class):
    """The dashboard counts exactly the gradebook CSV's skill columns, student by student."""
    gradebook = _gradebook(real_class)
    data = load_folder(real_class.folder, **real_class.arguments)
    for row in skill_mastery(data):
        column = [r[f"{row.module} {row.skill}"] for r in gradebook.rows]
        assert (row.mastered, row.in_progress, row.not_started) == (
            column.count("mastered"), column.count("in progress"), column.count("not started"))
    for module in difficulty_by_module(data):
        rated = [r[f"{module.module} mean difficulty"] for r in gradebook.rows]
        rated = [value for value in rated if value is not None]
        assert module.rated == len(rated)
        assert module.mean == round(sum(rated) / len(rated), 1)


def test_mean_difficulty_per_module(real_class):
    data = load_folder(real_class.folder, **real_class.arguments)
    noticing, repairing = difficulty_by_module(data)
    # noticing: ben alone rated (10, his m01 rewrite).
    assert (noticing.rated, noticing.mean) == (1, 10.0)
    # repairing: ana 8 and 4 (her mean 6), ben 9 and 9 (9): the mean of the two means.
    assert (repairing.rated, repairing.mean) == (2, 7.5)


def test_without_the_course_the_page_says_how_to_see_skills(real_class):
    html = dashboard_html(load_folder(real_class.folder), charts=False)
    assert "No skills to show" in html
    assert "<code>--course</code>" in html
    shown = dashboard_html(load_folder(real_class.folder, **real_class.arguments),
                           charts=False)
    assert "No skills to show" not in shown
    noticing = shown[shown.index("<caption>Noticing ruptures (3 students)</caption>"):]
    assert ('<th scope="row">Finding where a rupture begins</th>'
            '<td class="rl-num">1 (33.3%)</td><td class="rl-num">1 (33.3%)</td>'
            '<td class="rl-num">1 (33.3%)</td>') in noticing[:noticing.index("</table>")]
    assert ('<th scope="row">Repairing ruptures</th><td class="rl-num">2 (66.7%)</td>'
            '<td class="rl-num">7.5</td>') in shown


# --------------------------------------------------------------------------------------------
# What the page shows


def test_every_chart_has_alt_text_and_a_table(handins):
    html = dashboard_html(load_folder(handins))
    assert html.count("<img ") == 4
    assert html.count('src="data:image/svg+xml;base64,') == 4
    assert html.count('alt="') == 4
    assert 'alt=""' not in html
    # One table per chart, with the chart's numbers; the long per-item lists, folded; and
    # without the course, no skills table (test_without_the_course_...); the diaries kept,
    # with who kept one folded away for each module.
    assert html.count("<table>") == 7
    assert html.count("<caption>") == 7
    assert html.count("<details>") == 4
    assert 'scope="col"' in html
    assert 'scope="row"' in html
    assert "Noticing ruptures: 0 all done, 3 some, 0 none, mean completion 29.6%" in html
    assert "Justifying or correcting the record: 2 students." in html
    assert "mean score went from 50% to 50%" in html


def _attack(field: str) -> str:
    """Markup that would run if it reached the page unescaped, named after where it was put."""
    return f'<img src=x onerror="alert({field!r})">{field}'


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def test_everything_a_hand_in_or_a_file_name_brings_is_escaped(tmp_path):
    """Every text the page shows from a hand-in (titles, ids, markers, names, versions) or from
    the folder (file and folder names, notes, conflicts), each as markup that would run. The
    page must come out with no element or attribute that any of them would have made."""
    folder = tmp_path / _attack("folder")
    items = {_attack("item-id"): {"module": _attack("module"), "module_title": _attack("module-title"),
                                  "kind": _attack("kind"), "title": _attack("title")}}
    item = next(iter(items))
    marker = _attack("marker")

    def evil_hand_in(student, name, store, created_at, rewrites=2, version=None):
        version = version or _attack("version")
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with ProgressStore(tmp_path / f"{store}.sqlite3") as progress:
            for n in range(rewrites):
                extra = {"markers": [marker], "moves": [], "defensive": n == 0}
                progress.record(Attempt(
                    student=student, item_id=item, module=_attack("module"), kind="rewrite-reply",
                    response=_attack("response"), feedback={"extra": extra}, score=n / 2,
                    status="needs-work", curriculum_version=version,
                    created_at=f"2025-03-01T10:0{n}:00Z"))
            progress.save_diary(student, _attack("module"), {"hard": _attack("diary")})
            export_submission(progress, student, path, course_title=_attack("course"),
                              curriculum_version=version, items=items, created_at=created_at)

    shown = _attack("student")
    evil_hand_in(shown, "a.html", "one", "2025-03-01T09:00:00Z")
    evil_hand_in(shown, "b.html", "one", "2025-03-02T09:00:00Z")  # handed in again: a note
    other = _attack("other-student")
    evil_hand_in(other, "c.html", "two", "2025-03-01T09:00:00Z")
    evil_hand_in(other, "d.html", "three", "2025-03-01T09:00:00Z")  # a conflict
    evil_hand_in(_attack("renamed"), "e.html", "four", "2025-03-01T09:00:00Z")
    evil_hand_in("old", "f.html", "five", "2025-03-01T09:00:00Z", version=_attack("old-version"))
    (folder / f"{_attack('file')}.txt").write_text("not a hand-in", encoding="utf-8")

    # The course's own words too: a skill's name (an author's text, escaped all the same).
    from repairlab.practice import PracticeItem, SkillSpec

    skills = {_attack("module"): ([SkillSpec("s", _attack("skill"))],
                                  [PracticeItem(item, "s", "beginner", "rewrite-reply")])}
    data = load_folder(folder, renames={"e.html": _attack("new-id")}, skills=skills)
    assert data.students == [_attack("new-id"), shown]
    assert data.conflicts
    assert data.notes
    assert data.skipped
    page = dashboard_html(data)  # with the charts' alt texts

    parser = _Elements()
    parser.feed(page)
    tags = {tag for tag, _ in parser.found}
    assert "script" not in tags
    assert [attrs for tag, attrs in parser.found if tag == "img"] == [
        {"src": attrs["src"], "alt": attrs["alt"]} for tag, attrs in parser.found if tag == "img"]
    assert all(attrs["src"].startswith("data:image/svg+xml;base64,")
               for tag, attrs in parser.found if tag == "img")
    assert not [attrs for _tag, attrs in parser.found if any(a.startswith("on") for a in attrs)]
    assert page.count("<img ") == 4  # the charts, and nothing else
    for field in ("folder", "item-id", "module-title", "kind", "title", "marker", "student",
                  "other-student", "new-id", "file", "course", "version", "old-version", "skill"):
        assert f"&gt;{field}" in page, f"{field} is not on the page: the test proves nothing"
    from html import escape

    diarists = page[page.index('<ul class="rl-diarists">'):]
    assert diarists.startswith(f'<ul class="rl-diarists"><li>{escape(_attack("new-id"))}</li>'
                               f'<li>{escape(shown)}</li></ul>')
    assert "diary'" not in page  # the diary's text stays in the hand-in, escaped or not
    assert "diary&#x27;" not in page


def test_importing_the_package_does_not_import_plotting_or_widgets():
    code = ("import sys, repairlab, repairlab.dashboard; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_without_a_folder_the_page_asks_for_one(handins, monkeypatch):
    monkeypatch.delenv(SUBMISSIONS_ENV, raising=False)
    monkeypatch.delenv("REPAIRLAB_COURSE_DIR", raising=False)
    app = dashboard_app()
    controls, status, body = app.children
    path_box, load = controls.children
    assert load.description == "Load"
    assert body.value == ""
    load.click()
    assert "Type the path" in status.value
    path_box.value = str(handins / "missing")
    load.click()
    assert "There is no folder" in body.value
    path_box.value = str(handins)
    load.click()
    assert "Showing 3 students' hand-ins." in status.value
    assert "Noticing ruptures" in body.value
    assert load.description == "Read the folder again"


# --------------------------------------------------------------------------------------------
# End to end: real exercise views, `repairlab export`, the notebook, the CLI


NOTEBOOK = Path(dashboard_cli.__file__).resolve().parents[1] / "instructor" / "dashboard.ipynb"


def test_the_notebook_is_committed_clean_with_hidden_code():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code
    assert all(c.metadata.get("jupyter", {}).get("source_hidden") for c in code)
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert "show_dashboard()" in code[0].source


def _execute(path: Path):
    """Run a notebook as Voilà would (cwd = its folder); return it with widget state saved."""
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


@pytest.mark.slow
def test_the_dashboard_notebook_runs_on_a_folder_of_hand_ins(real_class, tmp_path,
                                                            monkeypatch):
    course, folder = real_class.course, real_class.copy(tmp_path)
    (folder / "ben-copy.html").write_text(
        (folder / "ben.html").read_text(encoding="utf-8").replace("I was listening",
                                                                  "I was not listening"),
        encoding="utf-8")
    monkeypatch.setenv(SUBMISSIONS_ENV, str(folder))
    monkeypatch.setenv("REPAIRLAB_COURSE_DIR", str(course))
    notebook = _execute(NOTEBOOK)
    errors = [o for c in notebook.cells for o in c.get("outputs", [])
              if o.output_type == "error" or o.get("name") == "stderr"]
    assert errors == []
    state = json.dumps(notebook.metadata["widgets"])
    assert "Showing 3 students' hand-ins; 1 file left out." in state
    assert "ben-copy.html</strong> was edited by hand after download" in state
    assert "Noticing ruptures (mean" not in state  # chart labels live in the image
    # The completion chart's alt: completion is skills mastered (the course is given), as in
    # test_completion_is_skills_mastered_and_attempted_stays_the_items.
    assert "Noticing ruptures: 0 all done, 2 some, 1 none" in state
    assert "Finding where a rupture begins" in state  # the skills, from the course
    assert "Justifying or correcting the record" in state
    assert state.count("data:image/svg+xml;base64,") == 4
    assert "Traceback" not in state


def test_the_cli_serves_only_the_notebook_locally_without_sources(tmp_path):
    command = dashboard_cli.dashboard_command(NOTEBOOK, port=8999)
    assert command[1:4] == ["-m", "voila", str(NOTEBOOK)]
    for flag in ("--Voila.ip=127.0.0.1", "--VoilaConfiguration.strip_sources=True",
                 "--VoilaConfiguration.show_tracebacks=False", "--port=8999",
                 "--VoilaConfiguration.template=repairlab", "--no-browser"):
        assert flag in command
    # The token is never on the command line, which every user can read in the process list.
    assert not any(part.startswith(("--Voila.token", "--token")) for part in command)
    env = dashboard_cli.dashboard_env(tmp_path, tmp_path / "course", "s3cret", base={})
    assert env[SUBMISSIONS_ENV] == str(tmp_path.resolve())
    assert env["REPAIRLAB_COURSE_DIR"] == str((tmp_path / "course").resolve())
    assert env["JUPYTER_TOKEN"] == "s3cret"
    assert "REPAIRLAB_COURSE_DIR" not in dashboard_cli.dashboard_env(tmp_path, None, "t", base={})


def test_the_cli_refuses_a_missing_folder(tmp_path, capsys):
    import argparse

    parser = argparse.ArgumentParser()
    dashboard_cli.add_parser(parser.add_subparsers(), "dashboard")
    args = parser.parse_args(["dashboard", str(tmp_path / "nowhere"), "--no-browser"])
    assert args.run(args) == 1
    assert "is not a folder" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str, str]:
    """(status, final address after redirects, page)."""
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.status, response.url, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, url, ""


@pytest.mark.slow
def test_the_cli_server_needs_the_token_and_shows_no_code(real_class):
    course, folder = real_class.course, real_class.folder
    port = _free_port()
    token = "test-token-123"
    process = subprocess.Popen(
        dashboard_cli.dashboard_command(NOTEBOOK, port=port),
        env=dashboard_cli.dashboard_env(folder, course, token, base=dict(os.environ)),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            pytest.fail("the dashboard server did not start")
        status, _url, page = _get(dashboard_cli.dashboard_url(port, token))
        assert status == 200
        assert "<title>Class dashboard · RepairLab</title>" in page
        assert "show_dashboard" not in page  # sources stripped
        # Nothing beside the notebook (the notebook itself included) can be downloaded.
        status, _url, page = _get(dashboard_cli.dashboard_url(port, token).replace(
            "/?", "/voila/files/dashboard.ipynb?"))
        assert status != 200 or "show_dashboard" not in page
        for wrong in ("", "?token=guess"):  # sent to the login page, the notebook not run
            status, url, page = _get(f"http://127.0.0.1:{port}/{wrong}")
            assert "/login" in url
            assert "Class dashboard" not in page
    finally:
        process.terminate()
        process.wait(timeout=30)
