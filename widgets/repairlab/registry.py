"""The one table from an item's ``type`` to its schema, scorer and view.

Adding an exercise kind means adding its module under ``kinds/`` (schema + pure scorer),
a view under ``views/``, and one entry here; the loader, ``repairlab check``, ``show()``
and the docs all read this table.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .kinds import (
    order_repair_steps,
    pick_repair_step,
    reflection,
    rewrite_reply,
    simulation,
    spot_the_schema,
)
from .kinds.base import Feedback, ItemBase


@dataclass(frozen=True)
class ExerciseKind:
    type: str
    label: str  # what a student and an instructor call it
    schema: type[ItemBase]
    score: Callable[[Any, Any], Feedback]
    # "module:Class", imported on first display so that scoring, `check` and the CLI never
    # pay for ipywidgets.
    view: str

    def view_class(self) -> type:
        module, _, name = self.view.partition(":")
        return getattr(importlib.import_module(module), name)


_KINDS = (
    ExerciseKind("spot-the-schema", "Spot the schema", spot_the_schema.SpotTheSchema,
                 spot_the_schema.score, "repairlab.views.choice:ChoiceView"),
    ExerciseKind("rewrite-reply", "Rewrite the defensive reply", rewrite_reply.RewriteReply,
                 rewrite_reply.score, "repairlab.views.rewrite:RewriteView"),
    ExerciseKind("pick-repair-step", "Pick the repair step", pick_repair_step.PickRepairStep,
                 pick_repair_step.score, "repairlab.views.choice:ChoiceView"),
    ExerciseKind("order-repair-steps", "Order the repair steps",
                 order_repair_steps.OrderRepairSteps, order_repair_steps.score,
                 "repairlab.views.ordering:OrderingView"),
    ExerciseKind("classify-marker", "Classify the rupture marker", pick_repair_step.ClassifyMarker,
                 pick_repair_step.score, "repairlab.views.choice:ChoiceView"),
    ExerciseKind("rupture-or-red-flag", "Rupture or red flag?", pick_repair_step.RuptureOrRedFlag,
                 pick_repair_step.score, "repairlab.views.choice:ChoiceView"),
    ExerciseKind("reflection", "Reflection", reflection.Reflection, reflection.score,
                 "repairlab.views.reflection:ReflectionView"),
    ExerciseKind("simulation", "Case simulation", simulation.Simulation, simulation.score,
                 "repairlab.views.simulation:SimulationView"),
)

KINDS: dict[str, ExerciseKind] = {kind.type: kind for kind in _KINDS}


def kind_of(item: ItemBase) -> ExerciseKind:
    return KINDS[item.type]


def score(item: ItemBase, response: Any) -> Feedback:
    """Score any item with its kind's scorer."""
    return kind_of(item).score(item, response)
