"""Typed, unsubmitted text survives a reload (a new kernel) as a draft, never as an attempt;
a case's debrief asks its question beside a box whose answer is kept with the student's work.
Views are driven from code, as the page drives them; each "reload" is a fresh kernel."""

from __future__ import annotations

import pytest

from repairlab.notebook import build_view
from repairlab.progress import open_store_safely


def _reload():
    from repairlab import notebook

    notebook._progress.cache_clear()  # a new Voilà visit is a new kernel


def _attempts(item_id):
    return open_store_safely().store.attempts("local-student", item_id=item_id)


def _type(box, text):
    """What the browser does when the student types and then leaves the box (Tab)."""
    box.value = text


@pytest.mark.parametrize(("item_id", "box"), [("m01-rewrite-01", "reply"),
                                              ("m01-reflect-01", "text")])
def test_typed_text_comes_back_after_a_reload_without_being_an_attempt(in_module, item_id, box):
    typed = "I'm sorry, I was looking at the clock and <script>alert(1)</script> I"
    _type(getattr(build_view(item_id), box), typed)
    _reload()
    reopened = build_view(item_id)
    assert getattr(reopened, box).value == typed  # back in the box, as plain text
    assert reopened.feedback.value == ""  # not scored: a draft is no attempt
    assert _attempts(item_id) == []


def test_practice_mode_keeps_unsent_text_too_but_not_the_last_answer(in_module):
    # Practice mode serves an item as a new try (restore=False): the last answer stays out of
    # the box, but what the student typed and had not sent comes back after a reload.
    build_view("m01-rewrite-01").submit("Well, you were late too.")
    _reload()
    assert build_view("m01-rewrite-01", restore=False).reply.value == ""
    _type(build_view("m01-rewrite-01", restore=False).reply, "You're right, I rushed you.")
    _reload()
    assert build_view("m01-rewrite-01", restore=False).reply.value == "You're right, I rushed you."


def test_submitting_clears_the_draft_and_the_submitted_text_is_what_comes_back(in_module):
    view = build_view("m01-reflect-01")
    _type(view.text, "first thoughts")
    view.submit("I felt hot and wanted to explain.")
    _reload()
    assert build_view("m01-reflect-01").text.value == "I felt hot and wanted to explain."
    assert open_store_safely().store.draft("local-student", "m01-reflect-01") is None


def test_a_draft_typed_after_a_submission_wins_over_it(in_module):
    build_view("m01-rewrite-01").submit("Well, you were late too.")
    _reload()
    _type(build_view("m01-rewrite-01").reply, "You're right, I kept looking at the clock.")
    _reload()
    reopened = build_view("m01-rewrite-01")
    assert reopened.reply.value == "You're right, I kept looking at the clock."
    assert len(_attempts("m01-rewrite-01")) == 1


def test_a_restored_answer_is_not_kept_as_a_new_draft(in_module):
    build_view("m01-reflect-01").submit("Saved text.")
    _reload()
    build_view("m01-reflect-01")
    assert open_store_safely().store.draft("local-student", "m01-reflect-01") is None


def _to_free_text_turn(view):
    view.choose("own-glance")
    assert view.play.expects_reply, "the template case asks for a reply at 'softer'"


def test_a_case_reply_draft_returns_when_the_student_reaches_that_turn_again(in_module):
    view = build_view("m01-case-01")
    _to_free_text_turn(view)
    _type(view.reply_box, "That sounds so lonely")
    _reload()
    again = build_view("m01-case-01")
    assert again.reply_box.value == ""  # the case starts again from the top
    _to_free_text_turn(again)
    assert again.reply_box.value == "That sounds so lonely"


def _play_to_ending(view):
    view.choose("own-glance")
    view.submit("That sounds lonely, and I'm sorry my glances brought it back. "
                "What was it like just now?")
    while not view.play.ended:
        view.choose(view.choice_buttons[0].choice_id)


def test_the_debrief_asks_its_question_beside_a_box_and_keeps_the_answer(in_module):
    view = build_view("m01-case-01")
    assert view.reflection_parts == ()  # nothing to reflect on before an ending
    _play_to_ending(view)
    question = view.play.debrief().reflection
    assert "what did you feel pulled to do" in view.reflect_prompt.value
    assert view.reflection_box in view.children
    assert "Reflect:" not in view.feedback.value  # asked once, beside its box
    assert question[:20] not in view.feedback.value
    _type(view.reflection_box, "I wanted to explain the <b>clock</b>.")
    _reload()
    reopened = build_view("m01-case-01")
    assert reopened.reflection_box.value == "I wanted to explain the <b>clock</b>."  # draft
    reopened.save_reflection()
    assert "Saved" in reopened.reflection_saved.value
    _reload()
    again = build_view("m01-case-01")
    assert again.play.ended
    assert again.reflection_box.value == "I wanted to explain the <b>clock</b>."
    kept = _attempts("m01-case-01")[-1]
    assert kept.extra == {"reflection": "I wanted to explain the <b>clock</b>."}
    assert kept.response == again.play.path


def test_the_debrief_reflection_goes_into_the_hand_in_as_text(in_module):
    from repairlab.coursework import submission_for
    from repairlab.handin import render_submission_html
    from repairlab.notebook import current_course

    view = build_view("m01-case-01")
    _play_to_ending(view)
    _type(view.reflection_box, "I felt <i>pulled</i> to defend.")
    view.save_reflection()
    page = render_submission_html(submission_for(current_course().full(),
                                                 open_store_safely().store, "local-student"))
    assert "I felt &lt;i&gt;pulled&lt;/i&gt; to defend." in page
    assert "<i>pulled</i>" not in page


def test_an_empty_debrief_reflection_is_not_saved(in_module):
    view = build_view("m01-case-01")
    _play_to_ending(view)
    before = len(_attempts("m01-case-01"))
    assert view.save_reflection() is None
    assert "first" in view.reflection_saved.value
    assert len(_attempts("m01-case-01")) == before


def test_a_neutral_free_text_turn_is_headed_neutral_not_not_coded():
    from repairlab.kinds.simulation import Step

    step = Step(number=1, node="n", client_line="So?", said="Okay, tell me about work.",
                kind="reply", code=None, feedback="", effects={}, change={}, sets=(), next="m",
                flags_before=frozenset(), state_before={},
                assessment={"defensive": False, "moves": [], "evidence": [], "markers": []})
    assert step.code_text().startswith("Neutral")
    assert "Not coded" not in step.code_text()
