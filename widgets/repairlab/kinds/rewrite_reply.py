"""Rewrite the defensive reply: free text, scored by the reply assessor."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from ..vocab import MOVES
from .base import Feedback, ItemBase, NonEmptyText, Note
from .choice import require_unique

Move = Literal[MOVES]  # type: ignore[valid-type]

# Plain names for the moves, as a student reads them in feedback.
MOVE_NAMES = {
    "apology": "an apology for the impact",
    "ownership": "owning your part, in the first person",
    "validation": "validating the client's feeling",
    "exploration": "an open invitation to say more",
    "autonomy": "leaving the choice and pace to the client",
}


class RewriteReply(ItemBase):
    type: Literal["rewrite-reply"]
    context: str | None = Field(default=None, description="The setting, in a sentence (optional).")
    client_says: NonEmptyText = Field(description="The client's statement voicing the rupture.")
    defensive_reply: NonEmptyText = Field(description="The defensive reply the student rewrites.")
    why_defensive: NonEmptyText = Field(description="What makes that reply defensive.")
    must_include: list[Move] = Field(min_length=1, max_length=5,
                                     description="Repair moves a good rewrite contains.")
    model_rewrite: NonEmptyText = Field(description="A model answer, shown after a first attempt.")
    hint: str | None = Field(default=None, description="A nudge shown on request (optional).")

    @field_validator("must_include")
    @classmethod
    def _unique_moves(cls, moves: list[str]) -> list[str]:
        require_unique(moves, "entries of must_include")
        return moves


def score(item: RewriteReply, response: Any) -> Feedback:
    """Formative feedback: what landed, what undercut the repair, and one next thing to try."""
    text = str(response or "")
    if not text.strip():
        return Feedback("empty", "Write your reply in the box first.")
    from ..feedback import assess_reply  # loads its lexicon on first use, not at import

    result = assess_reply(text, context=item.client_says)
    notes: list[Note] = []
    if result.notice:
        notes.append(Note("info", result.notice))
    for evidence in result.evidence:
        notes.append(Note("good", f"You made {MOVE_NAMES.get(evidence.move, evidence.move)}.",
                          quote=evidence.span.text))
    for marker in result.markers:
        notes.append(Note("warn", marker.reason, quote=marker.span.text))

    wanted = list(item.must_include)
    found = [m for m in wanted if m in result.moves]
    missing = [m for m in wanted if m not in result.moves]
    suggestions = dict(result.suggestions)
    next_step = None
    if result.defensive:
        next_step = ("Take out the part that defends or explains, and start from how it "
                     "landed for the client.")
    elif missing:
        move = missing[0]
        next_step = suggestions.get(move) or f"Try adding {MOVE_NAMES[move]}."

    score_value = 0.0 if result.defensive else len(found) / len(wanted)
    if result.defensive:
        status, headline = "needs-work", "This still reads as defensive."
    elif not missing:
        status, headline = "good", _praise(found)
    elif found or result.moves:
        status, headline = "partial", _praise(sorted(result.moves)) + " There is more to add."
    else:
        status, headline = "partial", "No defensive markers: a good start. Now add a repair move."
    return Feedback(status, headline, notes=tuple(notes), next_step=next_step,
                    reveal=item.model_rewrite, reveal_title="One way to say it",
                    score=score_value,
                    extra={"moves": sorted(result.moves),
                           "markers": [m.kind for m in result.markers],
                           "defensive": result.defensive})


def _praise(moves: list[str]) -> str:
    if not moves:
        return "A non-defensive reply."
    named = [MOVE_NAMES[m] for m in moves if m in MOVE_NAMES]
    listing = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return f"Well done: your reply includes {listing}."
