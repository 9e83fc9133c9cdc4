"""Find the moment: the schema (what an author writes)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .base import ItemBase, NonEmptyText, Strict
from .choice import require_unique


class MomentTurn(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$",
                    description="Short id the `answer` refers to, e.g. t3. Progress keeps it: "
                                "keep a turn's id when you edit its words.",
                    examples=["t3"])
    speaker: Literal["client", "therapist"] = Field(
        description="Who speaks: client or therapist.")
    says: NonEmptyText = Field(description="What they say, as plain text.")
    note: NonEmptyText = Field(
        description="Why the rupture begins at this turn, or why not (yet, or already). Shown "
                    "when the student picks it.")


class FindTheMoment(ItemBase):
    type: Literal["find-the-moment"]
    context: str | None = Field(default=None, description="The setting, in a sentence (optional).")
    question: str | None = Field(
        default=None, description="The question asked; default: at which turn does the rupture "
                                  "begin?")
    turns: list[MomentTurn] = Field(
        min_length=4, max_length=8,
        description="4 to 8 turns in the order said, each with its note. Vary across items "
                    "where the rupture begins: `repairlab check` warns when it is nearly "
                    "always at one turn, or nearly always the longest line.")
    answer: str = Field(description="The `id` of the turn at which the rupture begins.")
    explanation: NonEmptyText = Field(
        description="Shown once the student finds the turn, or on request after a first "
                    "attempt: the marker, and the words that show it.")

    @field_validator("turns")
    @classmethod
    def _unique_turn_ids(cls, turns: list[MomentTurn]) -> list[MomentTurn]:
        require_unique([t.id for t in turns], "turn ids")
        return turns

    @field_validator("answer")
    @classmethod
    def _answer_is_a_turn(cls, answer: str, info: ValidationInfo) -> str:
        known = [t.id for t in info.data.get("turns", [])]
        if known and answer not in known:
            raise PydanticCustomError(
                "unknown_answer",
                "the answer '{value}' is not one of this item's turn ids ({known}). Fix: set "
                "`answer` to the id of the turn where the rupture begins.",
                {"value": answer, "known": ", ".join(known)})
        return answer
