"""HTML for views, built from escaped text only.

Student text and author text are both escaped here, in one place: nothing a student types
can become markup, and authors write plain text (see docs/authoring.md).
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..kinds.base import Feedback

_TONE_LABEL = {"good": "What landed", "warn": "What undercut it", "info": "Note"}
_STATUS_CLASS = {"correct": "good", "good": "good", "submitted": "good", "partial": "partial",
                 "incorrect": "try", "needs-work": "try", "unsure": "info", "empty": "info"}


def paragraphs(text: str | None, cls: str = "") -> str:
    """Blank lines separate paragraphs; a single newline is kept as a line break, because a
    YAML folded block (``>``) turns the author's blank line into exactly one newline."""
    if not text:
        return ""
    attr = f' class="{cls}"' if cls else ""
    blocks = (b.strip() for b in re.split(r"\n\s*\n", text))
    return "".join(f"<p{attr}>{'<br>'.join(escape(line) for line in b.splitlines())}</p>"
                   for b in blocks if b)


def feedback_html(feedback: Feedback, *, show_reveal: bool = True) -> str:
    status = _STATUS_CLASS.get(feedback.status, "info")
    parts = [f'<div class="rl-feedback rl-{status}">',
             f'<p class="rl-headline"><strong>{escape(feedback.headline)}</strong></p>']
    if feedback.notes:
        parts.append('<ul class="rl-notes">')
        for note in feedback.notes:
            quote = (f' <q class="rl-quote">{escape(note.quote)}</q>' if note.quote else "")
            parts.append(f'<li class="rl-note rl-note-{note.tone}">'
                         f'<span class="rl-visually-hidden">{_TONE_LABEL[note.tone]}: </span>'
                         f"{escape(note.text)}{quote}</li>")
        parts.append("</ul>")
    if feedback.next_step:
        parts.append(f'<p class="rl-next"><strong>Next:</strong> {escape(feedback.next_step)}</p>')
    if show_reveal and feedback.reveal:
        parts.append(f'<div class="rl-reveal"><p><strong>{escape(feedback.reveal_title)}</strong>'
                     f"</p>{paragraphs(feedback.reveal)}</div>")
    parts.append("</div>")
    return "".join(parts)


def notice_html(text: str) -> str:
    return f'<div class="rl-notice" role="note"><p>{escape(text)}</p></div>'


def meter_html(caption: str, rows: list[tuple[str, int, int, int, int]]) -> str:
    """Labelled gauges, one per (label, value, minimum, maximum, change); numbers also as text,
    so the meter reads the same to a screen reader as on screen."""
    parts = [f'<div class="rl-meter" role="group" aria-label="{escape(caption)}">'
             f'<p class="rl-meter-caption"><strong>{escape(caption)}</strong></p>']
    for label, value, low, high, change in rows:
        moved = f" ({change:+d})" if change else ""
        parts.append(f'<p class="rl-meter-row"><span class="rl-meter-label">{escape(label)}</span> '
                     f'<meter min="{int(low)}" max="{int(high)}" value="{int(value)}" '
                     f'aria-label="{escape(label)}"></meter> '
                     f'<span class="rl-meter-value">{int(value)} of {int(high)}{moved}</span></p>')
    parts.append("</div>")
    return "".join(parts)
