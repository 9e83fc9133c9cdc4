"""Single-choice items: the shared option model and the checks on the answer key."""

from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .base import ItemBase, NonEmptyText, Strict, Turn


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
        description="Shown after a correct answer, or on request after a first attempt: why, "
                    "with the evidence.")

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
