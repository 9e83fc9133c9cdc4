"""The learned part of the risk-inquiry signal: hashed features and a linear model, stdlib only.

Why a model: each set of replies written by someone who never saw the rules brought whole
phrasings the rules had never met ("did you think about how you would go to her?"), so rules
alone kept missing a third of real risk questions on new writers. A logistic regression over
words, word pairs and character 4-grams generalises from many writers' phrasings instead.

The features (the same function serves training in tools/train_risk.py and scoring here):
- words and word pairs of the reply, after the rules' normalising (texting spellings and
  misspelled risk words written out: "sucide" → "suicide"), and character 4-grams, so an
  unseen misspelling still shares most of its pieces with the word;
- the same words again, marked as sitting in a sentence that inquires (a question, or an
  invitation such as "I'd like to ask ..."): naming a risk in a statement is not asking;
- what the rules see (a sentence names a risk, inquires, both, points back at the client);
- whether the client's line voices risk, and, when it does, the inquiring sentence's words
  marked as following a risky line: "Do you have a plan?" asks about risk only after one;
- the client's own words, and whether (and how much) a question picks up the client's content
  words, so "What's the hammer for?" after a line about a hammer can read as pointing back.

``risk.json`` holds the bias, scale, threshold and what it was trained on; ``risk.weights`` one
signed 16-bit weight per feature bucket (little-endian), checked against the json when loaded.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from .risk_rules import Sentence, normalised
from .verdict import _sigmoid, read_weights

RISK_FEATURE_VERSION = 1
BUCKETS = 1 << 16
_MASK = BUCKETS - 1
_HERE = Path(__file__).resolve().parent


class RiskModelError(RuntimeError):
    """The shipped risk model is missing or does not fit this code (run tools/train_risk.py)."""


def _words(text: str) -> frozenset[str]:
    """A word list written as prose (easier to read and extend than a list literal)."""
    return frozenset(text.split())


# Words that carry no topic: what a question shares with the client beyond these is what it
# picks up from the client's line.
_FUNCTION_WORDS = _words("""a an the and or but so if then than that this these those it its
    is are was were be been do does did have has had i me my you your yourself to of in on at for
    with about from by as just really not no can could would should will what how why when where
    who which there here all any some more like get got go going want feel think know say said
    tell let make thing things way ever""")


@lru_cache(maxsize=256)
def _client_words(client: str) -> frozenset[str]:
    return frozenset(normalised(client).split())


def risk_features(sentences: Sequence[Sentence], client: str | None, client_risk: bool) -> list[str]:
    """The features of a reply (or of a window of its sentences), given the client's line and
    whether it voices risk."""
    feats: list[str] = []
    has_client = isinstance(client, str) and bool(client.strip())
    theirs = _client_words(client[:2000]) if has_client else frozenset()
    topical = {w for w in theirs if w not in _FUNCTION_WORDS and len(w) > 2}
    feats += [f"cl:{w}" for w in theirs]
    any_risk = any_inquiry = risk_inquiry = point_back = False
    for s in sentences:
        words = s.norm.split()
        seq = ["<s>", *words, "</s>"]
        feats += [f"w:{w}" for w in words]
        feats += [f"b:{a}_{b}" for a, b in itertools.pairwise(seq)]
        for w in words:
            if len(w) > 3:
                padded = f"<{w}>"
                feats += [f"c:{padded[i:i + 4]}" for i in range(len(padded) - 3)]
        if s.inquires:
            feats += [f"q:{w}" for w in words]
            feats += [f"qb:{a}_{b}" for a, b in itertools.pairwise(seq)]
            if client_risk:
                feats += [f"cq:{w}" for w in words]
            if has_client:
                feats.append(f"xq:shared={min(len(topical.intersection(words)), 2)}")
                feats.append(f"xq:len={min(len(words) // 4, 4)}")
        any_risk |= s.names_risk
        any_inquiry |= s.inquires
        risk_inquiry |= s.names_risk and s.inquires
        point_back |= client_risk and s.inquires and s.about_their_risk
    feats.append(f"r:risk={int(any_risk)}")
    feats.append(f"r:inquires={int(any_inquiry)}")
    feats.append(f"r:risk-inquiry={int(risk_inquiry)}")
    feats.append(f"r:points-back={int(point_back)}")
    feats.append("x:client-risk" if client_risk else ("x:client-calm" if has_client else "x:no-client"))
    return feats


def hashed(features: Iterable[str]) -> set[int]:
    return {zlib.crc32(f.encode("utf-8")) & _MASK for f in features}


@dataclass(frozen=True)
class RiskModel:
    bias: float
    scale: float
    weights: Sequence[int]  # int16 (verdict._int16s)
    threshold: float

    def probability(self, features: Iterable[str]) -> float:
        w = self.weights
        return _sigmoid(self.bias + self.scale * sum(w[b] for b in hashed(features)))


def load_risk_model(folder: Path = _HERE) -> RiskModel:
    manifest, weights = read_weights(folder, "risk", RISK_FEATURE_VERSION, BUCKETS,
                                     RiskModelError, "tools/train_risk.py")
    if len(weights) != BUCKETS:
        raise RiskModelError("risk.weights has the wrong size: run tools/train_risk.py")
    return RiskModel(float(manifest["bias"]), float(manifest["scale"]), weights,
                     float(manifest["threshold"]))


@cache
def default_risk_model() -> RiskModel:
    return load_risk_model()
