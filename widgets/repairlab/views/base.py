"""The frame every exercise view shares: heading, body, buttons, feedback and error safety."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as widgets

from ..kinds.base import Feedback, ItemBase
from ..registry import kind_of
from .html import feedback_html, notice_html

log = logging.getLogger("repairlab")

# Called after every attempt with (item, response, feedback): the progress store listens here.
AttemptListener = Callable[[ItemBase, Any, Feedback], None]

FRIENDLY_ERROR = ("Something went wrong on our side while checking your answer. Your answer is "
                  "still here; please try again, and tell your instructor if it keeps happening.")


def student_safe(method):
    """Run a button handler so that no traceback ever reaches the student's page."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception:
            log.exception("exercise %s failed in %s", self.item.id, method.__name__)
            self.feedback.value = notice_html(FRIENDLY_ERROR)
            return None

    return wrapper


class ExerciseView(widgets.VBox):
    """Heading + kind-specific body + feedback area. Subclasses build ``body`` and buttons."""

    def __init__(self, item: ItemBase, *, on_attempt: AttemptListener | None = None,
                 notice: str | None = None):
        self.item = item
        self.kind = kind_of(item)
        self.listeners: list[AttemptListener] = [on_attempt] if on_attempt else []
        self.attempts = 0
        self.last_feedback: Feedback | None = None
        heading = widgets.HTML(
            f'<h3 class="rl-title">{escape(item.title)}</h3>'
            f'<p class="rl-meta"><span class="rl-kind">{escape(self.kind.label)}</span> · '
            f'<span class="rl-level rl-level-{item.difficulty}">{item.difficulty}</span></p>')
        # Screen readers announce this region's changes (aria-live is set by the page template).
        self.feedback = widgets.HTML("", layout=widgets.Layout(width="100%"))
        self.feedback.add_class("repairlab-feedback")
        self.status = widgets.HTML(notice_html(notice) if notice else "")
        super().__init__([heading, *self.build(), self.feedback, self.status],
                         layout=widgets.Layout(width="100%", max_width="52rem"))
        self.add_class("repairlab-exercise")
        self.add_class(f"repairlab-{item.type}")

    def build(self) -> list[widgets.Widget]:
        raise NotImplementedError

    def _score(self, response: Any) -> Feedback:
        feedback = self.kind.score(self.item, response)
        if feedback.status != "empty":
            self.attempts += 1
            for listener in self.listeners:
                try:
                    listener(self.item, response, feedback)
                except Exception:  # saving must never cost the student their feedback
                    log.exception("could not record an attempt at %s", self.item.id)
        self.last_feedback = feedback
        return feedback

    def set_response(self, response: Any) -> None:
        """Put a response into the controls (subclasses know their controls)."""
        raise NotImplementedError

    @student_safe
    def restore(self, response: Any) -> None:
        """Show a saved response and its feedback again, without counting a new attempt."""
        self.set_response(response)
        feedback = self.kind.score(self.item, response)
        if feedback.status != "empty":
            self.last_feedback = feedback
            self.show_feedback(feedback)

    def show_feedback(self, feedback: Feedback, *, show_reveal: bool = True) -> None:
        self.feedback.value = feedback_html(feedback, show_reveal=show_reveal)

    def set_status(self, text: str | None) -> None:
        self.status.value = notice_html(text) if text else ""


def button(label: str, handler, *, primary: bool = False, tooltip: str = "") -> widgets.Button:
    btn = widgets.Button(description=label, tooltip=tooltip or label,
                         button_style="primary" if primary else "",
                         layout=widgets.Layout(width="auto"))
    btn.on_click(lambda _: handler())
    return btn
