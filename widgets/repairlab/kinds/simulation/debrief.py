"""The debrief at a case's ending: every trainee turn coded (a 3RS resolution strategy or a
defensive marker), the alliance meter, what the client remembered, and the turn that
mattered most, as the ``Feedback`` the student reads and the hand-in keeps."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from ..base import Facts, Feedback, Note
from .engine import Step
from .vocabulary import CODES, ENDING_TITLES, FAMILY_LABELS, PHASES

if TYPE_CHECKING:
    from .engine import Playthrough

# Reaching a red-flag ending means the case showed the limit of in-session repair, which is
# what it teaches; a client leaving can still be ended well. None of these is a grade.
ENDING_STATUS = {"repaired": "good", "red-flag": "good", "ends-therapy": "partial",
                 "withdraws-further": "needs-work"}
GOOD_ENDINGS = frozenset({"repaired", "red-flag"})


@dataclass(frozen=True)
class CaseFacts(Facts):
    """The whole debrief as plain data (``Debrief.to_dict``), kept with the student's work."""

    debrief: dict[str, Any]


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
        # Turns by number and in the student's words: node ids mean nothing to a reader.
        notes: list[Note] = [Note("info", self.lesson)] if self.lesson else []
        if len(self.phases) > 1:
            notes.append(Note("info", f"How {self.client_name} moved: "
                              + " → ".join(PHASES[p] for p in self.phases) + "."))
        for step in self.steps:
            tone = "good" if step.weight > 0 else "warn" if step.weight < 0 else "info"
            notes.append(Note(tone, f"Turn {step.number} · {step.code_text()}. "
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
                        score=None, extra=CaseFacts(self.to_dict()))


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


