"""Case simulations: the schema an author writes, and the check of its graph.

The check runs inside pydantic so that ``repairlab check`` reports file, line and node like
any other authoring mistake: dangling ``next:``, unreachable nodes, dead ends, loops with no
way out, undeclared flags or meter values. It walks the case as declared in
``repairlab.kinds.simulation.item``, the type these models validate into (field by field the
same: tests/test_item_types.py), with the engine and the scorer beside it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from ..kinds.base import load
from ..kinds.simulation import item as declared
from ..kinds.simulation.graph import (
    MAX_CONFIGS,
    Config,
    Exploration,
    Loc,
    conditioned,
    edges,
    explore,
    loop_from,
)
from ..kinds.simulation.item import CodeName, Ending, Move, Phase
from ..kinds.simulation.vocabulary import ENDINGS, PHASES
from ..vocab import RUPTURE_TYPES
from .base import ItemBase, NonEmptyText, Strict

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
    asks_about_risk: bool | None = Field(
        default=None, description="Taken when the reply does (true) or does not (false) ask about "
        "suicide, self-harm or harm to others. Safety-critical turns branch on this, never on "
        "`defensive`: put it first.")
    otherwise: bool = Field(default=False, description="The fallback route; the last one.")
    code: CodeName | None = Field(default=None, description="How to code a reply that takes "
                                  "this route (optional: found from the reply otherwise).")


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
    ending: Ending | None = Field(
        default=None, description="Makes this node an ending: " + ", ".join(ENDINGS) + ".")
    lesson: str | None = Field(default=None, description="An ending's teaching point, shown "
                               "at the top of the debrief.")
    epilogue: str | None = Field(default=None, description="What happens afterwards "
                                 "(optional). For ends-therapy: the termination session if the "
                                 "client comes back for one, or that they do not.")
    reflection: str | None = Field(default=None, description="A reflection prompt for this "
                                   "ending (optional; the case's own otherwise).")


class Simulation(ItemBase):
    type: Literal["simulation"]
    rupture_type: Literal[RUPTURE_TYPES] = Field(  # type: ignore[valid-type]
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
        # The graph is walked on the declared case (kinds/simulation/item.py), whose behaviour
        # (conditions, routes, the meter) the engine plays by.
        problems = graph_problems(load(declared.Simulation, self.model_dump()))
        if problems:
            # Raised as a ValidationError so that each problem keeps its own location (the
            # node, choice or field), which the loader turns into a file:line message.
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self


def _problem(loc: Loc, message: str, fix: str, value: Any = None) -> InitErrorDetails:
    # The text goes in through ctx so that braces in an id or a line can't break formatting.
    return InitErrorDetails(
        type=PydanticCustomError("simulation", "{message} Fix: {fix}",
                                 {"message": message, "fix": fix}),
        loc=loc, input=value)


def _quoted(names: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(f"'{n}'" for n in list(names)[:limit])
    return shown + (", ..." if len(names) > limit else "")


def graph_problems(sim: declared.Simulation) -> list[InitErrorDetails]:
    """Everything wrong with a case's graph, each located at the node or field concerned."""
    problems = _structure_problems(sim)
    if problems:
        return problems  # the exploration below needs every edge and name to resolve
    return _exploration_problems(sim)


def _structure_problems(sim: declared.Simulation) -> list[InitErrorDetails]:
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
        for loc, edge, what in edges(node, i):
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
        for loc, cond in conditioned(node, i):
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


def _undeclared_flag(loc: Loc, where: str, flag: str, sim: declared.Simulation) -> InitErrorDetails:
    known = _quoted(list(sim.flags)) if sim.flags else "none yet"
    return _problem(loc, f"{where} uses the flag '{flag}', which is not declared under "
                    f"`flags:` (declared: {known}).",
                    _close(flag, list(sim.flags), "declare it under `flags:` with a sentence "
                           "saying what the client remembers, or fix the spelling."), flag)


def _undeclared_var(loc: Loc, where: str, var: str, sim: declared.Simulation) -> InitErrorDetails:
    return _problem(loc, f"{where} uses the meter value '{var}', which is not declared under "
                    f"`state:` (declared: {_quoted(list(sim.state))}).",
                    _close(var, list(sim.state), "declare it under `state:` with start, min "
                           "and max, or fix the spelling."), var)


def _node_shape_problems(node: declared.Node, i: int) -> list[InitErrorDetails]:
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
                                         "add `defensive: true` (or false), `moves_include:`, "
                                         "`moves_any:` or `asks_about_risk:`; or make it the "
                                         "`otherwise` route.",
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
    else:
        for key in ("lesson", "epilogue", "reflection"):
            if getattr(node, key):
                problems.append(_problem(("nodes", i, key), f"{where} has `{key}:` but is not "
                                         "an ending.", f"add `ending:` to the node, or move "
                                         f"`{key}:` to an ending.", node.id))
    return problems


def _describe_path(sim: declared.Simulation, exploration: Exploration, config: Config) -> str:
    steps = exploration.path_to(config)
    names = [step[0][0] for step in steps] + [config[0]]
    flags = sorted(config[1])
    remembered = f" with the flags {_quoted(flags)} set" if flags else ""
    return " → ".join(names) + remembered


def _exploration_problems(sim: declared.Simulation) -> list[InitErrorDetails]:
    exploration = explore(sim)
    if exploration.truncated:
        return [_problem(("nodes",), f"the case has more than {MAX_CONFIGS} distinct "
                         "situations (node, flags and meter together) to check.",
                         "use fewer flags, or narrower meter ranges.")]
    problems: list[InitErrorDetails] = []
    index = {n.id: i for i, n in enumerate(sim.nodes)}
    reached = {config[0] for config in exploration.successors}
    linked = {edge.next for i, n in enumerate(sim.nodes) for _, edge, _ in edges(n, i)}

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
        for loc, conditions in conditioned(node, i):
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
        loop = loop_from(trapped[0], exploration)
        first = min(loop, key=lambda node_id: index[node_id])
        problems.append(_problem(
            ("nodes", index[first], "id"), f"from node '{first}' no ending can be reached: the "
            f"conversation can only go round the loop {' → '.join([*loop, loop[0]])}.",
            "give one of these nodes a choice or route whose `next:` leads towards an ending.",
            first))
    return problems


# --- the engine -------------------------------------------------------------------------------
