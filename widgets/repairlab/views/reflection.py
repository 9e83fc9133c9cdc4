"""Reflection: a prompt and a text area; saving keeps the text with the student's work."""

from __future__ import annotations

import ipywidgets as widgets

from ..kinds.base import Feedback
from .base import ExerciseView, button, student_safe
from .html import paragraphs


class ReflectionView(ExerciseView):
    def build(self) -> list[widgets.Widget]:
        self.text = widgets.Textarea(value="", description="Your reflection", rows=6,
                                     placeholder="Write freely; nothing here is graded.",
                                     style={"description_width": "initial"},
                                     layout=widgets.Layout(width="100%"))
        self.text.add_class("repairlab-reflection-text")
        self.save_button = button("Save reflection", self.save, primary=True)
        return [widgets.HTML(paragraphs(self.item.prompt, "rl-prompt")), self.text,
                widgets.HBox([self.save_button])]

    @student_safe
    def save(self) -> Feedback:
        feedback = self._score(self.text.value)
        self.show_feedback(feedback)
        return feedback

    check = save

    def set_response(self, response) -> None:
        self.text.value = str(response or "")

    def submit(self, text: str) -> Feedback:
        self.text.value = text
        return self.save()
