"""Rewrite the defensive reply: free text, scored by the reply assessor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ..vocab import MOVES
from .base import Facts, Feedback, Item, Note

Move = Literal[MOVES]  # type: ignore[valid-type]

# Plain names for the moves, as a student reads them in a list of what an item asks for.
MOVE_NAMES = {
    "apology": "an apology for the impact",
    "ownership": "owning your part in the first person",
    "validation": "validating the client's feeling",
    "exploration": "an open invitation to say more",
    "autonomy": "leaving the choice and pace to the client",
}
# What the student did, said back to them when a move landed.
MOVE_DONE = {
    "apology": "You apologised for the impact.",
    "ownership": "You owned your part, in the first person.",
    "validation": "You validated the client's feeling.",
    "exploration": "You invited them to say more.",
    "autonomy": "You left the choice and the pace to them.",
}
MOVE_SEEN = {
    "apology": "Something like an apology:",
    "ownership": "Something like owning your part:",
    "validation": "Something like validating the feeling:",
    "exploration": "Something like an invitation to say more:",
    "autonomy": "Something like leaving the choice to them:",
}
_UNSURE_HEADLINE = "The feedback is not sure about this reply, so it gives no verdict."
_UNSURE_NEXT = ("Compare your reply with the model reply below, sentence by sentence: does each of "
                "yours answer what this client said, and does any of it defend or explain?")


@dataclass(frozen=True)
class ReplyFacts(Facts):
    """What the reply assessor found, for the dashboard's "markers in rewrites" and "first to
    last attempt" statistics."""

    moves: tuple[str, ...]
    markers: tuple[str, ...]  # one per marker found, repeats kept
    defensive: bool | None
    concerns: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RewriteReply(Item):
    context: str | None
    client_says: str
    defensive_reply: str
    why_defensive: str
    must_include: tuple[Move, ...]
    model_rewrite: str
    hint: str | None
    move_examples: dict[Move, str]  # a move -> the words that would make it for this client

    def asks_for(self) -> str:
        """The moves this item asks for, as the student reads them before a first attempt."""
        names = [MOVE_NAMES[m] for m in self.must_include if m in MOVE_NAMES]
        return _listing(names)


def score(item: Any, response: Any) -> Feedback:
    """Formative feedback: what landed, what undercut the repair, and one next thing to try."""
    text = str(response or "")
    if not text.strip():
        return Feedback("empty", "Write your reply in the box first.")
    from ..feedback import assess_reply  # loads its lexicon and model on first use, not at import

    result = assess_reply(text, item=item)
    notes: list[Note] = []
    if result.notice:
        notes.append(Note("info", result.notice))
    for concern in result.concerns:
        notes.append(Note("warn", concern.message))
    for evidence in result.evidence:
        if result.defensive is False:
            notes.append(Note("good", MOVE_DONE.get(evidence.move, evidence.move), quote=evidence.span.text))
        else:
            notes.append(Note("info", MOVE_SEEN.get(evidence.move, evidence.move), quote=evidence.span.text))
    for marker in result.markers:
        notes.append(Note("warn", _sentence(marker.reason), quote=marker.span.text))

    wanted = list(item.must_include)
    found = [m for m in wanted if m in result.moves]
    missing = [m for m in wanted if m not in result.moves]
    suggestions = dict(result.suggestions)
    facts = ReplyFacts(moves=tuple(sorted(result.moves)),
                       markers=tuple(m.kind for m in result.markers),
                       defensive=result.defensive,
                       concerns=tuple(c.kind for c in result.concerns))
    common = {"notes": tuple(notes), "reveal": item.model_rewrite, "reveal_title": "One way to say it",
              "extra": facts}
    if "too-short" in facts.concerns or "checklist" in facts.concerns:
        # Not yet a repair, whatever the verdict: say so plainly (the concern is in the notes).
        return Feedback("needs-work", "This is not yet a repair.", next_step=_first_missing(
            missing, suggestions), score=0.0, **common)
    if result.defensive is None:
        return Feedback("unsure", _UNSURE_HEADLINE, next_step=_UNSURE_NEXT, score=None, **common)
    if result.defensive:
        return Feedback("needs-work", "This still reads as defensive.",
                        next_step=("Take out the part that defends or explains, and start from how "
                                   "it landed for the client."), score=0.0, **common)
    score_value = len(found) / len(wanted)
    next_step = _first_missing(missing, suggestions)
    if not missing:
        return Feedback("good", _praise(found), score=score_value, **common)
    if result.moves:
        headline = _praise(sorted(result.moves, key=list(MOVE_NAMES).index)) + " There is more to add."
    else:
        headline = "Nothing defensive, but no repair move yet."
    return Feedback("partial", headline, next_step=next_step, score=score_value, **common)


def _first_missing(missing: list[str], suggestions: dict[str, str]) -> str | None:
    return suggestions.get(missing[0]) if missing else None


def _sentence(reason: str) -> str:
    reason = reason.strip()
    return (reason[:1].upper() + reason[1:]).rstrip(".") + "."


def _listing(names: list[str]) -> str:
    if not names:
        return ""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _praise(moves: list[str]) -> str:
    if not moves:
        return "A non-defensive reply."
    return f"Well done: your reply includes {_listing([MOVE_NAMES[m] for m in moves if m in MOVE_NAMES])}."
