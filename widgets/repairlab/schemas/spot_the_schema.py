"""Spot the schema: the item, the therapist's inner reaction, and the schema options."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from ..kinds.spot_the_schema import YoungSchema
from .base import ItemBase, NonEmptyText, Strict
from .choice import require_known, require_unique


class TherapistReaction(Strict):
    thought: NonEmptyText = Field(description="The therapist's automatic thought, in first person.")
    feeling: NonEmptyText = Field(description="What they feel, in the body and emotionally.")
    urge: NonEmptyText = Field(description="What they feel pulled to do or say.")


class SchemaOption(Strict):
    schema_name: YoungSchema = Field(alias="schema",
                                     description="One of Young's 18 schema names, exactly.")
    feedback: NonEmptyText = Field(description="Why this schema fits the reaction, or why not.")


class SpotTheSchema(ItemBase):
    type: Literal["spot-the-schema"]
    context: str | None = Field(default=None, description="The setting, in a sentence (optional).")
    client_says: NonEmptyText = Field(description="The client's confrontation, in their words.")
    therapist_reaction: TherapistReaction = Field(
        description="The therapist's inner reaction: thought, feeling and urge.")
    options: list[SchemaOption] = Field(min_length=3, max_length=6,
                                        description="3 to 6 schemas, each with its feedback.")
    answer: YoungSchema = Field(description="The schema that fits best; one of the options.")
    explanation: NonEmptyText = Field(
        description="Shown after a correct answer, or on request after a first attempt: the "
                    "evidence for the schema.")

    @field_validator("options")
    @classmethod
    def _unique_schemas(cls, options: list[SchemaOption]) -> list[SchemaOption]:
        require_unique([o.schema_name for o in options], "options")
        return options

    @field_validator("answer")
    @classmethod
    def _answer_is_an_option(cls, answer: str, info: ValidationInfo) -> str:
        require_known(answer, [o.schema_name for o in info.data.get("options", [])],
                      "options", "answer")
        return answer
