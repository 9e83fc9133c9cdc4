"""Pick the repair step, classify the rupture marker, and rupture-or-red-flag: the schemas."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..vocab import RUPTURE_TYPES
from .choice import ChoiceItem

Initiator = Literal["client", "therapist"]


class PickRepairStep(ChoiceItem):
    type: Literal["pick-repair-step"]
    initiated_by: Initiator = Field(
        default="client",
        description="Who starts the repair: client (they voiced the rupture) or therapist "
                    "(therapist-initiated repair after noticing their own mistake).")


class ClassifyMarker(ChoiceItem):
    type: Literal["classify-marker"]
    rupture_type: Literal[RUPTURE_TYPES] = Field(  # type: ignore[valid-type]
        description="The rupture type the correct marker belongs to.")


class RuptureOrRedFlag(ChoiceItem):
    type: Literal["rupture-or-red-flag"]
    verdict: Literal["rupture", "red-flag"] = Field(
        description="What the situation is: an ordinary rupture to repair, or a red flag.")
