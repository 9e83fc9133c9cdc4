"""The scenario part of an item (setting, exchange, inner reaction) as escaped HTML."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from .html import paragraphs

if TYPE_CHECKING:
    from ..kinds.base import Turn

_SPEAKER = {"client": "Client", "therapist": "Therapist", "narrator": ""}


def context_html(context: str | None) -> str:
    return paragraphs(context, "rl-context") if context else ""


def exchange_html(turns: tuple[Turn, ...]) -> str:
    if not turns:
        return ""
    rows = []
    for turn in turns:
        if turn.speaker == "narrator":
            rows.append(f'<p class="rl-turn rl-narrator"><em>{escape(turn.says)}</em></p>')
        else:
            rows.append(f'<p class="rl-turn rl-{turn.speaker}"><strong>{_SPEAKER[turn.speaker]}:'
                        f"</strong> {escape(turn.says)}</p>")
    return f'<div class="rl-exchange">{"".join(rows)}</div>'


def quote_html(who: str, text: str, cls: str) -> str:
    return (f'<div class="rl-exchange"><p class="rl-turn {cls}"><strong>{escape(who)}:</strong> '
            f"{escape(text)}</p></div>")


def stem_html(item) -> str:
    """Everything above the answer controls, for any kind."""
    parts = [context_html(getattr(item, "context", None))]
    if hasattr(item, "therapist_reaction"):
        reaction = item.therapist_reaction
        parts.append(quote_html("Client", item.client_says, "rl-client"))
        parts.append(
            '<dl class="rl-reaction"><dt>Therapist\'s thought</dt>'
            f"<dd>{escape(reaction.thought)}</dd><dt>Feeling</dt><dd>{escape(reaction.feeling)}</dd>"
            f"<dt>Urge</dt><dd>{escape(reaction.urge)}</dd></dl>")
    elif hasattr(item, "defensive_reply"):
        parts.append(quote_html("Client", item.client_says, "rl-client"))
        parts.append(quote_html("Therapist (defensive)", item.defensive_reply, "rl-therapist"))
    else:
        parts.append(exchange_html(getattr(item, "exchange", [])))
    prompt = getattr(item, "prompt", None)
    if prompt:
        parts.append(f'<p class="rl-prompt"><strong>{escape(prompt)}</strong></p>')
    return "".join(parts)
