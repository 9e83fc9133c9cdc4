"""Reflection: a free-text prompt; nothing is scored, the text is kept with the student's work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .base import Facts, Feedback, Item


@dataclass(frozen=True, slots=True, kw_only=True)
class Reflection(Item):
    prompt: str  # the reflection question


@dataclass(frozen=True)
class ReflectionFacts(Facts):
    words: int


def score(item: Any, response: Any) -> Feedback:
    text = str(response or "").strip()
    if not text:
        return Feedback("empty", "Write a few lines first; nothing is graded here.")
    words = len(text.split())
    return Feedback("submitted", "Saved with your work. Thank you for reflecting.",
                    extra=ReflectionFacts(words))
