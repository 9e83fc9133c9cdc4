"""Find the moment (kinds/find_the_moment.py): a transcript whose turns are the options, and
the turn at which the rupture begins. Its schema's errors, its scorer without a kernel, its
view driven from code, its renderer (page and hand-in), and its cue check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from repairlab.cli import main as repairlab
from repairlab.content.course import load_course
from repairlab.content.cues import cue_warnings, item_choice_points
from repairlab.kinds.base import Feedback
from repairlab.registry import KINDS, score
from repairlab.schemas import validate

REPO = Path(__file__).resolve().parents[1]
ITEMS = "exercises/demo/find-the-moment.yaml"
HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>'
MOMENT = KINDS["find-the-moment"]


@pytest.fixture(scope="module")
def real_items():
    """Every find-the-moment item of the real course, validated as `check` validates them."""
    course, problems = load_course(REPO)
    assert course is not None, problems
    items = [item for item in course.bank if item.type == "find-the-moment"]
    return course, items


def _item(**changes):
    data = {
        "id": "t-moment", "type": "find-the-moment", "difficulty": "beginner",
        "title": "T", "explanation": "Turn three is a minimal response.",
        "turns": [
            {"id": "t1", "speaker": "therapist", "says": "How did the task go?",
             "note": "Not yet: a question."},
            {"id": "t2", "speaker": "client", "says": "I tried it twice, on Monday and Friday.",
             "note": "Not here: the client works with the question."},
            {"id": "t3", "speaker": "client", "says": "Fine.",
             "note": "Yes: a minimal response."},
            {"id": "t4", "speaker": "therapist", "says": "Fine?",
             "note": "Not here: the therapist stays with it."},
        ],
        "answer": "t3",
    }
    data.update(changes)
    return validate(data)


# --- the course's items ----------------------------------------------------------------------

def test_modules_one_and_two_have_eight_items_each_with_a_skill_of_their_module(real_items):
    course, items = real_items
    assert len(items) >= 8
    modules = {item.id[:3] for item in items}
    assert modules == {"m01", "m02"}
    for item in items:
        module = next(m for m in course.modules if item.id.startswith(f"m{m.number:02d}-"))
        assert item.skill in {s.id for s in module.manifest.skills}, item.id
        assert 4 <= len(item.turns) <= 8, item.id
        shown = "".join(p.read_text(encoding="utf-8")
                        for p in (REPO / "curriculum" / module.folder).glob("practice*.ipynb"))
        assert f'show(\\"{item.id}\\")' in shown, f"{item.id} is in no practice notebook"


def test_the_moment_falls_at_different_turns_and_is_no_cue(real_items):
    """A student who always picks turn 4, or the longest line, scores no better than chance:
    the check's cue statistics read every turn as an option, in reading order."""
    _, items = real_items
    points = [p for item in items for p in item_choice_points(item)]
    assert len(points) == len(items)
    assert len({next(iter(p.keys)) for p in points}) >= 5  # at five or more different turns
    assert not cue_warnings({"find-the-moment": points})


def test_check_warns_when_the_moment_is_always_at_the_same_turn(demo_course, capsys):
    """Eight items whose rupture always begins at turn 3: `repairlab check` names them."""
    path = demo_course / ITEMS
    worked = path.read_text(encoding="utf-8")
    item = worked[worked.index("  - id: m01-moment-01"):]
    copies = "".join(item.replace("m01-moment-01", f"m01-moment-1{n}") for n in range(8))
    path.write_text(worked + copies, encoding="utf-8")
    assert repairlab(["check", str(demo_course)]) == 0  # a warning, not an error
    out = capsys.readouterr()
    said = out.out + out.err
    assert "find-the-moment" in said or "Find the moment" in said, said
    assert "m01-moment-17" in said, said
    assert "shown as option 3" in said, said


def test_every_item_has_a_note_for_each_turn_and_the_key_is_a_client_turn(real_items):
    """The 3RS markers are things a client does, so a rupture begins at a client's turn."""
    _, items = real_items
    for item in items:
        assert all(turn.note.strip() for turn in item.turns)
        key = next(t for t in item.turns if t.id == item.answer)
        assert key.speaker == "client", item.id


# --- the scorer, without a kernel ------------------------------------------------------------

def test_each_turn_gets_its_own_note_and_only_the_moment_reveals_the_explanation(real_items):
    _, items = real_items
    for item in items:
        for turn in item.turns:
            feedback = score(item, turn.id)
            assert feedback.notes[0].text.split()[-3:] == turn.note.split()[-3:], item.id
            if turn.id == item.answer:
                assert (feedback.status, feedback.score) == ("correct", 1.0)
                assert feedback.reveal == item.explanation
            else:
                assert (feedback.status, feedback.score) == ("incorrect", 0.0)
                assert feedback.reveal is None  # the explanation names the turn
                assert "pick another" in feedback.next_step


def test_nothing_picked_or_an_unknown_turn_is_not_an_attempt():
    item = _item()
    assert score(item, None).status == "empty"
    assert score(item, "").headline == "Choose a turn first."
    assert score(item, "t9").status == "empty"


def test_a_note_opening_with_the_headline_is_not_said_twice():
    feedback = score(_item(), "t1")
    assert feedback.headline == "Not quite."
    assert feedback.notes[0].text == "Not yet: a question."


# --- the schema: file, line, field and fix ---------------------------------------------------

TEMPLATE_ANSWER = "    answer: t3                      # vary which turn"
MISTAKES = {
    "answer-names-no-turn": (
        TEMPLATE_ANSWER, "    answer: t7  # vary which turn",
        ("item 'm01-moment-01'", "field `answer`", "'t7' is not one of this item's turn ids",
         "t1, t2, t3, t4", "fix: set `answer` to the id of the turn where the rupture begins"),
        "    answer: t7"),
    "too-few-turns": (
        "      - id: t4\n        speaker: client\n        says: It's not a big deal.",
        "      - id: t4\n        speaker: client\n        says: It's not a big deal.",
        (), ""),
    "turn-id-twice": (
        "      - id: t2\n", "      - id: t1\n",
        ("field `turns`", "two turn ids are both 't1'"), ""),
    "narrator-turn": (
        "        speaker: therapist\n        says: That's great news.",
        "        speaker: narrator\n        says: That's great news.",
        ("field `turns#2.speaker`", "client", "therapist"), "        speaker: narrator"),
    "note-misspelt": (
        "        note: Not here. The client answers fully",
        "        notes: Not here. The client answers fully",
        ("unknown field `notes`", "did you mean `note`?"), "        notes: Not here."),
}


def _line_of(path: Path, fragment: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if fragment in line)


@pytest.mark.parametrize("name", [n for n in MISTAKES if n != "too-few-turns"])
def test_a_mistake_names_file_line_field_and_fix(name, demo_course, capsys):
    old, new, expect, line_of = MISTAKES[name]
    path = demo_course / ITEMS
    text = path.read_text(encoding="utf-8")
    assert old in text, "the template no longer contains the text to break"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert repairlab(["check", str(demo_course)]) == 1
    err = capsys.readouterr().err
    assert "find-the-moment.yaml:" in err
    assert "Traceback" not in err
    for fragment in expect:
        assert fragment in err, f"{fragment!r} missing from:\n{err}"
    if line_of:
        assert f"{ITEMS}:{_line_of(path, line_of)}:" in err, err


def test_three_turns_are_too_few_and_the_message_says_how_many(demo_course, capsys):
    path = demo_course / ITEMS
    text = path.read_text(encoding="utf-8")
    start = text.index("      - id: t4\n")
    end = text.index("    answer: t3")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert repairlab(["check", str(demo_course)]) == 1
    err = capsys.readouterr().err
    assert "find-the-moment.yaml:" in err
    assert "item 'm01-moment-01', field `turns`" in err
    assert "at least 4" in err, err
    assert "fix:" in err, err
    assert "Traceback" not in err, err


# --- the view, driven from code --------------------------------------------------------------

def test_the_turns_are_a_radio_group_in_reading_order_saying_who_speaks(in_module):
    from repairlab.notebook import build_view

    view = build_view("m01-moment-01")
    item = view.item
    assert [value for _, value in view.options.options] == [t.id for t in item.turns]
    assert [label for label, _ in view.options.options] == [
        f"Turn {n}, {t.speaker}: {t.says}" for n, t in enumerate(item.turns, 1)]
    assert view.options.value is None
    assert "At which turn does the rupture begin?" in view.children[0].value


def test_a_wrong_turn_then_the_moment(in_module):
    from repairlab.notebook import build_view

    view = build_view("m01-moment-01")
    item = view.item
    wrong = item.turns[0]
    view.submit(wrong.id)
    assert "Not quite." in view.feedback.value
    assert "The client answers fully" in view.feedback.value
    assert "minimal response on the agreed task" not in view.feedback.value
    view.submit(item.answer)
    assert "Yes, that&#x27;s the one." in view.feedback.value
    assert "minimal response on the agreed task" in view.feedback.value
    assert view.last_feedback.status == "correct"


def test_a_picked_turn_is_restored_in_a_new_kernel(in_module):
    from repairlab import notebook
    from repairlab.notebook import build_view

    build_view("m01-moment-01").submit("t2")
    notebook._progress.cache_clear()
    again = build_view("m01-moment-01")
    assert again.options.value == "t2"
    assert "Not quite." in again.feedback.value


# --- the renderer: the live page's feedback and the hand-in ----------------------------------

def test_the_hand_in_shows_the_whole_transcript_with_the_pick_marked_in_words():
    item = _item()
    page = MOMENT.renderer.attempt(item, "t2", score(item, "t2"))
    assert page.index("How did the task go?") < page.index("I tried it twice") < page.index(
        "Fine.") < page.index("Fine?")
    assert "Turn 2, client: I tried it twice, on Monday and Friday. <strong " in page
    assert page.count("(your pick)") == 1
    assert "Turn picked" in page
    assert "Feedback shown" in page
    assert "the client works with the question" in page


def test_the_renderer_escapes_turns_and_keeps_a_pick_no_longer_in_the_item():
    item = _item(turns=[{"id": f"t{n}", "speaker": "client", "says": HOSTILE + str(n),
                         "note": "x"} for n in range(1, 5)], answer="t1")
    page = MOMENT.renderer.answer(item, "t1")
    assert "<script>" not in page
    assert "<img" not in page
    assert "&lt;script&gt;" in page
    gone = MOMENT.renderer.answer(item, "t8")
    assert "(your pick)" not in gone
    assert "t8" in gone
    assert "no longer in this item" in gone
    assert "&lt;b&gt;" in MOMENT.renderer.answer(None, "<b>t1</b>")


def test_the_hand_in_file_shows_the_transcript_the_pick_and_the_feedback(in_module, monkeypatch,
                                                                         tmp_path):
    """Through the real pipeline: picked on the page, saved, exported as the hand-in file."""
    from repairlab import notebook
    from repairlab.notebook import build_view

    monkeypatch.setenv("REPAIRLAB_STUDENT", "ann")
    notebook._progress.cache_clear()
    build_view("m01-moment-01").submit("t1")
    notebook._progress.cache_clear()
    path = tmp_path / "ann.html"
    assert repairlab(["export", "--student", "ann", "-o", str(path),
                      "--course", str(in_module)]) == 0
    page = path.read_text(encoding="utf-8")
    start = page.index("Turn picked")
    shown = page[start:]
    assert "Turn 1, client: Busy week, but good." in shown
    assert shown.index("Turn 1, client") < shown.index("Turn 3, client: Fine.") < shown.index(
        "Feedback shown") < shown.index("The client answers fully")
    assert shown.count("(your pick)") == 1


def test_the_kind_is_registered_with_its_five_parts():
    assert MOMENT.label == "Find the moment"
    assert MOMENT.view_class().__name__ == "FindTheMomentView"
    assert isinstance(MOMENT.score(_item(), "t3"), Feedback)


def test_the_compiled_course_carries_the_kind(tmp_path):
    """A page's kernel reads the item compiled, without pydantic, and it still works."""
    from repairlab.content.compiled import compile_course
    from repairlab.content.page import load_page
    from repairlab.kinds.find_the_moment import FindTheMoment

    shutil.copytree(REPO / "curriculum", tmp_path / "curriculum")
    shutil.copytree(REPO / "exercises", tmp_path / "exercises")
    assert not compile_course(tmp_path).problems
    record = load_page(tmp_path).item("m02-moment-04")
    assert type(record) is FindTheMoment
    assert record.turn_label(3, record.turns[2]).startswith("Turn 3, client: (laughing)")
    assert score(record, "t3").status == "correct"
