"""One view for every single-choice kind: pick an option, check it, learn from its feedback."""

from __future__ import annotations

import ipywidgets as widgets
from ipywidgets.widgets.widget_description import DescriptionStyle

from ..kinds.base import shown_order
from .base import ExerciseView, block, button, shared_layout, shared_style, student_safe
from .stems import stem_html


class ChoiceView(ExerciseView):
    heading_in_body = True

    def build(self) -> list[widgets.Widget]:
        choices = shown_order(self.item, self.item.choices())
        self.options = widgets.RadioButtons(
            options=[(c.label, c.id) for c in choices], value=None,
            description="Your answer",
            style=shared_style(DescriptionStyle, description_width="initial"),
            layout=shared_layout(width="100%"))
        self.options.add_class("repairlab-options")
        self.check_button = button("Check answer", self.check, primary=True)
        # The explanation names the key, so "Show explanation" is offered only once the
        # student has tried an answer (``_offer_explanation``).
        self.explain_button: widgets.Button | None = None
        return [block(self.heading_html() + stem_html(self.item)), self.options,
                self.check_button]

    def select(self, option_id: str) -> None:
        self.options.value = option_id

    def set_response(self, option_id: str) -> None:
        """Show a saved answer. An author may since have replaced the option it names (a
        distractor rewritten with a new id): then nothing is shown chosen, as before a first
        attempt, rather than an error where the item should be."""
        offered = {c.id for c in self.item.choices()}
        self.select(option_id if option_id in offered else None)

    @student_safe
    def check(self):
        feedback = self._score(self.options.value)
        self.show_feedback(feedback)
        if feedback.status != "empty":
            self._offer_explanation()
        return feedback

    def submit(self, option_id: str):
        self.select(option_id)
        return self.check()

    def restore(self, response) -> None:
        super().restore(response)
        if self.last_feedback is not None and self.last_feedback.status != "empty":
            self._offer_explanation()  # a saved answer is an attempt made in an earlier visit

    def _offer_explanation(self) -> None:
        """Put "Show explanation" beside "Check answer", once: after the first attempt."""
        if self.explain_button is not None:
            return
        self.explain_button = button("Show explanation", self.explain)
        children = list(self.children)
        children.insert(children.index(self.check_button) + 1, self.explain_button)
        self.children = tuple(children)

    @student_safe
    def explain(self) -> None:
        from ..kinds.base import Feedback

        if self.explain_button is None:  # no attempt yet: the explanation would be the answer
            self.show_feedback(Feedback("empty", "Try an answer first",
                                        next_step="Choose an option and check it; the "
                                                  "explanation is offered after that."))
            return
        self.show_feedback(Feedback("empty", "Explanation", reveal=self.item.explanation,
                                    reveal_title="Why"))
