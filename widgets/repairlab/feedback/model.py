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
)

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
}


@dataclass(frozen=True)
class Span:
    """Character offsets into the text the student wrote, and the words found there."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text}


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
class ReplyAssessment:
    text: str
    defensive: bool
    moves: frozenset[str]
    markers: tuple[Marker, ...]
    evidence: tuple[MoveEvidence, ...]
    suggestions: tuple[tuple[str, str], ...]
    notice: str | None = None

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
        }
