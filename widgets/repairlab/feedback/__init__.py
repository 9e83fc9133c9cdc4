"""Feedback on a student's repair reply: ``assess_reply`` and its result types.

The rules live in ``lexicon.yaml`` beside this file, compiled on the first call.
"""

from .assessor import MAX_CHARS, assess_reply
from .lexicon import LexiconError, build_lexicon, load_lexicon
from .model import (
    MARKER_KINDS,
    MARKER_LABELS,
    MOVE_LABELS,
    MOVES,
    Marker,
    MoveEvidence,
    ReplyAssessment,
    Span,
)

__all__ = [
    "MARKER_KINDS",
    "MARKER_LABELS",
    "MAX_CHARS",
    "MOVES",
    "MOVE_LABELS",
    "LexiconError",
    "Marker",
    "MoveEvidence",
    "ReplyAssessment",
    "Span",
    "assess_reply",
    "build_lexicon",
    "load_lexicon",
]
