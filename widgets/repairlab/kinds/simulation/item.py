"""A case as declared: the ``Simulation`` item and its parts (nodes, choices, free-text
routes, variants, the meter), each a frozen dataclass with the behaviour the engine, the graph
walk and the views use. What an author may write, with descriptions and checks, is
``repairlab.schemas.simulation``; it validates into these types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ...vocab import MOVES, RUPTURE_TYPES
from ..base import Item, shown_order
from .vocabulary import CODES, ENDINGS, PHASES

CodeName = Literal[tuple(CODES)]  # type: ignore[valid-type]
Phase = Literal[tuple(PHASES)]  # type: ignore[valid-type]
Ending = Literal[ENDINGS]  # type: ignore[valid-type]
Move = Literal[MOVES]  # type: ignore[valid-type]

DEFAULT_LABELS = {"bond": "Bond", "tasks": "Agreement on tasks", "goals": "Agreement on goals"}


@dataclass(frozen=True, slots=True, kw_only=True)
class StateVar:
    """One value of the alliance meter."""

    label: str | None
    start: int
    min: int
    max: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Conditions:
    """When an entry applies: flags the client remembers, and meter thresholds."""

    requires: tuple[str, ...]
    unless: tuple[str, ...]
    at_least: dict[str, int]
    below: dict[str, int]

    @property
    def conditional(self) -> bool:
        return bool(self.requires or self.unless or self.at_least or self.below)

    def holds(self, flags: frozenset[str] | set[str], state: Mapping[str, int]) -> bool:
        return (all(f in flags for f in self.requires)
                and not any(f in flags for f in self.unless)
                and all(state[k] >= v for k, v in self.at_least.items())
                and all(state[k] < v for k, v in self.below.items()))


@dataclass(frozen=True, slots=True, kw_only=True)
class Variant(Conditions):
    """Another line (stage direction, phase) for a node, when its conditions hold."""

    client: str | None
    stage: str | None
    phase: Phase | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Edge(Conditions):
    """What a trainee turn does: feedback, effects on the meter, flags set, where it leads."""

    feedback: str
    effects: dict[str, int]
    sets: tuple[str, ...]
    next: str

    @property
    def weight(self) -> int:
        return sum(self.effects.values())


@dataclass(frozen=True, slots=True, kw_only=True)
class ChoiceEdge(Edge):
    """A line the trainee can pick."""

    id: str
    text: str
    code: CodeName


@dataclass(frozen=True, slots=True, kw_only=True)
class Route(Edge):
    """Where a free-text reply goes when the reply assessor's reading matches."""

    defensive: bool | None
    moves_include: tuple[Move, ...]
    moves_any: tuple[Move, ...]
    asks_about_risk: bool | None
    otherwise: bool
    code: CodeName | None

    @property
    def judges_reply(self) -> bool:
        return (self.defensive is not None or bool(self.moves_include)
                or bool(self.moves_any) or self.asks_about_risk is not None)

    def matches(self, assessment: Mapping[str, Any], flags, state) -> bool:
        if not self.holds(flags, state):
            return False
        if self.otherwise:
            return True
        moves = set(assessment.get("moves", ()))
        # A "not sure" verdict (None) matches neither `defensive: true` nor `defensive: false`.
        asked = bool(assessment.get("asks_about_risk"))
        return ((self.defensive is None or assessment.get("defensive") is self.defensive)
                and (self.asks_about_risk is None or asked == self.asks_about_risk)
                and all(m in moves for m in self.moves_include)
                and (not self.moves_any or any(m in moves for m in self.moves_any)))


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """A free-text turn: the instruction above the box, and the routes checked in order."""

    prompt: str | None
    routes: tuple[Route, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """A point in the conversation: the client's line, then choices, a reply, or an ending."""

    id: str
    stage: str | None
    client: str
    phase: Phase | None
    variants: tuple[Variant, ...]
    choices: tuple[ChoiceEdge, ...]
    reply: Reply | None
    coach: str | None
    ending: Ending | None
    lesson: str | None
    epilogue: str | None
    reflection: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Simulation(Item):
    rupture_type: Literal[RUPTURE_TYPES]  # type: ignore[valid-type]
    context: str
    client_name: str
    background: str
    show_meter: bool
    coach_during_play: bool
    state: dict[str, StateVar]
    flags: dict[str, str]  # a flag -> what it means the client remembers
    start: str
    nodes: tuple[Node, ...]
    reflection: str

    def node(self, node_id: str) -> Node:
        return self.node_map()[node_id]

    def node_map(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    def label(self, var: str) -> str:
        return self.state[var].label or DEFAULT_LABELS.get(var, var)

    def start_state(self) -> dict[str, int]:
        return {k: v.start for k, v in self.state.items()}

    def offered_choices(self, node: Node, flags, state: Mapping[str, int]) -> list[ChoiceEdge]:
        """The choices ``node`` offers in this situation (those whose conditions hold), in the
        order they are shown: the engine offers these, and the answer cues measure them."""
        return [c for c in shown_order(self, node.choices, node.id) if c.holds(flags, state)]
