"""A pre-heated page shows the work saved after it was rendered, without a new kernel.

A pre-heated kernel runs its notebook before anyone asks for the page; the server has it draw
its views again from the store (``repairlab.redraw``) when it hands it out after a save. The
views are driven from code, as the page drives them; the "other page" is another kernel's
store handle writing to the same progress file."""

from __future__ import annotations

import pytest
from ipywidgets.widgets.widget import _instances

from repairlab import notebook, redraw
from repairlab.progress import open_store_safely

REPLY = "You're right, I kept looking at the clock, and I'm sorry."


@pytest.fixture
def pre_heated(in_module, monkeypatch):
    """A pooled kernel's notebook: what it displays is kept in ``shown``."""
    monkeypatch.setenv(redraw.PREHEAT_VARIABLE, "True")
    monkeypatch.setattr(redraw, "_held", [])
    shown: list = []
    monkeypatch.setattr(notebook, "_display", shown.append)
    return shown


def _answer_on_another_page(item_id: str, reply: str) -> None:
    """Another tab (another kernel, its own store handle) saves an answer."""
    cached = notebook._progress.cache_info().currsize
    notebook._progress.cache_clear()
    try:
        notebook.build_view(item_id).submit(reply)
    finally:
        notebook._progress.cache_clear()
        if cached:
            notebook._progress()  # this kernel's handle again, opened before the save


def test_a_redrawn_exercise_shows_the_answer_saved_after_the_page_was_rendered(pre_heated):
    notebook.show("m01-rewrite-01")
    (holder,) = pre_heated
    before = holder.children[0]
    assert before.reply.value == ""  # rendered before any answer

    _answer_on_another_page("m01-rewrite-01", REPLY)
    assert redraw.redraw() == 1

    after = holder.children[0]
    assert after is not before
    assert after.reply.value == REPLY
    assert after.feedback.value  # the feedback that answer got, as on a fresh page
    # The old view's widgets are closed: the page would fetch every open widget.
    assert before.comm is None
    assert before.reply.comm is None
    assert after.model_id in _instances


def test_the_landing_page_and_practice_mode_are_drawn_again_too(pre_heated):
    notebook.course_home()
    notebook.practice_mode()
    home, practice, diary = pre_heated
    assert "Attempted: 0 of" in home.children[0].children[0].value  # rendered before any answer
    assert "rl-skill-in-progress" not in practice.children[0].status.value
    old_diary = diary.children[0]

    _answer_on_another_page("m01-rewrite-01", REPLY)
    assert redraw.redraw() == 3
    assert "Attempted: 1 of" in home.children[0].children[0].value
    assert "rl-skill-in-progress" in practice.children[0].status.value  # the rewrite's skill
    assert diary.children[0] is not old_diary


def test_shared_layouts_stay_open_when_views_are_replaced(pre_heated):
    notebook.show("m01-rewrite-01")
    notebook.show("m01-reflect-01")
    layouts = {id(w.layout) for w in pre_heated[0].children[0].children}
    redraw.redraw()
    redraw.redraw()
    # A shared layout closed would leave every later view without its layout in the page.
    for widget in pre_heated[1].children[0].children:
        assert widget.layout.comm is not None
    assert layouts & {id(w.layout) for w in pre_heated[0].children[0].children}


def test_a_page_rendered_on_request_shows_the_view_itself(in_module, monkeypatch):
    monkeypatch.setenv(redraw.PREHEAT_VARIABLE, "False")
    monkeypatch.setattr(redraw, "_held", [])
    shown: list = []
    monkeypatch.setattr(notebook, "_display", shown.append)
    notebook.show("m01-rewrite-01")
    assert shown[0].item.id == "m01-rewrite-01"
    assert redraw._held == []
    assert redraw.redraw() == 0


def test_a_view_that_fails_to_build_again_becomes_a_notice(pre_heated, monkeypatch):
    notebook.show("m01-rewrite-01")
    monkeypatch.setattr(notebook, "build_view", lambda *a, **k: 1 / 0)
    assert redraw.redraw() == 1
    assert "could not be loaded" in pre_heated[0].children[0].value
    assert open_store_safely().problem is None
