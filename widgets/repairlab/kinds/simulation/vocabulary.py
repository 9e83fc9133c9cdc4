"""A case's vocabulary: its endings, how a trainee turn is coded in the debrief, and how the
client seems at a node. Defined once here; the schema (what an author may write), the engine,
the debrief and the view all read these names.

Kept beside the case rather than in ``repairlab.vocab`` because the codes include the reply
assessor's defensive markers (``feedback.model``): importing them from ``vocab`` would load
the assessor package with every schema.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...feedback.model import MARKER_KINDS, MARKER_LABELS  # stdlib-only: free to import

ENDINGS = ("repaired", "withdraws-further", "ends-therapy", "red-flag")
ENDING_TITLES = {
    "repaired": "Repaired: the alliance is stronger than before the rupture",
    "withdraws-further": "The client withdraws further",
    "ends-therapy": "The client ends therapy",
    "red-flag": "A red flag: the right act is to consult or refer",
}


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

# How the client seems at a node. The first three of each rupture type are the way resolution
# tends to unfold (Safran & Muran 2000); the rest name where a conversation can end up.
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
UNFOLDING = {"confrontation": ("anger", "hurt", "vulnerability"),
             "withdrawal": ("minimal", "discontent", "self-assertion")}
