"""Rewrite the defensive reply: free text, scored by the reply assessor."""

from __future__ import annotations

from typing import Any

from .base import Feedback, Note

# Plain names for the moves, as a student reads them in feedback.
MOVE_NAMES = {
    "apology": "an apology for the impact",
    "ownership": "owning your part, in the first person",
    "validation": "validating the client's feeling",
    "exploration": "an open invitation to say more",
    "autonomy": "leaving the choice and pace to the client",
}


def score(item: Any, response: Any) -> Feedback:
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
