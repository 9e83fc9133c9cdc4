"""The practice diary on a module's practice-mode page: what I practised, what was hard, what
I will try next (issue 16; the questions and the rules are ``repairlab.diary``'s).

Three labelled text boxes and a "Save my diary" button. Each box is kept the moment it loses
focus (as drafts are), so leaving the page never costs what was typed; the button saves too and
says so (a live region). The entry comes back on every visit. The view never talks to the
store: ``notebook.py`` injects a ``DiaryKeeper`` bound to the student and the module.
"""

from __future__ import annotations

import logging
from typing import Protocol

import ipywidgets as widgets
from ipywidgets.widgets.widget_string import TextStyle

from .. import timestamps
from ..diary import QUESTIONS
from .base import block, button, shared_layout, shared_style, text_box
from .html import notice_html

log = logging.getLogger("repairlab")

INTRO = ("<h2 id=\"rl-diary-heading\">Practice diary</h2>"
         "<p>A few lines for yourself after practising: what you practised, what was hard, and "
         "what you will try next time. It is kept with your work and goes into your hand-in; "
         "it is not graded.</p>")
PLACEHOLDERS = {
    "practised": "Which skill, which items, for how long",
    "hard": "What felt hard, and when",
    "next": "One thing to try next time",
}


class DiaryKeeper(Protocol):
    """One student's diary entry for one module (``notebook.StoreDiary``)."""

    def load(self) -> dict[str, str]: ...

    def save(self, entry: dict[str, str]) -> bool: ...


class DiaryView(widgets.VBox):
    """The module's diary entry, restored when built; ``save()`` is the button's method."""

    def __init__(self, keeper: DiaryKeeper):
        self.keeper = keeper
        self._restoring = False
        self.boxes: dict[str, widgets.Textarea] = {}
        for key, question in QUESTIONS:
            box = text_box(value="", description=question, rows=3,
                           placeholder=PLACEHOLDERS.get(key, ""),
                           style=shared_style(TextStyle, description_width="initial"),
                           layout=shared_layout(width="100%"))
            box.add_class(f"rl-diary-{key}")
            # The box syncs when it loses focus (text_box): keep the entry then.
            box.observe(self._changed, "value")
            self.boxes[key] = box
        self.save_button = button("Save my diary", self.save, primary=True,
                                  tooltip="Keep this diary entry with your work")
        self.status = block()
        self.status.add_class("rl-live")  # announced: "Saved at ..."
        self.status.add_class("rl-diary-status")
        super().__init__([block(INTRO), *self.boxes.values(), self.save_button, self.status],
                         layout=shared_layout(width="100%", max_width="52rem"))
        self.add_class("rl-diary")
        self.restore()

    def entry(self) -> dict[str, str]:
        return {key: box.value for key, box in self.boxes.items()}

    def restore(self) -> None:
        try:
            kept = self.keeper.load() or {}
        except Exception:
            log.exception("could not read the practice diary")
            kept = {}
        self._restoring = True
        try:
            for key, box in self.boxes.items():
                box.value = str(kept.get(key) or "")
        finally:
            self._restoring = False

    def _changed(self, change) -> None:
        if not self._restoring:
            self._keep(announce=False)

    def save(self) -> bool:
        """Keep the entry as it is in the boxes and say whether it was kept."""
        return self._keep(announce=True)

    def _keep(self, *, announce: bool) -> bool:
        try:
            saved = bool(self.keeper.save(self.entry()))
        except Exception:
            log.exception("could not save the practice diary")
            saved = False
        if not saved:
            # The text stays in the boxes: nothing the student typed is cleared.
            self.status.value = notice_html(
                "Your diary could not be saved. Your text is still in the boxes: copy it "
                "somewhere safe before you leave this page.")
        elif announce:
            when = timestamps.format_for_people(timestamps.utc_now())
            self.status.value = (f'<p class="rl-diary-saved">Diary saved ({when}). It goes into '
                                 "your hand-in.</p>")
        return saved
