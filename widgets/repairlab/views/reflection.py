"""Reflection: a prompt and a text area; saving keeps the text with the student's work."""

from __future__ import annotations

import ipywidgets as widgets
from ipywidgets.widgets.widget_string import TextStyle

from ..kinds.base import Feedback
from .base import ExerciseView, block, button, shared_layout, shared_style, student_safe, text_box
from .html import paragraphs


class ReflectionView(ExerciseView):
    heading_in_body = True

    def build(self) -> list[widgets.Widget]:
        self.text = text_box(value="", description="Your reflection", rows=6,
                                     placeholder="Write freely; nothing here is graded.",
                                     style=shared_style(TextStyle, description_width="initial"),
                                     layout=shared_layout(width="100%"))
        self.text.add_class("repairlab-reflection-text")
        self.save_button = button("Save reflection", self.save, primary=True)
        return [block(self.heading_html() + paragraphs(self.item.prompt, "rl-prompt")), self.text,
                self.save_button]

    @student_safe
    def save(self) -> Feedback:
        feedback = self._score(self.text.value)
        self.show_feedback(feedback)
        return feedback

    check = save

    def draft_box(self) -> widgets.Textarea:
        return self.text

    def set_response(self, response) -> None:
        self.text.value = str(response or "")

    def submit(self, text: str) -> Feedback:
        self.text.value = text
        return self.save()
