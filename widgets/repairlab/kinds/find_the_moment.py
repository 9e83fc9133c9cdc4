"""Find the moment: a short transcript, and the turn at which the rupture begins.

Each turn is an option the student can pick, in the order it was said (never shuffled: the
order is the conversation), and each carries the author's note on why the rupture does or
does not begin there. So the kind is a single-choice item whose options are turns: it shares
the choice kinds' scorer, and ``repairlab check``'s cue warnings (key always in one position,
or always the longest line) read its turns as they read options (content/cues.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from .base import Feedback, Item
from .choice import AsksOneQuestion, Choice, score_choice

SPEAKER = {"client": "Client", "therapist": "Therapist"}


@dataclass(frozen=True, slots=True, kw_only=True)
class MomentTurn:
    id: str
    speaker: Literal["client", "therapist"]
    says: str
    note: str  # why the rupture begins at this turn, or why not


@dataclass(frozen=True, slots=True, kw_only=True)
class FindTheMoment(AsksOneQuestion, Item):
    """A transcript whose turns are the choices (its schema: schemas/find_the_moment.py): a
    single-choice item whose options are the transcript's turns."""

    default_question = "At which turn does the rupture begin?"
    keeps_authored_order = True  # the turns are the conversation: shown as they were said

    context: str | None
    question: str | None
    turns: tuple[MomentTurn, ...]
    answer: str
    explanation: str

    def choices(self) -> tuple[Choice, ...]:
        """One choice per turn, in reading order; the label is the line as said."""
        return tuple(Choice(t.id, t.says, t.note) for t in self.turns)

    def turn_label(self, number: int, turn: Any) -> str:
        """How a turn reads in the radio group and the hand-in: its number and who speaks."""
        return f"Turn {number}, {SPEAKER.get(turn.speaker, turn.speaker).lower()}: {turn.says}"


def score(item: Any, response: Any) -> Feedback:
    """The picked turn's note; the explanation only once the moment is found (retry allowed)."""
    if response is None or response == "":
        return Feedback("empty", "Choose a turn first.",
                        next_step="Pick the turn where you think the rupture begins.")
    if str(response) not in {c.id for c in item.choices()}:
        return Feedback("empty", "That turn is not part of this transcript. Choose one of the "
                                 "turns shown.")
    feedback = score_choice(item, response)
    if feedback.status == "incorrect":
        return replace(feedback, next_step="Read the turns again and pick another, or show "
                                           "the explanation.")
    return feedback
