"""The practice rule (repairlab/practice.py), driven by simulated students: no kernel, no store.

Each simulated student answers whatever the rule serves, by a known pattern, and the test
checks where the rule has taken them: the level, the mastery state, and what it served.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from repairlab.practice import (
    Criterion,
    PracticeItem,
    SkillSpec,
    next_step,
    skill_states,
    tries_from_attempts,
)

OWN = SkillSpec("owning-your-part", "Owning your part")
NOTICE = SkillSpec("noticing-withdrawal", "Noticing withdrawal markers")
SKILLS = [OWN, NOTICE]


def _bank(skill: str, per_level: int, kind: str = "rewrite-reply") -> list[PracticeItem]:
    return [PracticeItem(f"{skill}-{level[:3]}-{n}", skill, level, kind)
            for level in ("beginner", "intermediate", "advanced") for n in range(1, per_level + 1)]


ITEMS = _bank(OWN.id, 4) + _bank(NOTICE.id, 3, "classify-marker")
LEVEL = {item.id: item.difficulty for item in ITEMS}


def _attempt(item_id: str, right: bool, rating: int | None = None) -> dict:
    kind = next(item.kind for item in ITEMS if item.id == item_id)
    good = "good" if kind == "rewrite-reply" else "correct"
    bad = "needs-work" if kind == "rewrite-reply" else "incorrect"
    return {"item_id": item_id, "kind": kind, "status": good if right else bad, "rating": rating}


def practise(answers, steps: int, skills=SKILLS, items=ITEMS, rate=lambda n, item: None):
    """Let a simulated student practise ``steps`` items; ``answers(n, item_id)`` says whether
    try ``n`` (from 0) is right, ``rate(n, item_id)`` how hard it felt (0-10, or None).
    Returns the history and the items served, in order."""
    history: list[dict] = []
    served: list[str] = []
    for n in range(steps):
        step = next_step(skills, items, history)
        if step.item_id is None:
            break
        served.append(step.item_id)
        history.append(_attempt(step.item_id, answers(n, step.item_id), rate(n, step.item_id)))
    return history, served


def test_a_new_student_starts_at_beginner_on_the_first_skill():
    step = next_step(SKILLS, ITEMS, [])
    assert step.skill.skill is OWN
    assert step.skill.level == "beginner"
    assert step.item_id == "owning-your-part-beg-1"
    assert [s.status for s in skill_states(SKILLS, ITEMS, [])] == ["not started", "not started"]


def test_always_right_masters_each_skill_in_three_tries_a_level_then_stops():
    history, served = practise(lambda n, item: True, 100)
    # 3 right of the last 4 at each of three levels, for each skill: 9 + 9 tries.
    assert len(served) == 18
    assert [LEVEL[i] for i in served[:9]] == ["beginner"] * 3 + ["intermediate"] * 3 + ["advanced"] * 3
    assert len(set(served)) == len(served)  # nothing just mastered is shown again
    states = skill_states(SKILLS, ITEMS, history)
    assert [s.status for s in states] == ["mastered", "mastered"]
    assert next_step(SKILLS, ITEMS, history).item_id is None


def test_always_defensive_stays_at_beginner_and_never_masters():
    history, served = practise(lambda n, item: False, 40)
    assert len(served) == 40
    assert {LEVEL[i] for i in served} == {"beginner"}
    assert {i for i in served} == {i.id for i in ITEMS if i.skill == OWN.id
                                   and i.difficulty == "beginner"}
    own, notice = skill_states(SKILLS, ITEMS, history)
    assert (own.level, own.status) == ("beginner", "in progress")
    assert notice.status == "not started"  # the first skill is not mastered: it stays on it


def test_an_improving_student_climbs_slowly_and_reaches_mastery():
    # Wrong for the first 8 tries, then right: the rule keeps them at beginner while they
    # miss, and moves them up once they get it.
    history, served = practise(lambda n, item: n >= 8, 60)
    own = skill_states(SKILLS, ITEMS, history)[0]
    assert own.mastered
    assert {LEVEL[i] for i in served[:8]} == {"beginner"}
    # Needed more tries than a student who is always right.
    assert served.index(next(i for i in served if LEVEL[i] == "advanced")) > 6


def test_misses_in_a_row_move_a_student_down_a_level():
    # Right at beginner (3 tries), then wrong twice at intermediate.
    history, _ = practise(lambda n, item: n < 3, 5)
    assert [LEVEL[a["item_id"]] for a in history] == ["beginner"] * 3 + ["intermediate"] * 2
    state = skill_states(SKILLS, ITEMS, history)[0]
    assert state.level == "beginner"
    assert state.levels_met == ["beginner"]
    # And once at beginner again, they climb back only by meeting the criterion again.
    assert LEVEL[next_step(SKILLS, ITEMS, history).item_id] == "beginner"


def test_a_first_miss_comes_back_in_the_same_visit_after_two_other_tries():
    missed = "owning-your-part-beg-1"
    # Miss beg-1 whenever it is served; everything else right; all in one sitting.
    _history, served = practise(lambda n, item: item != missed, 30)
    shown_at = [n for n, item in enumerate(served) if item == missed]
    # Not straight after the miss: two other tries in between, then not again this visit
    # while the level has anything else to serve.
    assert shown_at == [0, 3]


def test_a_missed_item_is_reviewed_on_later_visits_spaced_wider_each_time():
    missed = "owning-your-part-beg-1"
    intermediate = itertools.count()

    def answers(n, item):
        # beg-1 is missed whenever it is served; the rest of beginner is right, which takes
        # the student up; intermediate is right every other time, which keeps them there
        # (2 of 4, never two misses in a row) long enough to see the reviews spread out.
        if LEVEL[item] == "intermediate":
            return next(intermediate) % 2 == 0
        return item != missed

    # Four tries a day, every day.
    served = visits(answers, per_visit=4, days=14, skills=[OWN])
    shown = [s for s in served if s.item_id == missed]
    assert [s.visit for s in shown[:2]] == [0, 0]  # the first review, in the same visit
    later = [s.visit for s in shown[1:]]
    # Missed again: the next visit, then two visits later, then four.
    assert [b - a for a, b in itertools.pairwise(later)][:3] == [1, 2, 4]
    assert all(s.review for s in shown[1:])
    # A review waiting for a later visit comes first when that visit starts.
    assert all(s.first_of_visit for s in shown[2:])


@dataclass(frozen=True)
class Served:
    item_id: str
    visit: int
    review: bool
    first_of_visit: bool


START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def visits(answers, *, per_visit: int, days: int, skills=SKILLS, items=ITEMS,
           start=START, pause=timedelta(days=1)) -> list[Served]:
    """A simulated student who practises ``per_visit`` items a visit, one every two minutes,
    with ``pause`` between visits (a day unless said), ``days`` visits in all. Each attempt
    carries its time, as the store records it; the rule is asked at the moment of choosing."""
    history: list[dict] = []
    served: list[Served] = []
    n = 0
    for day in range(days):
        for turn in range(per_visit):
            at = start + day * pause + timedelta(minutes=2 * turn)
            step = next_step(skills, items, history, now=at)
            if step.item_id is None:
                return served
            served.append(Served(step.item_id, day, step.review, turn == 0))
            history.append({**_attempt(step.item_id, answers(n, step.item_id)),
                            "created_at": at.isoformat()})
            n += 1
    return served


def test_always_right_across_visits_masters_as_in_one_sitting():
    _, in_one = practise(lambda n, item: True, 100)
    across = visits(lambda n, item: True, per_visit=4, days=10)
    assert [s.item_id for s in across] == in_one  # 18 tries, then every skill is mastered
    assert not any(s.review for s in across)


def test_always_defensive_across_visits_stays_at_beginner_with_reviews_on_later_visits():
    served = visits(lambda n, item: False, per_visit=5, days=4)
    assert {LEVEL[s.item_id] for s in served} == {"beginner"}
    history = [{**_attempt(s.item_id, False), "created_at": (START + s.visit * timedelta(days=1)
                                                             ).isoformat()} for s in served]
    own, notice = skill_states(SKILLS, ITEMS, history)
    assert (own.level, own.status, notice.status) == ("beginner", "in progress", "not started")
    # Every later visit brings reviews of items missed on earlier ones, and an item missed
    # twice in a row or more comes back as a review only on a later visit than its last miss.
    for day in (1, 2, 3):
        missed_before = {s.item_id for s in served if s.visit < day}
        assert any(s.review and s.item_id in missed_before for s in served if s.visit == day)
    for n, now in enumerate(served):
        before = [s for s in served[:n] if s.item_id == now.item_id]
        if now.review and len(before) >= 2:
            assert before[-1].visit < now.visit


def test_an_improving_student_across_visits_reaches_mastery_and_is_reviewed_later():
    # Wrong for the first 8 tries (two visits), then right.
    served = visits(lambda n, item: n >= 8, per_visit=4, days=12)
    history = [{**_attempt(s.item_id, n >= 8),
                "created_at": (START + s.visit * timedelta(days=1)).isoformat()}
               for n, s in enumerate(served)]
    own = skill_states(SKILLS, ITEMS, history)[0]
    assert own.mastered
    assert any(s.review and s.visit >= 2 for s in served)  # missed early, reviewed later


def test_a_student_who_misses_twice_sees_the_item_first_thing_next_day():
    missed = "owning-your-part-beg-1"
    # Misses beg-1 on its first serving and on its review; right on everything else, and on
    # beg-1 too the next day (try 8 on).
    served = visits(lambda n, item: item != missed or n >= 8, per_visit=8, days=2)
    today = [s.item_id for s in served if s.visit == 0]
    assert today.count(missed) == 2  # served, reviewed once, then left for a later visit
    tomorrow = next(s for s in served if s.visit == 1)
    assert (tomorrow.item_id, tomorrow.review) == (missed, True)


def test_a_short_break_or_a_reload_is_not_a_later_visit():
    missed = "owning-your-part-beg-1"
    served = visits(lambda n, item: item != missed, per_visit=6, days=2,
                    pause=timedelta(minutes=40))
    assert [s.item_id for s in served].count(missed) == 2  # not due again after 40 minutes
    served = visits(lambda n, item: item != missed, per_visit=6, days=2,
                    pause=timedelta(hours=3))
    assert [s.item_id for s in served].count(missed) == 3


def test_attempts_without_a_time_are_one_visit():
    """Old dicts (and hand-ins) without ``created_at``: one visit, whatever the clock says, so
    an item missed twice waits; the rule serves the level's other items meanwhile."""
    history = [_attempt("owning-your-part-beg-1", False), _attempt("owning-your-part-beg-2", True),
               _attempt("owning-your-part-beg-3", True), _attempt("owning-your-part-beg-1", False)]
    assert [t.visit for t in tries_from_attempts(history)] == [0] * 4
    step = next_step(SKILLS, ITEMS, history, now=START)
    assert (step.item_id, step.review) == ("owning-your-part-beg-4", False)


def test_stored_attempts_made_yesterday_bring_a_review_today(tmp_path):
    """Attempts as the progress store keeps them (its own created_at, no new mark): missed
    twice yesterday, the item is today's first, a review."""
    from repairlab.progress import Attempt, ProgressStore

    yesterday = START - timedelta(days=1)
    answers = [("owning-your-part-beg-1", False), ("owning-your-part-beg-2", True),
               ("owning-your-part-beg-3", True), ("owning-your-part-beg-1", False)]
    with ProgressStore(tmp_path / "progress.sqlite3") as store:
        for n, (item, right) in enumerate(answers):
            store.record(Attempt(
                student="ann", item_id=item, module="m04", kind="rewrite-reply",
                response="reply", feedback={}, score=1.0 if right else 0.0,
                status="good" if right else "needs-work", curriculum_version="v1",
                created_at=(yesterday + timedelta(minutes=n)).isoformat()))
        stored = store.attempts("ann")
    assert next_step(SKILLS, ITEMS, stored, now=yesterday + timedelta(minutes=5)).item_id != \
        "owning-your-part-beg-1"
    today = next_step(SKILLS, ITEMS, stored, now=START)
    assert (today.item_id, today.review) == ("owning-your-part-beg-1", True)


def test_a_review_is_flagged_as_one():
    history = [_attempt("owning-your-part-beg-1", False),
               _attempt("owning-your-part-beg-2", True),
               _attempt("owning-your-part-beg-3", True)]
    step = next_step(SKILLS, ITEMS, history)
    assert (step.item_id, step.review) == ("owning-your-part-beg-1", True)


def test_the_item_just_mastered_is_not_shown_again_even_when_the_level_is_small():
    items = [PracticeItem("a", "s", "beginner", "classify-marker"),
             PracticeItem("b", "s", "beginner", "classify-marker"),
             PracticeItem("c", "s", "beginner", "classify-marker"),
             PracticeItem("z", "s", "advanced", "classify-marker")]
    skills = [SkillSpec("s", "S")]
    history = [{"item_id": "a", "kind": "classify-marker", "status": "correct"},
               {"item_id": "b", "kind": "classify-marker", "status": "correct"},
               {"item_id": "c", "kind": "classify-marker", "status": "incorrect"}]
    # a and b were just mastered; c was just missed: c again, never a or b.
    assert next_step(skills, items, history).item_id == "c"


def test_consecutive_attempts_at_one_item_are_one_try_judged_by_the_first():
    attempts = [{"item_id": "x", "kind": "classify-marker", "status": "incorrect"},
                {"item_id": "x", "kind": "classify-marker", "status": "correct"},
                {"item_id": "y", "kind": "rewrite-reply", "status": "unsure"},
                {"item_id": "y", "kind": "rewrite-reply", "status": "good"},
                {"item_id": "r", "kind": "reflection", "status": "submitted"}]
    tries = tries_from_attempts(attempts)
    assert [(t.item_id, t.right) for t in tries] == [("x", False), ("y", True)]


def test_a_level_with_fewer_items_than_the_criterion_asks_needs_each_of_them():
    items = [PracticeItem("only", "s", "beginner", "classify-marker"),
             PracticeItem("adv", "s", "advanced", "classify-marker")]
    skills = [SkillSpec("s", "S")]
    history = [{"item_id": "only", "kind": "classify-marker", "status": "correct"}]
    state = skill_states(skills, items, history)[0]
    assert state.level == "advanced"  # intermediate has no items: skipped


@pytest.mark.parametrize(("criterion", "tries_to_master"), [
    (Criterion(correct=1, of_last=1), 3), (Criterion(correct=4, of_last=4), 12)])
def test_the_criterion_is_the_authors(criterion, tries_to_master):
    skill = SkillSpec(OWN.id, OWN.name, criterion)
    history, served = practise(lambda n, item: True, 100, skills=[skill])
    assert len(served) == tries_to_master
    assert skill_states([skill], ITEMS, history)[0].mastered


# -- the course's own items, answered through the real scorer ----------------------------------

@pytest.fixture(scope="module")
def module_four():
    from pathlib import Path

    from repairlab.content.course import load_course
    from repairlab.practice import module_plan

    course, _ = load_course(Path(__file__).resolve().parents[1])
    module = next(m for m in course.modules if m.slug == "non-defensive-responding")
    skills, items = module_plan(course, module)
    owning = [s for s in skills if s.id == "owning-your-part"]
    return course, owning, [i for i in items if i.skill == "owning-your-part"]


def _rewrite_student(course, skills, items, reply_for, steps):
    """A student who writes ``reply_for(n, item)`` for try ``n``; the real assessor judges it."""
    from repairlab.registry import score

    history, served = [], []
    for n in range(steps):
        step = next_step(skills, items, history)
        if step.item_id is None:
            break
        item = course.item(step.item_id)
        feedback = score(item, reply_for(n, item))
        served.append(item.id)
        history.append({"item_id": item.id, "kind": item.type, "status": feedback.status})
    return history, served


def test_a_student_who_writes_the_model_repairs_masters_owning_your_part(module_four):
    course, skills, items = module_four
    history, served = _rewrite_student(course, skills, items, lambda n, i: i.model_rewrite, 50)
    assert skill_states(skills, items, history)[0].mastered
    assert len(served) == 9  # three levels, three right first time at each


def test_a_student_who_stays_defensive_never_leaves_beginner(module_four):
    course, skills, items = module_four
    history, served = _rewrite_student(course, skills, items, lambda n, i: i.defensive_reply, 20)
    state = skill_states(skills, items, history)[0]
    assert (state.level, state.mastered) == ("beginner", False)
    assert {course.item(i).difficulty for i in served} == {"beginner"}


def test_a_student_who_learns_after_a_few_tries_gets_there(module_four):
    course, skills, items = module_four
    history, served = _rewrite_student(
        course, skills, items, lambda n, i: i.defensive_reply if n < 5 else i.model_rewrite, 50)
    assert skill_states(skills, items, history)[0].mastered
    assert len(served) > 9


# How hard it felt (0-10): the ratings nudge the level; unrated practice is as before.

def test_a_right_student_who_finds_it_easy_moves_up_after_two_tries_a_level():
    history, served = practise(lambda n, item: True, 100, rate=lambda n, item: 2)
    levels = [LEVEL[i] for i in served if i.startswith(OWN.id)]
    # Two easy right tries at beginner and at intermediate; the top level still needs 3 of 4.
    assert levels == ["beginner"] * 2 + ["intermediate"] * 2 + ["advanced"] * 3
    own = skill_states(SKILLS, ITEMS, history)[0]
    assert own.mastered
    assert own.levels_met == ["advanced"]  # skipped up early, met only where it counts


def test_easy_ratings_never_master_a_skill_without_the_criterion():
    # Right and easy up to the top level, right and easy twice there, then a miss: two easy
    # right tries in a row at the top are not mastery; 2 of 3 is short of 3 of 4.
    history, served = practise(lambda n, item: n < 6, 7, rate=lambda n, item: 0)
    assert [LEVEL[i] for i in served] == (["beginner"] * 2 + ["intermediate"] * 2
                                         + ["advanced"] * 3)
    own = skill_states(SKILLS, ITEMS, history)[0]
    assert (own.level, own.mastered) == ("advanced", False)


def test_a_right_student_who_finds_it_hard_stays_at_the_level():
    # Right every time but rated 9: the criterion is met at the third try, yet two hard
    # ratings in a row hold them at beginner.
    history, served = practise(lambda n, item: True, 12, rate=lambda n, item: 9)
    assert {LEVEL[i] for i in served} == {"beginner"}
    assert skill_states(SKILLS, ITEMS, history)[0].levels_met == []


def test_once_it_stops_feeling_hard_the_criterion_moves_them_up():
    _, served = practise(lambda n, item: True, 12,
                               rate=lambda n, item: 9 if n < 3 else 5)
    assert [LEVEL[i] for i in served[:5]] == ["beginner"] * 4 + ["intermediate"]


def test_hard_twice_with_a_miss_steps_down_a_level():
    # Right at beginner (3 tries, unrated), then at intermediate right-hard then wrong-hard.
    history, _ = practise(lambda n, item: n != 4, 5, rate=lambda n, item: 9 if n >= 3 else None)
    assert [LEVEL[a["item_id"]] for a in history] == ["beginner"] * 3 + ["intermediate"] * 2
    assert skill_states(SKILLS, ITEMS, history)[0].level == "beginner"


def test_a_middling_rating_changes_nothing():
    _, served_plain = practise(lambda n, item: n % 3 != 1, 40)
    _, served_rated = practise(lambda n, item: n % 3 != 1, 40, rate=lambda n, item: 5)
    assert served_rated == served_plain


def test_the_latest_rating_within_a_try_counts_and_nonsense_is_ignored():
    item = "owning-your-part-beg-1"
    tries = tries_from_attempts([_attempt(item, True, None), _attempt(item, True, 7),
                                 _attempt("owning-your-part-beg-2", True, 11),
                                 _attempt("owning-your-part-beg-3", True, True)])
    assert [t.rating for t in tries] == [7, None, None]


def test_ratings_from_the_store_reach_the_rule_through_the_attempts_they_rate(tmp_path):
    from repairlab.practice import rated_attempts
    from repairlab.progress import Attempt, ProgressStore

    with ProgressStore(tmp_path / "progress.sqlite3") as store:
        for n in range(2):
            item = f"owning-your-part-beg-{n + 1}"
            stored = store.record(Attempt(
                student="ann", item_id=item, module="m04", kind="rewrite-reply",
                response="reply", feedback={}, score=1.0, status="good",
                curriculum_version="v1"))
            store.save_rating("ann", stored, 1)
        history = rated_attempts(store.attempts("ann"), store.ratings("ann"))
    assert [a["rating"] for a in history] == [1, 1]
    # Two easy right tries: the next item is a level up.
    assert LEVEL[next_step(SKILLS, ITEMS, history).item_id] == "intermediate"


def _case(item_id: str, right: bool, turns: list[int], ending: int | None = None) -> dict:
    """A case as the view records it: its written turns' ratings in ``extra``, the ending's
    own rating (if any) as the store joins it."""
    return {"item_id": item_id, "kind": "simulation", "status": "good" if right else
            "needs-work", "rating": ending,
            "extra": {"turn_ratings": [{"turn": 2 * n + 1, "rating": r}
                                       for n, r in enumerate(turns)]}}


CASES = [PracticeItem(f"case-{level[:3]}-{n}", OWN.id, level, "simulation")
         for level in ("beginner", "intermediate") for n in (1, 2, 3)]


def test_a_case_whose_written_turns_felt_hard_holds_the_level_as_a_rated_rewrite_would():
    """A case's try is rated by the latest rating it carries: its ending's, else its last
    written turn's; hard turns hold the student at beginner as hard rewrites do."""
    hard = [_case(f"case-beg-{n}", True, [5, 9]) for n in (1, 2, 3)]
    assert [t.rating for t in tries_from_attempts(hard)] == [9, 9, 9]
    assert skill_states([OWN], CASES, hard)[0].levels_met == []
    unrated = [_case(f"case-beg-{n}", True, []) for n in (1, 2, 3)]
    assert skill_states([OWN], CASES, unrated)[0].levels_met == ["beginner"]
    # The ending's own rating is later than the turns': it is the try's.
    assert tries_from_attempts([_case("case-beg-1", True, [9], ending=4)])[0].rating == 4
