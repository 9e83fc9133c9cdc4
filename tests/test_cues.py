"""Answer cues: can a kind's keys be found by their length, position or family instead of by
thinking?

The statistic is checked on small hand-built lists of choice points; then the real course is
held to it (no kind's keys the longest option, the shortest, in one authored position, or in
the "Family:" most options share, more than 15 points above chance); then `repairlab check`
is seen warning, and still passing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from repairlab.cli import main as repairlab
from repairlab.content.bank import load_bank
from repairlab.content.cues import (
    MARGIN,
    ChoicePoint,
    answer_cues,
    course_choice_points,
    cue_warnings,
    kind_cues,
    option_families,
    tail_probability,
)

REPO = Path(__file__).resolve().parents[1]


def point(ref: str, *lengths: int, key: int = 0, keys: tuple[int, ...] = (),
          families: str | None = None) -> ChoicePoint:
    """``families`` one letter per option, e.g. "WWWC": three withdrawal markers, one
    confrontation."""
    return ChoicePoint(ref, tuple(lengths), frozenset(keys or (key,)),
                       tuple(families) if families else None)


def figure(cues, what: str, position: int | None = None):
    return next(c for c in cues if c.what == what and c.position == position)


# --- the arithmetic --------------------------------------------------------------------------

def test_key_is_longest_and_its_chance():
    assert point("a", 90, 50, 60, 70, key=0).key_is_longest
    assert not point("a", 90, 50, 60, 70, key=1).key_is_longest
    assert point("a", 90, 50, 60, 70).chance_longest == pytest.approx(0.25)
    # A tie at the top counts as longest, and chance allows for it: 1 - C(2,1)/C(4,1).
    tied = point("a", 90, 90, 60, 70, key=1)
    assert tied.key_is_longest
    assert tied.chance_longest == pytest.approx(0.5)
    # Two best choices among three (a case node): 1 - C(2,2)/C(3,2).
    two = point("a", 40, 90, 60, keys=(0, 2))
    assert not two.key_is_longest
    assert two.chance_longest == pytest.approx(2 / 3)
    assert two.chance_at(0) == pytest.approx(2 / 3)
    assert two.chance_at(3) == 0.0


def test_keys_must_be_options():
    with pytest.raises(ValueError, match="not among 2 options"):
        ChoicePoint("a", (10, 20), frozenset({2}))


def test_tail_probability_is_the_poisson_binomial_tail():
    assert tail_probability([0.5, 0.5], 0) == 1.0
    assert tail_probability([0.5, 0.5], 1) == pytest.approx(0.75)
    assert tail_probability([0.5, 0.5], 2) == pytest.approx(0.25)
    assert tail_probability([0.25, 0.5], 2) == pytest.approx(0.125)
    assert tail_probability([0.25] * 4, 5) == 0.0
    # Binomial(21, 1/4): P(X >= 21) = 4^-21.
    assert tail_probability([0.25] * 21, 21) == pytest.approx(0.25 ** 21)


def test_a_kind_whose_key_is_always_longest_and_first_warns():
    points = [point(f"i{k}", 120, 60, 70, 80) for k in range(12)]
    cues = kind_cues("pick-repair-step", points)
    longest, first = figure(cues, "longest"), figure(cues, "position", 0)
    assert longest.share == 1.0
    assert longest.chance == pytest.approx(0.25)
    assert longest.p_value == pytest.approx(0.25 ** 12)
    assert longest.is_warning()
    assert first.is_warning()
    assert longest.hits == tuple(f"i{k}" for k in range(12))
    assert not figure(cues, "position", 1).is_warning()
    message = longest.describe()
    assert message.startswith("pick-repair-step: the key is the longest option in 12 of 12 "
                              "items (100%; by chance about 25%). Look at: i0, i1,")
    assert "written as option 1 in 12 of 12" in first.describe()


def test_a_kind_without_a_habit_does_not_warn():
    # Keys spread over the positions, and the longest only as often as chance would have it.
    points = [point(f"i{k}", *([80, 90, 70, 60] if k % 4 == 0 else [60, 90, 70, 80]),
                    key=k % 4) for k in range(16)]
    cues = kind_cues("classify-marker", points)
    assert figure(cues, "longest").share == pytest.approx(0.25)
    assert all(figure(cues, "position", j).share == pytest.approx(0.25) for j in range(4))
    assert cue_warnings({"classify-marker": points}) == []


def test_a_share_above_chance_by_too_little_or_on_too_few_items_does_not_warn():
    # 5 of 14 longest (36%) is above chance (25%) but within the margin.
    points = [point(f"i{k}", *([90, 60, 70, 80] if k < 5 else [60, 90, 70, 80]))
              for k in range(14)]
    assert not figure(kind_cues("k", points), "longest").is_warning()
    # Three items, all three with the longest key: far above chance, but too few to judge.
    few = [point(f"i{k}", 90, 60, 70, 80) for k in range(3)]
    assert figure(kind_cues("k", few), "longest").p_value < 0.05
    assert not figure(kind_cues("k", few), "longest").is_warning()


def test_positions_count_only_the_items_that_have_them():
    points = [point("four", 1, 2, 3, 4, key=3), point("five", 1, 2, 3, 4, 5, key=4)]
    cues = kind_cues("k", points)
    assert figure(cues, "position", 4).n == 1
    assert figure(cues, "position", 4).hits == ("five",)
    assert figure(cues, "position", 3).n == 2


def test_every_kind_gets_its_figures():
    cues = answer_cues({"b": [point("x", 1, 2)], "a": [point("y", 1, 2, 3)]})
    assert [(c.kind, c.what, c.position) for c in cues] == [
        ("a", "longest", None), ("a", "shortest", None), ("a", "position", 0),
        ("a", "position", 1), ("a", "position", 2),
        ("b", "longest", None), ("b", "shortest", None), ("b", "position", 0),
        ("b", "position", 1)]


def test_a_key_that_is_always_the_shortest_warns_too():
    """Over-correcting the longest-key habit is a habit of its own."""
    points = [point(f"i{k}", 60, 120, 90, 100, key=0) for k in range(8)]
    cues = kind_cues("k", points)
    shortest = figure(cues, "shortest")
    assert shortest.is_warning()
    assert not figure(cues, "longest").is_warning()
    assert shortest.describe().startswith("k: the key is the shortest option in 8 of 8 items")
    assert "as much as the other options" in shortest.fix()
    tied = point("t", 60, 60, 90, key=1)
    assert tied.key_is_shortest
    assert tied.chance_shortest == pytest.approx(2 / 3)


# --- the family most options share ------------------------------------------------------------

def test_option_families_are_the_words_before_the_colon():
    assert option_families(["Withdrawal: minimal response", "Withdrawal: denial",
                            "Confrontation: rejecting an intervention",
                            "No rupture marker: she is answering the questions"]) == (
        "withdrawal", "withdrawal", "confrontation", "no rupture marker")
    # One option without a family, or a sentence before the colon: not a family item.
    assert option_families(["Withdrawal: denial", "Rejecting an intervention"]) is None
    assert option_families(["Say what you noticed in the last session: the silence",
                            "Withdrawal: denial"]) is None


def test_key_in_the_majority_family_and_its_chance():
    three_one = point("a", 30, 40, 50, 60, key=1, families="WWWC")
    assert three_one.key_in_majority_family
    assert three_one.chance_majority_family == pytest.approx(0.75)
    lone = point("a", 30, 40, 50, 60, key=3, families="WWWC")
    assert not lone.key_in_majority_family
    # "Withdrawal" twice, one confrontation, one "no rupture marker": the key alone in its family.
    assert not point("a", 30, 40, 50, 60, key=2, families="WWCN").key_in_majority_family
    assert point("a", 30, 40, 50, 60, key=2, families="WWCN").chance_majority_family == 0.5
    # An even split, or every option in one family (an item that tests subtypes), cannot cue.
    assert not point("a", 30, 40, 50, 60, families="WWCC").family_can_cue
    assert not point("a", 30, 40, 50, 60, families="WWWW").family_can_cue
    assert not point("a", 30, 40, 50, 60).family_can_cue
    assert three_one.family_can_cue


def test_a_kind_whose_key_is_in_the_majority_family_warns():
    """Three options of the key's family and one of the other: picking "the family most
    options share" and guessing within it beats chance without reading the exchange."""
    points = [point(f"i{k}", 50, 40, 30, 60, key=(0, 1, 3)[k % 3], families="CCWC")
              for k in range(12)]
    # Items that test subtypes (one family) and even splits are not counted either way.
    points += [point("subtypes", 50, 40, 30, 60, families="CCCC"),
               point("even", 50, 40, 30, 60, families="CCWW")]
    cues = kind_cues("classify-marker", points)
    family = figure(cues, "family")
    assert (family.n, len(family.hits)) == (12, 12)
    assert family.chance == pytest.approx(0.75)
    assert family.p_value == pytest.approx(0.75 ** 12)
    assert family.is_warning()
    assert [c.what for c in cue_warnings({"classify-marker": points})] == ["family"]
    assert family.describe().startswith(
        'classify-marker: the key belongs to the family most options share (the words before '
        '":") in 12 of 12 items (100%; by chance about 75%). Look at: i0, i1,')
    assert "2+2 split" in family.fix()
    assert "only option of its family" in family.fix()


def test_keys_spread_over_the_families_do_not_warn():
    # Half the items with the key alone in its family, half with the key among three.
    points = [point(f"i{k}", 50, 40, 30, 60, key=k % 2 * 2, families="CCWC") for k in range(12)]
    family = figure(kind_cues("classify-marker", points), "family")
    assert family.share == pytest.approx(0.5)
    assert not family.is_warning()


def test_a_kind_without_families_gets_no_family_figure():
    assert all(c.what != "family" for c in kind_cues("k", [point("a", 1, 2, 3)]))


# --- the real course -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def course_points():
    bank, problems = load_bank(REPO / "exercises")
    assert not problems
    return course_choice_points(bank)


def test_every_choice_kind_of_the_course_is_measured(course_points):
    assert set(course_points) == {"spot-the-schema", "pick-repair-step", "classify-marker",
                                  "rupture-or-red-flag", "simulation", "find-the-moment"}
    assert len(course_points["rupture-or-red-flag"]) >= 20


def test_no_kind_of_the_course_gives_its_key_away(course_points):
    """In no kind is the key the longest option, the shortest, or in one authored position
    more than 15 points more often than chance would have it."""
    figures = answer_cues(course_points)
    assert {c.what for c in figures} == {"longest", "shortest", "position", "family"}
    far = [c.describe() for c in figures if c.excess > MARGIN]
    assert not far, "\n".join(far)


def test_a_classify_marker_key_is_not_found_by_its_family(course_points):
    """The shipped markers: the key's family is the one most options share about as often as
    chance would have it, and in some items the key is the only option of its family."""
    family = figure(answer_cues({"classify-marker": course_points["classify-marker"]}), "family")
    assert family.n >= 8
    assert family.excess <= 0.10, family.describe()
    lone = [p for p in course_points["classify-marker"]
            if p.families and p.families.count(p.families[min(p.keys)]) == 1]
    assert len(lone) >= 3


def test_the_key_is_sometimes_the_shortest_option(course_points):
    for kind in ("pick-repair-step", "rupture-or-red-flag"):
        shortest = [p for p in course_points[kind] if p.key_is_shortest]
        assert len(shortest) >= 0.15 * len(course_points[kind]), kind


# --- `repairlab check` ---------------------------------------------------------------------

GAMED = """items:
{items}"""
GAMED_ITEM = """  - id: demo-gamed-{n:02d}
    type: pick-repair-step
    difficulty: beginner
    title: Gamed {n}
    exchange:
      - speaker: client
        says: You were late again.
    options:
      - id: best
        text: Say you were late, that you are sorry, and ask what the wait was like for them.
        feedback: Yes.
      - id: explain
        text: Explain the traffic.
        feedback: No.
      - id: move-on
        text: Move on to the agenda.
        feedback: No.
    answer: best
    explanation: Own it first.
"""


def test_check_warns_about_a_gamed_kind_and_still_passes(demo_course, capsys):
    assert repairlab(["check", str(demo_course)]) == 0
    assert "warning" not in capsys.readouterr().out  # the worked template gives nothing away
    (demo_course / "exercises" / "demo" / "gamed.yaml").write_text(
        GAMED.format(items="\n".join(GAMED_ITEM.format(n=n) for n in range(1, 9))),
        encoding="utf-8")
    assert repairlab(["check", str(demo_course)]) == 0
    out = capsys.readouterr().out
    # Eight gamed items and the template's own item (whose key is not the longest).
    assert ("warning: pick-repair-step: the key is the longest option in 8 of 9 items (89%; "
            "by chance about 35%). Look at: demo-gamed-01, demo-gamed-02,") in out
    assert "warning: pick-repair-step: the key is written as option 1 in 9 of 9 items" in out
    assert "fix: write the other options as long" in out
    assert "no problems, 2 warning(s) above." in out
    # --quiet prints problems only.
    assert repairlab(["check", "--quiet", str(demo_course)]) == 0
    assert "warning" not in capsys.readouterr().out


MARKER_ITEM = """  - id: demo-marker-{n:02d}
    type: classify-marker
    difficulty: beginner
    title: Majority {n}
    rupture_type: confrontation
    exchange:
      - speaker: client
        says: You keep looking at the clock.
    options:
      - id: c-therapist
        text: "Confrontation: complaints/concerns about the therapist"
        feedback: Yes.
      - id: c-reject
        text: "Confrontation: rejecting an intervention"
        feedback: No.
      - id: w-minimal
        text: "Withdrawal: minimal response"
        feedback: No.
      - id: c-progress
        text: "Confrontation: complaints/concerns about progress in therapy"
        feedback: No.
    answer: {answer}
    explanation: A complaint about the therapist.
"""


def test_check_warns_when_a_markers_key_is_in_the_family_most_options_share(demo_course, capsys):
    """Twelve items whose key is always one of the three confrontation options (in varied
    positions, not the longest): only the family figure gives the key away."""
    assert repairlab(["check", str(demo_course)]) == 0
    assert "warning" not in capsys.readouterr().out
    answers = ("c-therapist", "c-reject", "c-progress")
    (demo_course / "exercises" / "demo" / "majority.yaml").write_text(
        GAMED.format(items="\n".join(MARKER_ITEM.format(n=n, answer=answers[n % 3])
                                     for n in range(1, 13))), encoding="utf-8")
    assert repairlab(["check", str(demo_course)]) == 0
    out = capsys.readouterr().out
    assert ('warning: classify-marker: the key belongs to the family most options share (the '
            'words before ":") in 12 of 12 items (100%; by chance about 75%). Look at: '
            'demo-marker-01, demo-marker-02,') in out
    assert "fix: in some of these items replace a distractor of the key's family" in out
    assert "no problems, 1 warning(s) above." in out


def test_check_of_the_shipped_course_has_no_family_warning(capsys):
    assert repairlab(["check", str(REPO)]) == 0
    assert "the family most options share" not in capsys.readouterr().out
