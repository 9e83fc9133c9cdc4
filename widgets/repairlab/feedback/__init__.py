"""Feedback on a student's repair reply: ``assess_reply`` and its result types.

The rules live in ``lexicon.yaml`` beside this file, compiled on the first call; the learned
verdict in ``verdict.json`` and ``verdict.weights``, read on the first call too.
"""

from .assessor import assess_reply, suggestions_for
from .lexicon import LexiconError, build_lexicon, load_lexicon
from .model import (
    CONCERN_KINDS,
    MARKER_KINDS,
    MARKER_LABELS,
    MOVE_LABELS,
    MOVES,
    Concern,
    Marker,
    MoveEvidence,
    ReplyAssessment,
    Span,
)
from .risk import find_risk_inquiry
from .rules import MAX_CHARS, assess_by_rules

__all__ = [
    "CONCERN_KINDS",
    "MARKER_KINDS",
    "MARKER_LABELS",
    "MAX_CHARS",
    "MOVES",
    "MOVE_LABELS",
    "Concern",
    "LexiconError",
    "Marker",
    "MoveEvidence",
    "ReplyAssessment",
    "Span",
    "assess_by_rules",
    "assess_reply",
    "build_lexicon",
    "find_risk_inquiry",
    "load_lexicon",
    "suggestions_for",
]
