"""Spot the schema: which of the therapist's own schemas did a confrontation trigger?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..vocab import YOUNG_SCHEMAS
from .base import Item
from .choice import Choice, score_choice

YoungSchema = Literal[YOUNG_SCHEMAS]  # type: ignore[valid-type]


@dataclass(frozen=True, slots=True, kw_only=True)
class TherapistReaction:
    thought: str
    feeling: str
    urge: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaOption:
    schema_name: YoungSchema  # written `schema:` in the YAML
    feedback: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SpotTheSchema(Item):
    prompt = "Which of the therapist's schemas was most likely triggered?"

    context: str | None
    client_says: str
    therapist_reaction: TherapistReaction
    options: tuple[SchemaOption, ...]
    answer: YoungSchema
    explanation: str

    @property
    def answer_id(self) -> str:
        return self.answer

    def choices(self) -> tuple[Choice, ...]:
        return tuple(Choice(o.schema_name, o.schema_name, o.feedback) for o in self.options)


score = score_choice
