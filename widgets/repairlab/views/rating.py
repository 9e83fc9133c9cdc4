"""The difficulty check: after a rewrite, a case's free-text turn or its ending, "How hard did
that feel? 0-10" (issue 16).

One optional radio group (``repairlab.js`` names it a radiogroup after its visible label), so
a click or the arrow keys rate it; nothing waits on it. Each choice is saved at once against
the attempt just recorded, replacing an earlier rating of it, and "Saved" is announced.
The view never talks to the store: ``notebook.py`` injects a ``Ratings`` (as it does drafts).
"""

from __future__ import annotations

import logging
from typing import Protocol

import ipywidgets as widgets
from ipywidgets.widgets.widget_description import DescriptionStyle

from .base import block, shared_layout, shared_style

log = logging.getLogger("repairlab")

QUESTION = "How hard did that feel? 0 = very easy, 10 = very hard (optional)"


class Ratings(Protocol):
    """A student's difficulty ratings of their attempts, bound to one student by
    ``notebook.py``. Each rates the attempt at the item recorded last. Never raises."""

    def load(self, item_id: str) -> int | None: ...

    def save(self, item_id: str, rating: int) -> bool: ...


# What "Saved" adds, unless the Ratings says otherwise (its ``when_saved``): a case's turn
# is rated before its attempt exists, and says where the rating goes.
CHANGEABLE = "You can change it."


class RatingControl(widgets.VBox):
    """The 0-10 radio group and the line that says the rating was saved."""

    def __init__(self, item_id: str, ratings: Ratings):
        self.item_id, self.ratings = item_id, ratings
        self._restoring = False
        self.choice = widgets.RadioButtons(
            options=[(str(n), n) for n in range(11)], value=None, description=QUESTION,
            style=shared_style(DescriptionStyle, description_width="initial"),
            layout=shared_layout(width="100%"))
        self.choice.add_class("rl-rating-choice")
        self.saved = block()
        self.saved.add_class("rl-live")  # announced like feedback
        self.saved.add_class("rl-rating-status")
        self.choice.observe(self._rated, "value")
        super().__init__([self.choice, self.saved], layout=shared_layout(width="100%"))
        self.add_class("rl-rating")

    def show(self, rating: int | None) -> None:
        """Show a kept rating (None: not rated yet) without saving it again."""
        self._restoring = True
        try:
            self.choice.value = rating
        finally:
            self._restoring = False
        self.saved.value = ""

    def _rated(self, change) -> None:
        if self._restoring or change["new"] is None:
            return
        try:
            saved = self.ratings.save(self.item_id, int(change["new"]))
        except Exception:
            log.exception("could not save a difficulty rating of %s", self.item_id)
            saved = False
        when_saved = getattr(self.ratings, "when_saved", CHANGEABLE)
        self.saved.value = (f'<p class="rl-rating-saved">Saved: {int(change["new"])} of 10. '
                            f"{when_saved}</p>" if saved else
                            '<p class="rl-rating-saved">Your rating could not be saved; '
                            "your answer is kept.</p>")
