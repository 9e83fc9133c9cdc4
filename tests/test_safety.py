"""Safety and scope (issue 13, "Safety"): content warnings, the scope note, identifying details,
and items that deal with self-harm returning to it.

Each test reads the real content files, so taking a warning or a caution out makes it fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
CURRICULUM = REPO / "curriculum"
EXERCISES = REPO / "exercises"


def _items(folder: str) -> dict[str, dict]:
    found = {}
    for path in sorted((EXERCISES / folder).glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]:
            found[item["id"]] = item
    return found


def _text(value) -> str:
    """Every string inside a YAML value, joined, with whitespace folded."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        return " ".join(_text(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return ""


def test_m07_schema_03_returns_to_the_self_harm_urges_and_to_risk_review():
    item = _items("when-repair-is-not-enough")["m07-schema-03"]
    explanation = " ".join(item["explanation"].split())
    assert re.search(r"go back to the urges", explanation)
    assert re.search(r"Review her risk and her safety or crisis plan", explanation)
    assert "procedure" in explanation
    keyed = next(o for o in item["options"] if o["schema"] == item["answer"])
    assert "self-harm urges" in _text(keyed["feedback"])
