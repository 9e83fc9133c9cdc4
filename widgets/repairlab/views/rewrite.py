"""Rewrite the defensive reply: a text area, feedback from the reply assessor, a model answer.

"Say it aloud first" (issue 16, fluency) is optional: the client's line is shown with a timer,
the student answers out loud and presses "I've said it", then types what they said, which is
assessed as any reply. The seconds go with that attempt (``extra.aloud_seconds``), so the
hand-in shows repetition getting faster. The time is measured in the kernel between the two
presses; the seconds shown counting on the page are drawn by the stylesheet alone.
"""

from __future__ import annotations

import time
from html import escape

import ipywidgets as widgets
from ipywidgets.widgets.widget_string import TextStyle

from ..kinds.base import Feedback
from .base import ExerciseView, block, button, shared_layout, shared_style, student_safe, text_box
from .stems import quote_html, stem_html

MAX_CHARS = 5000  # a reply is a few sentences; the cap keeps a paste accident harmless
ALOUD = "aloud_seconds"  # the key in an attempt's extra


class RewriteView(ExerciseView):
    heading_in_body = True
    offers_rating = True

    def build(self) -> list[widgets.Widget]:
        # The first check would otherwise compile the assessor's lexicon (~0.3 s).
        from ..feedback.warm import warm_up_in_background

        warm_up_in_background()
        self.reply = text_box(
            value="", placeholder="Write what you would say to the client instead…",
            description="Your reply", rows=5,
            style=shared_style(TextStyle, description_width="initial"),
            layout=shared_layout(width="100%"))
        self.reply.add_class("repairlab-reply")
        self.check_button = button("Get feedback", self.check, primary=True)
        controls = [self.check_button]
        if self.item.hint:
            controls.append(button("Show a hint", self.show_hint))
        self.aloud_button = button(
            "Say it aloud first", self.start_aloud,
            tooltip="Answer out loud with a timer running, then type what you said")
        self.aloud_button.add_class("rl-aloud-start")
        self.said_button: widgets.Button | None = None  # made when first needed (one model less)
        # A live region must be on the page before it speaks, so it is made at once.
        self.aloud = block()
        self.aloud.add_class("rl-live")  # announced: the timer started, the time taken
        self.aloud.add_class("rl-aloud")
        self._aloud_started: float | None = None
        self.aloud_seconds: float | None = None  # this attempt's time aloud, once stopped
        self.aloud_times: list[float] = []  # earlier times aloud at this item, oldest first
        controls += [self.aloud_button, self.aloud]
        instruction = ('<p class="rl-prompt"><strong>Rewrite the therapist\'s reply so that it '
                       "repairs rather than defends.</strong></p>"
                       f'<p class="rl-asks-for">This moment asks for {escape(self.item.asks_for())}.</p>')
        return [block(self.heading_html() + stem_html(self.item) + instruction), self.reply,
                *controls]

    @student_safe
    def check(self) -> Feedback:
        # The text stays in the box: feedback never costs the student what they wrote.
        if self._aloud_started is not None:
            self.stop_aloud()  # typed without pressing "I've said it": the timer stops here
        kept = {ALOUD: self.aloud_seconds} if self.aloud_seconds is not None else None
        feedback = self._score(self.reply.value[:MAX_CHARS], kept)
        if feedback.status != "empty" and self.aloud_seconds is not None:
            self.aloud.value = (f'<p class="rl-aloud-done">You said this reply aloud in '
                                f"{_seconds(self.aloud_seconds)} before typing it. Say it aloud "
                                "again to make it more fluent.</p>")
            self.aloud_times.append(self.aloud_seconds)
            self.aloud_seconds = None  # one time aloud per attempt
        self.show_feedback(feedback)  # the model rewrite comes with the first real attempt
        return feedback

    # -- say it aloud first --

    def _swap(self, old: widgets.Widget, new: widgets.Widget) -> None:
        self.children = tuple(new if child is old else child for child in self.children)

    @student_safe
    def start_aloud(self) -> None:
        """Show the client's line and start the timer; the reply box waits until it stops."""
        self._aloud_started = time.monotonic()
        self.aloud_seconds = None
        if self.said_button is None:
            self.said_button = button("I've said it", self.stop_aloud, primary=True,
                                      tooltip="Stop the timer, then type what you said")
            self.said_button.add_class("rl-aloud-stop")
        self.reply.disabled = True
        self.check_button.disabled = True
        self._swap(self.aloud_button, self.said_button)
        self.aloud.value = (
            '<div class="rl-aloud-running"><p><strong>Say your reply out loud now</strong>, as you '
            "would in the session, to:</p>" + quote_html("Client", self.item.client_says,
                                                           "rl-client")
            + '<p class="rl-aloud-timer">Timer running<span aria-hidden="true">: <span '
            'class="rl-aloud-clock"></span></span>. Press “I\'ve said it” when you have '
            "finished.</p></div>")

    @student_safe
    def stop_aloud(self) -> float | None:
        """Stop the timer and ask for what was said; return the seconds taken."""
        if self._aloud_started is None:
            return None
        self.aloud_seconds = round(time.monotonic() - self._aloud_started, 1)
        self._aloud_started = None
        self.reply.disabled = False
        self.check_button.disabled = False
        self._swap(self.said_button, self.aloud_button)
        self.aloud_button.description = "Say it aloud again"
        self.aloud.value = (f'<p class="rl-aloud-done">You answered aloud in '
                            f"<strong>{_seconds(self.aloud_seconds)}</strong>"
                            f"{_compared(self.aloud_seconds, self.aloud_times)}. Now type what "
                            "you said in the box above and press “Get feedback”.</p>")
        return self.aloud_seconds

    def restore_extra(self, extra) -> None:
        seconds = extra.get(ALOUD) if isinstance(extra, dict) else None
        if isinstance(seconds, (int, float)) and not isinstance(seconds, bool):
            self.aloud_times.append(float(seconds))
            self.aloud.value = (f'<p class="rl-aloud-done">Last time you answered aloud in '
                                f"{_seconds(seconds)}.</p>")

    def draft_box(self) -> widgets.Textarea:
        return self.reply

    def set_response(self, response) -> None:
        self.reply.value = str(response or "")

    def submit(self, text: str) -> Feedback:
        self.reply.value = text
        return self.check()

    @student_safe
    def show_hint(self) -> None:
        self.show_feedback(Feedback("empty", "Hint", next_step=self.item.hint))


def _seconds(value: float) -> str:
    return f"{value:.1f} seconds" if value < 10 else f"{round(value)} seconds"


def _compared(now: float, before: list[float]) -> str:
    """How this time compares with the fastest before it, in words."""
    if not before:
        return ""
    best = min(before)
    if now < best:
        return f", faster than your best so far ({_seconds(best)})"
    return f" (your best so far: {_seconds(best)})"
