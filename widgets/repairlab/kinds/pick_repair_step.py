"""Pick the repair step, classify the rupture marker, and rupture-or-red-flag.

Three single-choice kinds over a short exchange; they differ in their default question and
in the one fact each records for the item bank's statistics.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from .choice import ChoiceItem, score_choice

Initiator = Literal["client", "therapist"]


class PickRepairStep(ChoiceItem):
    type: Literal["pick-repair-step"]
    initiated_by: Initiator = Field(
        default="client",
        description="Who starts the repair: client (they voiced the rupture) or therapist "
                    "(therapist-initiated repair after noticing their own mistake).")


class ClassifyMarker(ChoiceItem):
    type: Literal["classify-marker"]
    rupture_type: Literal["withdrawal", "confrontation"] = Field(
        description="The rupture type the correct marker belongs to.")
    default_question: ClassVar[str] = "Which rupture marker is this?"


class RuptureOrRedFlag(ChoiceItem):
    type: Literal["rupture-or-red-flag"]
    verdict: Literal["rupture", "red-flag"] = Field(
        description="What the situation is: an ordinary rupture to repair, or a red flag.")
    default_question: ClassVar[str] = "Is this a rupture to work through, or a red flag?"


score = score_choice
