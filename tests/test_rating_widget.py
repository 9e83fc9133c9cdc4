"""The difficulty check on the page (issue 16): after a rewrite attempt, or at a case's ending,
the student may rate how hard it felt, 0-10. Views are driven from code, as the page drives
them; each "reload" is a fresh kernel. The rating is saved against the attempt just made."""

from __future__ import annotations

from repairlab.notebook import build_view
from repairlab.progress import open_store_safely

STUDENT = "local-student"


def _reload():
    from repairlab import notebook

    notebook._progress.cache_clear()  # a new Voilà visit is a new kernel


def _store():
    return open_store_safely().store


def _attempts(item_id):
    return _store().attempts(STUDENT, item_id=item_id)


def test_no_rating_is_asked_for_before_an_attempt(in_module):
    view = build_view("m01-rewrite-01")
    assert view.rating is None
    assert not any("How hard" in getattr(c, "description", "") for c in view.children)


def test_a_rating_is_saved_against_the_attempt_just_made_and_said_so(in_module):
    view = build_view("m01-rewrite-01")
    view.submit("Well, you were late too.")
    view.submit("You're right, I kept looking at the clock. I'm sorry.")
    assert view.rating in view.children  # offered below the feedback, never in the way
    assert view.children.index(view.rating) == view.children.index(view.feedback) + 1
    assert view.rating.choice.value is None  # optional: nothing chosen for the student
    view.rating.choice.value = 7  # one click
    assert "Saved: 7 of 10" in view.rating.saved.value
    _first, second = _attempts("m01-rewrite-01")
    assert _store().ratings(STUDENT) == {("m01-rewrite-01", second.created_at): 7}


def test_rating_again_replaces_and_a_new_attempt_asks_afresh(in_module):
    view = build_view("m01-rewrite-01")
    view.submit("Well, you were late too.")
    view.rating.choice.value = 3
    view.rating.choice.value = 8
    (only,) = _attempts("m01-rewrite-01")
    assert _store().ratings(STUDENT) == {("m01-rewrite-01", only.created_at): 8}
    view.submit("You're right, I rushed you. I'm sorry.")
    assert view.rating.choice.value is None  # the new attempt is not rated yet
    assert view.rating.saved.value == ""
    view.rating.choice.value = 2
    first, second = _attempts("m01-rewrite-01")
    assert _store().ratings(STUDENT) == {("m01-rewrite-01", first.created_at): 8,
                                         ("m01-rewrite-01", second.created_at): 2}


def test_a_reload_shows_the_rating_of_the_last_attempt_without_saving_it_again(in_module):
    view = build_view("m01-rewrite-01")
    view.submit("Well, you were late too.")
    view.rating.choice.value = 6
    _reload()
    reopened = build_view("m01-rewrite-01")
    assert reopened.rating.choice.value == 6
    assert reopened.rating.saved.value == ""  # restored, not announced as a new save
    _reload()
    build_view("m01-rewrite-01").submit("I'm sorry, I rushed you.")  # unrated attempt
    _reload()
    assert build_view("m01-rewrite-01").rating.choice.value is None


def _play_to_ending(view):
    view.choose("own-glance")
    view.submit("That sounds lonely, and I'm sorry my glances brought it back. "
                "What was it like just now?")
    while not view.play.ended:
        view.choose(view.choice_buttons[0].choice_id)


def test_a_case_is_rated_at_its_ending_and_the_rating_follows_its_reflection(in_module):
    view = build_view("m01-case-01")
    assert view.rating is None
    _play_to_ending(view)
    view.rating.choice.value = 9
    assert "Saved: 9 of 10" in view.rating.saved.value
    view.reflection_box.value = "I wanted to explain."
    view.save_reflection()  # records the ending again, with the reflection
    latest = _attempts("m01-case-01")[-1]
    assert _store().ratings(STUDENT)[("m01-case-01", latest.created_at)] == 9
    _reload()
    assert build_view("m01-case-01").rating.choice.value == 9
    again = build_view("m01-case-01")
    again.restart()
    from repairlab.views.rating import RatingControl

    assert again.rating is None  # a new run is rated once it ends
    assert not any(isinstance(c, RatingControl) for c in again.children)


def test_kinds_without_a_difficulty_check_offer_none(in_module):
    view = build_view("m01-reflect-01")
    view.submit("I felt hot and wanted to explain.")
    assert view.rating is None
