"""The assessor scores each sentence of a reply once per assessment, and works out an item's
model-rewrite examples once per item, and the feedback a student sees is what it was when both
were recomputed on every use (issue 12, review). No kernel, no timing: speed is measured by
bench/assess_replies.py."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from repairlab.feedback import assess_reply, assessor
from repairlab.feedback.features import reply_features, sentences
from repairlab.feedback.rules import MAX_CHARS, assess_by_rules
from repairlab.feedback.verdict import default_model
from repairlab.kinds.rewrite_reply import RewriteReply, score
from repairlab.schemas import validate

ROOT = Path(__file__).resolve().parent.parent
# Long replies of several sentences, where the model quotes most often.
DEV = yaml.safe_load((ROOT / "tests" / "data" / "replies" / "train" / "long-1.yaml")
                     .read_text(encoding="utf-8"))["items"]


def _item(rewrite: str, item_id: str = "t-once") -> RewriteReply:
    return validate({"id": item_id, "type": "rewrite-reply", "difficulty": "beginner",
                     "title": "Once", "defensive_reply": "I see a lot of clients.",
                     "why_defensive": "It explains instead of owning.",
                     "client_says": "You forgot what I told you about my brother. Again.",
                     "must_include": ["apology", "ownership", "exploration"],
                     "model_rewrite": rewrite})


def _rescored_best(text: str, client: str | None, output: str) -> str | None:
    """The sentence the assessor quoted before the change: every sentence scored afresh."""
    model = default_model()
    base_at = len(text) - len(text.lstrip())
    analysed = text[base_at:base_at + MAX_CHARS]
    best = None
    for part in sentences(analysed):
        if not assessor._quotable(part):
            continue
        p = model.probabilities(reply_features(part, (), client))[output]
        if best is None or p > best[0]:
            best = (p, part)
    return best[1] if best else None


def test_every_model_quote_is_the_sentence_scored_afresh_would_give() -> None:
    quoted = 0
    for row in DEV:
        client = row.get("context")
        result = assess_reply(row["text"], client)
        for evidence in result.evidence:
            if evidence.reason == assessor._MODEL_MOVE_WHY:
                quoted += 1
                assert evidence.span.text == _rescored_best(row["text"], client, evidence.move), row["id"]
        for marker in result.markers:
            if marker.kind == "reads-defensive":
                quoted += 1
                assert marker.span.text == _rescored_best(row["text"], client, "defensive"), row["id"]
    assert quoted >= 10, "the development replies exercise the model's quotes"


def test_a_reply_with_several_unquoted_moves_scores_its_sentences_once(monkeypatch) -> None:
    calls = []
    real = assessor._scored_sentences
    monkeypatch.setattr(assessor, "_scored_sentences", lambda *a: calls.append(a) or real(*a))
    for row in DEV:
        calls.clear()
        assess_reply(row["text"], row.get("context"))
        assert len(calls) <= 1, row["id"]


def test_the_rewrite_examples_are_worked_out_once_per_item(monkeypatch) -> None:
    item = _item("You're right, I forgot what you told me about your brother, and I'm sorry. "
                 "What was it like to hear me get it wrong again?", "t-once-count")
    first = score(item, "Okay.").next_step
    calls = []
    monkeypatch.setattr(assessor, "assess_by_rules",
                        lambda *a, **k: calls.append(a) or assess_by_rules(*a, **k))
    again = score(item, "Okay.").next_step
    assert again == first
    assert all(a[0] == "Okay." for a in calls), "the model rewrite was not read again"


def test_an_edited_model_rewrite_is_quoted_as_edited() -> None:
    before = score(_item("I'm sorry I forgot about your brother."), "Okay.").next_step
    after = score(_item("I'm sorry I let you down about your brother."), "Okay.").next_step
    assert "I'm sorry I forgot about your brother." in before
    assert "I'm sorry I let you down about your brother." in after
    assert "I'm sorry I forgot" not in after


@pytest.mark.parametrize("row", DEV[:40], ids=lambda r: r["id"])
def test_the_feedback_is_the_same_with_and_without_the_cache(row) -> None:
    item = _item("You're right, I forgot what you told me about your brother, and I'm sorry. "
                 "What was it like to hear me get it wrong again?", f"t-cache-{row['id']}")
    assessor._rewrite_examples.cache_clear()
    fresh = score(item, row["text"])
    cached = score(item, row["text"])
    assert cached == fresh
