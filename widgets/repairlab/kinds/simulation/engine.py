"""The case engine: ``Playthrough``, the pure state machine a view (or a test) drives through
a case (the declared ``Simulation`` of item.py).

No pydantic, no widgets, no I/O: tested on plain objects without a kernel. The debrief it
ends with is ``debrief.py``'s.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ...vocab import SPEAKERS
from .item import ChoiceEdge, Edge, Node, Route, Simulation
from .vocabulary import CODES, FAMILY_LABELS

if TYPE_CHECKING:
    from .debrief import Debrief

MAX_REPLY_CHARS = 5000  # a reply is a few sentences; the cap keeps a paste accident harmless


def apply_edge(sim: Simulation, edge: Edge, flags: frozenset, state: Mapping[str, int]
               ) -> tuple[frozenset, dict[str, int]]:
    """The flags and meter after a turn; the meter stays inside each value's declared range."""
    new_state = dict(state)
    for var, change in edge.effects.items():
        spec = sim.state[var]
        new_state[var] = max(spec.min, min(spec.max, new_state[var] + change))
    return flags | frozenset(edge.sets), new_state



def variant_index(node: Node, flags, state) -> int | None:
    return next((k for k, v in enumerate(node.variants) if v.holds(flags, state)), None)




class SimulationError(ValueError):
    """A turn that the current node does not allow (a programming or replay mistake)."""


class ReplayError(SimulationError):
    """A recorded path that does not fit the case (e.g. the case was edited since)."""


Assessor = Callable[..., Any]


@dataclass(frozen=True)
class Line:
    speaker: Literal[SPEAKERS]  # type: ignore[valid-type]
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
        if self.assessment and self.assessment.get("defensive") is None:
            return "Open: the feedback could not tell how this reply would land"
        return "Neutral: neither a repair move nor a defensive marker"


def summarise_assessment(result: Any) -> dict[str, Any]:
    """The parts of a ReplyAssessment that route a reply and explain it, as plain JSON data."""
    def span_text(obj: Any) -> str:
        span = getattr(obj, "span", None)
        return str(getattr(span, "text", "") or "")

    defensive = getattr(result, "defensive", False)
    risk = getattr(result, "asks_about_risk", None)
    return {
        "defensive": None if defensive is None else bool(defensive),
        # The words that asked about risk (None when the reply did not ask).
        "asks_about_risk": risk.text if risk else None,
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
    from ...feedback import assess_reply  # the assessor loads its lexicon on first use

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
        """The choices offered now, in the order they are shown (shuffled like a practice
        item's options, stably per case and node, so the best reply is not always first)."""
        return self.item.offered_choices(self.node, self._flags, self._state)

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
        if self.node.phase == "at-risk" and not assessment.get("asks_about_risk"):
            # The author says this client has voiced risk: a question about it counts as asking,
            # even in words the general signal does not know ("What's the date?").
            from ...feedback.risk import find_risk_inquiry

            found = find_risk_inquiry(text, self.line, client_at_risk=True)
            assessment["asks_about_risk"] = found.text if found else None
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
        index = variant_index(node, self._flags, self._state)
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
        from .debrief import Debrief  # the debrief reads the engine: imported when it ends

        return Debrief.of(self)


