"""Case simulation: play a branching conversation to an ending, then read the debrief.

The view only shows a ``Playthrough`` and forwards the trainee's turns to it. At an ending the
recorded path goes through ``_score`` (so the progress store keeps the path and the debrief
with the student's work); a saved path is replayed on reload.
"""

from __future__ import annotations

import ipywidgets as widgets
from ipywidgets.widgets.widget_string import TextStyle

from ..kinds.base import Feedback, Note
from ..kinds.simulation import (
    MAX_REPLY_CHARS,
    PHASES,
    Assessor,
    Playthrough,
    ReplayError,
    SimulationError,
    Step,
)
from .base import ExerciseView, block, button, html, shared_layout, shared_style, student_safe, text_box
from .html import meter_html, paragraphs
from .render import transcript_html
from .stems import context_html

# Choice buttons carry whole sentences: let them wrap and read left to right. The course page
# stylesheet wraps buttons too; this keeps JupyterLab (which does not load it) readable.
_STYLE = ("<style>.repairlab-simulation .rl-choice{white-space:normal;height:auto;"
          "text-align:left;line-height:1.35;padding:.45rem .8rem}"
          ".repairlab-simulation .rl-meter-row{margin:.15rem 0}"
          ".repairlab-simulation .rl-meter meter{width:10rem;vertical-align:middle}</style>")
_TONE_STATUS = {"good": "good", "warn": "needs-work", "info": "empty"}


class SimulationView(ExerciseView):
    assessor: Assessor | None = None  # tests may put a stand-in here; None = repairlab.feedback
    heading_in_body = True

    def build(self) -> list[widgets.Widget]:
        item = self.item
        self.play = Playthrough.start(item, self.assessor)
        intro = block(
            self.heading_html() + _STYLE + context_html(item.context)
            + paragraphs(item.background, "rl-background")
            + paragraphs("Choose what you would say at each turn (or write it, where a text box "
                         "appears). The conversation goes on from what you chose; a debrief "
                         "follows the ending.", "rl-prompt"))
        # Shown or hidden for good when the view is built, so the layout can be a shared one.
        meter_layout = {"width": "100%"} if item.show_meter else {"width": "100%", "display": "none"}
        self.meter = html("", **meter_layout)
        self.meter.add_class("repairlab-meter")
        self.transcript = block()
        self.transcript.add_class("repairlab-transcript")
        # Rows that wrap, like the exercise itself: the prompt, then the choices or the reply
        # box with its button, with no box around the button.
        self.turn_area = widgets.VBox([], layout=shared_layout(width="100%", flex_flow="row wrap"))
        self.turn_area.add_class("repairlab-turn")
        self.prompt = block()  # the one line above the turn's controls, whatever the turn
        self.reply_box = text_box(
            value="", description="Your reply", rows=4,
            placeholder="Write what you would say to the client…",
            style=shared_style(TextStyle, description_width="initial"),
            layout=shared_layout(width="100%"))
        self.reply_box.add_class("repairlab-reply")
        self.say_button = button("Say it", self.say, primary=True)
        self.restart_button = button("Start the case again", self.restart,
                                     tooltip="Play the case again from the beginning")
        self.restart_button.add_class("rl-restart")
        self.choice_buttons: list[widgets.Button] = []
        self._render()
        return [intro, self.meter, self.transcript, self.turn_area, self.restart_button]

    # -- drawing
    def _render(self) -> None:
        play, item = self.play, self.item
        rows = [(item.label(k), v, item.state[k].min, item.state[k].max,
                 self._last_change().get(k, 0)) for k, v in play.state.items()]
        phase = play.phase
        self.meter.value = meter_html("Alliance", rows) + (
            paragraphs(f"How {item.client_name} seems: {PHASES[phase]}.", "rl-phase")
            if phase else "")
        self.transcript.value = self._transcript_html()
        if play.ended:
            self.choice_buttons = []
            self.prompt.value = paragraphs(
                "The case has ended. Read the debrief below, then play again to try another "
                "path.", "rl-prompt")
            self.turn_area.children = [self.prompt]
        elif play.expects_reply:
            self.choice_buttons = []
            reply = play.node.reply
            self.prompt.value = paragraphs(
                (reply.prompt if reply and reply.prompt else "What do you say?")
                + " Write it in your own words.", "rl-prompt")
            self.reply_box.value = ""
            self.turn_area.children = [self.prompt, self.reply_box, self.say_button]
        else:
            self.choice_buttons = [self._choice_button(c.id, c.text) for c in play.options]
            self.prompt.value = paragraphs("What do you say?", "rl-prompt")
            self.turn_area.children = [self.prompt, *self.choice_buttons]

    def _choice_button(self, choice_id: str, text: str) -> widgets.Button:
        # No tooltip: it would repeat the whole sentence, and a screen reader could read it twice.
        btn = widgets.Button(description=text, tooltip="",
                             layout=shared_layout(width="100%", height="auto"),
                             style=shared_style(widgets.ButtonStyle))
        btn.add_class("rl-choice")
        btn.choice_id = choice_id  # tests and the browser find choices by id or by text
        btn.on_click(lambda _: self.choose(choice_id))
        return btn

    def _transcript_html(self) -> str:
        # The hand-in draws a finished case's path with the same function (views/render.py).
        return transcript_html(self.item.client_name, self.play.transcript)

    def _last_change(self) -> dict[str, int]:
        steps = self.play.steps
        return steps[-1].change if steps else {}

    def _focus_next(self) -> None:
        # The button just pressed is gone: put keyboard focus on what comes next.
        target = (self.restart_button if self.play.ended
                  else self.reply_box if self.play.expects_reply
                  else self.choice_buttons[0] if self.choice_buttons else None)
        if target is not None:
            target.focus()

    # -- turns
    @student_safe
    def choose(self, choice_id: str) -> Step:
        step = self.play.choose(choice_id)
        self._after(step)
        return step

    @student_safe
    def say(self) -> Step | None:
        text = self.reply_box.value[:MAX_REPLY_CHARS]
        if not text.strip():
            # Not a turn: the conversation waits (the status area is kept for saving notices).
            self.show_feedback(Feedback("empty", "Write your reply in the box first."))
            return None
        step = self.play.reply(text)
        self._after(step)
        return step

    def submit(self, text: str) -> Step | None:
        """Type ``text`` into the reply box and say it (the free-text turn, from code)."""
        self.reply_box.value = text
        return self.say()

    def _after(self, step: Step) -> None:
        self._render()
        if self.play.ended:
            self._finish()
        else:
            self.show_feedback(self._turn_feedback(step), show_reveal=False)
        self._focus_next()

    def _finish(self) -> Feedback:
        feedback = self._score(self.play.path)
        self.show_feedback(feedback)
        return feedback

    def _turn_feedback(self, step: Step) -> Feedback:
        name = self.item.client_name
        reply_note = Note("info", f"{name} answers:", quote=self.play.line)
        if not self.item.coach_during_play:
            return Feedback("empty", "Noted. Each turn is discussed in the debrief at the end.",
                            notes=(reply_note,))
        tone = "good" if step.weight > 0 else "warn" if step.weight < 0 else "info"
        notes = [Note(tone, step.feedback)]
        for found in (step.assessment or {}).get("evidence", ()):
            if found.get("text"):
                notes.append(Note("good", found.get("reason") or f"A repair move: "
                                  f"{found.get('move')}.", quote=found["text"]))
        for marker in (step.assessment or {}).get("markers", ()):
            if marker.get("text"):
                notes.append(Note("warn", marker.get("reason") or "A defensive marker.",
                                  quote=marker["text"]))
        if self.item.show_meter and step.change:
            moved = "; ".join(f"{self.item.label(k)} {v:+d}" for k, v in step.change.items())
            notes.append(Note("info", f"The alliance meter moved: {moved}."))
        notes.append(reply_note)
        return Feedback(_TONE_STATUS[tone], step.code_text() + ".", notes=tuple(notes))

    @student_safe
    def restart(self) -> None:
        self.play = Playthrough.start(self.item, self.assessor)
        self.feedback.value = ""
        self._render()
        self._focus_next()

    # -- saved work
    def set_response(self, response) -> None:
        try:
            self.play = Playthrough.replay(self.item, response, self.assessor)
        except (ReplayError, SimulationError):
            # The case was edited since this path was saved: start afresh (score says why).
            self.play = Playthrough.start(self.item, self.assessor)
        self._render()
