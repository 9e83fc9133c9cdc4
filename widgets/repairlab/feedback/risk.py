"""Does a reply ask about risk: suicide, self-harm, or harm to others?

A safety-critical turn must never hinge on the general assessor's verdict, so this is its own
signal. It is a hybrid: a small learned model (risk_model.py, trained by tools/train_risk.py on
replies from many writers) decides whether the reply asks, because rules alone kept missing the
phrasings of each new writer; the rules (risk_rules.py) still find the words a student is shown.
When the model says the reply asks but the rules quote nothing, the span is the sentence (or
pair of sentences) the model itself scores highest. Stdlib only.
"""

from __future__ import annotations

from .model import Span
from .risk_model import RiskModel, default_risk_model, risk_features
from .risk_rules import Sentence, client_voices_risk, read_sentences, rule_inquiry


def risk_probability(text: str, client: str | None = None, *, client_at_risk: bool = False,
                     model: RiskModel | None = None) -> float:
    """How likely the model thinks it is that ``text`` asks about risk (0 for no words)."""
    sentences = read_sentences(text) if isinstance(text, str) else []
    if not sentences:
        return 0.0
    client = client if isinstance(client, str) else None
    model = model or default_risk_model()
    return model.probability(risk_features(sentences, client,
                                           client_voices_risk(client, client_at_risk)))


def find_risk_inquiry(text: str, client: str | None = None, *, client_at_risk: bool = False,
                      model: RiskModel | None = None) -> Span | None:
    """The words of ``text`` that ask about risk, or None when it does not ask.

    ``client`` is the client's line the reply answers: after a line that voices risk (or when
    the caller knows it does: ``client_at_risk``, e.g. a case node whose phase is "at-risk"), a
    question that points back at it ("Do you have a plan?") asks about risk too.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    model = model or default_risk_model()
    sentences = read_sentences(text)
    if not sentences:
        return None
    client = client if isinstance(client, str) else None
    client_risk = client_voices_risk(client, client_at_risk)
    if model.probability(risk_features(sentences, client, client_risk)) < model.threshold:
        return None
    return (rule_inquiry(text, client, client_at_risk=client_at_risk)
            or _likeliest_window(text, sentences, client, client_risk, model))


def _likeliest_window(text: str, sentences: list[Sentence], client: str | None, client_risk: bool,
                      model: RiskModel) -> Span:
    """The sentence, or two sentences running, that the model scores highest; one that
    inquires before one that does not (a lead-in such as "...not being alive. Has that been
    true for you?" asks only with its question)."""
    best_key, best = None, (sentences[0].start, sentences[-1].end)
    for k in range(len(sentences)):
        for window in (sentences[k:k + 1], sentences[k:k + 2]):
            if len(window) == 2 and k + 1 >= len(sentences):
                continue
            p = model.probability(risk_features(window, client, client_risk))
            key = (any(s.inquires for s in window), round(p, 2), -len(window))
            if best_key is None or key > best_key:
                best_key, best = key, (window[0].start, window[-1].end)
    return Span.trimmed(text, *best)
