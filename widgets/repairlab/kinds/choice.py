"""Single-choice exercises: shared option model, validation of the answer key, and the scorer.

Spot the schema, pick the repair step, classify the marker and rupture-or-red-flag all ask
for one option and teach through each option's own feedback, so they share one scorer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .base import Feedback, ItemBase, NonEmptyText, Note, Strict, Turn


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


class ChoiceOption(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$",
                    description="Short id the `answer` refers to, e.g. apologise.",
                    examples=["apologise"])
    text: NonEmptyText = Field(description="The option as the student reads it.")
    feedback: NonEmptyText = Field(
        description="Why this option fits, or why not. Shown when the student picks it.")


def require_unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise PydanticCustomError(
                "duplicate", "two {what} are both '{value}': each must be different",
                {"what": what, "value": value})
        seen.add(value)


def require_known(value: str, known: list[str], what: str, field: str) -> None:
    if known and value not in known:
        raise PydanticCustomError(
            "unknown_answer",
            "the answer '{value}' is not one of this item's {what} ({known}). "
            "Fix: set `{field}` to one of them, or add the missing option.",
            {"value": value, "what": what, "known": ", ".join(known), "field": field})


class ChoiceItem(ItemBase):
    """Fields shared by the exchange-based single-choice kinds."""

    context: str | None = Field(default=None, description="The setting, in a sentence (optional).")
    exchange: list[Turn] = Field(default_factory=list,
                                 description="The lines of the exchange, in order.")
    question: str | None = Field(default=None,
                                 description="The question asked; each kind has a default.")
    options: list[ChoiceOption] = Field(min_length=2, max_length=6,
                                        description="2 to 6 options, each with its feedback.")
    answer: str = Field(description="The `id` of the best option.")
    explanation: NonEmptyText = Field(
        description="Shown after a correct answer or on request: why, with the evidence.")

    default_question: ClassVar[str] = "What is the best next step?"

    @field_validator("options")
    @classmethod
    def _unique_option_ids(cls, options: list[ChoiceOption]) -> list[ChoiceOption]:
        require_unique([o.id for o in options], "option ids")
        return options

    @field_validator("answer")
    @classmethod
    def _answer_is_an_option(cls, answer: str, info: ValidationInfo) -> str:
        require_known(answer, [o.id for o in info.data.get("options", [])], "option ids",
                      "answer")
        return answer

    @property
    def prompt(self) -> str:
        return self.question or self.default_question

    @property
    def answer_id(self) -> str:
        return self.answer

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
        return Feedback("correct", "Yes, that's the one.",
                        notes=(Note("good", chosen.feedback),),
                        reveal=item.explanation, score=1.0)
    return Feedback("incorrect", "Not quite.",
                    notes=(Note("info", chosen.feedback),),
                    next_step="Try another option, or show the explanation.", score=0.0)
