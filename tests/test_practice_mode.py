"""Practice mode driven from code (no kernel, no browser): the demo module's items, served by
the practice rule, answered through their own views, with progress in the store."""

from __future__ import annotations

from repairlab import notebook
from repairlab.notebook import practice_mode_view


def _answer(mode, right: bool = True) -> str:
    """Answer the item on show through its own view; return its id."""
    view = mode.view
    item = view.item
    choice = item.answer_id if right else next(
        c.id for c in item.choices() if c.id != item.answer_id)
    view.submit(choice)
    return item.id


def test_practice_mode_starts_at_beginner_on_the_first_skill(in_module):
    mode = practice_mode_view()
    assert mode.step.skill.skill.name == "Noticing rupture markers"
    assert mode.view.item.difficulty == "beginner"
    assert "Practising <strong>Noticing rupture markers</strong>, beginner level" in \
        mode.status.value
    assert "Not started" in mode.status.value
    assert mode.next_button.disabled  # nothing to move on from yet


def test_answering_right_climbs_to_mastery_of_a_skill_and_moves_to_the_next(in_module):
    mode = practice_mode_view()
    first = _answer(mode)
    assert not mode.next_button.disabled
    mode.next_button.click()
    second = mode.view.item
    assert second.id != first
    assert second.difficulty == "intermediate"
    _answer(mode)
    mode.next_item()
    assert "Noticing rupture markers: <strong>Mastered</strong>" in mode.status.value
    assert mode.step.skill.skill.name == "Naming your own schema"
    assert mode.view.item.type == "spot-the-schema"


def test_progress_survives_a_reload(in_module):
    mode = practice_mode_view()
    _answer(mode)
    mode.next_item()
    _answer(mode)
    notebook._progress.cache_clear()  # a new Voilà visit is a new kernel
    again = practice_mode_view()
    assert "Noticing rupture markers: <strong>Mastered</strong>" in again.status.value
    assert again.view.item.type == "spot-the-schema"
    assert again.view.feedback.value == ""  # a fresh item, not the last answer shown again


def test_a_missed_item_keeps_the_student_at_its_level(in_module):
    mode = practice_mode_view()
    missed = _answer(mode, right=False)
    mode.next_item()
    # The beginner level of this skill has one item: it comes straight back, and the
    # student does not move up.
    assert mode.view.item.id == missed
    assert mode.step.skill.level == "beginner"
    _answer(mode)  # now right first time on this serving
    mode.next_item()
    assert mode.step.skill.level == "intermediate"


def test_every_skill_mastered_says_so_and_shows_no_item(in_module):
    # Without the case simulation: playing a case to its best ending is test_simulation's job.
    cases = in_module / "curriculum" / "01-demo" / "cases.ipynb"
    cases.write_text(cases.read_text(encoding="utf-8").replace('show(\\"m01-case-01\\")', ""),
                     encoding="utf-8")
    mode = practice_mode_view()
    assert "m01-case-01" not in {item.id for item in mode.items}
    for _ in range(30):
        if mode.step.item_id is None:
            break
        view = mode.view
        if hasattr(view.item, "answer_id"):
            _answer(mode)
        else:
            view._score(_right_response(view.item))
        mode.next_item()
    assert mode.step.item_id is None
    assert "You have mastered every skill in this module" in mode.status.value
    assert mode.slot.children == ()


def _right_response(item):
    """A right answer for the kinds that are not a single choice, from the item itself."""
    if item.type == "order-repair-steps":
        return list(item.correct_order)
    if item.type == "rewrite-reply":
        return item.model_rewrite
    raise AssertionError(f"no right answer known for {item.type}")


def test_an_items_content_warning_comes_with_it_in_practice_mode(in_module):
    import json

    path = in_module / "curriculum" / "01-demo" / "practice.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cell = next(n for n, c in enumerate(notebook["cells"])
                if 'show("m01-marker-01")' in "".join(c["source"]))
    notebook["cells"].insert(cell, {"cell_type": "markdown", "metadata": {}, "source": [
        "*Content warning: the next exercise mentions <self-harm>.*"]})
    path.write_text(json.dumps(notebook), encoding="utf-8")
    mode = practice_mode_view()
    assert mode.view.item.id == "m01-marker-01"
    assert "Content warning: the next exercise mentions &lt;self-harm&gt;." in mode.warning.value
    _answer(mode)
    mode.next_item()
    assert mode.warning.value == ""  # only with its own item


def test_every_module_of_the_course_opens_in_practice_mode(monkeypatch, tmp_path):
    from pathlib import Path

    monkeypatch.setenv("REPAIRLAB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REPAIRLAB_STUDENT", "practice-mode-test")
    repo = Path(__file__).resolve().parents[1]
    from repairlab.content.page import load_page

    course = load_page(repo)
    notebook._progress.cache_clear()
    try:
        for module in course.modules:
            mode = practice_mode_view(course, module)
            first = module.manifest.skills[0]
            assert mode.step.skill.skill.id == first.id, module.folder
            assert mode.view.item.skill in (first.id, None)
            levels = [i.difficulty for i in mode.items if i.skill == first.id]
            assert mode.view.item.difficulty == min(
                levels, key=("beginner", "intermediate", "advanced").index)
    finally:
        notebook._progress.cache_clear()


def test_the_ratings_in_the_store_nudge_what_practice_mode_serves(in_module):
    """Missed, then right, both rated 9 of 10 hard: held at beginner, where a student who did
    not rate them moves up (test_answering_right_climbs_...)."""
    handle, student = notebook._progress()
    mode = practice_mode_view()
    for right in (False, True):
        item_id = _answer(mode, right=right)
        handle.store.save_rating(student, handle.store.latest(student, item_id), 9)
        mode.next_item()
    assert mode.view.item.difficulty == "beginner"
    assert mode.view.item.id == item_id


def test_an_item_missed_twice_comes_back_as_a_review_on_a_later_visit(in_module, monkeypatch):
    """Missed on its serving and again straight away (its level has one item): the same visit
    serves it once more as practice; the next day's visit opens with it as a review."""
    from datetime import datetime, timedelta, timezone

    from repairlab.views import practice_mode

    mode = practice_mode_view()
    missed = _answer(mode, right=False)
    mode.next_item()
    assert mode.view.item.id == missed
    _answer(mode, right=False)
    mode.next_item()
    assert (mode.view.item.id, mode.step.review) == (missed, False)
    assert "review" not in mode.status.value
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
    monkeypatch.setattr(practice_mode, "_now", lambda: tomorrow)
    notebook._progress.cache_clear()  # the page opened again the next day
    again = practice_mode_view()
    assert (again.view.item.id, again.step.review) == (missed, True)
    assert "This one is a review of an item you missed earlier." in again.status.value
