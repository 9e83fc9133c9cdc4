"""The result types of the reply assessor. Stdlib only, so importing them is free."""

from __future__ import annotations

from dataclasses import dataclass

MOVES = ("apology", "ownership", "validation", "exploration", "autonomy")

MARKER_KINDS = (
    "blame-labelling",
    "justifying",
    "minimising",
    "rule-lecturing",
    "non-apology",
    "undone-apology",
    "topic-change",
    "counter-attack",
    # Found by the code, not by a pattern: a statement that answers the complaint with no repair
    # move at all (see `residual` in lexicon.yaml).
    "no-repair",
    # Found by the learned verdict when no rule names the words: the sentence that most reads as
    # defending (see verdict.py).
    "reads-defensive",
)

# What the assessor says about a reply besides markers and moves (see assessor.py).
CONCERN_KINDS = ("too-short", "checklist")

MOVE_LABELS = {
    "apology": "Apologising for what happened",
    "ownership": "Owning your part",
    "validation": "Validating the feeling",
    "exploration": "Inviting them to say more",
    "autonomy": "Leaving the choice to them",
}

MARKER_LABELS = {
    "blame-labelling": "Blaming or labelling the client",
    "justifying": "Justifying or correcting the record",
    "minimising": "Minimising what happened",
    "rule-lecturing": "Lecturing on rules without hearing the feeling",
    "non-apology": "A non-apology",
    "undone-apology": "An apology taken back with “but”",
    "topic-change": "Changing the subject",
    "counter-attack": "Counter-attacking or claiming hurt",
    "no-repair": "Answering without any repair move",
    "reads-defensive": "Reads as defending rather than repairing",
}


@dataclass(frozen=True)
class Span:
    """Character offsets into the text the student wrote, and the words found there."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def trimmed(cls, text: str, start: int, end: int) -> Span:
        """The span of ``text[start:end]`` without the blank space at either end (a pattern
        that opens a sentence may have swallowed some)."""
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return cls(start, end, text[start:end])


@dataclass(frozen=True)
class Marker:
    kind: str
    span: Span
    reason: str

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "label": MARKER_LABELS.get(self.kind, self.kind),
            "span": self.span.to_dict(),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class MoveEvidence:
    move: str
    span: Span
    reason: str

    def to_dict(self) -> dict:
        return {
            "move": self.move,
            "label": MOVE_LABELS.get(self.move, self.move),
            "span": self.span.to_dict(),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Concern:
    """Something about the reply as a whole that the student should hear plainly."""

    kind: str
    message: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class ReplyAssessment:
    """The assessor's reading of one reply.

    ``defensive`` is True or False when the evidence is clear, and None ("not sure") when it is
    weak or conflicting: then the page shows what was found and asks the student to compare
    their reply with the model reply, and gives no verdict. ``p_defensive`` is the learned
    verdict's probability (None where no verdict was computed, e.g. for an empty reply).
    ``asks_about_risk`` holds the words that ask about suicide, self-harm or harm to others.
    """

    text: str
    defensive: bool | None
    moves: frozenset[str]
    markers: tuple[Marker, ...]
    evidence: tuple[MoveEvidence, ...]
    suggestions: tuple[tuple[str, str], ...]
    notice: str | None = None
    concerns: tuple[Concern, ...] = ()
    p_defensive: float | None = None
    asks_about_risk: Span | None = None

    @property
    def not_sure(self) -> bool:
        return self.defensive is None

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "defensive": self.defensive,
            # Course order, not set order, so the JSON is stable between runs.
            "moves": [m for m in MOVES if m in self.moves],
            "markers": [m.to_dict() for m in self.markers],
            "evidence": [e.to_dict() for e in self.evidence],
            "suggestions": [
                {"move": move, "label": MOVE_LABELS.get(move, move), "suggestion": text}
                for move, text in self.suggestions
            ],
            "notice": self.notice,
            "concerns": [c.to_dict() for c in self.concerns],
            "p_defensive": self.p_defensive,
            "asks_about_risk": self.asks_about_risk.to_dict() if self.asks_about_risk else None,
        }
