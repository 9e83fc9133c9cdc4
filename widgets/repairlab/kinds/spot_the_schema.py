"""Spot the schema: which of the therapist's own schemas did a confrontation trigger?"""

from __future__ import annotations

from .choice import Choice, score_choice


class SpotTheSchemaBehaviour:
    prompt = "Which of the therapist's schemas was most likely triggered?"

    @property
    def answer_id(self) -> str:
        return self.answer

    def choices(self) -> tuple[Choice, ...]:
        return tuple(Choice(o.schema_name, o.schema_name, o.feedback) for o in self.options)


score = score_choice
