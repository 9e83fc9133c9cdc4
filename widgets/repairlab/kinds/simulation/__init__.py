"""Case simulations: a branching rupture-and-repair conversation with a client who remembers.

An author writes a graph: nodes (a client line, an optional stage direction, how the client
seems) joined by the trainee's choices, or at chosen nodes by a free-text reply that the reply
assessor routes (defensive? which repair moves landed?). Each turn moves an alliance meter
(bond; agreement on tasks and goals) and may set flags that later lines and choices depend on.
Endings are ``repaired``, ``withdraws-further``, ``ends-therapy`` or ``red-flag``; a debrief
codes every trainee turn by a 3RS resolution strategy or a defensive marker.

One concern a module, none of which imports pydantic or ipywidgets:

* ``vocabulary.py`` -- endings, the codes of a turn, the client's phases;
* ``item.py`` -- the case as declared: ``Simulation`` and its nodes, choices and routes,
  frozen dataclasses with their behaviour (what the schema validates into);
* ``engine.py`` -- ``Playthrough``, the pure state machine a view (or a test) drives;
* ``graph.py`` -- every situation a case can reach, which ``repairlab check`` and the answer
  cues walk;
* ``debrief.py`` -- the debrief at an ending, as ``Feedback``;
* ``scorer.py`` -- ``score(item, path)``, which replays a recorded path to its debrief.

The schema (what an author may write, and the graph check that lets ``repairlab check``
report file, line and node) is in ``repairlab.schemas.simulation``.
"""

from .debrief import ENDING_STATUS, GOOD_ENDINGS, CaseFacts, Debrief, TurningPoint
from .engine import (
    MAX_REPLY_CHARS,
    Assessor,
    Line,
    Playthrough,
    ReplayError,
    SimulationError,
    Step,
    apply_edge,
    code_reply,
    summarise_assessment,
    variant_index,
)
from .item import (
    DEFAULT_LABELS,
    ChoiceEdge,
    Conditions,
    Edge,
    Node,
    Reply,
    Route,
    Simulation,
    StateVar,
    Variant,
)
from .scorer import score
from .vocabulary import CODES, ENDING_TITLES, ENDINGS, FAMILY_LABELS, PHASES, UNFOLDING, Code

__all__ = [
    "CODES",
    "DEFAULT_LABELS",
    "ENDINGS",
    "ENDING_STATUS",
    "ENDING_TITLES",
    "FAMILY_LABELS",
    "GOOD_ENDINGS",
    "MAX_REPLY_CHARS",
    "PHASES",
    "UNFOLDING",
    "Assessor",
    "CaseFacts",
    "ChoiceEdge",
    "Code",
    "Conditions",
    "Debrief",
    "Edge",
    "Line",
    "Node",
    "Playthrough",
    "ReplayError",
    "Reply",
    "Route",
    "Simulation",
    "SimulationError",
    "StateVar",
    "Step",
    "TurningPoint",
    "Variant",
    "apply_edge",
    "code_reply",
    "score",
    "summarise_assessment",
    "variant_index",
]
