"""Say it aloud first (issue 16, fluency): for a rewrite, the student may start a timer with
the client's line shown, answer out loud, stop it, then type what they said, which is assessed
as any reply. The time goes with that attempt, so repeating shows faster repairs. Views are
driven from code, with the clock stood in for, as the page drives them."""

from __future__ import annotations

import pytest
from test_handin import read_as_a_person

from repairlab.handin import read_submission
from repairlab.notebook import build_view
from repairlab.progress import open_store_safely

REPLY = "You're right, I kept looking at the clock, and I'm sorry. What was that like for you?"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    from repairlab.views import rewrite

    fake = Clock()
    monkeypatch.setattr(rewrite.time, "monotonic", fake)
    return fake


def _say_it(view, clock, seconds: float, reply: str = REPLY):
    view.start_aloud()
    clock.now += seconds
    view.stop_aloud()
    return view.submit(reply)


def test_the_timer_shows_the_clients_line_and_holds_the_reply_box_until_said(in_module, clock):
    view = build_view("m01-rewrite-01")
    assert view.aloud_button in view.children
    assert view.said_button is None  # made when first needed
    view.start_aloud()
    assert view.said_button in view.children
    assert view.aloud_button not in view.children
    assert view.item.client_says.split()[0] in view.aloud.value  # the client's line, again
    assert "Timer running" in view.aloud.value
    assert view.reply.disabled
    assert view.check_button.disabled
    clock.now += 7.46
    assert view.stop_aloud() == 7.5
    assert not view.reply.disabled
    assert "You answered aloud in <strong>7.5 seconds</strong>" in view.aloud.value
    assert "Now type what you said" in view.aloud.value


def test_the_time_goes_with_the_attempt_and_repeating_shows_it_getting_faster(in_module, clock):
    view = build_view("m01-rewrite-01")
    first = _say_it(view, clock, 21.0)
    assert first.status != "empty"  # assessed as any reply
    view.start_aloud()
    clock.now += 12.0
    view.stop_aloud()
    assert "faster than your best so far (21 seconds)" in view.aloud.value
    view.submit(REPLY)
    view.submit(REPLY)  # typed straight away this time: no time aloud
    attempts = open_store_safely().store.attempts("local-student", item_id="m01-rewrite-01")
    assert [(a.extra or {}).get("aloud_seconds") for a in attempts] == [21.0, 12.0, None]


def test_a_reload_says_how_long_the_last_answer_aloud_took(in_module, clock):
    from repairlab import notebook

    _say_it(build_view("m01-rewrite-01"), clock, 9.0)
    notebook._progress.cache_clear()  # a new visit is a new kernel
    again = build_view("m01-rewrite-01")
    assert "Last time you answered aloud in 9.0 seconds" in again.aloud.value
    again.start_aloud()
    clock.now += 15
    again.stop_aloud()
    assert "(your best so far: 9.0 seconds)" in again.aloud.value


def test_the_hand_in_shows_each_time_aloud_with_its_attempt(worked_hand_in, demo_course,
                                                            monkeypatch, clock):
    from repairlab import notebook

    monkeypatch.chdir(demo_course / "curriculum" / "01-demo")
    monkeypatch.setenv("REPAIRLAB_STUDENT", "ann")
    notebook._load.cache_clear()
    notebook._progress.cache_clear()
    view = build_view("m01-rewrite-01")
    _say_it(view, clock, 18.0)
    _say_it(view, clock, 8.25)
    path = worked_hand_in()  # then ann's other work, and `repairlab export`
    sub = read_submission(path)
    rewrites = [a for a in sub["attempts"] if a["item_id"] == "m01-rewrite-01"]
    assert [(a.get("extra") or {}).get("aloud_seconds") for a in rewrites] == [18.0, 8.2, None]
    text = read_as_a_person(path.read_text(encoding="utf-8"))
    assert "Said aloud first, in 18.0 seconds, then typed." in text
    assert "Said aloud first, in 8.2 seconds, then typed." in text
    assert text.count("Said aloud first") == 2


def test_after_the_feedback_the_page_says_the_reply_was_said_aloud_first(in_module, clock):
    view = build_view("m01-rewrite-01")
    _say_it(view, clock, 6.0)
    assert "You said this reply aloud in 6.0 seconds before typing it" in view.aloud.value
    assert "Now type what you said" not in view.aloud.value
