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


VALIDATING = ("That sounds lonely, and I'm sorry my glances brought it back. "
              "What was it like just now?")


def test_a_free_text_turn_of_a_case_is_rated_and_goes_with_the_case(in_module):
    """Mid-case, after a written reply, the same check rates that turn; a choice turn has
    none; the ending records the case with the turn's rating beside its own."""
    from repairlab.grading import mean_difficulty, ratings_of
    from repairlab.practice import rated_attempts

    view = build_view("m01-case-01")
    view.choose("own-glance")
    assert view.rating is None  # a chosen line is not rated
    view.submit(VALIDATING)  # turn 2, a free-text reply; the case goes on
    assert not view.play.ended
    assert view.children.index(view.rating) == view.children.index(view.feedback) + 1
    assert view.rating.choice.value is None  # optional
    view.rating.choice.value = 6
    assert "Saved: 6 of 10" in view.rating.saved.value
    assert "kept with this case when the case ends" in view.rating.saved.value
    assert _attempts("m01-case-01") == []  # a turn is not an attempt of its own
    view.choose("agree-signal")  # the ending
    assert view.play.ended
    assert view.rating.choice.value is None  # the ending is rated afresh
    view.rating.choice.value = 3
    (case,) = _attempts("m01-case-01")
    assert case.extra["turn_ratings"] == [{"turn": 2, "rating": 6}]
    assert _store().ratings(STUDENT) == {("m01-case-01", case.created_at): 3}
    [rated] = rated_attempts([case], _store().ratings(STUDENT))
    assert ratings_of(rated) == [6, 3]  # the one reader: the practice rule and the means
    assert mean_difficulty([rated], ["m01-case-01"]) == 4.5

    view.reflection_box.value = "I wanted to explain the clock."
    view.save_reflection()  # the ending recorded again: the turn's rating goes with it
    latest = _attempts("m01-case-01")[-1]
    assert latest.extra["turn_ratings"] == [{"turn": 2, "rating": 6}]
    assert latest.extra["reflection"] == "I wanted to explain the clock."
    _reload()
    reopened = build_view("m01-case-01")
    reopened.reflection_box.value = "And what I will say next time."
    reopened.save_reflection()  # after a reload too
    assert _attempts("m01-case-01")[-1].extra["turn_ratings"] == [{"turn": 2, "rating": 6}]


def test_a_case_turns_ratings_reach_the_hand_in(in_module, tmp_path):
    from repairlab.coursework import item_index
    from repairlab.handin import export_submission, read_submission
    from repairlab.notebook import current_course

    view = build_view("m01-case-01")
    view.choose("own-glance")
    view.submit(VALIDATING)
    view.rating.choice.value = 7
    view.choose("agree-signal")
    course = current_course()
    path = tmp_path / "work.html"
    export_submission(_store(), STUDENT, path, items=item_index(course), course_title="C",
                      curriculum_version=course.version)
    [case] = read_submission(path)["attempts"]
    assert case["extra"]["turn_ratings"] == [{"turn": 2, "rating": 7}]
    assert "rating" not in case  # the ending was not rated
    page = path.read_text(encoding="utf-8")
    assert "your written replies felt 7 of 10 hard" in page


def test_a_case_turn_left_unrated_keeps_nothing_and_a_choice_withdraws_the_check(in_module):
    view = build_view("m01-case-01")
    view.choose("own-glance")
    view.submit(VALIDATING)
    assert view.rating is not None
    view.choose("agree-signal")
    (case,) = _attempts("m01-case-01")
    assert "turn_ratings" not in (case.extra or {})
    view.restart()
    assert view.rating is None
    assert view.turn_ratings == {}
    view.choose("own-glance")
    view.submit(VALIDATING)
    view.rating.choice.value = 9
    view.restart()  # abandoned mid-case: the rating goes with the run it rated
    assert view.turn_ratings == {}
    view.choose("move-on")  # a choice turn: no check on the page
    assert view.rating is None


def test_a_case_left_mid_way_starts_again_and_its_turn_ratings_go_with_the_run_left(in_module):
    """Closing the tab mid-case drops the run (a reload starts the case from the top), so the
    turn ratings of that run are not kept: they would rate turns the student has not said
    yet. A chosen choice line and its reply are played again, rated again if the student
    wishes, and only that run's rating reaches the case's attempt (docs/practice.md)."""
    view = build_view("m01-case-01")
    view.choose("own-glance")
    view.submit(VALIDATING)
    view.rating.choice.value = 9
    _reload()  # the tab closed before the ending
    again = build_view("m01-case-01")
    assert again.play.path == []  # from the top
    assert again.rating is None  # nothing rated
    again.choose("own-glance")
    again.submit(VALIDATING)
    assert again.rating.choice.value is None  # the run left kept no rating for this turn
    again.rating.choice.value = 4
    again.choose("agree-signal")
    (case,) = _attempts("m01-case-01")
    assert case.extra["turn_ratings"] == [{"turn": 2, "rating": 4}]
