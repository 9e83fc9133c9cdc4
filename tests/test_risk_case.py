"""m07-case-02, played with the real reply assessor: a trainee who asks about risk gets the credit.

Ruth voices suicidal thinking at one free-text turn and names a means (tablets at home) at a
second. At both, the first route is `asks_about_risk: true`, so a reply that asks about risk,
in any words, goes on with the risk conversation, whatever else the assessor thinks of it; it
can never be sent down the path where the risk "went unasked". A reply that does not ask is
never credited with asking. Every case with a free-text turn where the client voices risk keeps
that order.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from repairlab.content.bank import load_bank
from repairlab.kinds.simulation import Playthrough, score
from repairlab.kinds.simulation.graph import explore
from repairlab.kinds.simulation.item import Simulation

REPO = Path(__file__).resolve().parents[1]
CASE = "m07-case-02"
UNASKED = {"ask", "missed"}  # where a trainee goes who has not asked about her words

# Well-formed questions about risk at the first turn ("...everyone would be better off if I
# just wasn't around"): direct, gentle, clinical, misspelled and typed quickly.
FIRST_TURN_QUESTIONS = [
    "Are you thinking about suicide?",
    "Have you been having thoughts of ending your life?",
    "When you say everyone would be better off without you, do you mean you've thought about "
    "killing yourself?",
    "That sounds so painful. Can I ask, have you had thoughts of not wanting to be alive?",
    "Are you having sucidal thoughts?",
    "do u ever think about killing urself",
    "I'm really glad you told me. I'd like to ask you directly whether you've thought about "
    "ending your life",
    "Sometimes when people feel like that they think about suicide. Is that true for you?",
    "Do you ever wish you could go to sleep and not wake up?",
    "Have you thought about harming yourself?",
    "What do you mean when you say they'd be better off?",
    "Are you safe right now?",
    "It sounds like you're carrying so much. Does it ever get so bad you think of hurting "
    "yourself?",
    "Are you thinkng of killin yourself?",
    "Thats a lot. have you had any thoughts about suicide",
    # Phrasings the first rules-only signal missed on new writers' sets: a point-back question
    # that names no risk, an empathic run-up before the question, an either/or.
    "When you say they'd be better off if you weren't around, is that going as far as not "
    "wanting to live?",
    "I can hear how heavy all of this is, the business and the marriage and now the diary, and "
    "I don't want to rush past what you just said, so I want to check: has it got to the point "
    "where you think about taking your own life?",
    "not around like taking a break, or not around like dead?",
]
# Replies that do not ask: warm, reassuring, lecturing, changing the subject.
FIRST_TURN_OTHERS = [
    "That sounds exhausting, and it makes sense you feel that way.",
    "I'm sorry it has been so hard. Tell me more about the business.",
    "You shouldn't think like that; your family needs you.",
    "If you ever feel suicidal, call the crisis line.",
    "Lots of people feel like that when they haven't slept. Let's get back to the diary.",
    "Have you thought of doing something different with the diary?",
    "You're safe here with me, and we'll get through this together.",
    "I have to let you know that if I think you're at risk, I may need to share that with your GP.",
    "That's not true, your family needs you. What's been happening at home this week?",
]

# The second turn ("...Most of two boxes are still in the bathroom cabinet. I've thought about
# them."): questions about the means, how close she has come, intent and the past.
SECOND_TURN_QUESTIONS = [
    "Have you thought about taking them to end your life?",
    "How close have you come to taking them?",
    "When you think about the tablets, do you think you might act on it?",
    "Thank you for telling me. How often do you think about taking the tablets?",
    "Have you ever tried to end your life before?",
    "Do you think you would take them?",
    "Is there any part of you that intends to take them?",
    "have u ever thought of takin them all",
    "Have you ever taken an overdose?",
    "I'm really glad you told me. Could I ask what stops you from taking them?",
    "Have you come close to doing it?",
    "Thats really scary. how close have u come to useing them?",
    "Do you feel safe at home with them there?",
]
SECOND_TURN_OTHERS = [
    "Thank you for telling me. That sounds really hard.",
    "You should really get rid of those tablets, you know.",
    "Let's focus on the sleep plan, then you won't need them.",
    "I'm sorry the nights have been so hard. What would help you most right now?",
]


@pytest.fixture(scope="module")
def bank():
    found, problems = load_bank(REPO / "exercises")
    assert not [p for p in problems if CASE in p.message], problems
    return found


@pytest.fixture(scope="module")
def ruth(bank) -> Simulation:
    return bank.get(CASE)


def at_first_turn(case: Simulation) -> Playthrough:
    run = Playthrough.start(case)  # no assessor given: the real reply assessor
    run.choose("my-impatience")
    run.choose("trying-so-hard")
    assert run.node.id == "nothing-counts"
    assert run.expects_reply
    return run


def at_second_turn(case: Simulation) -> Playthrough:
    run = at_first_turn(case)
    run.reply("Have you been having thoughts of ending your life?")
    run.choose("how-far")
    assert run.node.id == "tablets"
    assert run.expects_reply
    return run


def reachable(case: Simulation, node_id: str) -> set[str]:
    """Every node some conversation can reach from ``node_id`` (any flags, any meter)."""
    seen, todo = {node_id}, [node_id]
    while todo:
        node = case.node(todo.pop())
        edges = [*node.choices, *(node.reply.routes if node.reply else ())]
        for edge in edges:
            if edge.next not in seen:
                seen.add(edge.next)
                todo.append(edge.next)
    return seen


def test_there_are_enough_different_questions():
    assert len(set(FIRST_TURN_QUESTIONS)) >= 10
    assert len(set(SECOND_TURN_QUESTIONS)) >= 10


@pytest.mark.parametrize("question", FIRST_TURN_QUESTIONS)
def test_asking_at_the_first_turn_goes_on_with_the_risk_conversation(ruth, question):
    run = at_first_turn(ruth)
    step = run.reply(question)
    assert step.route == 0, step.assessment
    assert step.code == "safety"
    assert step.assessment["asks_about_risk"]
    assert run.node.id == "thoughts"
    assert not reachable(ruth, run.node.id) & UNASKED


@pytest.mark.parametrize("reply", FIRST_TURN_OTHERS)
def test_a_reply_that_does_not_ask_gets_no_credit_at_the_first_turn(ruth, reply):
    run = at_first_turn(ruth)
    step = run.reply(reply)
    assert step.route != 0
    assert step.code != "safety"
    assert not step.assessment["asks_about_risk"]
    assert run.node.id == "ask"  # she starts to take it back; the question is still to ask
    assert "ask-directly" in {c.id for c in run.options}


@pytest.mark.parametrize("question", SECOND_TURN_QUESTIONS)
def test_asking_about_the_tablets_goes_on_with_the_risk_conversation(ruth, question):
    run = at_second_turn(ruth)
    step = run.reply(question)
    assert step.route == 0, step.assessment
    assert step.code == "safety"
    assert run.node.id == "intent"


@pytest.mark.parametrize("reply", SECOND_TURN_OTHERS)
def test_a_reply_that_does_not_ask_about_the_tablets_gets_no_credit(ruth, reply):
    run = at_second_turn(ruth)
    step = run.reply(reply)
    assert step.route != 0
    assert step.code != "safety"
    assert run.node.id == "quiet"
    assert "ask-tablets" in {c.id for c in run.options}


def test_the_whole_risk_conversation_with_the_real_assessor(ruth):
    run = at_second_turn(ruth)
    run.reply("How close have you come to taking them?")
    for choice in ("ask-past", "what-keeps", "step-up", "write-it"):
        run.choose(choice)
    assert run.ending == "repaired"
    said = " ".join(s.said for s in run.steps).lower()
    # Ideation, plan, means, intent (her answer), past attempts, protective factors, stepping
    # up care under the service's procedure, and a safety plan made with her.
    for words in ("thoughts of ending your life", "plan", "tablets", "tried to end your life",
                  "kept you going", "duty clinician today", "see you again this week",
                  "safety plan together", "crisis line"):
        assert words in said, words
    assert "don't want to die" in " ".join(line.text for line in run.transcript)
    debrief = score(ruth, run.path).extra.debrief
    assert debrief["ending"] == "repaired"
    assert "procedure" in debrief["lesson"]
    assert "supervisor" in debrief["lesson"]


def test_labels_are_truthful(ruth):
    """A disclosure is not self-assertion, and good risk practice is not a red flag."""
    for node_id in ("thoughts", "tablets", "intent", "before", "reasons"):
        assert ruth.node(node_id).phase != "self-assertion", node_id
    assert ruth.node("safe-plan").ending == "repaired"
    assert not [n.id for n in ruth.nodes if n.ending == "red-flag"]
    # The only way to the ending where her words went unasked is a choice not to ask.
    into_missed = [(n.id, c.id) for n in ruth.nodes for c in n.choices if c.next == "missed"]
    into_missed += [(n.id, k) for n in ruth.nodes if n.reply
                    for k, r in enumerate(n.reply.routes) if r.next == "missed"]
    assert into_missed == [("ask", "exhausted")]


def test_every_risk_turn_in_the_course_checks_for_a_risk_question_first(bank):
    """At every free-text turn where a client is at risk, the first route asks_about_risk."""
    risk_turns = []
    for case in bank:
        if not isinstance(case, Simulation):
            continue
        for node in case.nodes:
            if node.reply and node.phase == "at-risk":
                risk_turns.append((case.id, node.id))
                first = node.reply.routes[0]
                assert first.asks_about_risk is True, (case.id, node.id)
                assert not first.conditional, (case.id, node.id)
                assert not reachable(case, first.next) & UNASKED, (case.id, node.id)
    assert (CASE, "nothing-counts") in risk_turns
    assert (CASE, "tablets") in risk_turns


def test_every_ending_of_the_risk_case_can_be_reached(ruth):
    exploration = explore(ruth)
    reached = {c[0] for c in exploration.successors if ruth.node(c[0]).ending}
    assert reached == {n.id for n in ruth.nodes if n.ending}
