"""Case simulations: a branching rupture-and-repair conversation with a client who remembers.

An author writes a graph: nodes (a client line, an optional stage direction, how the client
seems) joined by the trainee's choices, or at chosen nodes by a free-text reply that the reply
assessor routes (defensive? which repair moves landed?). Each turn moves an alliance meter
(bond; agreement on tasks and goals) and may set flags that later lines and choices depend on.
Endings are ``repaired``, ``withdraws-further``, ``ends-therapy`` or ``red-flag``; a debrief
codes every trainee turn by a 3RS resolution strategy or a defensive marker.

Three layers, none of which imports ipywidgets:

* the schema (``Simulation`` and its parts), whose graph check runs inside pydantic so that
  ``repairlab check`` reports file, line and node like any other authoring mistake;
* ``Playthrough``, the pure state machine a view (or a test) drives;
* ``score(item, path)``, which replays a recorded path and returns the debrief as ``Feedback``.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from ..feedback.model import MARKER_KINDS, MARKER_LABELS  # stdlib-only: free to import
from ..vocab import MOVES
from .base import Feedback, ItemBase, NonEmptyText, Note, Strict

# --- vocabulary ---------------------------------------------------------------------------

ENDINGS = ("repaired", "withdraws-further", "ends-therapy", "red-flag")
ENDING_TITLES = {
    "repaired": "Repaired: the alliance is stronger than before the rupture",
    "withdraws-further": "The client withdraws further",
    "ends-therapy": "The client ends therapy",
    "red-flag": "A red flag: the right act is to consult or refer",
}
# Reaching a red-flag ending means the case showed the limit of in-session repair, which is
# what it teaches; a client leaving can still be ended well. None of these is a grade.
ENDING_STATUS = {"repaired": "good", "red-flag": "good", "ends-therapy": "partial",
                 "withdraws-further": "needs-work"}
GOOD_ENDINGS = frozenset({"repaired", "red-flag"})


@dataclass(frozen=True)
class Code:
    name: str
    family: str
    label: str


# How a trainee turn is coded in the debrief: the 3RS resolution strategies (Eubanks, Muran &
# Safran 2015), the defensive markers (shared with the reply assessor, so that a free-text
# reply is coded with the same names as a choice), and codes for turns that are neither
# (letting a marker pass; the acts a red flag calls for; crossing a boundary).
CODES: dict[str, Code] = {c.name: c for c in (
    Code("clarify", "immediate", "clarify a misunderstanding"),
    Code("change-task", "immediate", "change the task or goal"),
    Code("rationale", "immediate", "give a rationale for a task"),
    Code("invite-feelings", "exploratory", "invite feelings about the therapist or therapy"),
    Code("own-contribution", "exploratory", "acknowledge your own contribution"),
    Code("disclose", "exploratory", "disclose your own experience of the interaction"),
    Code("validate-defence", "exploratory", "validate the client's defensive posture"),
    Code("link-patterns", "exploratory", "link the rupture to patterns"),
    # The defensive markers, named exactly as the reply assessor names them.
    *(Code(kind, "defensive", MARKER_LABELS[kind][:1].lower() + MARKER_LABELS[kind][1:])
      for kind in MARKER_KINDS),
    Code("missed-marker", "missed", "letting the marker pass"),
    Code("consult", "limits", "consult a supervisor or refer"),
    Code("safety", "limits", "ask directly about safety"),
    Code("boundary-crossing", "boundary", "crossing a professional boundary"),
)}
FAMILY_LABELS = {
    "immediate": "Immediate resolution strategy",
    "exploratory": "Exploratory resolution strategy",
    "defensive": "Defensive marker",
    "missed": "No strategy",
    "limits": "Beyond in-session repair",
    "boundary": "Boundary crossing",
}
CodeName = Literal[tuple(CODES)]  # type: ignore[valid-type]

# How the client seems at a node. The first three of each rupture type are the way resolution
# tends to unfold (Safran & Muran 1996); the rest name where a conversation can end up.
PHASES = {
    "anger": "angry",
    "hurt": "hurt and disappointed",
    "vulnerability": "vulnerable and wanting to be cared for",
    "minimal": "withdrawn, giving short, careful answers",
    "discontent": "beginning to say what is wrong",
    "self-assertion": "saying clearly what they want",
    "collaborating": "working with you again",
    "guarded": "guarded",
    "shut-down": "shut down",
    "leaving": "ready to leave",
    "at-risk": "hopeless",
}
Phase = Literal[tuple(PHASES)]  # type: ignore[valid-type]
UNFOLDING = {"confrontation": ("anger", "hurt", "vulnerability"),
             "withdrawal": ("minimal", "discontent", "self-assertion")}

Move = Literal[MOVES]  # type: ignore[valid-type]
DEFAULT_LABELS = {"bond": "Bond", "tasks": "Agreement on tasks", "goals": "Agreement on goals"}
MAX_REPLY_CHARS = 5000  # a reply is a few sentences; the cap keeps a paste accident harmless
MAX_CONFIGS = 50_000    # the graph check explores (node, flags, meter) states; cases are small

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=40)]
NodeId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]


# --- schema ---------------------------------------------------------------------------------

class StateVar(Strict):
    label: str | None = Field(default=None, description="How the meter names it (optional; "
                              "bond, tasks and goals have defaults).")
    start: int = Field(description="The value when the case begins.", examples=[4])
    min: int = Field(default=0, description="The lowest value (default 0).")
    max: int = Field(description="The highest value.", examples=[10])

    @model_validator(mode="after")
    def _range(self) -> StateVar:
        if not self.min < self.max:
            raise PydanticCustomError(
                "state_range", "`min` ({min}) must be below `max` ({max}). Fix: swap them.",
                {"min": self.min, "max": self.max})
        if not self.min <= self.start <= self.max:
            raise PydanticCustomError(
                "state_start", "`start` ({start}) is outside {min}..{max}. "
                "Fix: choose a start between min and max.",
                {"start": self.start, "min": self.min, "max": self.max})
        return self


class Conditions(Strict):
    """When an entry applies: flags the client remembers, and meter thresholds."""

    requires: list[Name] = Field(default_factory=list,
                                 description="Flags that must all be set.")
    unless: list[Name] = Field(default_factory=list,
                               description="Flags none of which may be set.")
    at_least: dict[Name, int] = Field(default_factory=dict,
                                      description="Meter values that must be at least this.",
                                      examples=[{"bond": 5}])
    below: dict[Name, int] = Field(default_factory=dict,
                                   description="Meter values that must be below this.")

    @property
    def conditional(self) -> bool:
        return bool(self.requires or self.unless or self.at_least or self.below)

    def holds(self, flags: frozenset[str] | set[str], state: Mapping[str, int]) -> bool:
        return (all(f in flags for f in self.requires)
                and not any(f in flags for f in self.unless)
                and all(state[k] >= v for k, v in self.at_least.items())
                and all(state[k] < v for k, v in self.below.items()))


class Variant(Conditions):
    client: str | None = Field(default=None, description="The client's line instead.")
    stage: str | None = Field(default=None, description="The stage direction instead.")
    phase: Phase | None = Field(default=None, description="How the client seems instead.")


class Edge(Conditions):
    """What a trainee turn does: feedback, effects on the meter, flags set, where it leads."""

    feedback: NonEmptyText = Field(description="Why this turn helps or hurts, in a few "
                                   "sentences. Shown after the turn and in the debrief.")
    effects: dict[Name, int] = Field(default_factory=dict,
                                     description="Change to the meter, e.g. {bond: 2, tasks: -1}.",
                                     examples=[{"bond": 2, "tasks": -1}])
    sets: list[Name] = Field(default_factory=list,
                             description="Flags this turn sets: what the client will remember.")
    next: NodeId = Field(description="The id of the node this turn leads to.")

    @property
    def weight(self) -> int:
        return sum(self.effects.values())


class ChoiceEdge(Edge):
    id: NodeId = Field(description="Short id, unique within the node, e.g. own-it.")
    text: NonEmptyText = Field(description="What the therapist says, as the trainee reads it.")
    code: CodeName = Field(description="The 3RS resolution strategy or defensive marker this "
                           "turn shows, e.g. own-contribution or justifying.")


class Route(Edge):
    defensive: bool | None = Field(default=None,
                                   description="Taken when the reply is (true) or is not "
                                   "(false) rated defensive.")
    moves_include: list[Move] = Field(default_factory=list,
                                      description="Taken when the reply makes all these moves.")
    moves_any: list[Move] = Field(default_factory=list,
                                  description="Taken when the reply makes any of these moves.")
    otherwise: bool = Field(default=False, description="The fallback route; the last one.")
    code: CodeName | None = Field(default=None, description="How to code a reply that takes "
                                  "this route (optional: found from the reply otherwise).")

    @property
    def judges_reply(self) -> bool:
        return (self.defensive is not None or bool(self.moves_include)
                or bool(self.moves_any))

    def matches(self, assessment: Mapping[str, Any], flags, state) -> bool:
        if not self.holds(flags, state):
            return False
        if self.otherwise:
            return True
        moves = set(assessment.get("moves", ()))
        return ((self.defensive is None or bool(assessment.get("defensive")) == self.defensive)
                and all(m in moves for m in self.moves_include)
                and (not self.moves_any or any(m in moves for m in self.moves_any)))


class Reply(Strict):
    prompt: str | None = Field(default=None, description="The instruction above the text box.")
    routes: list[Route] = Field(min_length=1, description="Checked in order; the first that "
                                "matches is taken. The last is `otherwise: true`.")


class Node(Strict):
    id: NodeId = Field(description="The node's id, unique in the case, e.g. opening.")
    stage: str | None = Field(default=None, description="A stage direction (optional).")
    client: NonEmptyText = Field(description="What the client says at this point.")
    phase: Phase | None = Field(default=None, description="How the client seems: "
                                + ", ".join(PHASES) + ".")
    variants: list[Variant] = Field(default_factory=list,
                                    description="Other lines for when flags are set; the first "
                                    "that applies is used.")
    choices: list[ChoiceEdge] = Field(default_factory=list,
                                      description="What the trainee can say next.")
    reply: Reply | None = Field(default=None, description="A free-text turn, routed by the "
                                "reply assessor (instead of choices).")
    coach: str | None = Field(default=None, description="What would help at this point; the "
                              "debrief shows it when this turn mattered most.")
    ending: Literal[ENDINGS] | None = Field(  # type: ignore[valid-type]
        default=None, description="Makes this node an ending: " + ", ".join(ENDINGS) + ".")
    lesson: str | None = Field(default=None, description="An ending's teaching point, shown "
                               "at the top of the debrief.")
    epilogue: str | None = Field(default=None, description="What happens afterwards; an "
                                 "ends-therapy ending describes the termination session.")
    reflection: str | None = Field(default=None, description="A reflection prompt for this "
                                   "ending (optional; the case's own otherwise).")


class Simulation(ItemBase):
    type: Literal["simulation"]
    rupture_type: Literal["confrontation", "withdrawal"] = Field(
        description="The kind of rupture the case turns on: confrontation or withdrawal.")
    context: NonEmptyText = Field(description="The setting and what happened before, briefly.")
    client_name: NonEmptyText = Field(description="The client's first name, as the transcript "
                                      "shows it.", examples=["Sofia"])
    background: NonEmptyText = Field(description="Who the client is, in two or three sentences.")
    show_meter: bool = Field(default=True, description="Show the alliance meter while playing "
                             "(false for harder cases; the debrief still shows it).")
    coach_during_play: bool = Field(default=True, description="Show each turn's feedback at "
                                    "once (false keeps it for the debrief).")
    state: dict[Name, StateVar] = Field(min_length=1, description="The alliance meter: bond, "
                                        "tasks and goals, each with start, min and max.")
    flags: dict[Name, NonEmptyText] = Field(default_factory=dict,
                                            description="What the client can remember, each "
                                            "with a sentence saying what it means.")
    start: NodeId = Field(description="The id of the first node.")
    nodes: list[Node] = Field(min_length=2, description="The conversation's nodes.")
    reflection: NonEmptyText = Field(description="The reflection prompt after any ending.")

    @model_validator(mode="after")
    def _check_graph(self) -> Simulation:
        problems = graph_problems(self)
        if problems:
            # Raised as a ValidationError so that each problem keeps its own location (the
            # node, choice or field), which the loader turns into a file:line message.
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self

    # conveniences for the engine and views
    def node(self, node_id: str) -> Node:
        return self.node_map()[node_id]

    def node_map(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    def label(self, var: str) -> str:
        return self.state[var].label or DEFAULT_LABELS.get(var, var)

    def start_state(self) -> dict[str, int]:
        return {k: v.start for k, v in self.state.items()}


# --- graph check ----------------------------------------------------------------------------

Loc = tuple[Any, ...]


def _problem(loc: Loc, message: str, fix: str, value: Any = None) -> InitErrorDetails:
    # The text goes in through ctx so that braces in an id or a line can't break formatting.
    return InitErrorDetails(
        type=PydanticCustomError("simulation", "{message} Fix: {fix}",
                                 {"message": message, "fix": fix}),
        loc=loc, input=value)


def _quoted(names: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(f"'{n}'" for n in list(names)[:limit])
    return shown + (", ..." if len(names) > limit else "")


def _edges(node: Node, index: int) -> Iterator[tuple[Loc, Edge, str]]:
    for j, choice in enumerate(node.choices):
        yield ("nodes", index, "choices", j), choice, f"choice '{choice.id}'"
    if node.reply is not None:
        for k, route in enumerate(node.reply.routes):
            yield ("nodes", index, "reply", "routes", k), route, f"route #{k + 1}"


def _conditioned(node: Node, index: int) -> Iterator[tuple[Loc, Conditions]]:
    for loc, edge, _ in _edges(node, index):
        yield loc, edge
    for k, variant in enumerate(node.variants):
        yield ("nodes", index, "variants", k), variant


def graph_problems(sim: Simulation) -> list[InitErrorDetails]:
    """Everything wrong with a case's graph, each located at the node or field concerned."""
    problems = _structure_problems(sim)
    if problems:
        return problems  # the exploration below needs every edge and name to resolve
    return _exploration_problems(sim)


def _structure_problems(sim: Simulation) -> list[InitErrorDetails]:
    problems: list[InitErrorDetails] = []
    ids = [n.id for n in sim.nodes]
    seen: dict[str, int] = {}
    for i, node in enumerate(sim.nodes):
        if node.id in seen:
            problems.append(_problem(
                ("nodes", i, "id"), f"node id '{node.id}' is used twice (also node "
                f"#{seen[node.id] + 1}).", "give this node a new id and update the `next:` "
                "lines that should lead to it.", node.id))
        seen.setdefault(node.id, i)
    if sim.start not in seen:
        problems.append(_problem(("start",), f"`start` names '{sim.start}', which is not a "
                                 "node of this case.", f"set `start:` to one of {_quoted(ids)}.",
                                 sim.start))
    elif sim.nodes[seen[sim.start]].ending:
        problems.append(_problem(("start",), f"the start node '{sim.start}' is an ending.",
                                 "start at a node where the trainee can take a turn.", sim.start))

    declared_flags = set(sim.flags)
    declared_vars = set(sim.state)
    for i, node in enumerate(sim.nodes):
        problems += _node_shape_problems(node, i)
        where = f"node '{node.id}'"
        for loc, edge, what in _edges(node, i):
            if edge.next not in seen:
                problems.append(_problem(
                    (*loc, "next"), f"{where}: {what} goes to '{edge.next}', which is not a "
                    "node of this case.", _close(edge.next, ids, "set `next:` to an existing node "
                                                 f"id, or add a node with `id: {edge.next}`."),
                    edge.next))
            for k, flag in enumerate(edge.sets):
                if flag not in declared_flags:
                    problems.append(_undeclared_flag((*loc, "sets", k), where, flag, sim))
            for var in edge.effects:
                if var not in declared_vars:
                    problems.append(_undeclared_var((*loc, "effects", var), where, var, sim))
        for loc, cond in _conditioned(node, i):
            for key in ("requires", "unless"):
                for k, flag in enumerate(getattr(cond, key)):
                    if flag not in declared_flags:
                        problems.append(_undeclared_flag((*loc, key, k), where, flag, sim))
            for key in ("at_least", "below"):
                for var in getattr(cond, key):
                    if var not in declared_vars:
                        problems.append(_undeclared_var((*loc, key, var), where, var, sim))
    return problems


def _close(name: str, known: Sequence[str], fix: str) -> str:
    """``fix``, led by "did you mean ...?" when ``name`` looks like a typo of a known name."""
    import difflib

    match = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'? {fix[:1].upper()}{fix[1:]}" if match else fix


def _undeclared_flag(loc: Loc, where: str, flag: str, sim: Simulation) -> InitErrorDetails:
    known = _quoted(list(sim.flags)) if sim.flags else "none yet"
    return _problem(loc, f"{where} uses the flag '{flag}', which is not declared under "
                    f"`flags:` (declared: {known}).",
                    _close(flag, list(sim.flags), "declare it under `flags:` with a sentence "
                           "saying what the client remembers, or fix the spelling."), flag)


def _undeclared_var(loc: Loc, where: str, var: str, sim: Simulation) -> InitErrorDetails:
    return _problem(loc, f"{where} uses the meter value '{var}', which is not declared under "
                    f"`state:` (declared: {_quoted(list(sim.state))}).",
                    _close(var, list(sim.state), "declare it under `state:` with start, min "
                           "and max, or fix the spelling."), var)


def _node_shape_problems(node: Node, i: int) -> list[InitErrorDetails]:
    problems = []
    where = f"node '{node.id}'"
    kinds = [k for k, present in (("choices", bool(node.choices)), ("reply", node.reply),
                                  ("ending", node.ending)) if present]
    if not kinds:
        problems.append(_problem(
            ("nodes", i), f"{where} is a dead end: it has no `choices`, no `reply` and no "
            "`ending`, so the conversation would stop here with nothing to do.",
            "add `choices:` that lead on, a `reply:` with routes, or make it an ending with "
            "`ending: repaired` (or withdraws-further, ends-therapy, red-flag) and a `lesson:`.",
            node.id))
    elif len(kinds) > 1:
        problems.append(_problem(
            ("nodes", i, kinds[1]), f"{where} has both `{kinds[0]}` and `{kinds[1]}`.",
            "a node offers choices, or asks for a free-text reply, or is an ending: keep one "
            "and move the rest to another node.", node.id))

    ids_seen: set[str] = set()
    for j, choice in enumerate(node.choices):
        if choice.id in ids_seen:
            problems.append(_problem(("nodes", i, "choices", j, "id"),
                                     f"{where} has two choices with the id '{choice.id}'.",
                                     "give each choice of a node its own id.", choice.id))
        ids_seen.add(choice.id)
    for k, variant in enumerate(node.variants):
        if not variant.conditional:
            problems.append(_problem(("nodes", i, "variants", k), f"{where}: variant #{k + 1} "
                                     "has no condition, so it would always replace the line.",
                                     "add `requires:`, `unless:`, `at_least:` or `below:`, or "
                                     "change the node's own `client:` line instead.", node.id))
        if variant.client is None and variant.stage is None and variant.phase is None:
            problems.append(_problem(("nodes", i, "variants", k), f"{where}: variant #{k + 1} "
                                     "changes nothing.", "give it a `client:` line (or a "
                                     "`stage:` or `phase:`), or delete it.", node.id))

    if node.reply is not None:
        routes = node.reply.routes
        fallbacks = [k for k, r in enumerate(routes) if r.otherwise]
        last = len(routes) - 1
        if fallbacks != [last]:
            misplaced = next((k for k in fallbacks if k != last), last)
            problems.append(_problem(
                ("nodes", i, "reply", "routes", misplaced),
                f"{where}: the routes of a free-text reply must end with one "
                "`otherwise: true` route, and only the last may have it.",
                "make the last route `otherwise: true` (where any other reply goes), and remove "
                "`otherwise` from the others.", node.id))
        for k, route in enumerate(routes):
            if route.otherwise and (route.judges_reply or route.conditional):
                problems.append(_problem(("nodes", i, "reply", "routes", k, "otherwise"),
                                         f"{where}: the `otherwise` route has conditions too.",
                                         "remove the conditions: `otherwise` catches every "
                                         "reply the routes above did not.", node.id))
            elif not route.otherwise and not route.judges_reply:
                problems.append(_problem(("nodes", i, "reply", "routes", k), f"{where}: route "
                                         f"#{k + 1} does not look at the reply.",
                                         "add `defensive: true` (or false), `moves_include:` or "
                                         "`moves_any:`; or make it the `otherwise` route.",
                                         node.id))
        if not node.coach:
            problems.append(_problem(("nodes", i, "reply"), f"{where} asks for a free-text "
                                     "reply but has no `coach:`.", "add `coach:` to the node: "
                                     "what would help here, for the debrief.", node.id))
    if node.ending:
        if not node.lesson:
            problems.append(_problem(("nodes", i, "ending"), f"{where} is an ending without a "
                                     "`lesson:`.", "add `lesson:`: what this ending shows, "
                                     "for the debrief.", node.id))
        if node.ending == "ends-therapy" and not node.epilogue:
            problems.append(_problem(("nodes", i, "ending"), f"{where} ends therapy but has no "
                                     "`epilogue:`.", "add `epilogue:` describing the "
                                     "termination session.", node.id))
    else:
        for key in ("lesson", "epilogue", "reflection"):
            if getattr(node, key):
                problems.append(_problem(("nodes", i, key), f"{where} has `{key}:` but is not "
                                         "an ending.", f"add `ending:` to the node, or move "
                                         f"`{key}:` to an ending.", node.id))
    return problems


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


def apply_edge(sim: Simulation, edge: Edge, flags: frozenset, state: Mapping[str, int]
               ) -> tuple[frozenset, dict[str, int]]:
    """The flags and meter after a turn; the meter stays inside each value's declared range."""
    new_state = dict(state)
    for var, change in edge.effects.items():
        spec = sim.state[var]
        new_state[var] = max(spec.min, min(spec.max, new_state[var] + change))
    return flags | frozenset(edge.sets), new_state


def open_edges(node: Node, index: int, flags, state) -> Iterator[tuple[Loc, Edge]]:
    """Edges that could be taken at ``node``; for a reply, every route some reply could take."""
    for loc, edge, _ in _edges(node, index):
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
        variant = _variant_index(node, flags, state)
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


def _variant_index(node: Node, flags, state) -> int | None:
    return next((k for k, v in enumerate(node.variants) if v.holds(flags, state)), None)


def _describe_path(sim: Simulation, exploration: Exploration, config: Config) -> str:
    steps = exploration.path_to(config)
    names = [step[0][0] for step in steps] + [config[0]]
    flags = sorted(config[1])
    remembered = f" with the flags {_quoted(flags)} set" if flags else ""
    return " → ".join(names) + remembered


def _exploration_problems(sim: Simulation) -> list[InitErrorDetails]:
    exploration = explore(sim)
    if exploration.truncated:
        return [_problem(("nodes",), f"the case has more than {MAX_CONFIGS} distinct "
                         "situations (node, flags and meter together) to check.",
                         "use fewer flags, or narrower meter ranges.")]
    problems: list[InitErrorDetails] = []
    index = {n.id: i for i, n in enumerate(sim.nodes)}
    reached = {config[0] for config in exploration.successors}
    linked = {edge.next for i, n in enumerate(sim.nodes) for _, edge, _ in _edges(n, i)}

    for i, node in enumerate(sim.nodes):
        if node.id in reached:
            continue
        if node.id in linked:
            why = ("the choices and routes that lead to it are never offered, because their "
                   "`requires`/`unless`/`at_least`/`below` never hold on the way")
            fix = "loosen those conditions, or set the flags they need earlier in the case."
        else:
            why = "no choice or route has `next: " + node.id + "`"
            fix = f"point a `next:` at '{node.id}', or delete the node."
        problems.append(_problem(("nodes", i, "id"), f"node '{node.id}' can never be reached "
                                 f"from the start ('{sim.start}'): {why}.", fix, node.id))

    for i, node in enumerate(sim.nodes):
        if node.id not in reached:
            continue
        for loc, conditions in _conditioned(node, i):
            if loc in exploration.used or not conditions.conditional:
                continue
            what = ("variant #" + str(loc[3] + 1) if loc[2] == "variants"
                    else f"choice '{node.choices[loc[3]].id}'" if loc[2] == "choices"
                    else f"route #{loc[4] + 1}")
            problems.append(_problem(loc, f"node '{node.id}': {what} can never apply: its "
                                     "conditions never hold when the conversation gets here.",
                                     "check its `requires`/`unless`/`at_least`/`below` against "
                                     "the flags and meter values set on the way.", node.id))

    # Dead ends: a node where, in some situation, every choice is ruled out.
    dead: list[Config] = [c for c, succ in exploration.successors.items()
                          if not succ and not sim.nodes[index[c[0]]].ending]
    reported: set[str] = set()
    for config in dead:
        if config[0] in reported:
            continue
        reported.add(config[0])
        i = index[config[0]]
        problems.append(_problem(
            ("nodes", i, "choices"), f"node '{config[0]}' is a dead end on the path "
            f"{_describe_path(sim, exploration, config)}: every choice there is ruled out by "
            "its conditions.", "add a choice without conditions (or one that fits this "
            "situation) so the conversation can go on.", config[0]))

    # Loops without an exit: situations from which neither an ending nor a reported dead end
    # can be reached (a dead end already explains the configurations that only lead to it).
    predecessors: dict[Config, list[Config]] = {}
    for config, succ in exploration.successors.items():
        for _, nxt in succ:
            predecessors.setdefault(nxt, []).append(config)
    good = {c for c in exploration.successors if sim.nodes[index[c[0]]].ending} | set(dead)
    queue = deque(good)
    while queue:
        for before in predecessors.get(queue.popleft(), ()):
            if before not in good:
                good.add(before)
                queue.append(before)
    trapped = [c for c in exploration.successors if c not in good]
    if trapped:
        loop = _loop_from(trapped[0], exploration)
        first = min(loop, key=lambda node_id: index[node_id])
        problems.append(_problem(
            ("nodes", index[first], "id"), f"from node '{first}' no ending can be reached: the "
            f"conversation can only go round the loop {' → '.join([*loop, loop[0]])}.",
            "give one of these nodes a choice or route whose `next:` leads towards an ending.",
            first))
    return problems


def _loop_from(config: Config, exploration: Exploration) -> list[str]:
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


# --- the engine -------------------------------------------------------------------------------

class SimulationError(ValueError):
    """A turn that the current node does not allow (a programming or replay mistake)."""


class ReplayError(SimulationError):
    """A recorded path that does not fit the case (e.g. the case was edited since)."""


Assessor = Callable[..., Any]


@dataclass(frozen=True)
class Line:
    speaker: Literal["client", "therapist", "narrator"]
    text: str


@dataclass(frozen=True)
class Step:
    """One trainee turn and what it did."""

    number: int
    node: str
    client_line: str
    said: str
    kind: Literal["choice", "reply"]
    code: str | None
    feedback: str
    effects: dict[str, int]
    change: dict[str, int]
    sets: tuple[str, ...]
    next: str
    flags_before: frozenset
    state_before: dict[str, int]
    choice: str | None = None
    route: int | None = None
    assessment: dict[str, Any] | None = None

    @property
    def weight(self) -> int:
        return sum(self.effects.values())

    @property
    def family(self) -> str | None:
        return CODES[self.code].family if self.code in CODES else None

    def code_text(self) -> str:
        if self.code in CODES:
            code = CODES[self.code]
            return f"{FAMILY_LABELS[code.family]}: {code.label}"
        if self.assessment and self.assessment.get("defensive"):
            return FAMILY_LABELS["defensive"]
        return "Not coded: no repair move or defensive marker was found"


def summarise_assessment(result: Any) -> dict[str, Any]:
    """The parts of a ReplyAssessment that route a reply and explain it, as plain JSON data."""
    def span_text(obj: Any) -> str:
        span = getattr(obj, "span", None)
        return str(getattr(span, "text", "") or "")

    return {
        "defensive": bool(getattr(result, "defensive", False)),
        "moves": sorted(str(m) for m in getattr(result, "moves", ())),
        "markers": [{"kind": str(getattr(m, "kind", "")), "text": span_text(m),
                     "reason": str(getattr(m, "reason", ""))}
                    for m in getattr(result, "markers", ())],
        "evidence": [{"move": str(getattr(e, "move", "")), "text": span_text(e),
                      "reason": str(getattr(e, "reason", ""))}
                     for e in getattr(result, "evidence", ())],
    }


# Which repair move, found in a reply, best stands for which 3RS strategy (in this order).
_MOVE_CODES = (("ownership", "own-contribution"), ("apology", "own-contribution"),
               ("exploration", "invite-feelings"), ("validation", "validate-defence"))


def code_reply(route: Route, assessment: Mapping[str, Any]) -> str | None:
    if route.code:
        return route.code
    if assessment.get("defensive"):
        return next((str(m.get("kind")) for m in assessment.get("markers", ())
                     if m.get("kind") in CODES), None)
    moves = set(assessment.get("moves", ()))
    return next((code for move, code in _MOVE_CODES if move in moves), None)


def _default_assessor() -> Assessor:
    from ..feedback import assess_reply  # the assessor loads its lexicon on first use

    return assess_reply


class Playthrough:
    """One run through a case. Pure: drive it with ``choose``/``reply``; read ``debrief()``."""

    def __init__(self, item: Simulation, assessor: Assessor | None = None):
        self.item = item
        self._nodes = item.node_map()
        self._assessor = assessor
        self.restart()

    @classmethod
    def start(cls, item: Simulation, assessor: Assessor | None = None) -> Playthrough:
        return cls(item, assessor)

    def restart(self) -> None:
        self._state = self.item.start_state()
        self._flags: frozenset = frozenset()
        self._steps: list[Step] = []
        self._records: list[dict[str, Any]] = []
        self.transcript: list[Line] = []
        self._phases: list[str] = []  # how the client seemed at each node reached
        self._arrive(self.item.start)

    # -- reading the current situation
    @property
    def node(self) -> Node:
        return self._nodes[self._node_id]

    @property
    def state(self) -> dict[str, int]:
        return dict(self._state)

    @property
    def flags(self) -> frozenset:
        return self._flags

    @property
    def steps(self) -> list[Step]:
        return list(self._steps)

    @property
    def path(self) -> list[dict[str, Any]]:
        """The recorded path: what the scorer replays and the progress store keeps (JSON)."""
        return copy.deepcopy(self._records)

    @property
    def phases(self) -> list[str]:
        """How the client seemed along the way, repeats folded: e.g. anger, hurt, vulnerability."""
        return [p for k, p in enumerate(self._phases) if k == 0 or self._phases[k - 1] != p]

    @property
    def visited(self) -> list[str]:
        return [s.node for s in self._steps] + [self._node_id]

    @property
    def ended(self) -> bool:
        return self.node.ending is not None

    @property
    def ending(self) -> str | None:
        return self.node.ending

    @property
    def expects_reply(self) -> bool:
        return self.node.reply is not None

    @property
    def line(self) -> str:
        return self._current_variant("client") or self.node.client

    @property
    def stage(self) -> str | None:
        return self._current_variant("stage") or self.node.stage

    @property
    def phase(self) -> str | None:
        return self._current_variant("phase") or self.node.phase

    @property
    def options(self) -> list[ChoiceEdge]:
        """The choices offered now (those whose conditions hold)."""
        return [c for c in self.node.choices if c.holds(self._flags, self._state)]

    def _current_variant(self, attribute: str) -> str | None:
        return self._arrival_variant.get(attribute)

    # -- taking turns
    def choose(self, choice_id: str) -> Step:
        self._require_open()
        choice = next((c for c in self.options if c.id == choice_id), None)
        if choice is None:
            offered = ", ".join(c.id for c in self.options) or "none"
            raise SimulationError(f"node '{self.node.id}' offers no choice '{choice_id}' now "
                                  f"(offered: {offered}).")
        return self._take(choice, said=choice.text, kind="choice", code=choice.code,
                          record={"node": self.node.id, "choice": choice.id},
                          choice=choice.id)

    def reply(self, text: str) -> Step:
        """Assess a free-text reply and follow the first route it matches."""
        self._require_open()
        if self.node.reply is None:
            raise SimulationError(f"node '{self.node.id}' asks for a choice, not a reply.")
        text = str(text or "").strip()[:MAX_REPLY_CHARS]
        if not text:
            raise SimulationError("an empty reply cannot be assessed.")
        assessor = self._assessor or _default_assessor()
        assessment = summarise_assessment(assessor(text, context=self.line))
        return self._apply_reply(text, assessment)

    def _apply_reply(self, text: str, assessment: dict[str, Any]) -> Step:
        assert self.node.reply is not None
        for k, route in enumerate(self.node.reply.routes):
            if route.matches(assessment, self._flags, self._state):
                return self._take(route, said=text, kind="reply",
                                  code=code_reply(route, assessment),
                                  record={"node": self.node.id, "reply": text, "route": k,
                                          "assessment": assessment},
                                  route=k, assessment=assessment)
        raise SimulationError(f"no route of node '{self.node.id}' matched")  # check forbids

    def _require_open(self) -> None:
        if self.ended:
            raise SimulationError("the case has ended; restart it to play again.")

    def _take(self, edge: Edge, *, said: str, kind, code, record, choice=None, route=None,
              assessment=None) -> Step:
        before_flags, before_state = self._flags, dict(self._state)
        self._flags, self._state = apply_edge(self.item, edge, self._flags, self._state)
        step = Step(
            number=len(self._steps) + 1, node=self.node.id, client_line=self.line, said=said,
            kind=kind, code=code, feedback=edge.feedback, effects=dict(edge.effects),
            change={k: self._state[k] - before_state[k] for k in self._state
                    if self._state[k] != before_state[k]},
            sets=tuple(f for f in edge.sets if f not in before_flags), next=edge.next,
            flags_before=before_flags, state_before=before_state, choice=choice, route=route,
            assessment=assessment)
        self._steps.append(step)
        self._records.append(record)
        self.transcript.append(Line("therapist", said))
        self._arrive(edge.next)
        return step

    def _arrive(self, node_id: str) -> None:
        self._node_id = node_id
        node = self._nodes[node_id]
        index = _variant_index(node, self._flags, self._state)
        variant = node.variants[index] if index is not None else None
        self._arrival_variant = ({k: getattr(variant, k) for k in ("client", "stage", "phase")
                                  if getattr(variant, k)} if variant else {})
        if self.phase:
            self._phases.append(self.phase)
        if self.stage:
            self.transcript.append(Line("narrator", self.stage))
        self.transcript.append(Line("client", self.line))
        if node.ending and node.epilogue:
            self.transcript.append(Line("narrator", node.epilogue))

    # -- replaying a saved path
    @classmethod
    def replay(cls, item: Simulation, path: Any, assessor: Assessor | None = None
               ) -> Playthrough:
        """Rebuild a playthrough from its recorded path, without calling the assessor."""
        play = cls(item, assessor)
        if not isinstance(path, list):
            raise ReplayError("a recorded path is a list of turns.")
        for number, record in enumerate(path, 1):
            if not isinstance(record, dict) or record.get("node") != play.node.id:
                raise ReplayError(f"turn {number} does not start at node '{play.node.id}'.")
            if "choice" in record:
                try:
                    play.choose(str(record["choice"]))
                except SimulationError as error:
                    raise ReplayError(f"turn {number}: {error}") from None
            elif "reply" in record and play.expects_reply and not play.ended:
                assessment = record.get("assessment")
                if not isinstance(assessment, dict) or not isinstance(
                        assessment.get("moves", []), list):
                    raise ReplayError(f"turn {number} has no usable assessment.")
                try:
                    play._apply_reply(str(record["reply"]), assessment)
                except SimulationError as error:
                    raise ReplayError(f"turn {number}: {error}") from None
            else:
                raise ReplayError(f"turn {number} is neither a choice nor a reply here.")
        return play

    def debrief(self) -> Debrief:
        if not self.ended:
            raise SimulationError("the debrief comes after an ending.")
        return Debrief.of(self)


# --- the debrief ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TurningPoint:
    step: int          # the turn's number, from 1
    why: str           # why it mattered
    would_help: str | None  # what would have helped there (None when it was the helping turn)


@dataclass(frozen=True)
class Debrief:
    case: str
    client_name: str
    ending: str
    ending_node: str
    title: str
    lesson: str
    path: list[str]
    phases: list[str]
    steps: list[Step]
    start_state: dict[str, int]
    end_state: dict[str, int]
    labels: dict[str, str]
    remembered: list[str]
    turning_point: TurningPoint | None
    also: TurningPoint | None  # on a good ending: the weakest turn, if one hurt
    reflection: str

    @classmethod
    def of(cls, play: Playthrough) -> Debrief:
        item, node, steps = play.item, play.node, play.steps
        assert node.ending is not None
        main, also = _turning_points(play)
        return cls(
            case=item.id, client_name=item.client_name, ending=node.ending, ending_node=node.id,
            title=ENDING_TITLES[node.ending], lesson=node.lesson or "",
            path=play.visited, phases=play.phases, steps=steps,
            start_state=item.start_state(),
            end_state=play.state, labels={k: item.label(k) for k in item.state},
            remembered=[item.flags[f] for f in item.flags if f in play.flags],
            turning_point=main, also=also,
            reflection=node.reflection or item.reflection)

    @property
    def status(self) -> str:
        return ENDING_STATUS[self.ending]

    def meter_summary(self) -> str:
        parts = [f"{self.labels[k]} {self.start_state[k]} → {self.end_state[k]}"
                 for k in self.labels]
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case, "ending": self.ending, "ending_node": self.ending_node,
            "title": self.title, "lesson": self.lesson, "path": list(self.path),
            "phases": list(self.phases),
            "turns": [{"number": s.number, "node": s.node, "said": s.said, "kind": s.kind,
                       "code": s.code, "family": s.family, "coded_as": s.code_text(),
                       "feedback": s.feedback, "effects": dict(s.effects),
                       "change": dict(s.change), "sets": list(s.sets)} for s in self.steps],
            "start_state": dict(self.start_state), "end_state": dict(self.end_state),
            "remembered": list(self.remembered),
            "turning_point": asdict(self.turning_point) if self.turning_point else None,
            "also": asdict(self.also) if self.also else None,
            "reflection": self.reflection,
        }

    def to_feedback(self) -> Feedback:
        notes: list[Note] = [Note("info", self.lesson)] if self.lesson else []
        notes.append(Note("info", "Your path: " + " → ".join(self.path)
                          + f" ({len(self.steps)} turn{'s' if len(self.steps) != 1 else ''})."))
        if len(self.phases) > 1:
            notes.append(Note("info", f"How {self.client_name} moved: "
                              + " → ".join(PHASES[p] for p in self.phases) + "."))
        for step in self.steps:
            tone = "good" if step.weight > 0 else "warn" if step.weight < 0 else "info"
            notes.append(Note(tone, f"Turn {step.number} ({step.node}) · {step.code_text()}. "
                              f"{step.feedback}{_found_in_reply(step)}", quote=step.said))
        notes.append(Note("info", f"The alliance: {self.meter_summary()}."))
        if self.remembered:
            notes.append(Note("info", "What the client remembered: "
                              + " ".join(self.remembered)))
        reveal = "\n\n".join(p for tp in (self.turning_point, self.also) if tp
                             for p in _turning_point_text(tp, self.steps))
        return Feedback(self.status, f"Ending: {self.title}.", notes=tuple(notes),
                        next_step=f"Reflect: {self.reflection}",
                        reveal=reveal or None, reveal_title="The turn that mattered most",
                        score=None, extra={"debrief": self.to_dict()})


def _found_in_reply(step: Step) -> str:
    if not step.assessment:
        return ""
    found = [f"{e['move']} (“{e['text']}”)" for e in step.assessment.get("evidence", ())
             if e.get("text")]
    found += [f"{m['kind']} (“{m['text']}”)" for m in step.assessment.get("markers", ())
              if m.get("text")]
    return " The reply assessor found: " + "; ".join(found) + "." if found else ""


def _turning_point_text(tp: TurningPoint, steps: list[Step]) -> list[str]:
    step = steps[tp.step - 1]
    parts = [f"Turn {tp.step}, you said: “{step.said}” {tp.why}"]
    if tp.would_help:
        parts.append(f"What would have helped there: {tp.would_help}")
    return parts


def _turning_points(play: Playthrough) -> tuple[TurningPoint | None, TurningPoint | None]:
    steps = play.steps
    if not steps:
        return None, None
    good = play.node.ending in GOOD_ENDINGS
    # Authored effects, not the clamped change: a harmful turn at the bottom of the meter
    # still mattered.
    lowest = min(steps, key=lambda s: (s.weight, s.number))
    if good:
        best = max(steps, key=lambda s: (s.weight, -s.number))
        main = TurningPoint(best.number, f"It moved the alliance most. {best.feedback}", None)
        also = (_helping_point(play, lowest, "This turn cost the most on the way.")
                if lowest.weight < 0 else None)
        return main, also
    return _helping_point(play, lowest, "It moved the conversation furthest from repair."), None


def _helping_point(play: Playthrough, step: Step, why: str) -> TurningPoint:
    node = play.item.node(step.node)
    help_text = node.coach
    if help_text is None and node.choices:
        offered = [c for c in node.choices if c.holds(step.flags_before, step.state_before)
                   and c.id != step.choice]
        best = max(offered, key=lambda c: c.weight, default=None)
        if best is not None and best.weight > step.weight:
            help_text = (f"“{best.text}” ({FAMILY_LABELS[CODES[best.code].family].lower()}: "
                         f"{CODES[best.code].label}). {best.feedback}")
    return TurningPoint(step.number, f"{why} {step.feedback}", help_text)


# --- the scorer ---------------------------------------------------------------------------

def score(item: Simulation, response: Any) -> Feedback:
    """The debrief of a recorded path (a list of turns), replayed against the case."""
    if not response:
        return Feedback("empty", "Play the case to one of its endings first.")
    try:
        play = Playthrough.replay(item, response)
    except ReplayError:
        return Feedback("empty", "This saved playthrough no longer fits the case (it has been "
                        "edited since). Play it again from the start.")
    if not play.ended:
        return Feedback("empty", "The case is not finished yet: play on to an ending.")
    return play.debrief().to_feedback()
