"""Answer cues: can a kind's keys be found by their length, position or family instead of by
thinking?

The statistic is checked on small hand-built lists of choice points; then the real course is
held to it (no kind's keys the longest option, the shortest, in one position as the student is
shown the options, or in the "Family:" most options share, more than 15 points above chance),
measured both by `check`'s own reading and on the views and the case engine themselves; then
`repairlab check` is seen warning, and still passing.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

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
from repairlab.kinds.base import shown_order
from repairlab.kinds.simulation import Playthrough
from repairlab.registry import KINDS

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
    assert "shown as option 1 in 12 of 12" in first.describe()


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
def course_bank():
    bank, problems = load_bank(REPO / "exercises")
    assert not problems
    return bank


@pytest.fixture(scope="module")
def course_points(course_bank):
    return course_choice_points(course_bank)


def test_every_choice_kind_of_the_course_is_measured(course_points):
    assert set(course_points) == {"spot-the-schema", "pick-repair-step", "classify-marker",
                                  "rupture-or-red-flag", "simulation", "find-the-moment"}
    assert len(course_points["rupture-or-red-flag"]) >= 20


def test_no_kind_of_the_course_gives_its_key_away(course_points):
    """In no kind is the key the longest option, the shortest, or in one shown position
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


# --- in the order the student is shown ------------------------------------------------------

def view_points(bank) -> dict[str, list[ChoicePoint]]:
    """Each choice item as its page shows it: the options of its view's radio group, top to
    bottom (the view built from code, as a page builds it)."""
    found: dict[str, list[ChoicePoint]] = {}
    for item in bank:
        if item.type == "simulation" or not hasattr(item, "answer_id"):
            continue
        view = KINDS[item.type].view_class()(item)
        shown = [option_id for _, option_id in view.options.options]
        text = {c.id: c.label.strip() for c in item.choices()}
        found.setdefault(item.type, []).append(ChoicePoint(
            item.id, tuple(len(text[i]) for i in shown),
            frozenset({shown.index(item.answer_id)}),
            option_families([text[i] for i in shown])))
    return found


def reply_for(route) -> dict:
    """A recorded reply's assessment that ``route`` accepts (an earlier route may take it)."""
    return {"defensive": bool(route.defensive), "markers": [], "evidence": [],
            "moves": sorted({*route.moves_include, *route.moves_any[:1]}),
            "asks_about_risk": "Are you safe?" if route.asks_about_risk else None}


def case_points(case) -> list[tuple[str, tuple[int, ...], frozenset[int]]]:
    """Each situation a student can meet in a case, as the engine offers it (the view's buttons
    are ``Playthrough.options``, top to bottom): found by playing every choice and every reply
    route from the start. As (node, lengths, best choices), where a best choice stands out."""
    seen, found = set(), set()

    def walk(path: list) -> None:
        run = Playthrough.replay(case, path)
        situation = (run.node.id, run.flags, tuple(sorted(run.state.items())))
        if run.ended or situation in seen:
            return
        seen.add(situation)
        if run.expects_reply:
            for route in run.node.reply.routes:
                walk([*path, {"node": run.node.id, "reply": "...", "assessment": reply_for(route)}])
            return
        offered = run.options
        best = max(c.weight for c in offered)
        if len(offered) > 1 and any(c.weight != best for c in offered):
            found.add((run.node.id, tuple(len(c.text.strip()) for c in offered),
                       frozenset(k for k, c in enumerate(offered) if c.weight == best)))
        for choice in offered:
            walk([*path, {"node": run.node.id, "choice": choice.id}])

    walk([])
    return sorted(found, key=repr)


def test_check_measures_the_order_the_student_is_shown(course_bank, course_points):
    """The figures `check` reports are about the page: every choice item's options in its
    view's order, and every case's buttons in every situation a student can reach."""
    assert view_points(course_bank) == {k: v for k, v in course_points.items()
                                        if k != "simulation"}
    cases = [i for i in course_bank if i.type == "simulation"]
    assert len(cases) >= 6
    played = sorted((case.id, *point) for case in cases for point in case_points(case))
    measured = sorted(((p.ref.split()[0], p.ref.split()[1], p.lengths, p.keys)
                       for p in course_points["simulation"]), key=repr)
    assert sorted(played, key=repr) == measured


def test_no_key_is_found_by_where_it_is_shown_or_its_length(course_bank):
    """Measured on what the student meets (the views' radio groups; the cases' buttons in every
    situation reachable by play): in no kind is the key in one shown position, or the longest
    option, more than 15 points more often than chance would have it."""
    seen = view_points(course_bank)
    seen["simulation"] = [ChoicePoint(f"{case.id} {node}", lengths, keys)
                          for case in course_bank if case.type == "simulation"
                          for node, lengths, keys in case_points(case)]
    assert set(seen) == {"spot-the-schema", "pick-repair-step", "classify-marker",
                         "rupture-or-red-flag", "simulation", "find-the-moment"}
    figures = [c for c in answer_cues(seen) if c.what in ("position", "longest")]
    assert {(c.kind, c.what) for c in figures if c.what == "position" and c.position == 3} >= {
        ("rupture-or-red-flag", "position"), ("simulation", "position")}
    far = [c.describe() for c in figures if c.excess > MARGIN]
    assert not far, "\n".join(far)


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
    assert "fix: write the other options as long" in out
    # Every key is written first, but the page shuffles the options: that is no cue.
    assert "is shown as option" not in out
    assert "no problems, 1 warning(s) above." in out
    # --quiet prints problems only.
    assert repairlab(["check", "--quiet", str(demo_course)]) == 0
    assert "warning" not in capsys.readouterr().out


PLACED_ITEM = """  - id: demo-placed-{n:02d}
    type: pick-repair-step
    difficulty: beginner
    title: Placed {n}
    exchange:
      - speaker: client
        says: You were late again.
    options:
{options}
    answer: own
    explanation: Own it first.
"""
# Four options of one length each, so that only where the key is shown can give it away.
PLACED_OPTIONS = {"own": "Say you were late, say sorry, then ask what it was like.",
                  "why": "Say the bus broke down, then say that it will not recur.",
                  "agenda": "Go on to the agenda; the lateness can be talked of then.",
                  "ask": "Ask what they think made you late, then move on to work."}


def placed_items(shown_at) -> str:
    """Eight items whose key ``own`` the page shows at position ``shown_at(n)`` (0-based): the
    options are written in whatever order the page's shuffle turns into that."""
    items = []
    for n in range(1, 9):
        item_id = f"demo-placed-{n:02d}"
        slots = shown_order(SimpleNamespace(id=item_id), range(4))  # authored index per place
        others = iter(o for o in PLACED_OPTIONS if o != "own")
        written = ["own" if k == slots[shown_at(n)] else next(others) for k in range(4)]
        options = "\n".join(f"      - id: {o}\n        text: {PLACED_OPTIONS[o]}\n"
                            f"        feedback: Why {o}." for o in written)
        items.append(PLACED_ITEM.format(n=n, options=options))
    return GAMED.format(items="\n".join(items))


def test_check_warns_when_keys_are_shown_in_one_position_and_not_when_spread(demo_course,
                                                                             capsys):
    """Keys the page always shows last give the answer away, wherever they were written; moving
    them in the file so the shuffle spreads them takes the warning away."""
    assert {len(t) for t in PLACED_OPTIONS.values()} == {56}
    placed = demo_course / "exercises" / "demo" / "placed.yaml"
    placed.write_text(placed_items(lambda n: 3), encoding="utf-8")
    assert repairlab(["check", str(demo_course)]) == 0
    out = capsys.readouterr().out
    # Eight of eight: the template's own item has three options, so no fourth place.
    assert ("warning: pick-repair-step: the key is shown as option 4 in 8 of 8 items (100%; by "
            "chance about 25%). Look at: demo-placed-01, demo-placed-02,") in out
    assert "fix: swap the key with another option in the file" in out
    assert "no problems, 1 warning(s) above." in out
    placed.write_text(placed_items(lambda n: n % 4), encoding="utf-8")
    assert repairlab(["check", str(demo_course)]) == 0
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
