"""Pick the repair step, classify the rupture marker, and rupture-or-red-flag.

Three single-choice kinds over a short exchange; they differ in their default question and
in the one fact each records for the item bank's statistics (schemas/pick_repair_step.py).
"""

from __future__ import annotations

from .choice import ChoiceItemBehaviour, score_choice


class ClassifyMarkerBehaviour(ChoiceItemBehaviour):
    default_question = "Which rupture marker is this?"


class RuptureOrRedFlagBehaviour(ChoiceItemBehaviour):
    default_question = "Is this a rupture to work through, or a red flag?"


score = score_choice
