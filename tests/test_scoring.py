"""Scoring is pure: plain items in, Feedback out, no kernel and no widgets."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from repairlab.registry import KINDS, score
from repairlab.schemas import validate

SCHEMA_ITEM = validate({
    "id": "t-schema", "type": "spot-the-schema", "difficulty": "beginner", "title": "T",
    "client_says": "You're useless.",
    "therapist_reaction": {"thought": "I must be perfect.", "feeling": "Shame.", "urge": "Prove it."},
    "options": [
        {"schema": "Unrelenting Standards/Hypercriticalness", "feedback": "The demand to be perfect."},
        {"schema": "Abandonment/Instability", "feedback": "Nothing here is about leaving."},
        {"schema": "Self-Sacrifice", "feedback": "No pull to put their needs first."},
    ],
    "answer": "Unrelenting Standards/Hypercriticalness", "explanation": "Perfectionism under fire.",
})
STEP_ITEM = validate({
    "id": "t-step", "type": "pick-repair-step", "difficulty": "beginner", "title": "T",
    "exchange": [{"speaker": "client", "says": "You lectured me."}],
    "options": [{"id": "apologise", "text": "Apologise.", "feedback": "Opens the repair."},
                {"id": "explain", "text": "Explain.", "feedback": "Defends first."}],
    "answer": "apologise", "explanation": "Validate and explore first.",
})
ORDER_ITEM = validate({
    "id": "t-order", "type": "order-repair-steps", "difficulty": "beginner", "title": "T",
    "steps": [{"id": s, "text": s.title(), "feedback": f"why {s}"}
              for s in ("apologise", "validate", "explore", "space")],
    "correct_order": ["apologise", "validate", "explore", "space"], "explanation": "The order.",
})
REFLECTION_ITEM = validate({
    "id": "t-reflect", "type": "reflection", "difficulty": "beginner", "title": "T",
    "prompt": "What did you feel?"})


class Case(NamedTuple):
    item: Any
    response: Any
    status: str
    score: float | None
    says: str  # a fragment of what the student reads (headline, notes or next step)


CASES = {
    "schema-right": Case(SCHEMA_ITEM, "Unrelenting Standards/Hypercriticalness", "correct", 1.0,
                         "The demand to be perfect."),
    "schema-wrong-gives-that-options-feedback": Case(
        SCHEMA_ITEM, "Abandonment/Instability", "incorrect", 0.0, "Nothing here is about leaving."),
    "schema-nothing-chosen": Case(SCHEMA_ITEM, None, "empty", None, "Choose an option"),
    "schema-unknown-option": Case(SCHEMA_ITEM, "Failure", "empty", None, "not part of"),
    "step-right": Case(STEP_ITEM, "apologise", "correct", 1.0, "Opens the repair."),
    "step-wrong": Case(STEP_ITEM, "explain", "incorrect", 0.0, "Defends first."),
    "order-right": Case(ORDER_ITEM, ["apologise", "validate", "explore", "space"], "correct", 1.0,
                        "that is the order"),
    "order-two-swapped": Case(ORDER_ITEM, ["validate", "apologise", "explore", "space"],
                              "partial", 0.5, "2 of 4 steps"),
    "order-all-wrong": Case(ORDER_ITEM, ["space", "explore", "validate", "apologise"],
                            "incorrect", 0.0, "0 of 4 steps"),
    "order-incomplete": Case(ORDER_ITEM, ["apologise", "validate"], "empty", None,
                             "Place every step"),
    "reflection-saved": Case(REFLECTION_ITEM, "I felt hot and wanted to explain.", "submitted",
                             None, "Saved"),
    "reflection-blank": Case(REFLECTION_ITEM, "   ", "empty", None, "Write a few lines"),
}


def _reads(feedback) -> str:
    return " ".join([feedback.headline, feedback.next_step or "",
                     *(n.text for n in feedback.notes)])


@pytest.mark.parametrize("name", list(CASES))
def test_scorer(name):
    case = CASES[name]
    feedback = score(case.item, case.response)
    assert feedback.status == case.status
    assert feedback.score == case.score
    assert case.says in _reads(feedback)


def test_wrong_choice_keeps_the_explanation_back_for_a_retry():
    feedback = score(STEP_ITEM, "explain")
    assert feedback.reveal is None
    assert "Try another option" in feedback.next_step


def test_right_choice_reveals_the_explanation():
    assert score(STEP_ITEM, "apologise").reveal == "Validate and explore first."


def test_misplaced_step_gets_its_own_clue():
    feedback = score(ORDER_ITEM, ["validate", "apologise", "explore", "space"])
    assert "why validate" in feedback.next_step
    assert {n.text for n in feedback.notes} == {"“Validate” is not in its place yet.",
                                                "“Apologise” is not in its place yet."}


def test_every_kind_is_registered_with_schema_scorer_and_view():
    for type_name, kind in KINDS.items():
        assert kind.schema.model_fields["type"].annotation.__args__ == (type_name,)
        assert callable(kind.score)
        assert kind.view_class().__name__.endswith("View")


# The rewrite scorer uses the reply assessor; these pin what a student is told.
REWRITE_ITEM = validate({
    "id": "t-rewrite", "type": "rewrite-reply", "difficulty": "beginner", "title": "T",
    "client_says": "You were late again. It's like my time doesn't matter.",
    "defensive_reply": "I had an emergency. These things happen.",
    "why_defensive": "It justifies and minimises.",
    "must_include": ["apology", "validation"],
    "model_rewrite": "I'm sorry I kept you waiting again. It makes sense that you're upset.",
})


def test_rewrite_with_the_needed_moves_is_good_and_quotes_the_students_words():
    text = "I'm sorry I started late again. It makes sense that you feel your time doesn't matter."
    feedback = score(REWRITE_ITEM, text)
    assert feedback.status == "good"
    assert feedback.score == 1.0
    quotes = [n.quote for n in feedback.notes if n.tone == "good"]
    assert quotes
    assert all(q in text for q in quotes)
    assert feedback.reveal == REWRITE_ITEM.model_rewrite


def test_non_apology_is_never_a_good_rewrite():
    feedback = score(REWRITE_ITEM, "I'm sorry you feel that way.")
    assert feedback.status == "needs-work"
    assert feedback.score == 0.0
    assert any(n.tone == "warn" and "sorry you feel" in (n.quote or "").lower()
               for n in feedback.notes)


def test_rewrite_missing_a_move_suggests_it():
    feedback = score(REWRITE_ITEM, "I'm sorry I was late again.")
    assert feedback.status == "partial"
    assert 0 < feedback.score < 1
    assert feedback.next_step


def test_blank_rewrite_asks_for_text_and_counts_nothing():
    feedback = score(REWRITE_ITEM, "  \n ")
    assert feedback.status == "empty"
    assert feedback.reveal is None
