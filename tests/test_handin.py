"""The hand-in file: readable by people as the student's page was, readable by the gradebook,
and never a way to run code.

Every hand-in here is made as a student makes one: the demo module's real views, scored by
the real scorers, saved in a real progress store, exported by `repairlab export`
(``worked_hand_in`` in conftest.py). No feedback is written by hand.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from student_work import CASE_REPLY, REWRITE, STUDENT_TEXT, WORK

from repairlab.handin import (
    SubmissionError,
    build_submission,
    compute_checksum,
    export_submission,
    read_submission,
    render_submission_html,
)
from repairlab.progress import Attempt, ProgressStore


class _Page(HTMLParser):
    """What a browser would build: the elements and attributes, and the text a person reads."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.text.append(" ")  # elements are read apart (blocks, list items, lines)
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        self.text.append(" ")
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def tags_of(text: str) -> list[tuple[str, dict]]:
    parser = _Page()
    parser.feed(text)
    return parser.tags


def read_as_a_person(text: str) -> str:
    """The page's visible text, whitespace folded: what an instructor reads."""
    parser = _Page()
    parser.feed(text)
    return re.sub(r"\s+", " ", "".join(parser.text)).replace(" :", ":")


@pytest.fixture
def course(demo_course):
    from repairlab.cli._course import load_course_or_explain

    return load_course_or_explain(demo_course)


@pytest.fixture
def hand_in(worked_hand_in):
    return worked_hand_in(".html")


def test_the_hand_in_holds_every_attempt_and_a_per_module_summary(hand_in, course):
    sub = read_submission(hand_in)

    assert sub["format"] == "repairlab-submission"
    assert sub["schema_version"] == 2
    assert len(sub["store_id"]) == 32
    assert (sub["student"], sub["curriculum_version"]) == ("ann", course.version)
    assert [a["item_id"] for a in sub["attempts"]] == [i for i, _ in WORK] + ["m01-case-01"]
    # Every attempt keeps the feedback its scorer gave, in the shape the scorer gives it.
    assert all({"status", "headline", "notes"} <= set(a["feedback"]) for a in sub["attempts"])
    # Completed: all but the untried red flag and the step answered wrongly only.
    total = len(list(course.bank))
    assert sub["summary"]["demo"]["completed"] == total - 2
    assert sub["summary"]["demo"]["total"] == total
    assert sub["checksum"] == compute_checksum(sub)


def test_html_hand_in_round_trips_to_the_same_submission(hand_in):
    sub = read_submission(hand_in)
    assert read_submission(str(hand_in)) == sub
    assert read_submission(hand_in.read_text(encoding="utf-8")) == sub
    assert sub["attempts"][5]["response"] == REWRITE  # its own CRLF untouched


def test_json_hand_in_round_trips_too(worked_hand_in):
    path = worked_hand_in(".json")
    sub = read_submission(path)
    assert json.loads(path.read_text(encoding="utf-8")) == sub


def test_a_hand_in_passed_through_a_windows_tool_still_reads(hand_in):
    sub = read_submission(hand_in)
    hand_in.write_bytes(hand_in.read_bytes().replace(b"\n", b"\r\n"))

    back = read_submission(hand_in)
    assert back == sub
    assert back["attempts"][5]["response"] == REWRITE


def test_student_text_is_shown_as_text_never_as_html(hand_in):
    """Student text reaches the page in three places: a reflection, a rewrite (and the words
    its feedback quotes), a case's free-text turn. Each holds markup; none may become markup."""
    text = hand_in.read_text(encoding="utf-8")

    tags = tags_of(text)
    assert not {"img", "u", "s"} & {tag for tag, _ in tags}
    scripts = [attrs for tag, attrs in tags if tag == "script"]
    assert scripts == [{"type": "application/json", "id": "repairlab-submission"}]
    assert text.count("</script>") == 1
    assert not any("src" in attrs or "href" in attrs for _, attrs in tags)  # self-contained
    seen = read_as_a_person(text)
    for typed in (STUDENT_TEXT, "What was that like <u>for you</u>?", "<s>Tell me.</s>"):
        assert typed in seen  # visible, as the characters the student typed
    back = read_submission(hand_in)
    assert back["attempts"][6]["response"] == STUDENT_TEXT


def test_the_page_reads_as_the_student_saw_it(hand_in, course):
    """Options, steps and a case in their own words; feedback as the page showed it."""
    seen = read_as_a_person(hand_in.read_text(encoding="utf-8"))
    step = course.item("m01-step-01")
    explain = next(o for o in step.options if o.id == "explain")
    assert f"Answer chosen {explain.text}" in seen
    assert "Answer chosen Withdrawal: minimal response" in seen
    # The feedback shown: the headline and the chosen option's own feedback, as sentences.
    assert f"Not quite. Note: {' '.join(explain.feedback.split())}" in seen
    # The order as given, step by step, in the steps' words.
    texts = {s.id: s.text for s in course.item("m01-order-01").steps}
    given = " ".join(texts[s] for s in ["validate", "apologise", "explore", "space"])
    assert f"Order given {given}" in seen
    # The case as it was said: the client by name, the student as "You", the reply as typed.
    case = course.item("m01-case-01")
    assert f"{case.client_name}: {' '.join(case.node('open').client.split())}" in seen
    assert f"You: {CASE_REPLY}" in seen
    assert "Ending:" in seen
    # The rewrite as written, then its assessment; the reflection as written.
    assert "Reply written You're right, I kept looking at the clock" in seen
    assert "Reflection " + STUDENT_TEXT in seen
    # No field dump, no ids where words belong.
    for dump in ("Tone", "Reveal title", "Extra", "Words", "'explain'", "Headline"):
        assert dump not in seen
    assert "Answer chosen explain" not in seen


def test_the_feedback_stored_reads_back_as_the_scorer_gave_it(hand_in, course):
    """Each attempt's feedback, through the store and the file, is the typed Feedback its
    kind's scorer returns (facts aside: they are for the statistics), and the facts keep the
    shape the dashboard reads."""
    from dataclasses import replace

    from repairlab.kinds.base import Feedback
    from repairlab.registry import score

    for attempt in read_submission(hand_in)["attempts"]:
        given = score(course.item(attempt["item_id"]), attempt["response"])
        assert Feedback.from_dict(attempt["feedback"]) == replace(given, extra=None)
        assert attempt["feedback"]["extra"] == json.loads(json.dumps(
            given.extra.to_dict() if given.extra else {}))
    rewrite = next(a for a in read_submission(hand_in)["attempts"]
                   if a["kind"] == "rewrite-reply")
    assert set(rewrite["feedback"]["extra"]) == {"moves", "markers", "defensive", "concerns"}


def test_items_not_attempted_are_one_short_list_per_module(hand_in, course):
    text = hand_in.read_text(encoding="utf-8")
    redflag = course.item("m01-redflag-01")
    listed = re.findall(r'<ul class="not-attempted"[^>]*>(.*?)</ul>', text)
    assert listed == [f"<li>{html.escape(redflag.title)}</li>"]
    assert 'id="item-m01-redflag-01"' not in text  # a title, not an item of its own
    assert "Not attempted (1)" in read_as_a_person(text)


def test_a_student_who_did_nothing_gets_a_page_of_titles(tmp_path, course):
    from repairlab.coursework import item_index

    with ProgressStore(tmp_path / "p.sqlite3") as empty:
        sub = build_submission(empty, "ann", course_title="C", curriculum_version="1",
                               items=item_index(course))
    text = render_submission_html(sub, item_of=course.item)
    assert "<article" not in text
    assert text.count("<li>") == len(list(course.bank))
    assert sub["summary"]["demo"]["completed"] == 0


def test_without_the_course_answers_show_as_recorded_and_still_as_text(hand_in):
    """A hand-in re-drawn where its items are unknown (removed from the course, say)."""
    sub = read_submission(hand_in)
    page = render_submission_html(sub)
    assert not {"img", "u", "s"} & {tag for tag, _ in tags_of(page)}
    seen = read_as_a_person(page)
    assert "Answer chosen explain" in seen  # the id is all there is
    assert STUDENT_TEXT in seen
    assert "Not quite." in seen  # the feedback shown is in the file itself


def test_work_on_an_item_the_course_no_longer_lists_is_still_shown(hand_in, course):
    sub = read_submission(hand_in)
    del sub["items"]["m01-step-01"]  # taken out of the course's pages since the work was done
    page = render_submission_html(sub, item_of=course.item)
    other = read_as_a_person(page[page.index('id="module-other"'):])
    explain = next(o for o in course.item("m01-step-01").options if o.id == "explain")
    assert f"Answer chosen {explain.text}" in other  # the item is still in the bank


def test_a_case_edited_since_still_shows_what_the_student_said(hand_in, course):
    sub = read_submission(hand_in)
    case = next(a for a in sub["attempts"] if a["kind"] == "simulation")
    case["response"][0]["node"] = "a-node-the-author-removed"
    seen = read_as_a_person(render_submission_html(sub, item_of=course.item))
    assert "The case has changed since this attempt" in seen
    assert f"You: {CASE_REPLY}" in seen


@pytest.mark.parametrize("stored", [{}, {"message": "Well done"}, None, "text",
                                    {"status": "bogus", "notes": [{"tone": "loud"}, 3]}])
def test_feedback_of_an_unknown_shape_reads_as_none_recorded(hand_in, course, stored):
    from repairlab.kinds.base import Feedback

    assert Feedback.from_dict(stored) == Feedback("empty", "")
    sub = read_submission(hand_in)
    sub["attempts"][0]["feedback"] = stored
    seen = read_as_a_person(render_submission_html(sub, item_of=course.item))
    assert "No feedback was recorded with this attempt." in seen


def test_a_version_1_hand_in_draws_in_the_students_words():
    """A hand-in made before store ids (and before this page) reads and draws anew."""
    sub = read_submission(V1 / "laptop-a" / "local-student.html")
    seen = read_as_a_person(render_submission_html(sub))
    assert "Not quite." in seen
    assert "Reveal title" not in seen


def _edit_once(text: str, old: str, new: str, *, after: int = 0) -> str:
    at = text.index(old, after)
    return text[:at] + new + text[at + len(old) :]


def test_editing_the_readable_page_is_caught(hand_in):
    text = hand_in.read_text(encoding="utf-8")
    hand_in.write_text(_edit_once(text, "Not quite.", "Quite."), encoding="utf-8")

    with pytest.raises(SubmissionError, match="edited by hand after download") as caught:
        read_submission(hand_in)
    assert str(hand_in) in str(caught.value)


def test_editing_the_embedded_data_is_caught(hand_in):
    text = hand_in.read_text(encoding="utf-8")
    data_starts = text.index('id="repairlab-submission"')
    hand_in.write_text(_edit_once(text, "Not quite.", "Quite.", after=data_starts),
                       encoding="utf-8")

    with pytest.raises(SubmissionError, match="edited by hand after download"):
        read_submission(hand_in)


def test_raising_a_score_in_the_json_file_is_caught(worked_hand_in):
    path = worked_hand_in(".json")
    text = path.read_text(encoding="utf-8")
    assert '"score": 0.5' in text  # the order, two steps of four in place
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


def test_a_hand_in_from_a_newer_format_asks_for_an_upgrade(hand_in, tmp_path):
    sub = read_submission(hand_in)
    sub["schema_version"] = 3
    sub["checksum"] = compute_checksum(sub)
    path = tmp_path / "future.json"
    path.write_text(json.dumps(sub), encoding="utf-8")

    with pytest.raises(SubmissionError, match="format version 3") as caught:
        read_submission(path)
    assert "Upgrade RepairLab" in str(caught.value)
    assert str(path) in str(caught.value)


def test_only_html_and_json_file_names_are_accepted(tmp_path):
    with ProgressStore(tmp_path / "p.sqlite3") as store, pytest.raises(
            ValueError, match=r"\.html or \.json"):
        export_submission(store, "ann", tmp_path / "ann.pdf", items={}, course_title="C",
                          curriculum_version="1")
    assert list(Path(tmp_path).glob("ann*")) == []


V1 = Path(__file__).parent / "data" / "handins-v1"


def test_a_version_1_hand_in_from_before_store_ids_still_reads():
    """Made by RepairLab before issue 14 (a laptop, no name set): tests/data/handins-v1."""
    sub = read_submission(V1 / "laptop-a" / "local-student.html")
    assert (sub["schema_version"], sub["student"]) == (1, "local-student")
    assert "store_id" not in sub
    assert [a["item_id"] for a in sub["attempts"]] == ["m01-step-01", "m01-step-01",
                                                       "m01-reflect-01"]


def test_a_version_1_hand_in_draws_with_the_courses_words(course):
    sub = read_submission(V1 / "laptop-a" / "local-student.html")
    step = course.item("m01-step-01")
    seen = read_as_a_person(render_submission_html(sub, item_of=course.item))
    for option in step.options:  # explain, then acknowledge
        assert f"Answer chosen {option.text}" in seen or option.id not in str(sub["attempts"])
    assert "Answer chosen explain" not in seen


def test_the_hand_in_carries_one_student_id_and_its_progress_file(tmp_path, course):
    """A laptop records attempts as local-student; the hand-in carries the name given."""
    from repairlab.coursework import item_index
    from repairlab.registry import score

    item = course.item("m01-step-01")
    feedback = score(item, "explain")
    with ProgressStore(tmp_path / "progress.sqlite3") as store:
        store.record(Attempt(student="local-student", item_id=item.id, module="demo",
                             kind=item.type, response="explain", feedback=feedback.to_dict(),
                             score=feedback.score, status=feedback.status,
                             curriculum_version=course.version))
        path = tmp_path / "work.html"
        sub = export_submission(store, "Ana López", path, attempts_of="local-student",
                                items=item_index(course), course_title="C",
                                curriculum_version=course.version)
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


def test_practice_modes_serving_id_is_kept_but_not_shown_and_a_case_reflection_is(
        demo_course, monkeypatch, tmp_path):
    """Practice mode's serving id (practice.py) tells tries apart for the gradebook and means
    nothing to a reader; a case's debrief reflection is the student's own words, shown as
    text after the debrief."""
    from student_work import play_case

    from repairlab.cli import main as repairlab
    from repairlab.notebook import _load, _progress, build_view

    monkeypatch.chdir(demo_course / "curriculum" / "01-demo")
    monkeypatch.setenv("REPAIRLAB_STUDENT", "ann")
    _load.cache_clear()
    _progress.cache_clear()
    build_view("m01-rewrite-01", restore=False, extra={"serving": "3fa9c0d2e1b4"}).submit(REWRITE)
    case = build_view("m01-case-01")
    play_case(case)
    case.reflection_box.value = "I rushed to fix it. <b>Next time</b> I'd slow down."
    assert case.save_reflection() is not None
    _progress.cache_clear()
    path = tmp_path / "ann.html"
    assert repairlab(["export", "--student", "ann", "-o", str(path),
                      "--course", str(demo_course)]) == 0

    sub = read_submission(path)
    rewrite, = (a for a in sub["attempts"] if a["item_id"] == "m01-rewrite-01")
    assert rewrite["extra"] == {"serving": "3fa9c0d2e1b4"}  # the gradebook reads it
    kept = [a for a in sub["attempts"] if (a.get("extra") or {}).get("reflection")]
    assert [a["item_id"] for a in kept] == ["m01-case-01"]
    page = path.read_text(encoding="utf-8")
    readable = read_as_a_person(page)
    assert "3fa9c0d2e1b4" not in readable
    assert "Your reflection I rushed to fix it. <b>Next time</b> I'd slow down." in readable
    assert "<b>Next time</b>" not in page  # text, never markup


def test_a_difficulty_rating_goes_in_with_the_attempt_it_rates_and_reads_on_the_page(
        tmp_path, course):
    from repairlab.coursework import item_index
    from repairlab.handin.format import SCHEMA_VERSION
    from repairlab.registry import score

    item = course.item("m01-step-01")
    feedback = score(item, "explain")
    with ProgressStore(tmp_path / "progress.sqlite3") as store:
        rated, _unrated = (store.record(Attempt(
            student="ann", item_id=item.id, module="demo", kind=item.type, response="explain",
            feedback=feedback.to_dict(), score=feedback.score, status=feedback.status,
            curriculum_version=course.version)) for _ in range(2))
        store.save_rating("ann", rated, 9)
        path = tmp_path / "work.html"
        export_submission(store, "ann", path, items=item_index(course), course_title="C",
                          curriculum_version=course.version)
    sub = read_submission(path)
    assert sub["schema_version"] == SCHEMA_VERSION == 2  # an optional key: old readers read it
    assert [a.get("rating") for a in sub["attempts"]] == [9, None]
    assert "rating" not in sub["attempts"][1]
    assert Attempt.from_dict(sub["attempts"][0]).created_at == rated.created_at
    text = read_as_a_person(path.read_text(encoding="utf-8"))
    assert text.count("felt 9 of 10 hard") == 1
