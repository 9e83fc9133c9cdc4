"""A class of three working through a two-module course in the real exercise views, then
handing in with `repairlab export`: the hand-ins the dashboard and gradebook tests read.

Every attempt, its feedback, its difficulty rating and each practice diary are what the real
views, scorers and progress store record; nothing in a hand-in is written by a test. What each student does is
chosen so the expected numbers can be worked out by hand from the items' answers (comments in
``CLASS``) and, for rewrites, from the reply assessor's verdict on each text.
"""

from __future__ import annotations

from pathlib import Path

# The course: two template modules, one item of every kind each (ids m01-... and m02-...).
MODULES = (("noticing", "Noticing ruptures"), ("repairing", "Repairing ruptures"))

RIGHT_SCHEMA = "Unrelenting Standards/Hypercriticalness"
WRONG_SCHEMA = "Mistrust/Abuse"
# The template rewrite item's own defensive reply (justifying) and its model rewrite.
DEFENSIVE = "I was listening. I have to keep an eye on the time, that's all."
REPAIRED = ("You're right, I looked at the clock a few times, and I can see how that felt as if "
            "I wasn't with you. That makes sense. What was it like to notice that?")

# student -> [(item id, response, difficulty rating or None)], in order.
CLASS = {
    # ana: solves everything she tries in the end.
    "ana": [
        ("m01-schema-01", WRONG_SCHEMA, None), ("m01-schema-01", RIGHT_SCHEMA, None),
        ("m01-marker-01", "minimal", None), ("m01-reflect-01", "I wanted to explain.", None),
        ("m01-moment-01", "t3", None),
        ("m02-step-01", "acknowledge", None),
        ("m02-rewrite-01", DEFENSIVE, 8), ("m02-rewrite-01", REPAIRED, 4),
    ],
    # ben: struggles; his rewrite gets worse.
    "ben": [
        ("m01-schema-01", WRONG_SCHEMA, None), ("m01-schema-01", WRONG_SCHEMA, None),
        ("m01-marker-01", "minimal", None),
        ("m01-moment-01", "t1", None), ("m01-moment-01", "t3", None),
        ("m02-rewrite-01", REPAIRED, 9), ("m02-rewrite-01", DEFENSIVE, 9),
        ("m01-rewrite-01", DEFENSIVE, 10),
    ],
    # chi: one answer only.
    "chi": [("m01-schema-01", RIGHT_SCHEMA, None)],
}


# student -> {module slug: what they typed in that module's practice diary}. A diary kept
# with something in it counts; chi keeps none.
DIARIES = {
    "ana": {"repairing": {"practised": "Owning my part before explaining.",
                          "hard": "Not mentioning the clock.",
                          "next": "Ask what it was like first."}},
    "ben": {"noticing": {"hard": "Telling a short answer from a withdrawal."}},
}


def work(course: Path, student: str, answers, monkeypatch) -> None:
    """``student`` answers in the real views, in a kernel of their own (a new Voilà visit)."""
    from repairlab.notebook import _load, _progress, build_view

    monkeypatch.setenv("REPAIRLAB_STUDENT", student)
    monkeypatch.chdir(course / "curriculum")
    _load.cache_clear()
    _progress.cache_clear()
    views = {}
    for item_id, response, rating in answers:
        view = views.setdefault(item_id, build_view(item_id))
        view.submit(response)
        if rating is not None:
            view.rating.choice.value = rating  # the difficulty check, as a click sets it
    keep_diaries(student)
    _progress.cache_clear()


def keep_diaries(student: str) -> None:
    """``student`` writes their DIARIES in each module's practice diary and saves it."""
    from repairlab.notebook import current_course, diary_view

    course = current_course()
    for slug, entry in DIARIES.get(student, {}).items():
        view = diary_view(course, next(m for m in course.modules if m.slug == slug))
        for key, text in entry.items():
            view.boxes[key].value = text  # as the box syncs on losing focus
        assert view.save()


def export(course: Path, student: str, path: Path) -> Path:
    """`repairlab export` of ``student``'s work to ``path``."""
    from repairlab.cli import main as repairlab

    path.parent.mkdir(parents=True, exist_ok=True)
    assert repairlab(["export", "--student", student, "-o", str(path),
                      "--course", str(course)]) == 0
    return path
