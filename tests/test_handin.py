"""The hand-in file: readable by people, readable by the gradebook, and never a way to run code."""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from repairlab.handin import (
    SubmissionError,
    build_submission,
    compute_checksum,
    export_submission,
    read_submission,
    render_submission_html,
)
from repairlab.progress import Attempt, ProgressStore

EVIL = "<img src=x onerror=alert(1)></script><script>alert(2)</script>"
REWRITE = "You're right, I started late again, and I'm sorry.\r\nWhat was it like to wait?"

ITEMS = {
    "m01-schema-01": {
        "module": "what-a-rupture-is",
        "module_title": "What a rupture is",
        "kind": "spot-the-schema",
        "title": '"You never listen"',
    },
    "m01-reflect-01": {
        "module": "what-a-rupture-is",
        "module_title": "What a rupture is",
        "kind": "reflection",
        "title": "Your own first rupture",
    },
    "m04-rewrite-01": {
        "module": "rewrite-the-reply",
        "module_title": "Rewrite the reply <for real>",
        "kind": "rewrite-reply",
        "title": "The late start",
    },
    "m05-order-01": {
        "module": "rewrite-the-reply",
        "module_title": "Rewrite the reply <for real>",
        "kind": "order-repair-steps",
        "title": "Four steps after a confrontation",
    },
}
COURSE = {"course_title": "RepairLab <Spring> & co", "curriculum_version": "2025.1"}


def attempt(item_id: str, response, status: str, score, **extra) -> Attempt:
    return Attempt(
        student="ann",
        item_id=item_id,
        module=ITEMS[item_id]["module"],
        kind=ITEMS[item_id]["kind"],
        response=response,
        feedback={"message": f"Feedback for {status}."},
        score=score,
        status=status,
        curriculum_version="2025.1",
        **extra,
    )


@pytest.fixture
def store(tmp_path):
    with ProgressStore(tmp_path / "progress.sqlite3") as store:
        store.record(attempt("m01-schema-01", "Subjugation", "incorrect", 0.0))
        store.record(attempt("m01-schema-01", "Unrelenting Standards/Hypercriticalness", "correct", 1.0))
        store.record(attempt("m01-reflect-01", EVIL, "submitted", None))
        store.record(attempt("m04-rewrite-01", REWRITE, "good", 0.8))
        store.record(
            attempt(
                "m05-order-01",
                ["validate", "apologise", "explore", "space"],
                "partial",
                0.5,
                extra={"path": ["start", "validate"]},
            )
        )
        yield store


class _Tags(HTMLParser):
    """What a browser would build: the elements and attributes in the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(text: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(text)
    return parser.tags


def test_submission_holds_every_attempt_and_a_per_module_summary(store):
    sub = build_submission(store, "ann", items=ITEMS, **COURSE)

    assert sub["format"] == "repairlab-submission"
    assert sub["schema_version"] == 2
    assert sub["store_id"] == store.store_id
    assert len(store.store_id) == 32
    assert (sub["student"], sub["course"], sub["curriculum_version"]) == (
        "ann",
        "RepairLab <Spring> & co",
        "2025.1",
    )
    assert [a["item_id"] for a in sub["attempts"]] == [
        "m01-schema-01",
        "m01-schema-01",
        "m01-reflect-01",
        "m04-rewrite-01",
        "m05-order-01",
    ]
    assert sub["attempts"] == [a.to_dict() for a in store.attempts("ann")]
    # Module 1: the schema item (best 1.0) and the reflection are both done.
    # Module 2: the rewrite (good, 0.8) and the ordering (partial, 0.5) are both done.
    assert sub["summary"] == {
        "what-a-rupture-is": {
            "title": "What a rupture is",
            "completed": 2,
            "total": 2,
            "score": 100.0,
        },
        "rewrite-the-reply": {
            "title": "Rewrite the reply <for real>",
            "completed": 2,
            "total": 2,
            "score": 65.0,
        },
    }
    assert sub["checksum"] == compute_checksum(sub)
    assert sub["checksum"].startswith("sha256:")


def test_html_hand_in_round_trips_to_the_same_submission(store, tmp_path):
    path = tmp_path / "ann.html"
    sub = export_submission(store, "ann", path, items=ITEMS, **COURSE)

    assert read_submission(path) == sub
    assert read_submission(str(path)) == sub
    assert read_submission(path.read_text(encoding="utf-8")) == sub


def test_json_hand_in_round_trips_too(store, tmp_path):
    path = tmp_path / "ann.json"
    sub = export_submission(store, "ann", path, items=ITEMS, **COURSE)

    assert json.loads(path.read_text(encoding="utf-8")) == sub
    assert read_submission(path) == sub


def test_a_hand_in_passed_through_a_windows_tool_still_reads(store, tmp_path):
    path = tmp_path / "ann.html"
    sub = export_submission(store, "ann", path, items=ITEMS, **COURSE)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))

    back = read_submission(path)
    assert back == sub
    assert back["attempts"][3]["response"] == REWRITE  # its own CRLF untouched


def test_student_text_is_shown_as_text_never_as_html(store, tmp_path):
    path = tmp_path / "ann.html"
    export_submission(store, "ann", path, items=ITEMS, **COURSE)
    text = path.read_text(encoding="utf-8")

    tags = tags_of(text)
    assert "img" not in [tag for tag, _ in tags]
    scripts = [attrs for tag, attrs in tags if tag == "script"]
    assert scripts == [{"type": "application/json", "id": "repairlab-submission"}]
    assert text.count("</script>") == 1
    assert html.escape(EVIL) in text  # visible, as the characters the student typed
    assert "RepairLab &lt;Spring&gt; &amp; co" in text
    assert "Rewrite the reply &lt;for real&gt;" in text
    assert not any("src" in attrs or "href" in attrs for _, attrs in tags)  # self-contained

    back = read_submission(path)
    assert back["attempts"][2]["response"] == EVIL


def test_the_page_reads_and_prints_as_a_document(store, tmp_path):
    path = tmp_path / "ann.html"
    export_submission(store, "ann", path, items=ITEMS, **COURSE)
    text = path.read_text(encoding="utf-8")
    tags = tags_of(text)
    page = text[: text.index("<script")]  # what a reader sees; the data copy follows

    assert '<html lang="en">' in text
    assert "@media print" in text
    assert "break-before: page" in text
    sections = [attrs.get("id") for tag, attrs in tags if tag == "section"]
    assert sections == ["module-what-a-rupture-is", "module-rewrite-the-reply"]
    for item in ITEMS.values():
        assert html.escape(item["title"]) in page
    # Each attempt in order, with what was shown to the student.
    assert page.index("Subjugation") < page.index("Unrelenting Standards/Hypercriticalness")
    assert page.count("Feedback for incorrect.") == 1
    assert page.count("Feedback for correct.") == 1
    order = page.index("validate</li>"), page.index("apologise</li>"), page.index("space</li>")
    assert sorted(order) == list(order)


def test_items_not_attempted_are_listed_as_such(tmp_path):
    with ProgressStore(tmp_path / "p.sqlite3") as empty:
        sub = build_submission(empty, "ann", items=ITEMS, **COURSE)
    text = render_submission_html(sub)
    assert text.count("Not attempted.") == len(ITEMS)
    assert sub["summary"]["what-a-rupture-is"] == {
        "title": "What a rupture is",
        "completed": 0,
        "total": 2,
        "score": None,
    }


def _edit_once(text: str, old: str, new: str, *, after: int = 0) -> str:
    at = text.index(old, after)
    return text[:at] + new + text[at + len(old) :]


def test_editing_the_readable_page_is_caught(store, tmp_path):
    path = tmp_path / "ann.html"
    export_submission(store, "ann", path, items=ITEMS, **COURSE)
    text = path.read_text(encoding="utf-8")
    path.write_text(_edit_once(text, "I'm sorry", "I'm Sorry"), encoding="utf-8")

    with pytest.raises(SubmissionError, match="edited by hand after download") as caught:
        read_submission(path)
    assert str(path) in str(caught.value)


def test_editing_the_embedded_data_is_caught(store, tmp_path):
    path = tmp_path / "ann.html"
    export_submission(store, "ann", path, items=ITEMS, **COURSE)
    text = path.read_text(encoding="utf-8")
    data_starts = text.index('id="repairlab-submission"')
    path.write_text(_edit_once(text, "I'm sorry", "I'm Sorry", after=data_starts), encoding="utf-8")

    with pytest.raises(SubmissionError, match="edited by hand after download"):
        read_submission(path)


def test_raising_a_score_in_the_json_file_is_caught(store, tmp_path):
    path = tmp_path / "ann.json"
    export_submission(store, "ann", path, items=ITEMS, **COURSE)
    text = path.read_text(encoding="utf-8")
    assert '"score": 0.5' in text
    path.write_text(text.replace('"score": 0.5', '"score": 1.0'), encoding="utf-8")

    with pytest.raises(SubmissionError, match="edited by hand after download"):
        read_submission(path)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.html", "<!DOCTYPE html><html><body><h1>My notes</h1></body></html>"),
        ("other.json", '{"name": "something else", "items": []}'),
        ("list.json", "[1, 2, 3]"),
        ("broken.json", '{"format": "repairlab-submission", '),
        ("essay.txt", "Dear instructor, here is my work."),
    ],
)
def test_files_that_are_not_hand_ins_are_refused_by_name(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")

    with pytest.raises(SubmissionError, match="is not a RepairLab hand-in") as caught:
        read_submission(path)
    assert str(path) in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_a_missing_file_is_reported_by_name(tmp_path):
    path = tmp_path / "nowhere.html"
    with pytest.raises(SubmissionError, match="could not be read") as caught:
        read_submission(path)
    assert str(path) in str(caught.value)


def test_a_hand_in_from_a_newer_format_asks_for_an_upgrade(store, tmp_path):
    sub = build_submission(store, "ann", items=ITEMS, **COURSE)
    sub["schema_version"] = 3
    sub["checksum"] = compute_checksum(sub)
    path = tmp_path / "future.json"
    path.write_text(json.dumps(sub), encoding="utf-8")

    with pytest.raises(SubmissionError, match="format version 3") as caught:
        read_submission(path)
    assert "Upgrade RepairLab" in str(caught.value)
    assert str(path) in str(caught.value)


def test_only_html_and_json_file_names_are_accepted(store, tmp_path):
    with pytest.raises(ValueError, match=r"\.html or \.json"):
        export_submission(store, "ann", tmp_path / "ann.pdf", items=ITEMS, **COURSE)
    assert list(Path(tmp_path).glob("ann*")) == []


def test_a_case_simulation_path_reads_as_turns_and_stays_text():
    from repairlab.handin import render_submission_html

    submission = {"format": "repairlab-submission", "schema_version": 1, "student": "ann",
                  "course": "C", "curriculum_version": "1", "created_at": "2026-01-01T00:00:00Z",
                  "items": {"m05-case-01": {"module": "m", "module_title": "M",
                                            "kind": "simulation", "title": "Case"}},
                  "summary": {},
                  "attempts": [{"item_id": "m05-case-01", "kind": "simulation", "status": "good",
                                "score": None, "created_at": "2026-01-01T00:00:00Z",
                                "response": [{"node": "n1", "choice": "apologise"},
                                             {"node": "n2", "reply": EVIL, "route": 0}],
                                "feedback": {}}]}
    page = render_submission_html(submission)
    assert "Path taken" in page
    assert "At n1, you chose: apologise" in page
    assert html.escape(EVIL) in page
    tags = tags_of(page)
    assert not any(tag == "img" for tag, _ in tags)
    assert all(attrs.get("type") == "application/json" for tag, attrs in tags if tag == "script")


V1 = Path(__file__).parent / "data" / "handins-v1"


def test_a_version_1_hand_in_from_before_store_ids_still_reads():
    """Made by RepairLab before issue 14 (a laptop, no name set): tests/data/handins-v1."""
    sub = read_submission(V1 / "laptop-a" / "local-student.html")
    assert (sub["schema_version"], sub["student"]) == (1, "local-student")
    assert "store_id" not in sub
    assert [a["item_id"] for a in sub["attempts"]] == ["m01-step-01", "m01-step-01",
                                                       "m01-reflect-01"]


def test_the_hand_in_carries_one_student_id_and_its_progress_file(tmp_path):
    """A laptop records attempts as local-student; the hand-in carries the name given."""
    with ProgressStore(tmp_path / "progress.sqlite3") as store:
        store.record(Attempt(**{**attempt("m01-schema-01", "Subjugation", "incorrect", 0.0)
                                .to_dict(), "student": "local-student"}))
        path = tmp_path / "work.html"
        sub = export_submission(store, "Ana López", path, attempts_of="local-student",
                                items=ITEMS, **COURSE)
        store_id = store.store_id
    assert sub["student"] == "Ana López"
    assert [a["student"] for a in sub["attempts"]] == ["Ana López"]
    page = path.read_text(encoding="utf-8")
    assert "<dt>Student</dt><dd>Ana López</dd>" in page
    assert f"<dt>Progress file</dt><dd>{store_id[:8]}</dd>" in page
    assert "<title>RepairLab hand-in: Ana López" in page
    assert read_submission(path)["store_id"] == store_id


@pytest.mark.parametrize(("student", "name"), [
    ("ana", "repairlab-ana-2026-03-01.html"),
    ("Ana López 12345", "repairlab-Ana-López-12345-2026-03-01.html"),
    ('../../etc/"x" <b>', "repairlab-etc-x-b-2026-03-01.html"),
    ("...", "repairlab-student-2026-03-01.html"),
])
def test_the_file_name_carries_the_student_id_safely(student, name):
    from repairlab.handin import handin_filename

    assert handin_filename(student, "2026-03-01") == name


def test_practice_modes_serving_id_is_kept_in_the_data_but_not_shown(tmp_path):
    with ProgressStore(tmp_path / "progress.sqlite3") as store:
        store.record(attempt("m04-rewrite-01", REWRITE, "good", 0.8,
                             extra={"serving": "3fa9c0d2e1b4"}))
        path = tmp_path / "ann.html"
        sub = export_submission(store, "ann", path, items=ITEMS, **COURSE)
    assert sub["attempts"][0]["extra"] == {"serving": "3fa9c0d2e1b4"}  # the gradebook reads it
    page = path.read_text(encoding="utf-8")
    readable = page[: page.index("<script")] if "<script" in page else page
    assert "3fa9c0d2e1b4" not in readable
    assert "Details" not in readable
