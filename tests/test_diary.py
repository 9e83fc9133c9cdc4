"""The practice diary (issue 16): per module, what I practised, what was hard, what I will try
next. Typed on the practice-mode page (driven from code, as the page drives it; each "reload"
is a fresh kernel), kept in the progress store, and carried into the hand-in, as text."""

from __future__ import annotations

import json
import re

from test_handin import read_as_a_person

from repairlab.diary import QUESTIONS
from repairlab.handin import read_submission

ENTRY = {"practised": "Owning my part at beginner level, then intermediate.",
         "hard": "Not explaining myself first.\n<script>alert(1)</script> & staying with <b>her</b>",
         "next": "Pause, then name what I did."}


def _reload():
    from repairlab import notebook

    notebook._progress.cache_clear()  # a new Voilà visit is a new kernel


def _type(view, entry):
    """As a student types: each box reaches the kernel when it loses focus."""
    for key, text in entry.items():
        view.boxes[key].value = text


def test_the_diary_has_the_three_questions_as_labelled_boxes_and_starts_empty(in_module):
    from repairlab.notebook import diary_view

    view = diary_view()
    assert [box.description for box in view.boxes.values()] == [q for _k, q in QUESTIONS]
    assert [box.value for box in view.boxes.values()] == ["", "", ""]
    assert "Practice diary" in view.children[0].value


def test_what_is_typed_is_kept_on_leaving_each_box_and_comes_back_after_a_reload(in_module):
    from repairlab.notebook import diary_view

    view = diary_view()
    view.boxes["practised"].value = ENTRY["practised"]  # then the student closes the tab
    _reload()
    again = diary_view()
    assert again.boxes["practised"].value == ENTRY["practised"]
    _type(again, ENTRY)
    assert again.save()
    assert "Diary saved" in again.status.value
    _reload()
    assert diary_view().entry() == ENTRY  # exactly as typed: line breaks, markup as text


def test_a_diary_that_cannot_be_saved_says_so_and_keeps_the_text_in_the_boxes(in_module):
    from repairlab import notebook
    from repairlab.attempts import DisabledStore

    view = notebook.diary_view()
    handle, _student = notebook._progress()
    handle.store = DisabledStore()  # the disk filled up mid-visit
    _type(view, ENTRY)
    assert view.save() is False
    assert "could not be saved" in view.status.value
    assert view.entry() == ENTRY


def test_the_practice_mode_page_shows_the_diary_below_the_item(in_module, monkeypatch):
    from repairlab import notebook
    from repairlab.views.diary import DiaryView
    from repairlab.views.practice_mode import PracticeModeView

    shown = []
    monkeypatch.setattr(notebook, "_display", shown.append)
    notebook.practice_mode()
    assert [type(w) for w in shown] == [PracticeModeView, DiaryView]


def test_the_diary_goes_into_the_hand_in_as_text_and_shows_in_its_module(
        worked_hand_in, demo_course, monkeypatch):
    from repairlab import notebook

    monkeypatch.chdir(demo_course / "curriculum" / "01-demo")
    monkeypatch.setenv("REPAIRLAB_STUDENT", "ann")
    notebook._load.cache_clear()
    _reload()
    view = notebook.diary_view()
    _type(view, ENTRY)
    path = worked_hand_in()  # ann's work in the module, then `repairlab export`
    sub = read_submission(path)
    assert sub["schema_version"] == 2  # an optional key: the format number stays
    (slug,) = sub["diary"]
    assert {k: v for k, v in sub["diary"][slug].items() if k != "saved_at"} == ENTRY
    page = path.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "<b>her</b>" not in page
    text = read_as_a_person(page)
    section = text[text.index("Practice diary"):]
    assert re.search(r"What was hard Not explaining myself first\. <script>alert\(1\)</script> "
                     r"& staying with <b>her</b>", section)
    assert section.index("What I practised") < section.index("What I will try next")
    # Shown once, in its module, before the module's items.
    assert text.count("Practice diary") == 1
    assert text.index("Practice diary") < text.index("Attempt 1")


def test_a_hand_in_without_a_diary_has_no_diary_key(worked_hand_in):
    sub = read_submission(worked_hand_in(".json"))
    assert "diary" not in sub


def test_a_diary_of_the_wrong_shape_is_a_damaged_file_not_a_crash(worked_hand_in):
    import pytest

    from repairlab.handin import SubmissionError, compute_checksum

    sub = read_submission(worked_hand_in(".json"))
    sub["diary"] = {"demo": {"hard": 3}}
    sub["checksum"] = compute_checksum(sub)
    with pytest.raises(SubmissionError, match="'diary' has the wrong type"):
        read_submission(json.dumps(sub))
