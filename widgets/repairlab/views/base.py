"""The frame every exercise view shares: heading, body, buttons, feedback and error safety."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import replace
from html import escape
from typing import Any, Protocol

import ipywidgets as widgets
from ipywidgets.widgets.widget_string import HTMLStyle

from ..kinds.base import Feedback, Item
from ..registry import kind_of
from .html import notice_html

log = logging.getLogger("repairlab")

# Called after every attempt with (item, response, feedback): the progress store listens here.
AttemptListener = Callable[[Item, Any, Feedback], None]


class Drafts(Protocol):
    """Where typed, unsubmitted text is kept across a reload (the progress store's drafts,
    bound to one student by ``notebook.py``). A key is an item id, or an item id and a place
    in it (a case's turn). Never raises: a draft is a convenience, never worth an error."""

    def load(self, key: str) -> str | None: ...

    def save(self, key: str, text: str) -> None: ...

    def clear(self, key: str) -> None: ...

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


_shared: dict[tuple, widgets.Widget] = {}


def _shared_widget(widget_class: type, values: dict[str, str]) -> widgets.Widget:
    key = (widget_class, tuple(sorted(values.items())))
    widget = _shared.get(key)
    if widget is None or widget.comm is None:  # never made, or closed (Widget.close_all())
        widget = _shared[key] = widget_class(**values)
    return widget


def shared_layout(**values: str) -> widgets.Layout:
    """One Layout per distinct set of values, shared by every view in the kernel.

    Each widget otherwise brings its own Layout and Style model: a practice page of forty
    exercises made about 1,100 widget models, each sent to the browser and built there before
    the first exercise shows (and each held in the kernel). Shared, a view is 5 to 9 models.
    Never change a shared layout or style in place.
    """
    return _shared_widget(widgets.Layout, values)


def shared_style(style_class: type, **values: str) -> widgets.Style:
    """One Style per class and set of values, shared like ``shared_layout``."""
    return _shared_widget(style_class, values)


def html(value: str = "", **layout: str) -> widgets.HTML:
    """An HTML widget with a shared layout and style (see ``shared_layout``)."""
    return widgets.HTML(value, layout=shared_layout(**layout), style=shared_style(HTMLStyle))


def block(value: str = "") -> widgets.HTML:
    """A full-width HTML block: one row of its own in an exercise (see ``ExerciseView``)."""
    return html(value, width="100%")


# An exercise lays its children out in rows that wrap: full-width blocks and controls take a
# row each, and consecutive buttons share one. Buttons need no box of their own, and every
# box is one more widget model and view for the browser to build before the page shows.
EXERCISE_LAYOUT = {"width": "100%", "max_width": "52rem", "flex_flow": "row wrap"}


class ExerciseView(widgets.VBox):
    """Heading + kind-specific body + feedback area. Subclasses build ``body`` and buttons.

    ``build()`` returns one flat list: full-width blocks and controls (width 100%), and
    buttons side by side where they follow each other (``EXERCISE_LAYOUT``); no wrapper boxes.
    The frame's widgets share their Layout and Style objects with every other exercise on the
    page (see ``shared_layout``): to change one widget's layout, give it a Layout of its own.
    A subclass that sets ``heading_in_body`` puts ``self.heading_html()`` into its own first
    HTML block (one widget fewer per exercise); otherwise the frame adds a heading block.
    """

    heading_in_body = False
    # Kinds whose attempts the student may rate for difficulty (views/rating.py, issue 16).
    offers_rating = False

    def __init__(self, item: Item, *, on_attempt: AttemptListener | None = None,
                 notice: str | None = None, drafts: Drafts | None = None,
                 ratings: Any = None):
        self.item = item
        self.drafts = drafts
        self.ratings = ratings  # a views.rating.Ratings, or None: no difficulty check
        self.rating = None  # the RatingControl, made at the first recorded attempt
        self._restoring = False
        self.kind = kind_of(item)
        self.listeners: list[AttemptListener] = [on_attempt] if on_attempt else []
        self.attempts = 0
        self.last_feedback: Feedback | None = None
        # Screen readers announce this region's changes (aria-live is set by the page template).
        self.feedback = block()
        self.feedback.add_class("repairlab-feedback")
        # The notice area exists only once there is a notice (most pages never have one).
        self.status: widgets.HTML | None = None
        body = self.build()
        if not self.heading_in_body:
            body.insert(0, block(self.heading_html()))
        super().__init__([*body, self.feedback], layout=shared_layout(**EXERCISE_LAYOUT))
        self.add_class("repairlab-exercise")
        self.add_class(f"repairlab-{item.type}")
        box = self.draft_box()
        if box is not None:
            # The box syncs when it loses focus (``text_box``): that is when a draft is kept.
            box.observe(lambda change: self.keep_draft(self.draft_key(), change["new"]), "value")
        if notice:
            self.set_status(notice)

    # -- drafts: what a student typed and has not submitted survives a reload
    def draft_box(self) -> widgets.Textarea | None:
        """The free-text box whose unsubmitted text is kept as a draft (None: no free text)."""
        return None

    def draft_key(self) -> str:
        return self.item.id

    def keep_draft(self, key: str, text: str) -> None:
        if self.drafts is None or self._restoring:
            return
        try:
            self.drafts.save(key, text)
        except Exception:
            log.exception("could not keep a draft of %s", key)

    def drop_draft(self, key: str | None = None) -> None:
        if self.drafts is not None:
            try:
                self.drafts.clear(key or self.draft_key())
            except Exception:
                log.exception("could not clear the draft of %s", key or self.draft_key())

    @student_safe
    def restore_draft(self) -> None:
        """Put the kept draft back in the box (it was typed after the last submission, which
        clears it, so it wins over the last submitted text)."""
        box = self.draft_box()
        if box is None or self.drafts is None:
            return
        text = self.drafts.load(self.draft_key())
        if text:
            self._quietly(setattr, box, "value", text)

    def _quietly(self, change, *args) -> None:
        """Change a control without keeping the change as a draft (a restore, a new turn)."""
        self._restoring = True
        try:
            change(*args)
        finally:
            self._restoring = False

    def heading_html(self) -> str:
        item = self.item
        return (f'<h3 class="rl-title">{escape(item.title)}</h3>'
                f'<p class="rl-meta"><span class="rl-kind">{escape(self.kind.label)}</span> · '
                f'<span class="rl-level rl-level-{item.difficulty}">{item.difficulty}</span></p>')

    def build(self) -> list[widgets.Widget]:
        raise NotImplementedError

    def _score(self, response: Any, kept: dict[str, Any] | None = None) -> Feedback:
        """Score and, unless empty, record: ``kept`` goes with the attempt (its ``extra``)."""
        feedback = self.kind.score(self.item, response)
        if kept and feedback.status != "empty":
            feedback = replace(feedback, kept={**(feedback.kept or {}), **kept})
        if feedback.status != "empty":
            self.attempts += 1
            self.drop_draft()  # submitted: the attempt now holds the text
            for listener in self.listeners:
                try:
                    listener(self.item, response, feedback)
                except Exception:  # saving must never cost the student their feedback
                    log.exception("could not record an attempt at %s", self.item.id)
            self.offer_rating(None)  # a new attempt: not rated yet
        self.last_feedback = feedback
        return feedback

    def set_response(self, response: Any) -> None:
        """Put a response into the controls (subclasses know their controls)."""
        raise NotImplementedError

    @student_safe
    def restore(self, response: Any) -> None:
        """Show a saved response and its feedback again, without counting a new attempt."""
        self._quietly(self.set_response, response)
        feedback = self.kind.score(self.item, response)
        if feedback.status != "empty":
            self.last_feedback = feedback
            self.show_feedback(feedback)

    def offer_rating(self, rating: int | None) -> None:
        """Show the optional difficulty check below the feedback, holding ``rating`` (None:
        not rated). Only kinds that offer one, and only when ratings can be kept."""
        if not self.offers_rating or self.ratings is None:
            return
        if self.rating is None:
            from .rating import RatingControl

            self.rating = RatingControl(self.item.id, self.rating_target())
            at = list(self.children).index(self.feedback) + 1
            self.children = (*self.children[:at], self.rating, *self.children[at:])
        self.rating.show(rating)

    def rating_target(self) -> Any:
        """Where the difficulty check's choice goes: the injected ratings (a kind that rates
        more than its attempts says otherwise)."""
        return self.ratings

    def restore_extra(self, extra: dict[str, Any]) -> None:
        """Show what an attempt kept beside its response (a kind that keeps some knows it)."""

    def show_feedback(self, feedback: Feedback, *, show_reveal: bool = True) -> None:
        # The kind's renderer: the hand-in draws the same feedback with it (views/render.py).
        self.feedback.value = self.kind.renderer.feedback(feedback, show_reveal=show_reveal)

    def set_status(self, text: str | None) -> None:
        if self.status is None:
            if not text:
                return
            self.status = block()
            self.children = (*self.children, self.status)
        self.status.value = notice_html(text) if text else ""


def button(label: str, handler, *, primary: bool = False, tooltip: str = "") -> widgets.Button:
    """A button calling ``handler()``, with the shared layout and style: never hide or resize
    one in place (give it a Layout of its own first)."""
    btn = widgets.Button(description=label, tooltip=tooltip or label,
                         button_style="primary" if primary else "",
                         layout=shared_layout(width="auto"), style=shared_style(widgets.ButtonStyle))
    btn.on_click(lambda _: handler())
    return btn


def text_box(**kwargs) -> widgets.Textarea:
    """A free-text box whose value reaches the kernel when it loses focus, not per keystroke.

    ipywidgets keeps one update per model in flight and buffers the rest, so with per-keystroke
    syncing a click on "Get feedback" (another model) can overtake the last words typed and the
    student is scored on a truncated reply. Leaving the box (Tab, or pressing the button) sends
    the whole text first; and the page sends any change still waiting in it before a click
    (``repairlab.js``, docs/architecture.md), so the kernel always scores what the student sees.
    """
    return widgets.Textarea(continuous_update=False, **kwargs)
