"""HTML for views, built from escaped text only.

Student text and author text are both escaped here, in one place: nothing a student types
can become markup, and authors write plain text (see docs/authoring.md).
"""

from __future__ import annotations

from html import escape

from ..kinds.base import Feedback

_TONE_LABEL = {"good": "What landed", "warn": "What undercut it", "info": "Note"}
_STATUS_CLASS = {"correct": "good", "good": "good", "submitted": "good", "partial": "partial",
                 "incorrect": "try", "needs-work": "try", "empty": "info"}


def paragraphs(text: str | None, cls: str = "") -> str:
    if not text:
        return ""
    attr = f' class="{cls}"' if cls else ""
    return "".join(f"<p{attr}>{escape(p.strip())}</p>" for p in text.split("\n\n") if p.strip())


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
