"""Order the repair steps: put the steps of a repair sequence in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .base import Feedback, Item, Note, Turn


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    id: str
    text: str
    feedback: str  # why the step belongs where it does


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderRepairSteps(Item):
    default_question = "Put the steps in the order you would take them."

    initiated_by: Literal["client", "therapist"]
    context: str | None
    exchange: tuple[Turn, ...]
    question: str | None
    steps: tuple[Step, ...]
    correct_order: tuple[str, ...]
    explanation: str

    @property
    def prompt(self) -> str:
        return self.question or self.default_question


def score(item: Any, response: Any) -> Feedback:
    """Score a proposed order (a list of step ids); feedback names the steps out of place."""
    order = [str(step) for step in (response or [])]
    if len(order) != len(item.steps) or sorted(order) != sorted(item.correct_order):
        return Feedback("empty", "Place every step once before checking.")
    by_id = {s.id: s for s in item.steps}
    misplaced = [step for step, right in zip(order, item.correct_order, strict=True) if step != right]
    placed = len(order) - len(misplaced)
    if not misplaced:
        return Feedback("correct", "Yes: that is the order.", reveal=item.explanation, score=1.0,
                        notes=tuple(Note("good", f"{i}. {by_id[s].text} — {by_id[s].feedback}")
                                    for i, s in enumerate(order, 1)))
    notes = tuple(Note("info", f"“{by_id[s].text}” is not in its place yet.")
                  for s in misplaced)
    first = by_id[misplaced[0]]
    return Feedback("partial" if placed else "incorrect",
                    f"{placed} of {len(order)} steps are in the right place.",
                    notes=notes, next_step=f"A clue for “{first.text}”: {first.feedback}",
                    score=placed / len(order))
