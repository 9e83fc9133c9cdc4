"""Order the repair steps: the steps listed in full under letters (A, B, C...), and one
labelled drop-down of letters per position (keyboard- and reader-friendly).

A drop-down cuts a long option to its own width (about 25 characters on a laptop, fewer on a
phone), and a step is a sentence: so the sentences stay in the page, whole and wrapping, and
the drop-downs hold only their letters."""

from __future__ import annotations

from html import escape
from string import ascii_uppercase

import ipywidgets as widgets
from ipywidgets.widgets.widget_description import DescriptionStyle

from ..kinds.base import Feedback, shown_order
from .base import ExerciseView, block, button, shared_layout, shared_style, student_safe


class OrderingView(ExerciseView):
    heading_in_body = True

    def build(self) -> list[widgets.Widget]:
        from .stems import stem_html

        # Shuffled (the authored order may be the answer), the same way on every visit.
        steps = shown_order(self.item, self.item.steps)
        self.letters = {s.id: ascii_uppercase[n] for n, s in enumerate(steps)}
        choices = [(self.letters[s.id], s.id) for s in steps]
        listing = ('<p class="rl-order-how">Choose a letter for each position.</p>'
                   '<ul class="rl-order-steps">'
                   + "".join(f'<li><strong class="rl-letter">{self.letters[s.id]}</strong> '
                             f"{escape(s.text)}</li>" for s in steps)
                   + "</ul>")
        self.positions = [
            # index=0, not value=None: with value=None ipywidgets selects nothing and the
            # box shows blank, where "— choose —" tells the student (and a screen reader)
            # that this position is still open.
            widgets.Dropdown(options=[("— choose —", None), *choices], index=0,
                             description=f"Step {n}",
                             style=shared_style(DescriptionStyle, description_width="4rem"),
                             layout=shared_layout(width="11rem", margin="0 1rem .4rem 0"))
            for n in range(1, len(steps) + 1)]
        for dropdown in self.positions:
            dropdown.add_class("repairlab-position")
        self.check_button = button("Check order", self.check, primary=True)
        return [block(self.heading_html() + stem_html(self.item) + listing), *self.positions,
                self.check_button]

    def set_order(self, step_ids: list[str]) -> None:
        for dropdown, step in zip(self.positions, step_ids, strict=False):  # a partial order is allowed
            dropdown.value = step

    set_response = set_order

    @property
    def order(self) -> list[str]:
        return [d.value for d in self.positions if d.value is not None]

    @student_safe
    def check(self) -> Feedback:
        feedback = self._score(self.order)
        self.show_feedback(feedback)
        return feedback

    def submit(self, step_ids: list[str]) -> Feedback:
        self.set_order(step_ids)
        return self.check()
