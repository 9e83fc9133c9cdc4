"""Single-choice exercises: what the choice kinds share, and their one scorer.

Spot the schema, pick the repair step, classify the marker and rupture-or-red-flag all ask
for one option and teach through each option's own feedback, so they share one scorer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from .base import Feedback, Item, Note, Turn


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    feedback: str


class ChoiceLike(Protocol):
    explanation: str

    @property
    def answer_id(self) -> str: ...

    def choices(self) -> tuple[Choice, ...]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class ChoiceOption:
    id: str
    text: str
    feedback: str


class AsksOneQuestion:
    """The question a single-choice item asks and its key, for the declared types that hold
    them in their ``question`` and ``answer`` fields (``ChoiceItem``, find-the-moment's item).
    Slotted and empty, so those types keep no per-item ``__dict__``."""

    __slots__ = ()
    default_question = "What is the best next step?"
    question: str | None  # declared as fields by the types that take this
    answer: str

    @property
    def prompt(self) -> str:
        return self.question or self.default_question

    @property
    def answer_id(self) -> str:
        return self.answer


@dataclass(frozen=True, slots=True, kw_only=True)
class ChoiceItem(AsksOneQuestion, Item):
    """What the exchange-based single-choice kinds share (their schema: schemas/choice.py)."""

    context: str | None
    exchange: tuple[Turn, ...]
    question: str | None
    options: tuple[ChoiceOption, ...]
    answer: str
    explanation: str

    def choices(self) -> tuple[Choice, ...]:
        return tuple(Choice(o.id, o.text, o.feedback) for o in self.options)


def score_choice(item: ChoiceLike, response: Any) -> Feedback:
    """Score a picked option id. Retrying is allowed, so wrong answers keep the explanation back."""
    choices = {c.id: c for c in item.choices()}
    if response is None or response == "":
        return Feedback("empty", "Choose an option first.")
    chosen = choices.get(str(response))
    if chosen is None:
        return Feedback("empty", "That option is not part of this exercise. Choose one of the list.")
    if chosen.id == item.answer_id:
        headline = "Yes, that's the one."
        return Feedback("correct", headline,
                        notes=(Note("good", _after_headline(chosen.feedback, headline)),),
                        reveal=item.explanation, score=1.0)
    headline = "Not quite."
    return Feedback("incorrect", headline,
                    notes=(Note("info", _after_headline(chosen.feedback, headline)),),
                    next_step="Try another option, or show the explanation.", score=0.0)


def _after_headline(text: str, headline: str) -> str:
    """An option's feedback without an opening that repeats the headline: authors often begin
    a wrong option's feedback with "Not quite.", and the page would read "Not quite. • Not
    quite. ..."."""
    lead = headline.rstrip(".").casefold()
    stripped = text.lstrip()
    for ending in (".", ",", ":", ";", " -", " –", " —"):
        opening = lead + ending
        if stripped.casefold().startswith(opening):
            rest = stripped[len(opening):].lstrip()
            return rest[:1].upper() + rest[1:] if rest else text
    return text
