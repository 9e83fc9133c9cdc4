"""Pick the repair step, classify the rupture marker, and rupture-or-red-flag.

Three single-choice kinds over a short exchange; they differ in their default question and
in the one fact each records for the item bank's statistics (schemas/pick_repair_step.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..vocab import RUPTURE_TYPES
from .choice import ChoiceItem, score_choice


@dataclass(frozen=True, slots=True, kw_only=True)
class PickRepairStep(ChoiceItem):
    initiated_by: Literal["client", "therapist"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassifyMarker(ChoiceItem):
    default_question = "Which rupture marker is this?"

    rupture_type: Literal[RUPTURE_TYPES]  # type: ignore[valid-type]


@dataclass(frozen=True, slots=True, kw_only=True)
class RuptureOrRedFlag(ChoiceItem):
    default_question = "Is this a rupture to work through, or a red flag?"

    verdict: Literal["rupture", "red-flag"]


score = score_choice
