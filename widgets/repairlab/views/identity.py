"""The landing page's "your name on hand-ins" panel: on a laptop or Binder, the student gives the
name or student number their hand-ins carry (kept in their progress file) and can change it.

On a JupyterHub, or with ``REPAIRLAB_STUDENT`` set, the id comes from the environment and the
panel only says what it is. The student's text is never rendered as HTML: it is escaped when
shown back, and the text box holds it as a value.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from html import escape

import ipywidgets as widgets
from ipywidgets.widgets.widget_string import TextStyle

from ..attempts import Identity, identify
from .html import notice_html

log = logging.getLogger("repairlab")

LABEL = "Name or student number"
ASK = ("Type your name or student number as it is on the course roster, then save it. Your "
       "hand-in files carry it, so that your instructor knows whose work they are. You can "
       "change it at any time; it is kept with your progress on this computer.")
NEEDED = ("Give your name or student number in the box above and save it first: your hand-in "
          "file carries it.")
SAVE, CHANGE = "Save my name", "Change my name"


class StudentNamePanel(widgets.VBox):
    """A labelled text box and a button (keyboard and screen-reader usable), and a polite live
    region saying what was saved. ``on_change(identity)`` listeners hear of a new name."""

    def __init__(self, handle):
        self.handle = handle
        self.listeners: list[Callable[[Identity], None]] = []
        self.identity = identify(handle.store)
        self.intro = widgets.HTML("")
        self.status = widgets.HTML("")
        self.status.add_class("repairlab-feedback")  # announced by screen readers (page template)
        children: list[widgets.Widget] = [self.intro]
        self.box: widgets.Text | None = None
        self.save_button: widgets.Button | None = None
        if self.identity.asks_for_name:
            self.box = widgets.Text(
                value=self.identity.student or "", description=LABEL,
                placeholder="as on the course roster", continuous_update=False,
                style=TextStyle(description_width="initial"),
                layout=widgets.Layout(width="100%", max_width="30rem"))
            self.box.add_class("repairlab-student-name")
            self.save_button = widgets.Button(
                description=CHANGE if self.identity.student else SAVE, button_style="primary",
                tooltip="Keep this name for your hand-in files",
                layout=widgets.Layout(width="auto"))
            self.save_button.on_click(lambda _: self.save())
            children += [self.box, self.save_button]
        children.append(self.status)
        super().__init__(children, layout=widgets.Layout(width="100%"))
        self.add_class("repairlab-identity")
        self._show_intro()

    def _show_intro(self) -> None:
        who = self.identity
        if not who.asks_for_name:
            self.intro.value = (f"<h2>Your name on hand-ins</h2><p>Your hand-in files carry your "
                                f"sign-in name, <strong>{escape(who.student or '')}</strong>.</p>")
        elif who.student:
            self.intro.value = (f"<h2>Your name on hand-ins</h2><p>Your hand-in files carry "
                                f"<strong>{escape(who.student)}</strong>.</p><p>{escape(ASK)}</p>")
        else:
            self.intro.value = f"<h2>Your name on hand-ins</h2><p>{escape(ASK)}</p>"

    def save(self, text: str | None = None) -> Identity:
        """Keep the name in the box (or ``text``); say what happened; return the identity."""
        if self.box is None:
            return self.identity
        if text is not None:
            self.box.value = text
        if not self.handle.saving:
            self.status.value = notice_html(
                "Your name cannot be kept because saving is off on this page. "
                + (self.handle.problem or ""))
            return self.identity
        try:
            kept = self.handle.store.set_student_name(self.box.value)
        except ValueError as problem:  # a sentence for the student (clean_student_id)
            self.status.value = notice_html(str(problem))
            return self.identity
        except Exception:
            log.exception("could not save the student's name")
            kept = None
        if kept is None:
            self.status.value = notice_html("Your name could not be saved. Please try again, "
                                            "and tell your instructor if it keeps happening.")
            return self.identity
        self.identity = identify(self.handle.store)
        self.box.value = kept
        self.save_button.description = CHANGE
        self._show_intro()
        self.status.value = (f"<p>Saved. Your hand-in files will carry "
                             f"<strong>{escape(kept)}</strong>.</p>")
        for listener in list(self.listeners):
            try:
                listener(self.identity)
            except Exception:
                log.exception("a student-name listener failed")
        return self.identity


def name_needed_html() -> str:
    return notice_html(NEEDED)
