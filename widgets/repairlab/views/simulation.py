"""Case simulation: play a branching conversation to an ending, then read the debrief.

The view only shows a ``Playthrough`` and forwards the trainee's turns to it. At an ending the
recorded path goes through ``_score`` (so the progress store keeps the path and the debrief
with the student's work); a saved path is replayed on reload.
"""

from __future__ import annotations

import logging
from dataclasses import replace

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
from .html import feedback_html, meter_html, paragraphs
from .render import transcript_html
from .stems import context_html

log = logging.getLogger("repairlab")
MAX_REFLECTION_CHARS = 5000

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
    # The case is one attempt, recorded at its ending. The difficulty check is offered after
    # each free-text turn (kept in the view, then in the attempt's extra as ``turn_ratings``)
    # and at the ending (the attempt's own rating, in the store like a rewrite's).
    offers_rating = True

    def __init__(self, item, **kwargs):
        self.reflection_text = ""  # the debrief reflection kept with this ending, if any
        self.turn_ratings: dict[int, int] = {}  # turn number in the path -> 0-10
        self.rated_turn: int | None = None  # the free-text turn the check rates now, if any
        self.reflection_parts: tuple[widgets.Widget, ...] = ()  # made at the first ending
        super().__init__(item, **kwargs)

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
            self._quietly(setattr, self.reply_box, "value",
                          (self.drafts.load(self.draft_key()) if self.drafts else None) or "")
            self.turn_area.children = [self.prompt, self.reply_box, self.say_button]
        else:
            self.choice_buttons = [self._choice_button(c.id, c.text) for c in play.options]
            self.prompt.value = paragraphs("What do you say?", "rl-prompt")
            self.turn_area.children = [self.prompt, *self.choice_buttons]

    def _render_reflection(self) -> None:
        """At an ending, the debrief's question and a box to answer it, below the debrief (the
        feedback area); nothing before. Rows of the exercise itself, made at the first ending:
        a case nobody finishes costs the page no widgets for it."""
        before = tuple(c for c in self.children if c not in self.reflection_parts)
        if not self.play.ended:
            self.children = before
            return
        if not self.reflection_parts:
            self._make_reflection_parts()
        question = self.play.debrief().reflection
        self.reflect_prompt.value = ('<h4 class="rl-reflect-heading">Reflect</h4>'
                                     + paragraphs(question, "rl-prompt"))
        kept = self.drafts.load(self._reflection_key()) if self.drafts else None
        self._quietly(setattr, self.reflection_box, "value", kept or self.reflection_text)
        self.reflection_saved.value = ""
        self.children = before + self.reflection_parts

    def _make_reflection_parts(self) -> None:
        self.reflect_prompt = block()
        self.reflection_box = text_box(
            value="", description="Your reflection", rows=5,
            placeholder="Write freely; nothing here is graded.",
            style=shared_style(TextStyle, description_width="initial"),
            layout=shared_layout(width="100%"))
        self.reflection_box.add_class("repairlab-reflection-text")
        self.reflection_box.observe(
            lambda change: self.keep_draft(self._reflection_key(), change["new"]), "value")
        self.save_reflection_button = button("Save reflection", self.save_reflection,
                                             primary=True)
        self.reflection_saved = block()
        # Announced like feedback (rl-live), but not the exercise's one feedback area.
        self.reflection_saved.add_class("rl-live")
        self.reflection_saved.add_class("rl-reflection-status")
        self.reflection_parts = (self.reflect_prompt, self.reflection_box,
                                 self.save_reflection_button, self.reflection_saved)

    def _reflection_key(self) -> str:
        return f"{self.item.id}#debrief-reflection"

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
        said_at = self.draft_key()
        step = self.play.reply(text)
        self.drop_draft(said_at)  # said: the turn is in the transcript now
        self._after(step)
        return step

    def draft_box(self) -> widgets.Textarea:
        return self.reply_box

    def draft_key(self) -> str:
        # One draft per free-text turn: a reload replays the case to that turn and finds it.
        return f"{self.item.id}#{self.play.node.id}"

    def submit(self, text: str) -> Step | None:
        """Type ``text`` into the reply box and say it (the free-text turn, from code)."""
        self.reply_box.value = text
        return self.say()

    def _after(self, step: Step) -> None:
        self._render()
        self.rated_turn = None
        if self.play.ended:
            self._finish()
        else:
            self.show_feedback(self._turn_feedback(step), show_reveal=False)
            if step.kind == "reply":
                self.rated_turn = step.number
                self.offer_rating(None)
            else:
                self._withdraw_rating()
        self._focus_next()

    def _withdraw_rating(self) -> None:
        if self.rating is not None:
            self.children = tuple(c for c in self.children if c is not self.rating)
            self.rating = None

    def rating_target(self):
        return _CaseRatings(self)

    def _kept_turn_ratings(self) -> dict:
        """The turns' ratings as the attempt keeps them (grading.ratings_of reads them)."""
        if not self.turn_ratings:
            return {}
        return {"turn_ratings": [{"turn": turn, "rating": rating}
                                 for turn, rating in sorted(self.turn_ratings.items())]}

    def _finish(self) -> Feedback:
        self.reflection_text = ""
        feedback = self._score(self.play.path, self._kept_turn_ratings())
        self.show_feedback(feedback)
        self._render_reflection()
        return feedback

    def show_feedback(self, feedback: Feedback, *, show_reveal: bool = True) -> None:
        if self.play.ended and feedback.next_step and feedback.next_step.startswith("Reflect:"):
            # The question is asked beside its box, below the debrief; the kept feedback
            # (the hand-in's) still carries it.
            feedback = replace(feedback, next_step=None)
        super().show_feedback(feedback, show_reveal=show_reveal)

    @student_safe
    def save_reflection(self) -> Feedback | None:
        """Keep the debrief reflection with this ending: the ending is recorded again with the
        reflection beside it, so the hand-in shows both and a reload restores both."""
        text = self.reflection_box.value[:MAX_REFLECTION_CHARS]
        if not text.strip():
            self.reflection_saved.value = feedback_html(
                Feedback("empty", "Write your reflection in the box first."))
            return None
        debrief = self.kind.score(self.item, self.play.path)
        feedback = replace(debrief, kept={"reflection": text, **self._kept_turn_ratings()})
        for listener in self.listeners:
            try:
                listener(self.item, self.play.path, feedback)
            except Exception:
                log.exception("could not keep the debrief reflection of %s", self.item.id)
        self.reflection_text = text
        self._carry_rating()
        self.drop_draft(self._reflection_key())
        self.reflection_saved.value = feedback_html(Feedback(
            "submitted", "Saved. Your reflection is kept with your work and goes into your "
            "hand-in file."))
        return feedback

    def _carry_rating(self) -> None:
        # The ending was recorded again with the reflection: its rating goes with it.
        chosen = self.rating.choice.value if self.rating is not None else None
        if chosen is not None and self.ratings is not None:
            try:
                self.ratings.save(self.item.id, int(chosen))
            except Exception:
                log.exception("could not carry the difficulty rating of %s", self.item.id)

    def restore_extra(self, extra) -> None:
        turns = extra.get("turn_ratings") if isinstance(extra, dict) else None
        if isinstance(turns, list) and self.play.ended:  # kept again with a later reflection
            self.turn_ratings = {t["turn"]: t["rating"] for t in turns if isinstance(t, dict)
                                 and isinstance(t.get("turn"), int)
                                 and isinstance(t.get("rating"), int)}
        text = extra.get("reflection") if isinstance(extra, dict) else None
        if isinstance(text, str) and self.play.ended:
            self.reflection_text = text
            self._render_reflection()

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
        self.reflection_text = ""
        self.turn_ratings, self.rated_turn = {}, None
        self._withdraw_rating()  # a new run: rated after its first free-text turn
        self._render()
        self._render_reflection()
        self._focus_next()

    # -- saved work
    def set_response(self, response) -> None:
        try:
            self.play = Playthrough.replay(self.item, response, self.assessor)
        except (ReplayError, SimulationError):
            # The case was edited since this path was saved: start afresh (score says why).
            self.play = Playthrough.start(self.item, self.assessor)
        self._render()
        self._render_reflection()


class _CaseRatings:
    """The difficulty check of a case (``views.rating.Ratings``): mid-case it rates the
    free-text turn just said, kept in the view until the ending records the case with it;
    at the ending it rates the case's attempt in the store, as a rewrite's."""

    def __init__(self, view: SimulationView):
        self.view = view

    @property
    def when_saved(self) -> str:
        from .rating import CHANGEABLE

        if self.view.rated_turn is not None:
            return f"{CHANGEABLE} It is kept with this case when the case ends."
        return CHANGEABLE

    def load(self, item_id: str) -> int | None:
        if self.view.rated_turn is not None:
            return self.view.turn_ratings.get(self.view.rated_turn)
        return self.view.ratings.load(item_id) if self.view.ratings is not None else None

    def save(self, item_id: str, rating: int) -> bool:
        if self.view.rated_turn is not None:
            self.view.turn_ratings[self.view.rated_turn] = rating
            return True
        return bool(self.view.ratings is not None and self.view.ratings.save(item_id, rating))
