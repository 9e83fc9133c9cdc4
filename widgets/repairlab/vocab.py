"""The clinical vocabulary the content is checked against (see ../shared/DOMAIN.md).

Kept as plain tuples so the validator, the docs and the views agree on one spelling.
"""

from __future__ import annotations

# The levels an item is written at, easiest first (practice mode moves through them in order).
DIFFICULTIES = ("beginner", "intermediate", "advanced")

# What a scorer can say about one response (kinds.base.Feedback.status). The grading rule
# (grading.py) says which of them complete and which solve an item; the page's colours
# (views/html.py) say how each looks.
STATUSES = (
    "correct",     # a choice or an order marked right
    "incorrect",   # marked wrong: the only status that does not complete an item
    "partial",     # partly right (an order, a rewrite with some of its moves)
    "good",        # a rewrite judged not defensive with every move asked for; a good ending
    "needs-work",  # a rewrite that still reads as defensive
    "unsure",      # the reply assessor could not tell: no verdict is given
    "submitted",   # a reflection (no right or wrong)
    "empty",       # nothing to judge yet; never recorded as an attempt
)

# Young's 18 early maladaptive schemas, by domain (Young, Klosko & Weishaar 2003).
SCHEMA_DOMAINS: dict[str, tuple[str, ...]] = {
    "Disconnection & Rejection": (
        "Abandonment/Instability",
        "Mistrust/Abuse",
        "Emotional Deprivation",
        "Defectiveness/Shame",
        "Social Isolation/Alienation",
    ),
    "Impaired Autonomy & Performance": (
        "Dependence/Incompetence",
        "Vulnerability to Harm or Illness",
        "Enmeshment/Undeveloped Self",
        "Failure",
    ),
    "Impaired Limits": (
        "Entitlement/Grandiosity",
        "Insufficient Self-Control/Self-Discipline",
    ),
    "Other-Directedness": (
        "Subjugation",
        "Self-Sacrifice",
        "Approval-Seeking/Recognition-Seeking",
    ),
    "Overvigilance & Inhibition": (
        "Negativity/Pessimism",
        "Emotional Inhibition",
        "Unrelenting Standards/Hypercriticalness",
        "Punitiveness",
    ),
}
YOUNG_SCHEMAS: tuple[str, ...] = tuple(s for group in SCHEMA_DOMAINS.values() for s in group)

# The schemas most common in therapists (Leahy 2001; Haarhoff 2006; Phin 2013), mapped onto
# Young's names; the item bank is weighted towards these.
COMMON_THERAPIST_SCHEMAS = (
    "Unrelenting Standards/Hypercriticalness",
    "Self-Sacrifice",
    "Approval-Seeking/Recognition-Seeking",
    "Abandonment/Instability",
    "Defectiveness/Shame",
    "Failure",
    "Mistrust/Abuse",
    "Emotional Inhibition",
    "Subjugation",
    "Entitlement/Grandiosity",
)

# Repair moves a rewritten reply can make (the reply assessor's vocabulary).
MOVES = ("apology", "ownership", "validation", "exploration", "autonomy")

RUPTURE_TYPES = ("withdrawal", "confrontation")
SPEAKERS = ("client", "therapist", "narrator")
