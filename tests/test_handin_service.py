"""The hand-in service's storage and the landing page's "Hand in" button, without a hub.

The service itself (hub login, scopes, 403s) is tested against a real JupyterHub in
tests/browser/test_hub.py; here: what it keeps (every version, the newest counting, through the
same collector as the gradebook and the dashboard), what it refuses, that a kill -9 mid-write
loses nothing, and what the landing page offers where.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from repairlab.handin import SubmissionError, read_submission
from repairlab.handin.inbox import Inbox, NotYourWork

WIDGETS = Path(__file__).resolve().parents[1] / "widgets"


@pytest.fixture
def record(worked_hand_in) -> bytes:
    """ann's hand-in record as the landing page's button sends it (JSON of the real work)."""
    return json.dumps(read_submission(worked_hand_in(".json"))).encode("utf-8")


def test_every_version_is_kept_and_the_newest_counts(record, demo_course):
    from repairlab.content.course import load_course
    from repairlab.coursework import item_index, module_items, module_titles
    from repairlab.dashboard import load_folder
    from repairlab.gradebook import csv_text, merge_submissions

    inbox = Inbox(demo_course.parent / "received")
    first = inbox.receive(record, "ann")
    newer = json.loads(record)
    newer["attempts"] = newer["attempts"][:2]  # an older state of the work, sent later
    from repairlab.handin import compute_checksum

    newer["created_at"] = "2099-01-01T00:00:00.000000+00:00"
    newer["checksum"] = compute_checksum(newer)
    second = inbox.receive(json.dumps(newer).encode("utf-8"), "ann")

    assert (first.version, second.version) == (1, 2)
    assert first.attempts == len(json.loads(record)["attempts"])
    assert second.attempts == 2
    assert [r.version for r in inbox.versions("ann")] == [1, 2]
    assert inbox.students() == ["ann"]
    # The dashboard and the gradebook read the received folder as any folder of hand-ins: the
    # newest version counts, the older one is listed as replaced.
    course, _ = load_course(demo_course)
    data = load_folder(inbox.folder, curriculum_version=course.version, items=item_index(course))
    assert data.students == ["ann"]
    assert data.submissions["ann"]["checksum"] == second.checksum
    assert not data.skipped
    assert any("handed in again" in note for note in data.notes)
    result = merge_submissions([inbox.folder], curriculum_version=course.version,
                               modules=module_titles(course), module_items=module_items(course))
    assert [row["student"] for row in result.rows] == ["ann"]
    assert result.chosen["ann"].submission["checksum"] == second.checksum
    assert csv_text(result).splitlines()[1].startswith("ann,")


def test_another_students_work_or_a_changed_record_is_refused_and_nothing_kept(record, tmp_path):
    inbox = Inbox(tmp_path / "received")
    with pytest.raises(NotYourWork, match="you may hand in only your own work"):
        inbox.receive(record, "bob")
    changed = json.loads(record)
    changed["attempts"][0]["status"] = "solved"
    with pytest.raises(SubmissionError):
        inbox.receive(json.dumps(changed).encode("utf-8"), "ann")
    with pytest.raises(SubmissionError):
        inbox.receive(b"<html>not a hand-in</html>", "ann")
    assert inbox.students() == []
    assert not any(p.is_file() for p in inbox.folder.rglob("*"))


def test_a_student_name_cannot_reach_outside_the_inbox(tmp_path):
    inbox = Inbox(tmp_path / "received")
    for name in ("../../etc", "..", ".hidden", "a/b"):
        folder = inbox.folder_of(name)
        assert folder.parent == inbox.folder, name
        assert not folder.name.startswith("."), name


# The service process's own storage code, stopped (SIGSTOP-like: it waits forever) at one step
# of a write, so that the kill lands exactly there.
_WRITER = textwrap.dedent("""
    import os, sys, time
    from repairlab.handin.inbox import Inbox
    step = sys.argv[3]
    real = getattr(os, step)
    def stall(*args):
        if step == "replace":
            print("mid-write", flush=True); time.sleep(600)
        real(*args)
        if step == "fsync":
            print("mid-write", flush=True); time.sleep(600)
    setattr(os, step, stall)
    Inbox(sys.argv[1]).receive(open(sys.argv[2], "rb").read(), "ann")
    print("finished", flush=True)
""")


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_a_kill_9_mid_write_loses_nothing(record, tmp_path, step):
    inbox = Inbox(tmp_path / "received")
    kept = inbox.receive(record, "ann")  # acknowledged: a receipt was given
    sent = tmp_path / "second.json"
    sent.write_bytes(record)
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(inbox.folder), str(sent), step],
        stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(WIDGETS), os.environ.get(
            "PYTHONPATH", "")])})
    try:
        assert writer.stdout.readline().strip() == "mid-write"
        writer.send_signal(signal.SIGKILL)
    finally:
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    # The half-written version is a hidden temporary file: never read, never counted.
    leftovers = [p.name for p in inbox.folder_of("ann").iterdir()]
    assert any(name.startswith(".") and name.endswith(".tmp") for name in leftovers), leftovers
    assert [r.to_dict() for r in inbox.versions("ann")] == [kept.to_dict()]
    from repairlab.collect import collect

    found = collect([inbox.folder])
    assert not found.skipped
    assert len(found.handins) == 1
    assert found.handins[0].submission["checksum"] == kept.checksum
    # The service, started again, goes on from there.
    assert inbox.receive(record, "ann").version == 2


# -- the landing page ------------------------------------------------------------------------

def test_without_a_hand_in_service_the_page_offers_the_file_only(laptop, monkeypatch):
    monkeypatch.delenv("REPAIRLAB_HANDIN_URL", raising=False)
    _page, _name, handin = laptop("a").home()
    assert handin.hand_in_button not in handin.children
    assert handin.prepare_button in handin.children


def test_on_a_hub_the_page_offers_hand_in_and_says_so_when_the_service_is_down(
        laptop, monkeypatch):
    import socket

    from repairlab.views.home import HandInPanel

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("REPAIRLAB_HANDIN_URL", f"http://127.0.0.1:{port}/services/repairlab/")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "secret-token")
    machine = laptop("a")
    machine.work([("m01-step-01", "explain")], student="ann")
    _page, _name, handin = machine.home()
    monkeypatch.setenv("REPAIRLAB_STUDENT", "ann")
    assert isinstance(handin, HandInPanel)
    assert handin.children.index(handin.hand_in_button) < handin.children.index(
        handin.prepare_button)
    assert handin.hand_in() is None
    shown = handin.receipt.value
    assert "could not be reached" in shown
    assert "download your hand-in file" in shown
    assert "Traceback" not in shown
    assert "secret-token" not in shown
    assert not handin.hand_in_button.disabled
    assert "repairlab-feedback" in handin.receipt._dom_classes  # a live region: announced


def test_the_receipt_says_when_and_what_was_received():
    from repairlab.serving.handin_client import receipt_html

    shown = receipt_html({"student": "ann", "version": 2, "received_at":
                          "2026-12-06T00:30:12.000000+00:00", "attempts": 9, "exercises": 7,
                          "checksum": "sha256:" + "ab" * 32})
    assert "Received 2026-12-06 00:30 UTC" in shown
    assert "version 2, 9 attempts on 7 exercises" in shown
    assert "1 earlier hand-in is kept; this newest one counts" in shown


@pytest.mark.parametrize("variable", ["BINDER_SERVICE_HOST", "BINDER_REQUEST"])
def test_on_binder_the_landing_page_says_work_is_lost(laptop, monkeypatch, variable):
    for name in ("BINDER_SERVICE_HOST", "BINDER_REQUEST", "BINDER_REPO_URL", "BINDER_LAUNCH_HOST"):
        monkeypatch.delenv(name, raising=False)
    page, _name, _handin = laptop("a").home()
    assert "lost when it ends" not in page.value
    monkeypatch.setenv(variable, "v2/gh/org/repo/main")
    page, _name, _handin = laptop("a").home()
    assert "Your work is not kept here." in page.value
    assert "your work is lost when it ends" in page.value


def test_the_instructors_pages_are_the_dashboard_and_gradebook_over_what_was_received(
        record, demo_course):
    pytest.importorskip("jupyterhub")
    from repairlab.serving.service import _dashboard_page, _gradebook_csv

    inbox = Inbox(demo_course.parent / "received")
    status, _ = _gradebook_csv(str(demo_course), inbox.folder)
    assert status == 200
    assert "None yet." in _dashboard_page(str(demo_course), inbox.folder)
    inbox.receive(record, "ann")
    inbox.receive(record, "ann")
    page = _dashboard_page(str(demo_course), inbox.folder)
    assert '<html lang="en">' in page
    assert 'name="viewport"' in page
    assert '<th scope="row">ann</th><td>2</td>' in page  # two hand-ins, one row
    assert "1 student" in page  # the dashboard's own summary
    # The service knows the course, so the dashboard shows its skills (the CSV's columns).
    assert "<h2>Skills mastered</h2>" in page
    assert '<th scope="row">Finding where a rupture begins</th>' in page
    status, text = _gradebook_csv(str(demo_course), inbox.folder)
    assert status == 200
    assert [line.split(",")[0] for line in text.splitlines()] == ["student", "ann"]
