"""Practice mode: one item at a time, chosen by the practice rule (repairlab/practice.py).

Thin on purpose: the rule decides, the item's own view (the same one the practice page shows)
takes the answer, and the progress store keeps it. Each "Next item" reads the module's
attempts again, so a reload or a second tab carries on where the student is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from html import escape
from typing import Any

import ipywidgets as widgets

from ..practice import NextStep, PracticeItem, SkillSpec, next_step, skill_states
from ..vocab import DIFFICULTIES
from .base import block, button, notice_html, shared_layout
from .skills import skills_html

log = logging.getLogger("repairlab")

LEVEL_WORDS = {level: level.capitalize() for level in DIFFICULTIES}


def status_html(skills: list[SkillSpec], items: list[PracticeItem], attempts: list[Any],
                step: NextStep) -> str:
    """Where the student is: the current skill and level, and each skill's state."""
    states = skill_states(skills, items, attempts)
    if step.item_id is None:
        now = ('<p class="rl-practice-now"><strong>You have mastered every skill in this '
               "module.</strong> Well done. The practice page still has every item, if you want "
               "to go over them again.</p>")
    else:
        state = step.skill
        review = " This one is a review of an item you missed earlier." if step.review else ""
        now = (f'<p class="rl-practice-now">Practising <strong>{escape(state.skill.name)}</strong>'
               f", {LEVEL_WORDS.get(state.level, state.level).lower()} level. Right first "
               f"time at this level: {state.right_at_level} of the {state.needed_at_level} "
               f"needed to move on.{review}</p>")
    return now + skills_html(states, items, "Your skills in this module")


class PracticeModeView(widgets.VBox):
    """The status line, the current item's view and a "Next item" button.

    ``make_view(item_id)`` builds an item's view with saving wired in (notebook.build_view);
    ``read_attempts()`` returns the module's attempts so far, oldest first; ``clock()`` the
    moment of choosing (aware UTC), which tells the rule whether this is a later visit.
    """

    def __init__(self, skills: list[SkillSpec], items: list[PracticeItem], *,
                 make_view: Callable[[str], widgets.Widget],
                 read_attempts: Callable[[], list[Any]],
                 warnings: dict[str, str] | None = None,
                 clock: Callable[[], datetime] | None = None):
        self.skills = skills
        self.clock = clock or _now
        self.items = items
        self.make_view = make_view
        self.read_attempts = read_attempts
        self.warnings = warnings or {}
        self.step: NextStep | None = None
        self.view: widgets.Widget | None = None
        self.status = block()
        self.status.add_class("rl-practice-status")
        self.warning = block()
        self.slot = widgets.VBox(layout=shared_layout(width="100%"))
        self.next_button = button("Next item", self.next_item, primary=True,
                                  tooltip="Save nothing more here and go on to the next item")
        self.next_button.disabled = True
        self.next_button.add_class("rl-next-item")
        super().__init__([self.status, self.warning, self.slot, self.next_button],
                         layout=shared_layout(width="100%", max_width="52rem"))
        self.add_class("rl-practice-mode")
        self.next_item()

    def next_item(self) -> None:
        """Ask the rule for the next item and show it in place of the last one."""
        try:
            attempts = self.read_attempts()
            self.step = next_step(self.skills, self.items, attempts, now=self.clock())
            self.status.value = status_html(self.skills, self.items, attempts, self.step)
            if self.view is not None:
                self.view.close()
                self.view = None
            self.warning.value = ""
            self.next_button.disabled = True
            if self.step.item_id is None:
                self.slot.children = ()
                return
            warning = self.warnings.get(self.step.item_id)
            if warning:
                self.warning.value = notice_html(_plain(warning))
            self.view = self.make_view(self.step.item_id)
            listeners = getattr(self.view, "listeners", None)
            if listeners is not None:
                listeners.append(self._answered)
            self.slot.children = (self.view,)
        except Exception:
            log.exception("practice mode could not choose the next item")
            self.status.value = notice_html(
                "The next item could not be loaded. Reload the page to try again, and tell your "
                "instructor if it keeps happening.")

    def _answered(self, item, response, feedback) -> None:
        # The item's view has recorded the attempt already (its first listener).
        self.next_button.disabled = False


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _plain(markdown: str) -> str:
    """A content-warning cell as one line of plain text (its heading marks and emphasis off)."""
    lines = [line.strip().lstrip("#").strip() for line in markdown.splitlines()]
    return " ".join(line for line in lines if line).replace("*", "")
