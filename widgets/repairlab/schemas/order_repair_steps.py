"""Order the repair steps: the steps and the checks on the correct order."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .base import ItemBase, NonEmptyText, Strict, Turn
from .choice import require_unique
from .pick_repair_step import Initiator


class Step(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Short id used in correct_order.")
    text: NonEmptyText = Field(description="The step as the student reads it.")
    feedback: NonEmptyText = Field(description="Why the step belongs where it does.")


class OrderRepairSteps(ItemBase):
    type: Literal["order-repair-steps"]
    initiated_by: Initiator = Field(default="client",
                                    description="client or therapist (therapist-initiated repair).")
    context: str | None = Field(default=None, description="The setting, in a sentence (optional).")
    exchange: list[Turn] = Field(default_factory=list, description="Optional lines of exchange.")
    question: str | None = Field(default=None, description="The instruction; a default is used.")
    steps: list[Step] = Field(min_length=2, max_length=7, description="2 to 7 steps, any order.")
    correct_order: list[str] = Field(description="Every step id exactly once, in the right order.")
    explanation: NonEmptyText = Field(description="Why this order, with the evidence.")

    @field_validator("steps")
    @classmethod
    def _unique_step_ids(cls, steps: list[Step]) -> list[Step]:
        require_unique([s.id for s in steps], "step ids")
        return steps

    @field_validator("correct_order")
    @classmethod
    def _order_is_a_permutation(cls, order: list[str], info: ValidationInfo) -> list[str]:
        ids = [s.id for s in info.data.get("steps", [])]
        if ids and sorted(order) != sorted(ids):
            missing = [i for i in ids if i not in order]
            unknown = [i for i in order if i not in ids]
            raise PydanticCustomError(
                "bad_order",
                "must list every step id exactly once (steps: {ids}); missing: {missing}; "
                "not a step: {unknown}. Fix: list each step's id once, in the right order.",
                {"ids": ", ".join(ids), "missing": ", ".join(missing) or "none",
                 "unknown": ", ".join(unknown) or "none"})
        return order
