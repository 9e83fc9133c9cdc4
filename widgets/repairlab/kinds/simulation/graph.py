"""Every situation a case can reach: the walk over (node, flags, meter) configurations from
its start, treating free-text routing as open (any route some reply could take).

``repairlab check`` turns what it finds into authoring problems (schemas/simulation.py: nodes
never reached, conditions that never hold, dead ends, loops with no way out) and the answer
cues (content/cues.py) read every choice a student could meet. Pure: no pydantic, so the
schema's check walks the declared case (item.py) that it validates into.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .engine import apply_edge, variant_index
from .item import Conditions, Edge, Node, Route, Simulation

__all__ = ["MAX_CONFIGS", "Config", "Exploration", "Loc", "conditioned", "edges", "explore",
           "loop_from", "open_edges"]

MAX_CONFIGS = 50_000    # the graph check explores (node, flags, meter) states; cases are small
# Where an edge or variant is in the case, as a validation error's location: ("nodes", 3,
# "choices", 1).
Loc = tuple[Any, ...]


def edges(node: Node, index: int) -> Iterator[tuple[Loc, Edge, str]]:
    for j, choice in enumerate(node.choices):
        yield ("nodes", index, "choices", j), choice, f"choice '{choice.id}'"
    if node.reply is not None:
        for k, route in enumerate(node.reply.routes):
            yield ("nodes", index, "reply", "routes", k), route, f"route #{k + 1}"


def conditioned(node: Node, index: int) -> Iterator[tuple[Loc, Conditions]]:
    for loc, edge, _ in edges(node, index):
        yield loc, edge
    for k, variant in enumerate(node.variants):
        yield ("nodes", index, "variants", k), variant


# A configuration of a playthrough: where it is, what the client remembers, the meter.
Config = tuple[str, frozenset, tuple]


@dataclass
class Exploration:
    """Every configuration a case can reach from its start, treating free-text routing as open."""

    start: Config
    successors: dict[Config, list[tuple[Loc, Config]]] = field(default_factory=dict)
    parent: dict[Config, tuple[Config, Loc] | None] = field(default_factory=dict)
    used: set[Loc] = field(default_factory=set)  # choices, routes and variants ever in play
    truncated: bool = False

    def path_to(self, config: Config) -> list[tuple[Config, Loc]]:
        """The (configuration, edge) steps from the start to ``config``."""
        steps = []
        while (link := self.parent[config]) is not None:
            config, loc = link[0], link[1]
            steps.append((config, loc))
        return steps[::-1]


def _state_dict(sim: Simulation, values: tuple) -> dict[str, int]:
    return dict(zip(sim.state, values, strict=True))


def open_edges(node: Node, index: int, flags, state) -> Iterator[tuple[Loc, Edge]]:
    """Edges that could be taken at ``node``; for a reply, every route some reply could take."""
    for loc, edge, _ in edges(node, index):
        if not edge.holds(flags, state):
            continue
        yield loc, edge
        if isinstance(edge, Route) and not edge.judges_reply:
            break  # nothing after an unconditional route can be reached


def explore(sim: Simulation, limit: int = MAX_CONFIGS) -> Exploration:
    index = {n.id: i for i, n in enumerate(sim.nodes)}
    start: Config = (sim.start, frozenset(), tuple(sim.start_state().values()))
    found = Exploration(start, parent={start: None})
    queue = deque([start])
    while queue:
        config = queue.popleft()
        node_id, flags, values = config
        i = index[node_id]
        node = sim.nodes[i]
        state = _state_dict(sim, values)
        variant = variant_index(node, flags, state)
        if variant is not None:
            found.used.add(("nodes", i, "variants", variant))
        found.successors[config] = []
        for loc, edge in open_edges(node, i, flags, state):
            found.used.add(loc)
            new_flags, new_state = apply_edge(sim, edge, flags, state)
            nxt: Config = (edge.next, new_flags, tuple(new_state.values()))
            found.successors[config].append((loc, nxt))
            if nxt not in found.parent:
                if len(found.parent) >= limit:
                    found.truncated = True
                    return found
                found.parent[nxt] = (config, loc)
                queue.append(nxt)
    return found



def loop_from(config: Config, exploration: Exploration) -> list[str]:
    """Follow the first edge until a configuration repeats; return the loop's node ids."""
    order: list[Config] = []
    seen: dict[Config, int] = {}
    while config not in seen:
        seen[config] = len(order)
        order.append(config)
        config = exploration.successors[config][0][1]
    names = [c[0] for c in order[seen[config]:]]
    # A loop can pass a node in several meter states; name each node once, in order.
    return list(dict.fromkeys(names))
