"""The class dashboard: the numbers an instructor reads off it, and the files it leaves out.

The aggregation tests build a class of three by hand (attempts with the feedback the real
scorers record) so every expected number below can be checked with pencil and paper; the
end-to-end tests make hand-ins through the real exercise views and the real `repairlab export`.
"""

from __future__ import annotations

import json
import os
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
from nbclient import NotebookClient

from repairlab.cli import dashboard as dashboard_cli
from repairlab.dashboard import (
    SUBMISSIONS_ENV,
    completion_by_module,
    dashboard_app,
    dashboard_html,
    load_folder,
    marker_use,
    missed_items,
    rewrite_by_module,
    rewrite_overall,
    rewrite_progress,
)
from repairlab.handin import export_submission
from repairlab.progress import Attempt, ProgressStore

VERSION = "2025.1"
MODULES = {"noticing": "Noticing ruptures", "repairing": "Repairing ruptures"}
KINDS = {
    "n-schema-1": ("noticing", "spot-the-schema", "The clock"),
    "n-marker-1": ("noticing", "classify-marker", "Fine, whatever"),
    "n-reflect-1": ("noticing", "reflection", "Your own reaction"),
    "r-step-1": ("repairing", "pick-repair-step", "After the late start"),
    "r-rewrite-1": ("repairing", "rewrite-reply", "The fee"),
    "r-rewrite-2": ("repairing", "rewrite-reply", "The holiday"),
}
ITEMS = {item: {"module": slug, "module_title": MODULES[slug], "kind": kind, "title": title}
         for item, (slug, kind, title) in KINDS.items()}


def choice(item, status):
    return item, status, 1.0 if status == "correct" else 0.0, {}


def rewrite(item, status, score, *, markers=(), moves=()):
    """A rewrite attempt as kinds/rewrite_reply.py records it (feedback.extra)."""
    extra = {"moves": sorted(moves), "markers": list(markers), "defensive": bool(markers)}
    return item, status, score, extra


def reflect(item):
    return item, "submitted", None, {}


# ana: solves everything in the end; ben: struggles; chi: one answer only.
CLASS = {
    "ana": [
        choice("n-schema-1", "incorrect"), choice("n-schema-1", "correct"),
        choice("n-marker-1", "correct"), reflect("n-reflect-1"), choice("r-step-1", "correct"),
        rewrite("r-rewrite-1", "needs-work", 0.0,
                markers=["justifying", "justifying", "minimising"]),
        rewrite("r-rewrite-1", "good", 1.0, moves=["ownership", "validation"]),
        rewrite("r-rewrite-2", "partial", 0.5, moves=["validation"]),
    ],
    "ben": [
        choice("n-schema-1", "incorrect"), choice("n-schema-1", "incorrect"),
        choice("n-marker-1", "correct"),
        rewrite("r-rewrite-1", "needs-work", 0.0, markers=["counter-attack"]),
        rewrite("r-rewrite-1", "partial", 0.5, moves=["ownership"]),
        rewrite("r-rewrite-1", "needs-work", 0.0, markers=["justifying"]),
        rewrite("r-rewrite-2", "partial", 0.5, moves=["validation"]),
        rewrite("r-rewrite-2", "needs-work", 0.0, markers=["minimising"]),
    ],
    "chi": [choice("n-schema-1", "correct")],
}


def hand_in(folder: Path, student: str, attempts, *, name=None, version=VERSION,
            created_at=None, store=None) -> Path:
    """Record the attempts in a real ProgressStore (one per file, or ``store``'s) and export
    the student's hand-in."""
    path = folder / (name or f"{student}.html")
    path.parent.mkdir(parents=True, exist_ok=True)
    store_dir = folder.parent / "stores"
    store_dir.mkdir(exist_ok=True)
    with ProgressStore(store_dir / f"{store or path.stem}.sqlite3") as store:
        for n, (item_id, status, score, extra) in enumerate(attempts):
            feedback = {"status": status, "headline": "…", "score": score, "extra": extra}
            store.record(Attempt(
                student=student, item_id=item_id, module=ITEMS[item_id]["module"],
                kind=ITEMS[item_id]["kind"], response=f"answer {n}", feedback=feedback,
                score=score, status=status, curriculum_version=version,
                created_at=f"2025-03-01T10:{n:02d}:00+00:00"))
        export_submission(store, student, path, course_title="Repair practice",
                          curriculum_version=version, items=ITEMS, created_at=created_at)
    return path


@pytest.fixture
def handins(tmp_path) -> Path:
    folder = tmp_path / "handins"
    for student, attempts in CLASS.items():
        hand_in(folder, student, attempts)
    return folder


# --------------------------------------------------------------------------------------------
# Loading


def test_load_folder_reads_one_hand_in_per_student(handins):
    data = load_folder(handins)
    assert data.students == ["ana", "ben", "chi"]
    assert data.skipped == []
    assert data.notes == []
    assert data.curriculum_version == VERSION
    assert data.course == "Repair practice"
    assert list(data.items) == list(ITEMS)  # course order, from the hand-ins themselves
    assert data.modules == [("noticing", "Noticing ruptures"), ("repairing", "Repairing ruptures")]


def test_a_tampered_and_a_foreign_file_are_listed_and_the_rest_still_shown(handins):
    ben = handins / "ben.html"
    ben.write_text(ben.read_text(encoding="utf-8").replace("answer 1", "answer one"),
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
    assert (noticing.students, noticing.all_done, noticing.some_done) == (2, 1, 1)


def test_a_file_too_big_to_be_a_hand_in_is_not_read(handins, monkeypatch):
    import repairlab.collect as collect

    biggest = max(path.stat().st_size for path in handins.iterdir())
    monkeypatch.setattr(collect, "MAX_HANDIN_BYTES", biggest)
    (handins / "lecture.html").write_text("<p>" + "x" * 200_000 + "</p>", encoding="utf-8")
    data = load_folder(handins)
    assert [s.name for s in data.skipped] == ["lecture.html"]
    assert "too big" in data.skipped[0].reason


def test_duplicates_keep_the_newest_and_subfolders_are_read(tmp_path):
    folder = tmp_path / "handins"
    hand_in(folder, "ana", CLASS["ana"][:1], name="ana-week1.html", store="ana",
            created_at="2025-03-01T09:00:00+00:00")
    hand_in(folder, "ana", CLASS["ana"][1:], name="late/ana-week2.html", store="ana",
            created_at="2025-03-08T09:00:00+00:00")
    data = load_folder(folder)
    assert data.students == ["ana"]
    assert len(data.submissions["ana"]["attempts"]) == len(CLASS["ana"])
    store = data.chosen["ana"].store_id[:8]
    assert data.notes == [f"ana handed in again: late/ana-week2.html (downloaded 2025-03-08 "
                          f"09:00 UTC, progress file {store}) counts, and replaces the earlier "
                          f"ana-week1.html (downloaded 2025-03-01 09:00 UTC, progress file "
                          f"{store}) from the same progress file."]


def test_other_curriculum_versions_are_left_out(tmp_path):
    folder = tmp_path / "handins"
    hand_in(folder, "ana", CLASS["ana"])
    hand_in(folder, "ben", CLASS["ben"])
    hand_in(folder, "old", CLASS["chi"], version="2024.2")

    by_majority = load_folder(folder)
    assert by_majority.curriculum_version == VERSION
    assert by_majority.students == ["ana", "ben"]
    [skipped] = by_majority.skipped
    assert skipped.name == "old.html"
    assert "'2024.2'" in skipped.reason

    asked = load_folder(folder, curriculum_version="2024.2")
    assert asked.students == ["old"]
    assert {s.name for s in asked.skipped} == {"ana.html", "ben.html"}


def test_a_missing_folder_is_the_only_error(tmp_path):
    with pytest.raises(NotADirectoryError, match="not a folder"):
        load_folder(tmp_path / "nowhere")
    empty = load_folder(tmp_path)
    assert empty.students == []
    assert empty.skipped == []
    assert "No usable hand-ins" in dashboard_html(empty)


# --------------------------------------------------------------------------------------------
# The four views, against numbers worked out by hand from CLASS


def test_completion_per_module(handins):
    noticing, repairing = completion_by_module(load_folder(handins))
    # noticing, 3 items: ana 3 (schema solved on the 2nd try), ben 1 (marker), chi 1 (schema).
    assert (noticing.title, noticing.items, noticing.students) == ("Noticing ruptures", 3, 3)
    assert (noticing.all_done, noticing.some_done, noticing.none_done) == (1, 2, 0)
    assert noticing.mean_completion == pytest.approx((100 + 100 / 3 + 100 / 3) / 3, abs=0.05)
    # repairing, 3 items: ana 3; ben 2 (a defensive rewrite still completes, as in the
    # gradebook); chi 0.
    assert (repairing.all_done, repairing.some_done, repairing.none_done) == (1, 1, 1)
    assert repairing.mean_completion == pytest.approx((100 + 200 / 3 + 0) / 3, abs=0.05)


def test_missed_items_most_missed_first(handins):
    rows = missed_items(load_folder(handins))
    assert [r.item_id for r in rows] == ["r-rewrite-2", "r-rewrite-1", "n-schema-1",
                                         "n-marker-1", "n-reflect-1", "r-step-1"]
    by_id = {r.item_id: r for r in rows}
    # r-rewrite-2: ana and ben both "partial" first; neither ever "good".
    assert (by_id["r-rewrite-2"].tried, by_id["r-rewrite-2"].first_wrong,
            by_id["r-rewrite-2"].never_solved) == (2, 2, 2)
    # r-rewrite-1: both start defensive; ana ends "good", ben never does.
    rewrite1 = by_id["r-rewrite-1"]
    assert (rewrite1.first_wrong_percent, rewrite1.never_solved_percent) == (100.0, 50.0)
    # n-schema-1: ana wrong then right, ben wrong twice, chi right at once.
    schema = by_id["n-schema-1"]
    assert (schema.tried, schema.first_wrong, schema.never_solved) == (3, 2, 1)
    assert schema.first_wrong_percent == pytest.approx(66.7)
    assert by_id["r-step-1"].tried == 1
    assert by_id["r-step-1"].not_tried == 2


def test_marker_use_counts_students_attempts_and_first_last(handins):
    rows = marker_use(load_folder(handins))
    assert [r.marker for r in rows] == ["justifying", "minimising", "counter-attack"]
    justifying, minimising, counter = rows
    assert justifying.label == "Justifying or correcting the record"
    assert all(r.writers == 2 for r in rows)  # ana and ben wrote rewrites; chi did not
    # justifying: twice in ana's 1st reply to r-rewrite-1, once in ben's last reply to it.
    assert (justifying.students, justifying.attempts, justifying.uses) == (2, 2, 3)
    assert (justifying.in_first, justifying.in_last) == (1, 1)
    # minimising: ana's first reply to r-rewrite-1, ben's last reply to r-rewrite-2.
    assert (minimising.students, minimising.attempts, minimising.uses) == (2, 2, 2)
    assert (minimising.in_first, minimising.in_last) == (1, 1)
    assert (counter.students, counter.in_first, counter.in_last) == (1, 1, 0)


def test_rewrite_progress_first_against_last(handins):
    data = load_folder(handins)
    first, second = rewrite_progress(data)
    # r-rewrite-1, revised by ana (0 -> 100, defensive -> not) and ben (0 -> 0, defensive
    # both times; 1 marker each time).
    assert (first.item_id, first.wrote, first.revised) == ("r-rewrite-1", 2, 2)
    assert (first.first_score, first.last_score) == (0.0, 50.0)
    assert (first.first_defensive, first.last_defensive) == (2, 1)
    assert (first.first_defensive_percent, first.last_defensive_percent) == (100.0, 50.0)
    assert (first.first_markers, first.last_markers) == (2.0, 0.5)
    assert (first.first_moves, first.last_moves) == (0.0, 1.0)
    assert (first.improved, first.unchanged, first.worse) == (1, 1, 0)
    # r-rewrite-2: ana wrote once (not revised); ben went from 50 to a defensive 0.
    assert (second.wrote, second.revised) == (2, 1)
    assert (second.first_score, second.last_score) == (50.0, 0.0)
    assert (second.first_defensive, second.last_defensive) == (0, 1)
    assert (second.improved, second.unchanged, second.worse) == (0, 0, 1)

    overall = rewrite_overall(data)  # the 3 revised (student, item) pairs above, together
    assert (overall.wrote, overall.revised) == (4, 3)
    assert overall.first_score == pytest.approx(50 / 3, abs=0.05)
    assert overall.last_score == pytest.approx(100 / 3, abs=0.05)
    assert (overall.first_defensive, overall.last_defensive) == (2, 2)
    assert (overall.first_markers, overall.last_markers) == (1.3, 0.7)
    assert (overall.improved, overall.unchanged, overall.worse) == (1, 1, 1)
    # Both rewrite items are in one module, so the module row is the whole class.
    assert rewrite_by_module(data) == [replace(overall, title="Repairing ruptures",
                                               module="repairing")]


def test_attempts_at_items_no_longer_in_the_course_are_ignored(handins):
    items = {k: v for k, v in ITEMS.items() if k != "r-rewrite-2"}
    data = load_folder(handins, items=items)
    assert [r.item_id for r in rewrite_progress(data)] == ["r-rewrite-1"]
    assert {r.marker: r.students for r in marker_use(data)}["minimising"] == 1


# --------------------------------------------------------------------------------------------
# What the page shows


def test_every_chart_has_alt_text_and_a_table(handins):
    html = dashboard_html(load_folder(handins))
    assert html.count("<img ") == 4
    assert html.count('src="data:image/svg+xml;base64,') == 4
    assert html.count('alt="') == 4
    assert 'alt=""' not in html
    # One table per chart, with the chart's numbers; and the long per-item lists, folded.
    assert html.count("<table>") == 6
    assert html.count("<caption>") == 6
    assert html.count("<details>") == 2
    assert 'scope="col"' in html
    assert 'scope="row"' in html
    assert "Noticing ruptures: 1 all done, 2 some, 0 none, mean completion 55.6%" in html
    assert "Justifying or correcting the record: 2 students." in html
    assert "mean score went from 16.7% to 33.3%" in html


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

    data = load_folder(folder, renames={"e.html": _attack("new-id")})
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
                  "other-student", "new-id", "file", "course", "version", "old-version"):
        assert f"&gt;{field}" in page, f"{field} is not on the page: the test proves nothing"


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


@pytest.fixture
def class_of_three(demo_course, hand_ins):
    """Three students work through the demo module's views; their hand-ins in a folder."""
    rewrites = {
        "ana": ["Well, you were late too, so calm down.",
                "You're right, I kept looking at the clock, and I can see how that felt. "
                "Can you tell me more?"],
        "ben": ["I was listening. I have to keep an eye on the time, that's all."],
        "chi": [],
    }
    steps = {"ana": ["acknowledge"], "ben": ["explain"], "chi": ["explain", "acknowledge"]}
    work = {student: [("m01-step-01", pick) for pick in steps[student]]
            + [("m01-rewrite-01", text) for text in rewrites[student]]
            for student in rewrites}
    return demo_course, hand_ins(work)


def test_real_hand_ins_carry_what_the_dashboard_reads(class_of_three):
    _course, folder = class_of_three
    data = load_folder(folder)
    assert data.students == ["ana", "ben", "chi"]
    [module] = completion_by_module(data)
    assert (module.title, module.items) == ("Demo module", 9)
    # ana: step + rewrite; ben: step never solved but answered (incorrect does not complete)
    # and a rewrite; chi: step.
    assert (module.all_done, module.some_done, module.none_done) == (0, 3, 0)
    markers = {r.marker: r for r in marker_use(data)}
    assert markers
    assert all(r.writers == 2 for r in markers.values())
    assert markers["justifying"].students == 1  # ben's "I have to keep an eye on the time"
    [change] = rewrite_progress(data)
    assert (change.wrote, change.revised, change.first_defensive, change.last_defensive) == (
        2, 1, 1, 0)
    assert change.improved == 1
    assert change.last_score > change.first_score
    step = next(r for r in missed_items(data) if r.item_id == "m01-step-01")
    assert (step.tried, step.first_wrong, step.never_solved) == (3, 2, 1)


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
def test_the_dashboard_notebook_runs_on_a_folder_of_hand_ins(class_of_three, monkeypatch):
    course, folder = class_of_three
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
    assert "Demo module (mean" not in state  # chart labels live in the image, not the text
    assert "Demo module: 0 all done, 3 some, 0 none" in state  # the completion chart's alt
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
def test_the_cli_server_needs_the_token_and_shows_no_code(class_of_three):
    course, folder = class_of_three
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
