"""Each kind's renderer: a student's answer and the feedback they were shown, as HTML.

One renderer per kind, used by the live page (the views) and by the hand-in file alike, as a
PrairieLearn element renders a question, a submission and an answer panel: the instructor
reading a hand-in sees what the student saw. An answer is drawn in the words the student
read (an option's text, the steps' text in the order given, a case's lines with who said
them), never as the ids the progress store keeps.

Pure functions over plain data and escaped text only (``views/html.py``): no ipywidgets, so
``repairlab export`` renders a hand-in without them. ``item`` may be ``None`` (an item no
longer in the course): the answer is then shown as recorded, still escaped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from ..kinds.base import Feedback
from .html import feedback_html, paragraphs
from .stems import quote_html

AnswerRenderer = Callable[[Any, Any], str]  # (item or None, response) -> HTML


@dataclass(frozen=True)
class Renderer:
    """How one kind draws a response (``answer``) and its feedback (``feedback``)."""

    answer: AnswerRenderer
    answer_label: str = "Answer"

    def feedback(self, feedback: Feedback, *, show_reveal: bool = True) -> str:
        return feedback_html(feedback, show_reveal=show_reveal)

    def attempt(self, item: Any, response: Any, feedback: Feedback,
                kept: Mapping[str, Any] | None = None) -> str:
        """An answer and the feedback it got, labelled: one attempt as the hand-in shows it.
        ``kept`` is what the attempt keeps beside its response (``Feedback.kept``): a case's
        debrief reflection is the student's own words and is shown after the feedback."""
        reflection = kept.get("reflection") if isinstance(kept, Mapping) else None
        aloud = kept.get("aloud_seconds") if isinstance(kept, Mapping) else None
        said = (f'<p class="rl-aloud-note">Said aloud first, in {escape(f"{aloud:.1f}")} '
                "seconds, then typed.</p>"
                if isinstance(aloud, (int, float)) and not isinstance(aloud, bool) else "")
        return (f'{said}<p class="rl-answer-label">{escape(self.answer_label)}</p>'
                f"{self.answer(item, response)}"
                '<p class="rl-answer-label">Feedback shown</p>'
                f"{self.feedback(feedback) if _says_anything(feedback) else _NO_FEEDBACK}"
                + ('<p class="rl-answer-label">Your reflection</p>' + own_words(reflection)
                   if isinstance(reflection, str) and reflection.strip() else ""))


_NO_FEEDBACK = '<p class="rl-none">No feedback was recorded with this attempt.</p>'


def _says_anything(feedback: Feedback) -> bool:
    return bool(feedback.headline or feedback.notes or feedback.next_step or feedback.reveal)


def own_words(text: str) -> str:
    """What a student wrote, as they wrote it: their line breaks kept, nothing as markup."""
    lines = "<br>".join(escape(line) for line in str(text).splitlines())
    return f'<blockquote class="rl-own-words"><p>{lines}</p></blockquote>'


def diary_html(entry: Mapping[str, Any]) -> str:
    """A module's practice-diary entry (``repairlab.diary``): each question answered, as the
    student wrote it (escaped, line breaks kept); questions left blank are left out."""
    from ..diary import QUESTIONS

    answered = [(question, entry.get(key)) for key, question in QUESTIONS
                if isinstance(entry.get(key), str) and entry[key].strip()]
    if not answered:
        return ""
    rows = "".join(f'<p class="rl-answer-label">{escape(question)}</p>{own_words(text)}'
                   for question, text in answered)
    return f'<div class="rl-diary-entry">{rows}</div>'


def _as_recorded(response: Any) -> str:
    """A response whose item is gone: shown as recorded, as text."""
    if isinstance(response, str):
        return own_words(response)
    return own_words(json.dumps(response, ensure_ascii=False))


def _not_in_item(value: Any) -> str:
    return f'{escape(str(value))} <span class="rl-none">(no longer in this item)</span>'


# --- the kinds' answers ----------------------------------------------------------------------

def choice_answer(item: Any, response: Any) -> str:
    """The option chosen, in its own words."""
    if item is None:
        return _as_recorded(response)
    labels = {c.id: c.label for c in item.choices()}
    chosen = str(response)
    shown = escape(labels[chosen]) if chosen in labels else _not_in_item(chosen)
    return f'<p class="rl-answer">{shown}</p>'


def moment_answer(item: Any, response: Any) -> str:
    """The whole transcript in order, every turn with who said it, the student's pick marked
    in words (not by colour alone)."""
    if item is None:
        return _as_recorded(response)
    picked = str(response)
    rows = []
    for number, turn in enumerate(item.turns, 1):
        mark = (' <strong class="rl-picked">(your pick)</strong>' if turn.id == picked else "")
        rows.append(f'<li class="rl-turn rl-{escape(turn.speaker)}'
                    f'{" rl-picked-turn" if turn.id == picked else ""}">'
                    f"{escape(item.turn_label(number, turn))}{mark}</li>")
    missing = ("" if picked in {t.id for t in item.turns}
               else f'<p class="rl-answer">{_not_in_item(picked)}</p>')
    return f'<ol class="rl-answer rl-moment">{"".join(rows)}</ol>{missing}'


def order_answer(item: Any, response: Any) -> str:
    """The steps in the order given, each in its own words."""
    if item is None or not isinstance(response, list):
        return _as_recorded(response)
    texts = {s.id: s.text for s in item.steps}
    rows = "".join(f"<li>{escape(texts[str(s)]) if str(s) in texts else _not_in_item(s)}</li>"
                   for s in response)
    return f'<ol class="rl-answer">{rows}</ol>'


def text_answer(item: Any, response: Any) -> str:
    """A rewrite or a reflection: the student's own words."""
    return own_words(response if isinstance(response, str) else json.dumps(response))


def transcript_html(client_name: str, lines: Sequence[Any]) -> str:
    """A case's conversation as it was said: who spoke, and their words (simulation lines)."""
    parts = []
    for line in lines:
        if line.speaker == "narrator":
            parts.append(paragraphs(line.text, "rl-turn rl-narrator"))
        elif line.speaker == "client":
            parts.append(quote_html(client_name, line.text, "rl-client"))
        else:
            parts.append(quote_html("You", line.text, "rl-therapist"))
    return '<div class="rl-transcript">' + "".join(parts) + "</div>"


def simulation_answer(item: Any, response: Any) -> str:
    """The case as it went: the recorded path replayed, every line with who said it."""
    from ..kinds.simulation import Line, Playthrough, ReplayError, SimulationError

    if item is None or not isinstance(response, list):
        return _as_recorded(response)
    try:
        return transcript_html(item.client_name, Playthrough.replay(item, response).transcript)
    except (ReplayError, SimulationError):
        pass
    # The case was edited since: what the student said is still theirs to show.
    lines = []
    for turn in response:
        if isinstance(turn, dict) and "reply" in turn:
            lines.append(Line("therapist", str(turn["reply"])))
        elif isinstance(turn, dict) and "choice" in turn:
            lines.append(Line("therapist", _choice_text(item, turn)))
    note = ('<p class="rl-none">The case has changed since this attempt; here is what you said '
            "in it.</p>")
    return note + transcript_html(item.client_name, lines)


def _choice_text(item: Any, turn: dict) -> str:
    try:
        node = item.node(str(turn.get("node")))
    except (KeyError, LookupError):
        return str(turn["choice"])
    return next((c.text for c in node.choices if c.id == turn["choice"]), str(turn["choice"]))


CHOICE = Renderer(choice_answer, "Answer chosen")
MOMENT = Renderer(moment_answer, "Turn picked")
ORDER = Renderer(order_answer, "Order given")
REWRITE = Renderer(text_answer, "Reply written")
REFLECTION = Renderer(text_answer, "Reflection")
SIMULATION = Renderer(simulation_answer, "The conversation")
# A kind this version of RepairLab does not know (a hand-in from a later one, say).
UNKNOWN = Renderer(lambda item, response: _as_recorded(response), "Answer")
