"""Find the moment: the transcript as a radio group of turns, in the order they were said."""

from __future__ import annotations

import ipywidgets as widgets
from ipywidgets.widgets.widget_description import DescriptionStyle

from ..kinds.base import shown_order
from .base import block, button, shared_layout, shared_style
from .choice import ChoiceView
from .stems import stem_html


class FindTheMomentView(ChoiceView):
    """A choice view whose options are the turns: never shuffled (the order is the
    conversation), each labelled with its number and who speaks, so a screen reader reads
    the transcript as the radio group, after the question above it ("At which turn does the
    rupture begin?"). Checking, retrying and the explanation are the choice view's."""

    def build(self) -> list[widgets.Widget]:
        turns = shown_order(self.item, self.item.turns)  # as said: the kind keeps its order
        self.options = widgets.RadioButtons(
            options=[(self.item.turn_label(n, t), t.id) for n, t in enumerate(turns, 1)],
            value=None, description="Your answer",
            style=shared_style(DescriptionStyle, description_width="initial"),
            layout=shared_layout(width="100%"))
        self.options.add_class("repairlab-options")
        self.options.add_class("repairlab-turns")
        self.check_button = button("Check answer", self.check, primary=True)
        self.explain_button: widgets.Button | None = None
        return [block(self.heading_html() + stem_html(self.item)), self.options,
                self.check_button]
