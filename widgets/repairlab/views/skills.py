"""A student's skills as a list, each mastered, in progress or not started, in words (never by
colour alone): practice mode's status and the landing page show the same list. Plain HTML,
nothing of the exercise kinds imported, so the landing page stays light (tests/test_page.py)."""

from __future__ import annotations

from html import escape

from ..practice import PracticeItem, SkillState

STATUS_WORDS = {"mastered": "Mastered", "in progress": "In progress",
                "not started": "Not started"}


def skills_html(states: list[SkillState], items: list[PracticeItem], label: str) -> str:
    """Each skill practice mode serves, with its state in words (never by colour alone):
    practice mode's status and the landing page show the same list."""
    rows = []
    for state in states:
        if not any(item.skill == state.skill.id for item in items):
            continue
        rows.append(f'<li class="rl-skill rl-skill-{state.status.replace(" ", "-")}">'
                    f"{escape(state.skill.name)}: <strong>{STATUS_WORDS[state.status]}"
                    "</strong></li>")
    return f'<ul class="rl-skills" aria-label="{escape(label)}">{"".join(rows)}</ul>'
