"""Rewrite the defensive reply: a text area, feedback from the reply assessor, a model answer."""

from __future__ import annotations

import ipywidgets as widgets

from ..kinds.base import Feedback
from .base import ExerciseView, button, student_safe
from .stems import stem_html

MAX_CHARS = 5000  # a reply is a few sentences; the cap keeps a paste accident harmless


class RewriteView(ExerciseView):
    def build(self) -> list[widgets.Widget]:
        self.reply = widgets.Textarea(
            value="", placeholder="Write what you would say to the client instead…",
            description="Your reply", rows=5, style={"description_width": "initial"},
            layout=widgets.Layout(width="100%"))
        self.reply.add_class("repairlab-reply")
        self.check_button = button("Get feedback", self.check, primary=True)
        controls = [self.check_button]
        if self.item.hint:
            controls.append(button("Show a hint", self.show_hint))
        instruction = widgets.HTML(
            '<p class="rl-prompt"><strong>Rewrite the therapist\'s reply so that it repairs '
            "rather than defends.</strong></p>")
        return [widgets.HTML(stem_html(self.item)), instruction, self.reply,
                widgets.HBox(controls)]

    @student_safe
    def check(self) -> Feedback:
        # The text stays in the box: feedback never costs the student what they wrote.
        feedback = self._score(self.reply.value[:MAX_CHARS])
        self.show_feedback(feedback)  # the model rewrite comes with the first real attempt
        return feedback

    def set_response(self, response) -> None:
        self.reply.value = str(response or "")

    def submit(self, text: str) -> Feedback:
        self.reply.value = text
        return self.check()

    @student_safe
    def show_hint(self) -> None:
        self.show_feedback(Feedback("empty", "Hint", next_step=self.item.hint))
