"""Rewrite the defensive reply: a text area, feedback from the reply assessor, a model answer."""

from __future__ import annotations

from html import escape

import ipywidgets as widgets
from ipywidgets.widgets.widget_string import TextStyle

from ..kinds.base import Feedback
from .base import ExerciseView, block, button, shared_layout, shared_style, student_safe, text_box
from .stems import stem_html

MAX_CHARS = 5000  # a reply is a few sentences; the cap keeps a paste accident harmless


class RewriteView(ExerciseView):
    heading_in_body = True
    offers_rating = True

    def build(self) -> list[widgets.Widget]:
        # The first check would otherwise compile the assessor's lexicon (~0.3 s).
        from ..feedback.warm import warm_up_in_background

        warm_up_in_background()
        self.reply = text_box(
            value="", placeholder="Write what you would say to the client instead…",
            description="Your reply", rows=5,
            style=shared_style(TextStyle, description_width="initial"),
            layout=shared_layout(width="100%"))
        self.reply.add_class("repairlab-reply")
        self.check_button = button("Get feedback", self.check, primary=True)
        controls = [self.check_button]
        if self.item.hint:
            controls.append(button("Show a hint", self.show_hint))
        instruction = ('<p class="rl-prompt"><strong>Rewrite the therapist\'s reply so that it '
                       "repairs rather than defends.</strong></p>"
                       f'<p class="rl-asks-for">This moment asks for {escape(self.item.asks_for())}.</p>')
        return [block(self.heading_html() + stem_html(self.item) + instruction), self.reply,
                *controls]

    @student_safe
    def check(self) -> Feedback:
        # The text stays in the box: feedback never costs the student what they wrote.
        feedback = self._score(self.reply.value[:MAX_CHARS])
        self.show_feedback(feedback)  # the model rewrite comes with the first real attempt
        return feedback

    def draft_box(self) -> widgets.Textarea:
        return self.reply

    def set_response(self, response) -> None:
        self.reply.value = str(response or "")

    def submit(self, text: str) -> Feedback:
        self.reply.value = text
        return self.check()

    @student_safe
    def show_hint(self) -> None:
        self.show_feedback(Feedback("empty", "Hint", next_step=self.item.hint))
