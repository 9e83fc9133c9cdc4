"""Case simulations: the engine, the graph check, the real cases, the debrief and the view.

Everything here runs without a kernel or a browser. Free-text turns use a stand-in assessor
(so routing is tested exactly), except in the tests marked as using the real one.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from repairlab.content.bank import load_bank
from repairlab.kinds.base import shown_order
from repairlab.kinds.simulation import (
    CODES,
    ENDINGS,
    GOOD_ENDINGS,
    UNFOLDING,
    Playthrough,
    ReplayError,
    SimulationError,
    score,
    summarise_assessment,
)
from repairlab.kinds.simulation.graph import explore
from repairlab.kinds.simulation.item import Route, Simulation
from repairlab.registry import KINDS
from repairlab.schemas import validate

REPO = Path(__file__).resolve().parents[1]
CASE_FILES = [REPO / "exercises" / folder / "simulations.yaml"
              for folder in ("the-repair-sequence", "the-clients-side", "when-repair-is-not-enough")]
BROKEN = REPO / "tests" / "data" / "simulations"


# --- helpers ---------------------------------------------------------------------------------

def fake_result(defensive=False, moves=(), markers=(), asks_about_risk=False):
    """A stand-in for repairlab.feedback's ReplyAssessment: the attributes the engine reads."""
    span = SimpleNamespace(start=0, end=4, text="word")
    return SimpleNamespace(
        defensive=defensive, moves=frozenset(moves),
        markers=tuple(SimpleNamespace(kind=k, span=span, reason=f"{k} found") for k in markers),
        evidence=tuple(SimpleNamespace(move=m, span=span, reason=f"{m} found") for m in moves),
        asks_about_risk=SimpleNamespace(text="Are you safe?") if asks_about_risk else None)


class ScriptedAssessor:
    """Returns the given results in order, and remembers what it was asked."""

    def __init__(self, *results):
        self.results = list(results)
        self.calls: list[tuple[str, str | None]] = []

    def __call__(self, text, context=None):
        self.calls.append((text, context))
        return self.results.pop(0)


def result_for(route: Route):
    """An assessment that the given route (and no route before it) would take."""
    if route.otherwise:
        return fake_result()
    moves = list(route.moves_include) + list(route.moves_any[:1])
    return fake_result(defensive=bool(route.defensive), moves=moves,
                       markers=["justifying"] if route.defensive else (),
                       asks_about_risk=bool(route.asks_about_risk))


@pytest.fixture(scope="module")
def cases() -> dict[str, Simulation]:
    bank, problems = load_bank(REPO / "exercises")
    mine = [p for p in problems if p.path in CASE_FILES]
    assert not mine, "\n".join(p.format(REPO) for p in mine)
    return {i.id: i for i in bank if isinstance(i, Simulation)}


def play(item: Simulation, *turns, assessor=None) -> Playthrough:
    """Play a script: a choice id, or ("say", text) for a free-text turn."""
    run = Playthrough.start(item, assessor=assessor)
    for turn in turns:
        if isinstance(turn, tuple):
            run.reply(turn[1])
        else:
            run.choose(turn)
    return run


def path_to_ending(item: Simulation, node_id: str) -> Playthrough:
    """Find a shortest path to an ending node with the graph explorer, then play it for real."""
    exploration = explore(item)
    target = next(c for c in exploration.successors if c[0] == node_id)
    actions, results = [], []
    for config, loc in exploration.path_to(target):
        node = item.node(config[0])
        if loc[2] == "choices":
            actions.append(node.choices[loc[3]].id)
        else:
            route = node.reply.routes[loc[4]]
            actions.append(("say", f"a reply for route {loc[4] + 1}"))
            results.append(result_for(route))
    run = play(item, *actions, assessor=ScriptedAssessor(*results))
    assert run.ended, (item.id, node_id, run.visited)
    assert run.node.id == node_id, (item.id, node_id, run.visited)
    return run


def mini(**changes) -> Simulation:
    """A small valid case, built in code: open -> (own | label) -> ... -> endings."""
    data = {
        "id": "t-case-01", "type": "simulation", "difficulty": "beginner", "title": "Mini",
        "rupture_type": "confrontation", "context": "A clinic.", "client_name": "Ana",
        "background": "Ana is a test client.", "reflection": "What did you notice?",
        "state": {"bond": {"start": 3, "max": 6}, "tasks": {"start": 5, "max": 6}},
        "flags": {"labelled": "You called her touchy."},
        "start": "open",
        "nodes": [
            {"id": "open", "client": "You were late again.", "choices": [
                {"id": "own", "text": "I was late, and I'm sorry.", "feedback": "Owning it.",
                 "code": "own-contribution", "effects": {"bond": 2, "tasks": 3}, "next": "talk"},
                {"id": "label", "text": "You're being touchy.", "feedback": "A label.",
                 "code": "blame-labelling", "effects": {"bond": -2}, "sets": ["labelled"],
                 "next": "talk"}]},
            {"id": "talk", "client": "I waited twenty minutes.",
             "variants": [{"requires": ["labelled"], "client": "Touchy? I waited twenty minutes."}],
             "coach": "Stay with the waiting.",
             "reply": {"routes": [
                 {"defensive": True, "feedback": "Defended.", "effects": {"bond": -1},
                  "next": "gone"},
                 {"moves_any": ["validation", "apology"], "feedback": "Heard.",
                  "effects": {"bond": 1}, "next": "choose"},
                 {"otherwise": True, "feedback": "Neutral.", "next": "choose"}]}},
            {"id": "choose", "client": "So?", "choices": [
                {"id": "take-back", "requires": ["labelled"], "text": "Touchy was unfair.",
                 "feedback": "Taking it back.", "code": "own-contribution",
                 "effects": {"bond": 2}, "next": "fine"},
                {"id": "ask", "unless": ["labelled"], "text": "What was it like?",
                 "feedback": "Curious.", "code": "invite-feelings", "effects": {"bond": 1},
                 "next": "fine"},
                {"id": "move-on", "text": "Anyway.", "feedback": "Moving on.",
                 "code": "topic-change", "effects": {"bond": -1}, "next": "gone"}]},
            {"id": "fine", "client": "OK.", "ending": "repaired", "lesson": "Repaired."},
            {"id": "gone", "client": "Bye.", "ending": "ends-therapy", "lesson": "Gone.",
             "epilogue": "A termination session follows."},
        ],
    }
    data.update(changes)
    return validate(data)


# --- the real cases --------------------------------------------------------------------------

def test_six_cases_three_of_each_rupture_type(cases):
    assert sorted(cases) == ["m05-case-01", "m05-case-02", "m06-case-01", "m06-case-02",
                             "m07-case-01", "m07-case-02"]
    kinds = [c.rupture_type for c in cases.values()]
    assert kinds.count("confrontation") == 3
    assert kinds.count("withdrawal") == 3


@pytest.mark.parametrize("case_id", ["m05-case-01", "m05-case-02", "m06-case-01",
                                     "m06-case-02", "m07-case-01", "m07-case-02"])
def test_case_shape(cases, case_id):
    """Does each case have 8 to 20 nodes, two or more endings, a free-text turn and memory?"""
    case = cases[case_id]
    assert 8 <= len(case.nodes) <= 20
    endings = [n for n in case.nodes if n.ending]
    assert len(endings) >= 2
    assert any(n.reply for n in case.nodes), "each case has at least one free-text turn"
    remembers = any(n.variants for n in case.nodes) or any(
        c.requires or c.unless for n in case.nodes for c in n.choices)
    assert case.flags
    assert remembers, "a flag set earlier changes a later line or option"


def test_every_ending_kind_is_used_across_the_cases(cases):
    used = {n.ending for c in cases.values() for n in c.nodes if n.ending}
    assert used == set(ENDINGS)


@pytest.mark.parametrize("case_id", ["m05-case-01", "m05-case-02", "m06-case-01",
                                     "m06-case-02", "m07-case-01", "m07-case-02"])
def test_every_ending_is_reached_by_playing(cases, case_id):
    """Can a trainee actually play to every ending of the case (not only reach it on paper)?"""
    case = cases[case_id]
    reached = set()
    for node in case.nodes:
        if node.ending:
            run = path_to_ending(case, node.id)
            reached.add(run.ending)
            feedback = score(case, run.path)
            assert feedback.status != "empty"
            assert feedback.extra.debrief["ending_node"] == node.id
    assert len(reached) >= 2


@pytest.mark.parametrize("case_id", ["m05-case-01", "m05-case-02", "m06-case-01",
                                     "m06-case-02", "m07-case-01", "m07-case-02"])
def test_repaired_means_stronger_than_before(cases, case_id):
    """On every way into a `repaired` ending, is the alliance stronger than at the start?"""
    case = cases[case_id]
    start = case.start_state()
    exploration = explore(case)
    repaired = [c for c in exploration.successors if case.node(c[0]).ending == "repaired"]
    assert repaired
    for config in repaired:
        end = dict(zip(case.state, config[2], strict=True))
        assert sum(end.values()) > sum(start.values()), config
        assert end["bond"] > start["bond"], config


@pytest.mark.parametrize("case_id", ["m05-case-01", "m05-case-02", "m06-case-01",
                                     "m06-case-02"])
def test_repair_unfolds_as_the_research_describes(cases, case_id):
    """Confrontation: anger, then hurt, then vulnerability; withdrawal: minimal answers, then
    discontent, then self-assertion (Safran & Muran 2000), on a way to the repaired ending."""
    case = cases[case_id]
    exploration = explore(case)
    target = next(c for c in exploration.successors if case.node(c[0]).ending == "repaired")
    phases = [case.node(config[0]).phase for config, _ in exploration.path_to(target)]
    expected = iter(UNFOLDING[case.rupture_type])
    want = next(expected)
    for phase in phases:
        if phase == want:
            want = next(expected, None)
    assert want is None, (case_id, phases)


def test_m05_case_01_good_path_with_the_real_words(cases):
    case = cases["m05-case-01"]
    assessor = ScriptedAssessor(fake_result(moves=["validation", "exploration"]))
    run = play(case, "invite", "own-now", ("say", "Of course it hurts. Tell me more?"),
               "link-pattern", assessor=assessor)
    assert run.ending == "repaired"
    assert run.visited == ["open", "clock", "hurt", "vulnerable", "repaired"]
    assert assessor.calls[0][1].startswith("It's stupid.")  # the client's line is the context


def test_m05_case_01_defensive_path_ends_therapy(cases):
    run = play(cases["m05-case-01"], "explain-homework", "double-down", "slot")
    assert run.ending == "ends-therapy"
    assert run.transcript[-1].speaker == "narrator"  # the termination-session epilogue
    assert "one last session" in run.transcript[-1].text


def test_m05_case_02_withdrawal_to_self_assertion(cases):
    run = play(cases["m05-case-02"], "name-it", "hard-to-say", "explained-badly", "door-open")
    assert run.ending == "repaired"
    assert run.node.id == "repaired"
    assert run.phases == ["minimal", "discontent", "self-assertion", "collaborating"]
    moved = [n.text for n in run.debrief().to_feedback().notes if n.text.startswith("How ")]
    assert moved == ["How Teodor moved: withdrawn, giving short, careful answers → beginning to "
                     "say what is wrong → saying clearly what they want → working with you "
                     "again."]
    assert [cases["m05-case-02"].node(n).phase for n in run.visited] == [
        "minimal", "minimal", "discontent", "self-assertion", "collaborating"]
    gone = play(cases["m05-case-02"], "group-website", "pause", "research", "same-time")
    assert gone.ending == "withdraws-further"


def test_m05_case_02_gently_keeping_the_option_open_is_the_better_path(cases):
    """Module 5's third step: adapt, but say so openly when a wish may block growth."""
    case = cases["m05-case-02"]
    before = ("name-it", "hard-to-say", "explained-badly")
    door_open = play(case, *before, "door-open")
    closed = play(case, *before, "your-pace")
    pushed = play(case, *before, "try-once")
    assert door_open.node.id == "repaired"
    assert closed.ending == "repaired"  # the rupture is repaired either way ...
    assert closed.node.id == "settled"  # ... but the lesson says what closing it cost
    assert "may block growth" in closed.node.lesson
    assert sum(door_open.state.values()) > sum(closed.state.values())
    assert door_open.steps[-1].weight > closed.steps[-1].weight > 0 > pushed.steps[-1].weight
    assert pushed.node.id == "polite"  # pressing straight after his no is not keeping it open
    best = max(case.node("assert").choices, key=lambda c: c.weight)
    assert best.id == "door-open"


def test_m06_cases_two_endings_each(cases):
    lior = cases["m06-case-01"]
    assert play(lior, "raise-it", "of-course", "added-to-it", "deal").ending == "repaired"
    assert play(lior, "schedule", "laugh-along", "just-schedule").ending == "withdraws-further"
    mariam = cases["m06-case-02"]
    assert play(mariam, "in-the-agreement", "been-flexible", "last-session").ending == \
        "ends-therapy"
    # A neutral reply at the hurt goes back to the fee; fixing the money without the meaning
    # ends in withdrawal.
    run = play(mariam, "should-not-have", ("say", "x"), "cancel-and-change", "dont-worry",
               assessor=ScriptedAssessor(fake_result()))
    assert run.visited == ["open", "softer", "fee", "tender", "withdrawn"]
    assert run.ending == "withdraws-further"


def test_m07_case_01_conflict_of_interest_is_repaired_and_consulted_not_a_red_flag(cases):
    grace = cases["m07-case-01"]
    assert "red-flag" not in grace.tags
    run = play(grace, "never-spoken", ("say", "x"), "supervisor",
               assessor=ScriptedAssessor(fake_result(moves=["validation"])))
    assert run.ending == "repaired"
    assert [s.code for s in run.steps][-1] == "consult"
    assert "not a red flag" in run.node.lesson
    # Her own boundary crossing, owned and taken to supervision, is the red flag.
    crossed = play(grace, "never-spoken", ("say", "x"), "his-side", "step-back",
                   assessor=ScriptedAssessor(fake_result(moves=["validation"])))
    assert crossed.ending == "red-flag"
    assert crossed.node.id == "stepped-back"


def test_m07_case_01_a_client_called_overreacting_does_not_come_back(cases):
    grace = cases["m07-case-01"]
    run = play(grace, "small-town", "professional", "overreaction")
    assert run.ending == "ends-therapy"
    assert run.node.id == "gone"
    told = " ".join(line.text for line in run.transcript[-2:])
    assert "does not reply" in told
    assert not re.search(r"glad|final session, and she accepts|came back", told)
    # Leaving without the label can still end with a final session.
    ended = play(grace, "small-town", "professional", "call-tomorrow")
    assert ended.node.id == "ended"
    assert "final session" in ended.transcript[-1].text


def test_m07_case_02_good_risk_practice_is_repaired_not_a_red_flag(cases):
    ruth = cases["m07-case-02"]
    assert "red-flag" not in ruth.tags
    asked = ScriptedAssessor(fake_result(asks_about_risk=True), fake_result(asks_about_risk=True))
    run = play(ruth, "my-impatience", "trying-so-hard", ("say", "x"), "how-far", ("say", "y"),
               "ask-past", "what-keeps", "step-up", "write-it", assessor=asked)
    assert run.ending == "repaired"
    assert run.node.id == "safe-plan"
    assert [s.code for s in run.steps][2:] == ["safety"] * 5 + ["consult", "safety"]
    assert play(ruth, "three-days", "carry-on-diary").ending == "withdraws-further"


def test_real_assessor_routes_the_real_cases(cases):
    """With the real reply assessor, does a defensive reply and a repairing one go different ways?"""
    pytest.importorskip("repairlab.feedback")
    case = cases["m05-case-01"]
    warm = play(case, "own-it", ("say", "That makes sense, and it isn't stupid. I'm sorry I "
                                        "moved on. Would you tell me more about it?"))
    assert warm.node.id == "vulnerable"
    assert warm.steps[-1].code in {"own-contribution", "invite-feelings", "validate-defence"}
    cold = play(case, "own-it", ("say", "I think you're being a bit too sensitive about this."))
    assert cold.node.id == "cold"
    assert cold.steps[-1].code == "blame-labelling"
    assert cold.steps[-1].family == "defensive"
    lior = cases["m06-case-01"]
    owned = play(lior, "flat-today", ("say", "You're right, I got Noa's name wrong, and I'm "
                                             "sorry."))
    assert owned.node.id == "surprised"
    assert "named" in owned.flags


# --- the order the choices are shown in -----------------------------------------------------

def first_choice_endings(case: Simulation) -> set[str]:
    """Where a trainee ends up who always takes the first choice shown, whatever they write at a
    free-text turn (every route is followed); "loop" if the first choices go round for ever."""
    found: set[str] = set()

    def walk(path: list, seen: frozenset) -> None:
        run = Playthrough.replay(case, path)
        if run.ended:
            found.add(run.ending)
            return
        situation = (run.node.id, run.flags, tuple(sorted(run.state.items())))
        if situation in seen:
            found.add("loop")
            return
        seen = seen | {situation}
        if run.expects_reply:
            for route in run.node.reply.routes:
                result = summarise_assessment(result_for(route))
                walk([*path, {"node": run.node.id, "reply": "…", "assessment": result}], seen)
        else:
            walk([*path, {"node": run.node.id, "choice": run.options[0].id}], seen)

    walk([], frozenset())
    return found


def test_always_taking_the_first_choice_shown_never_reaches_the_best_ending(cases, demo_course):
    """Clicking the first button at every turn must not be a way to play a case well: in every
    case of the course (all of them, read from the exercises, so a case an author adds is held
    to it too) and in the worked case a new module starts from."""
    template, problems = load_bank(demo_course / "exercises")
    assert not problems
    every = {**cases, **{i.id: i for i in template if isinstance(i, Simulation)}}
    assert len(every) >= len(cases) + 1 >= 7
    reaching = {}
    for case_id, case in sorted(every.items()):
        best = {n.ending for n in case.nodes if n.ending in GOOD_ENDINGS}
        assert best, f"{case_id}: every case has a good ending (repaired, or the red flag acted on)"
        reached = first_choice_endings(case)
        assert reached, case_id
        if reached & best:
            reaching[case_id] = sorted(reached)
    assert not reaching, f"always-first reaches a best ending in: {reaching}"


def test_choices_are_shown_shuffled_stably_per_case_and_node(cases):
    """The practice views' stable shuffle, keyed by case and node: the same order on every run."""
    differs = 0
    for case in cases.values():
        for node in case.nodes:
            if not node.choices:
                continue
            shown = shown_order(case, node.choices, node.id)
            differs += shown != list(node.choices)
        run, again = Playthrough.start(case), Playthrough.start(case)
        assert [c.id for c in run.options] == [c.id for c in again.options]
        node = run.node
        assert [c.id for c in run.options] == [
            c.id for c in shown_order(case, node.choices, node.id)
            if c.holds(run.flags, run.state)]
    assert differs >= 10, "most nodes are shown in an order other than the authored one"


def test_a_choice_hidden_by_a_flag_leaves_the_others_in_their_shown_order(cases):
    case = cases["m05-case-01"]
    labelled = play(case, "resistance")
    plain = play(case, "explain-homework")
    assert labelled.node.id == plain.node.id == "sharper"
    full = [c.id for c in shown_order(case, case.node("sharper").choices, "sharper")]
    assert [c.id for c in labelled.options] == [i for i in full if i != "validate-pushback"]
    assert [c.id for c in plain.options] == [i for i in full if i != "take-back-label"]


def test_the_shown_order_does_not_depend_on_the_process(cases):
    """Another interpreter, with another hash seed, shows every node in the same order."""
    script = (
        "import json; from pathlib import Path; from repairlab.content.bank import load_bank\n"
        "from repairlab.kinds.base import shown_order\n"
        f"bank, _ = load_bank(Path({str(REPO / 'exercises')!r}))\n"
        "print(json.dumps({f'{c.id} {n.id}': [x.id for x in shown_order(c, n.choices, n.id)]"
        " for c in bank if c.type == 'simulation' for n in c.nodes if n.choices}))\n")
    env = {**os.environ, "PYTHONHASHSEED": "4242",
           "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True,
                         capture_output=True, text=True).stdout
    here = {f"{c.id} {n.id}": [x.id for x in shown_order(c, n.choices, n.id)]
            for c in cases.values() for n in c.nodes if n.choices}
    assert json.loads(out) == here


def test_the_practice_views_shuffle_the_same_way():
    """One mechanism: a choice item's options keyed by the item id alone (orders students have
    seen so far stay as they were), a case's choices by case and node; a transcript's turns are
    never shuffled."""
    import random

    values = list(range(8))
    legacy = list(values)
    random.Random("m05-step-01").shuffle(legacy)
    assert shown_order(SimpleNamespace(id="m05-step-01"), values) == legacy
    assert shown_order(SimpleNamespace(id="m05-case-01"), values, "open") == shown_order(
        SimpleNamespace(id="m05-case-01/open"), values)
    assert shown_order(SimpleNamespace(id="a"), values) != shown_order(SimpleNamespace(id="b"),
                                                                        values)
    turns = SimpleNamespace(id="m01-moment-01", keeps_authored_order=True)
    assert shown_order(turns, values) == values


# --- the client remembers ------------------------------------------------------------------

def test_a_label_changes_later_lines_and_options(cases):
    case = cases["m05-case-01"]
    labelled = play(case, "resistance")
    assert labelled.line.startswith("Resistance. Right.")
    offered = {c.id for c in labelled.options}
    assert "take-back-label" in offered
    assert "validate-pushback" not in offered

    not_labelled = play(case, "explain-homework")
    assert not_labelled.line.startswith("See, this is what I mean.")
    offered = {c.id for c in not_labelled.options}
    assert "validate-pushback" in offered
    assert "take-back-label" not in offered

    # ...and the label is still remembered two turns later, after it was taken back.
    later = play(case, "resistance", "take-back-label")
    assert "resistance" in later.line
    assert "taking it back" in later.line
    assert later.flags == {"labelled", "owned"}


def test_choosing_an_option_that_is_not_offered_is_refused(cases):
    run = play(cases["m05-case-01"], "explain-homework")
    with pytest.raises(SimulationError, match="offers no choice 'take-back-label'"):
        run.choose("take-back-label")


# --- the meter -------------------------------------------------------------------------------

def test_meter_moves_with_each_turn_and_stays_in_range():
    run = Playthrough.start(mini())
    assert run.state == {"bond": 3, "tasks": 5}
    step = run.choose("own")
    assert run.state == {"bond": 5, "tasks": 6}  # tasks +3 is capped at its max, 6
    assert step.effects == {"bond": 2, "tasks": 3}
    assert step.change == {"bond": 2, "tasks": 1}


def test_meter_can_be_hidden_but_the_debrief_still_shows_it(cases):
    case = cases["m06-case-02"]
    assert case.show_meter is False
    run = play(case, "in-the-agreement", "been-flexible", "final-invoice")
    feedback = run.debrief().to_feedback()
    assert any(n.text.startswith("The alliance: Bond 5 →") for n in feedback.notes)


# --- free-text routing ---------------------------------------------------------------------

@pytest.mark.parametrize(("result", "expected_next", "expected_code"), [
    (fake_result(defensive=True, markers=["blame-labelling"]), "gone", "blame-labelling"),
    (fake_result(moves=["validation"]), "choose", "validate-defence"),
    (fake_result(moves=["apology", "exploration"]), "choose", "own-contribution"),
    (fake_result(moves=["autonomy"]), "choose", None),  # no route asks for autonomy alone
    (fake_result(), "choose", None),
], ids=["defensive", "validation", "apology", "autonomy-only", "nothing"])
def test_free_text_is_routed_by_the_assessment(result, expected_next, expected_code):
    run = play(mini(), "own", ("say", "some reply"), assessor=ScriptedAssessor(result))
    assert run.node.id == expected_next
    step = run.steps[-1]
    assert step.kind == "reply"
    assert step.said == "some reply"
    assert step.code == expected_code


def test_the_first_matching_route_wins():
    # A defensive reply that also apologises ("I'm sorry, but...") goes the defensive way.
    result = fake_result(defensive=True, moves=["apology"], markers=["undone-apology"])
    run = play(mini(), "own", ("say", "sorry, but"), assessor=ScriptedAssessor(result))
    assert run.node.id == "gone"
    assert run.steps[-1].route == 0


def test_a_reply_is_recorded_with_its_assessment_and_replays_without_the_assessor():
    run = play(mini(), "label", ("say", "It made sense to be annoyed."), "take-back",
               assessor=ScriptedAssessor(fake_result(moves=["validation"])))
    path = run.path
    assert path[1]["reply"] == "It made sense to be annoyed."
    assert path[1]["assessment"]["moves"] == ["validation"]
    json.dumps(path)  # the progress store keeps it as JSON

    def no_assessor(*args, **kwargs):
        raise AssertionError("a replay must not call the assessor")

    again = Playthrough.replay(mini(), path, assessor=no_assessor)
    assert again.visited == run.visited
    assert again.state == run.state


def test_empty_reply_and_wrong_kind_of_turn_are_refused():
    run = play(mini(), "own")
    with pytest.raises(SimulationError, match="empty reply"):
        run.reply("   ")
    with pytest.raises(SimulationError):
        run.choose("ask")  # this node wants a reply
    fresh = Playthrough.start(mini())
    with pytest.raises(SimulationError, match="asks for a choice"):
        fresh.reply("hello")


# --- the debrief and the scorer -------------------------------------------------------------

def test_debrief_codes_every_turn_and_names_the_turning_point():
    run = play(mini(), "label", ("say", "You are too sensitive."),
               assessor=ScriptedAssessor(fake_result(defensive=True,
                                                     markers=["blame-labelling"])))
    assert run.ending == "ends-therapy"
    debrief = run.debrief()
    assert debrief.path == ["open", "talk", "gone"]
    assert [s.code for s in debrief.steps] == ["blame-labelling", "blame-labelling"]
    assert debrief.steps[0].code_text() == "Defensive marker: blaming or labelling the client"
    # The label cost most (-2): the turning point, with the better choice offered there.
    assert debrief.turning_point.step == 1
    assert "I was late, and I'm sorry." in debrief.turning_point.would_help
    assert debrief.remembered == ["You called her touchy."]
    assert debrief.reflection == "What did you notice?"


def test_debrief_on_a_good_ending_also_names_the_costly_turn():
    run = play(mini(), "label", ("say", "x"), "take-back",
               assessor=ScriptedAssessor(fake_result(moves=["validation"])))
    debrief = run.debrief()
    assert debrief.ending == "repaired"
    assert debrief.turning_point.step == 3
    assert debrief.turning_point.would_help is None
    assert debrief.also.step == 1


def test_free_text_turning_point_uses_the_nodes_coach():
    run = play(mini(), "own", ("say", "x"),
               assessor=ScriptedAssessor(fake_result(defensive=True, markers=["justifying"])))
    assert run.debrief().turning_point.would_help == "Stay with the waiting."


def test_score_replays_the_path_into_feedback_with_the_debrief():
    run = play(mini(), "own", ("say", "x"), "ask",
               assessor=ScriptedAssessor(fake_result(moves=["validation"])))
    feedback = score(mini(), run.path)
    assert feedback.status == "good"
    assert feedback.solved
    assert feedback.headline.startswith("Ending: Repaired")
    assert feedback.next_step == "Reflect: What did you notice?"
    assert feedback.reveal_title == "The turn that mattered most"
    debrief = feedback.extra.debrief
    assert debrief["path"] == ["open", "talk", "choose", "fine"]
    assert [t["code"] for t in debrief["turns"]] == ["own-contribution", "validate-defence",
                                                     "invite-feelings"]
    json.dumps(feedback.to_dict())
    assert KINDS["simulation"].score(mini(), run.path) == feedback


@pytest.mark.parametrize("response", [None, [], "not a path", [{"node": "elsewhere"}],
                                      [{"node": "open", "choice": "no-such-choice"}],
                                      [{"node": "open", "choice": "own"},
                                       {"node": "talk", "reply": "x"}]],
                         ids=["none", "empty", "text", "wrong-node", "unknown-choice",
                              "reply-without-assessment"])
def test_score_of_an_unusable_path_is_empty_not_an_error(response):
    assert score(mini(), response).status == "empty"


def test_score_of_an_unfinished_path_asks_to_play_on():
    feedback = score(mini(), [{"node": "open", "choice": "own"}])
    assert feedback.status == "empty"
    assert "not finished" in feedback.headline


def test_replay_refuses_a_path_that_no_longer_fits():
    with pytest.raises(ReplayError):
        Playthrough.replay(mini(), [{"node": "open", "choice": "gone-now"}])


def test_every_code_has_a_family_label():
    from repairlab.kinds.simulation import FAMILY_LABELS

    assert {c.family for c in CODES.values()} <= set(FAMILY_LABELS)


# --- broken graphs give file:line messages --------------------------------------------------

@dataclass(frozen=True)
class Expected:
    line: int
    words: str


def expected_of(path: Path) -> Expected:
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = re.search(r"# expect: (.+)$", text)
        if match:
            return Expected(number, match.group(1).strip())
    raise AssertionError(f"{path.name} has no '# expect:' marker")


@pytest.mark.parametrize("name", ["dead-end", "dangling-edge", "unreachable", "undeclared-flag",
                                  "undeclared-state", "cycle", "blocked-choices",
                                  "no-otherwise"])
def test_broken_graph_is_reported_at_the_right_line(tmp_path, name):
    source = BROKEN / f"{name}.yaml"
    folder = tmp_path / "exercises" / "broken"
    folder.mkdir(parents=True)
    shutil.copy(source, folder / source.name)
    bank, problems = load_bank(tmp_path / "exercises")
    assert len(bank) == 0
    expected = expected_of(source)
    assert len(problems) == 1, "\n".join(p.format() for p in problems)
    problem = problems[0]
    assert problem.line == expected.line, problem.format()
    assert expected.words in problem.message, problem.format()
    assert problem.item_id.startswith("bad-")
    text = problem.format(tmp_path)
    assert text.startswith(f"exercises/broken/{name}.yaml:{expected.line}: item 'bad-")
    assert "\n    fix: " in text  # every message says how to fix it


def test_graph_message_names_the_node_and_the_fix(tmp_path):
    folder = tmp_path / "exercises" / "broken"
    folder.mkdir(parents=True)
    shutil.copy(BROKEN / "dangling-edge.yaml", folder)
    _, problems = load_bank(tmp_path / "exercises")
    assert problems[0].field == "nodes#1.choices#1.next"
    assert "node 'open': choice 'ask' goes to 'repaird'" in problems[0].message
    assert "did you mean 'repaired'? Set `next:`" in problems[0].fix


@pytest.mark.parametrize(("change", "words"), [
    ({"start": "nowhere"}, "`start` names 'nowhere'"),
    ({"start": "fine"}, "the start node 'fine' is an ending"),
    ({"state": {"bond": {"start": 9, "max": 6}, "tasks": {"start": 5, "max": 6}}},
     "outside 0..6"),
])
def test_other_structural_mistakes(change, words):
    with pytest.raises(Exception, match=re.escape(words)):
        mini(**change)


def test_a_client_can_end_therapy_without_coming_back():
    """Many clients simply stop coming: an ends-therapy ending needs no termination session."""
    data = dataclasses.asdict(mini())
    data["nodes"][-1]["epilogue"] = None
    case = validate(data)
    run = play(case, "label", ("say", "x"), assessor=ScriptedAssessor(
        fake_result(defensive=True, markers=["blame-labelling"])))
    assert run.ending == "ends-therapy"
    last = run.transcript[-1]
    assert (last.speaker, last.text) == ("client", "Bye.")  # no narrator after the last line
    assert score(case, run.path).extra.debrief["ending"] == "ends-therapy"


def test_an_epilogue_still_belongs_only_to_an_ending():
    data = dataclasses.asdict(mini())
    data["nodes"][0]["epilogue"] = "Later."
    with pytest.raises(Exception, match="has `epilogue:` but is not an ending"):
        validate(data)


# --- the view, without a kernel -------------------------------------------------------------

HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>'


def make_view(item, *, assessor=None):
    from repairlab.views.simulation import SimulationView

    attempts = []
    SimulationView.assessor = staticmethod(assessor) if assessor else None
    try:
        view = SimulationView(item, on_attempt=lambda *a: attempts.append(a))
    finally:
        SimulationView.assessor = None
    return view, attempts


def test_view_plays_by_buttons_and_records_the_path_at_the_ending(cases):
    view, attempts = make_view(cases["m05-case-01"])
    # The buttons come in the engine's (shuffled) order, so focus, Tab and tests agree.
    assert [b.choice_id for b in view.choice_buttons] == [c.id for c in view.play.options]
    labels = {b.choice_id: b.description for b in view.choice_buttons}
    assert labels["own-it"].startswith("You're right. I moved us on quickly")
    assert "Sofia" in view.transcript.value
    assert "last week&#x27;s worksheet" in \
        view.transcript.value
    next(b for b in view.choice_buttons if b.choice_id == "explain-homework").click()
    assert "Immediate resolution strategy: give a rationale for a task" in view.feedback.value
    assert "Sofia answers:" in view.feedback.value
    assert "(-1)" in view.meter.value
    view.choose("double-down")
    view.choose("slot")
    assert view.play.ending == "ends-therapy"
    assert len(attempts) == 1
    _item, response, feedback = attempts[0]
    assert response == [{"node": "open", "choice": "explain-homework"},
                        {"node": "sharper", "choice": "double-down"},
                        {"node": "cold", "choice": "slot"}]
    assert feedback.extra.debrief["ending"] == "ends-therapy"
    assert "The turn that mattered most" in view.feedback.value
    assert view.choice_buttons == []


def test_view_free_text_turn_uses_a_labelled_box(cases):
    view, _ = make_view(cases["m05-case-01"],
                        assessor=ScriptedAssessor(fake_result(moves=["validation"])))
    view.choose("own-it")
    assert view.reply_box in view.turn_area.children
    assert view.reply_box.description == "Your reply"
    assert view.submit("   ") is None
    assert "Write your reply in the box first." in view.feedback.value
    assert view.play.node.id == "hurt"  # not a turn
    step = view.submit("That makes sense.")
    assert step.next == "vulnerable"
    assert "Exploratory resolution strategy" in view.feedback.value


def test_view_escapes_everything_it_shows():
    item = mini(client_name=HOSTILE, context=HOSTILE)
    view, _ = make_view(item, assessor=ScriptedAssessor(fake_result(moves=["validation"])))
    view.choose("own")
    view.submit(HOSTILE)
    html = view.transcript.value + view.feedback.value + view.meter.value
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in view.transcript.value


def test_view_hides_the_meter_and_turn_coaching_when_the_author_asks(cases):
    view, _ = make_view(cases["m06-case-02"])
    assert view.meter.layout.display == "none"
    view.choose("in-the-agreement")
    assert "Noted." in view.feedback.value
    assert "Defensive marker" not in view.feedback.value  # kept for the debrief


def test_view_restart_and_restore(cases):
    case = cases["m05-case-02"]
    view, attempts = make_view(case)
    for choice in ("name-it", "hard-to-say", "explained-badly", "door-open"):
        view.choose(choice)
    assert view.play.ending == "repaired"
    path = attempts[0][1]

    view.restart()
    assert view.play.visited == ["open"]
    assert view.feedback.value == ""
    assert len(view.choice_buttons) == 3

    again, attempts_again = make_view(case)
    again.restore(path)
    assert again.play.ending == "repaired"
    assert "Ending: Repaired" in again.feedback.value
    assert "photographs" in again.transcript.value
    assert attempts_again == []  # restoring is not a new attempt


def test_view_restore_of_an_outdated_path_starts_afresh(cases):
    view, _ = make_view(cases["m05-case-02"])
    view.restore([{"node": "open", "choice": "removed-choice"}])
    assert view.play.visited == ["open"]
    assert view.feedback.value == ""


# --- course wiring: the optional `cases` notebook -------------------------------------------

def test_a_missing_cases_notebook_is_reported(demo_course):
    from repairlab.content.course import load_course

    # The template module lists `cases: cases.ipynb`; the notebook has gone.
    (demo_course / "curriculum" / "01-demo" / "cases.ipynb").unlink()
    _, problems = load_course(demo_course)
    assert any("the cases notebook cases.ipynb does not exist" in p.message
               and p.field == "notebooks.cases" for p in problems)


def test_cases_notebooks_show_the_six_cases():
    """Does the course load the three cases notebooks and show each case exactly once?"""
    from repairlab.content.course import load_course

    course, problems = load_course(REPO)
    mine = [p for p in problems if p.path.name in ("cases.ipynb", "simulations.yaml")
            or p.field == "notebooks.cases"]
    assert not mine, "\n".join(p.format(REPO) for p in mine)
    shown = {i: nb.name for i, (_, nb) in course.shown_in.items() if i.endswith(("case-01",
                                                                                  "case-02"))}
    assert shown == {f"m0{n}-case-0{k}": "cases.ipynb" for n in (5, 6, 7) for k in (1, 2)}


def test_cases_notebooks_follow_the_cell_conventions():
    for path in sorted(REPO.glob("curriculum/0[567]-*/cases.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        sources = ["".join(c["source"]) for c in cells]
        assert sources[0] == "from repairlab import show, module_nav"
        assert cells[1]["cell_type"] == "markdown"
        assert sources[1].startswith("# Module ")
        assert sources[-1] == 'module_nav("cases")'
        for cell in cells:
            if cell["cell_type"] == "code":
                assert cell["metadata"]["jupyter"]["source_hidden"] is True
                assert cell["outputs"] == []
                assert cell["execution_count"] is None
        assert sorted(s for s in sources if s.startswith("show(")) == [
            f'show("m{path.parent.name[:2]}-case-0{k}")' for k in (1, 2)]


def test_cases_run_from_beginner_to_advanced_on_each_page_and_in_each_file(cases):
    """The order of cases on a page (and in its simulations.yaml) follows difficulty."""
    from repairlab.content.course import load_course
    from repairlab.vocab import DIFFICULTIES

    rank = {level: k for k, level in enumerate(DIFFICULTIES)}
    course, _ = load_course(REPO)
    pages = 0
    for module in course.modules:
        if not module.manifest.notebooks.cases:
            continue
        cells = json.loads(module.notebook("cases").read_text(encoding="utf-8"))["cells"]
        shown = [m.group(1) for c in cells
                 if (m := re.fullmatch(r'show\("([^"]+)"\)', "".join(c["source"])))]
        levels = [rank[cases[i].difficulty] for i in shown]
        assert levels == sorted(levels), (module.folder, shown)
        pages += 1
    assert pages == 3
    for path in CASE_FILES:
        bank, _ = load_bank(path.parent)
        levels = [rank[i.difficulty] for i in bank if isinstance(i, Simulation)]
        assert levels == sorted(levels), path.name
    assert [i.id for i in load_bank(CASE_FILES[0].parent)[0] if isinstance(i, Simulation)] == [
        "m05-case-02", "m05-case-01"]


def test_cases_are_in_our_own_words():
    from repairlab.content.own_words import shared_runs

    seeds = sorted((REPO.parent / "shared" / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("the seed articles are not available here")
    assert shared_runs(CASE_FILES, seeds) == []


def test_the_case_kind_imports_neither_pydantic_nor_widgets():
    """Engine, graph walk, debrief and scorer are plain Python: a kernel showing a case, and
    these tests, need no schema and no widgets to play and score one."""
    code = ("import sys; import repairlab.kinds.simulation.engine, repairlab.kinds.simulation."
            "graph, repairlab.kinds.simulation.debrief, repairlab.kinds.simulation.scorer; "
            "print(sorted(m for m in ('pydantic', 'ipywidgets', 'repairlab.schemas') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
