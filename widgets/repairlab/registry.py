"""The one table from an item's ``type`` to its schema, scorer and view.

Adding an exercise kind means adding its schema under ``schemas/`` (what an author writes,
pydantic), its declared item type and pure scorer under ``kinds/`` (no pydantic), a view under
``views/``, a renderer for its answers in ``views/render.py`` (or one of those there), and one
entry here; the loader, ``repairlab check``, ``show()`` and the docs all
read this table.

Every part of an entry is a ``"module:Name"`` string, resolved on first use: importing this
table imports no exercise kind (nor pydantic), so a page's kernel pays only for the kinds it
shows, a kernel showing compiled items never imports a schema, and scoring, ``check`` and the
CLI never pay for ipywidgets.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .kinds.base import Feedback, Item
    from .schemas.base import ItemBase
    from .views.render import Renderer


def _resolve(ref: Any) -> Any:
    """``"module:Name"`` -> the object; anything else (an object given directly) as it is."""
    if not isinstance(ref, str):
        return ref
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class ExerciseKind:
    type: str
    label: str  # what a student and an instructor call it
    schema_ref: str  # "module:Class" of the item model (pydantic), or the class itself
    item_ref: str  # "module:Class" of the declared item type (a frozen dataclass, no pydantic)
    score_ref: str  # "module:function" of the pure scorer, or the function itself
    view: str  # "module:Class" of the ipywidgets view
    render_ref: str  # "module:Renderer" drawing an answer and its feedback (page and hand-in)

    @cached_property
    def schema(self) -> type[ItemBase]:
        """The item model; the kind's module is imported on first use."""
        return _resolve(self.schema_ref)

    @cached_property
    def item_type(self) -> type[Item]:
        """The declared item type the schema validates into and the compiled course loads
        into; the kind's module is imported on first use."""
        return _resolve(self.item_ref)

    @cached_property
    def score(self) -> Callable[[Any, Any], Feedback]:
        """The pure scorer; the kind's module is imported on first use."""
        return _resolve(self.score_ref)

    @cached_property
    def renderer(self) -> Renderer:
        """The renderer the live page and the hand-in share; imports no ipywidgets."""
        return _resolve(self.render_ref)

    def view_class(self) -> type:
        return _resolve(self.view)


_S = "repairlab.schemas."
_K = "repairlab.kinds."
_V = "repairlab.views."
_R = "repairlab.views.render:"
_KINDS = (
    ExerciseKind("spot-the-schema", "Spot the schema", _S + "spot_the_schema:SpotTheSchema",
                 _K + "spot_the_schema:SpotTheSchema", _K + "spot_the_schema:score",
                 _V + "choice:ChoiceView", _R + "CHOICE"),
    ExerciseKind("rewrite-reply", "Rewrite the defensive reply", _S + "rewrite_reply:RewriteReply",
                 _K + "rewrite_reply:RewriteReply", _K + "rewrite_reply:score",
                 _V + "rewrite:RewriteView", _R + "REWRITE"),
    ExerciseKind("pick-repair-step", "Pick the repair step", _S + "pick_repair_step:PickRepairStep",
                 _K + "pick_repair_step:PickRepairStep", _K + "pick_repair_step:score",
                 _V + "choice:ChoiceView", _R + "CHOICE"),
    ExerciseKind("order-repair-steps", "Order the repair steps",
                 _S + "order_repair_steps:OrderRepairSteps",
                 _K + "order_repair_steps:OrderRepairSteps", _K + "order_repair_steps:score",
                 _V + "ordering:OrderingView", _R + "ORDER"),
    ExerciseKind("classify-marker", "Classify the rupture marker",
                 _S + "pick_repair_step:ClassifyMarker", _K + "pick_repair_step:ClassifyMarker",
                 _K + "pick_repair_step:score", _V + "choice:ChoiceView", _R + "CHOICE"),
    ExerciseKind("rupture-or-red-flag", "Rupture or red flag?",
                 _S + "pick_repair_step:RuptureOrRedFlag", _K + "pick_repair_step:RuptureOrRedFlag",
                 _K + "pick_repair_step:score", _V + "choice:ChoiceView", _R + "CHOICE"),
    ExerciseKind("reflection", "Reflection", _S + "reflection:Reflection",
                 _K + "reflection:Reflection", _K + "reflection:score",
                 _V + "reflection:ReflectionView", _R + "REFLECTION"),
    ExerciseKind("simulation", "Case simulation", _S + "simulation:Simulation",
                 _K + "simulation:Simulation", _K + "simulation:score",
                 _V + "simulation:SimulationView", _R + "SIMULATION"),
    ExerciseKind("find-the-moment", "Find the moment", _S + "find_the_moment:FindTheMoment",
                 _K + "find_the_moment:FindTheMoment", _K + "find_the_moment:score",
                 _V + "find_the_moment:FindTheMomentView", _R + "MOMENT"),
)

KINDS: dict[str, ExerciseKind] = {kind.type: kind for kind in _KINDS}


def kind_of(item: Item) -> ExerciseKind:
    return KINDS[item.type]


def score(item: Item, response: Any) -> Feedback:
    """Score any item with its kind's scorer."""
    return kind_of(item).score(item, response)
