"""``assess_reply``: the reply assessor a student meets, combining three readings of a reply.

1. The rules (``rules.py`` with ``lexicon.yaml``) find the words a student sees quoted back:
   defensive markers and repair moves, each with a reason.
2. The learned verdict (``verdict.py``), trained on thousands of labelled replies, reads the whole
   reply with the rules' findings and the client's line, and decides: defensive, not defensive,
   or "not sure" when the evidence is weak or conflicting. It also decides which moves landed.
   Where it and the rules disagree, the verdict wins and the rules' words that contradict it are
   not shown as faults; where no rule names the words, the sentence the model weighs most is
   shown instead, so every verdict still points at the student's own words.
3. Plain checks on the reply as a whole, said without praise: too short to be a repair; a
   checklist of stock phrases that never touches what the client said; a question that follows
   the client away from the strain.

The item (when given) tailors the advice: a missing move is illustrated by the sentence of the
item's own model rewrite that makes it, never by an example from another scenario.
A separate signal (``risk.py``) says whether the reply asks about suicide, self-harm or harm to
others; safety-critical turns branch on it, never on the verdict.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from .features import reply_features, sentences, tokens, written_out
from .lexicon import default_lexicon
from .model import MOVES, Concern, Marker, MoveEvidence, ReplyAssessment, Span
from .risk import find_risk_inquiry
from .rules import COPY_NOTICE, FOREIGN_NOTICE, MAX_CHARS, assess_by_rules
from .verdict import VerdictModelError, default_model

_LOG = logging.getLogger(__name__)

# Fewer words than this cannot carry a repair ("ok", "noted", "right, sorry").
MIN_REPAIR_WORDS = 4

_TOO_SHORT = ("This is too short to repair anything: the client cannot tell from it what you "
              "understood or what you will do. Say it in a full sentence or two.")
_CHECKLIST = ("This reads as a checklist of stock phrases: none of it touches what the client "
              "actually said. Name what happened, in their terms, and what you are sorry for or "
              "curious about.")
_FOLLOWS_TOPIC_WHY = ("the question follows the client onto the new subject, away from what just "
                      "happened between you; first check in about the moment they moved away")
_MODEL_MARKER_WHY = ("taken as a whole, this sentence defends your side more than it repairs; "
                     "read it as the client would")
_MODEL_MOVE_WHY = "this sentence does it, in your own words"

# How a client changes the subject: the words that open the new topic.
_SUBJECT_CHANGE = re.compile(
    r"\b(?:anyway|anyhow|by the way|speaking of|on another note|changing the subject|moving on|"
    r"oh,? (?:did i tell you|guess what)|did i (?:tell|mention)|can we (?:just )?talk about|"
    r"let's talk about|let's just talk about|i'd rather talk about|(?:something|anything) else|"
    r"never ?mind)\b",
    re.IGNORECASE,
)
# Words that come back to the strain or to the two of you: a reply with them is not following.
_BACK_TO_US = re.compile(
    r"\b(?:i|i'm|i've|me|my|we|us|our|notice|noticed|noticing|moved|earlier|a moment ago|just now|"
    r"back to|come back|before we|shift|switch|changed the subject|change of subject)\b",
    re.IGNORECASE,
)

# Sarcasm that mocks the complaint by over-agreeing with it ("Oh sure, because I obviously never
# listen"): an opener that agrees, "because", then the client's charge blown up into an absolute.
# Its words are an admission, so the rules and the model read ownership into it; the absolute is
# what a genuine "Oh right, because I moved the time without asking you" does not have.
_SARCASTIC_AGREEMENT = re.compile(
    r"(?:^|(?<=[.!?…]))\s*(?:(?:oh|ah),?\s+(?:sure|right|yes|yeah|great|of course|totally)|"
    r"yeah,?\s+right|yes,?\s+right|sure|right|of course)[,!.…]*\s+(?:because|cos|'cause|coz|bc)\b"
    r"[^.!?…]{0,80}?\b(?:obviously|clearly|apparently|never|always|every single|such an?|"
    r"the worst|terrible|awful|do nothing|nothing but)\b[^.!?…]*[.!?…]*",
    re.IGNORECASE,
)
_SARCASM_WHY = ("agrees with the complaint in order to mock it: the client hears sarcasm, not an "
                "admission")

# Stock phrases that can be said to anyone about anything: alone they show no understanding.
_STOCK = (
    "i hear you", "i hear that", "your feelings are valid", "that's valid", "i validate",
    "thank you for sharing", "thanks for sharing", "i understand", "i appreciate you",
    "that must be hard", "that must be difficult", "that sounds hard", "that sounds difficult",
    "i'm sorry you feel", "i'm sorry", "i apologize", "i apologise", "i acknowledge",
    "i'm here for you", "i am here for you", "we can work through this", "i respect that",
    "i see", "i get it", "that makes sense", "it makes sense", "your feelings matter",
    "i'm listening", "i am listening", "tell me more", "how does that make you feel",
    "i'm sorry for that", "you're valid", "i take responsibility", "i own that",
    "i am sorry", "i understand your feelings", "i understand how you feel",
)


def assess_reply(
    text: str,
    client: str | None = None,
    item: Any = None,
    *,
    context: str | None = None,
) -> ReplyAssessment:
    """Assess a therapist's reply to a client who voices a rupture.

    ``client`` is the client's line the reply answers (``context`` is its older name); ``item``
    is the exercise (its ``client_says``, ``must_include`` and ``model_rewrite`` are read when
    present). Both are optional. Never raises on odd input: empty, huge, non-English or markup
    text gets a result with a ``notice``.
    """
    client = client if client is not None else context
    if client is None and item is not None:
        client = getattr(item, "client_says", None)
    if not isinstance(client, str):
        client = None
    rules = assess_by_rules(text, client)
    base = rules.assessment
    if not isinstance(text, str) or not text.strip():
        return base  # nothing to weigh: the rules' notice says so
    try:
        return _combine(text, client, item, rules)
    except VerdictModelError:
        raise  # a broken install, not a student's input: fail loudly in tests and at start-up
    except Exception:
        _LOG.exception("assess_reply failed on a reply of %d characters", len(text))
        return base


def reading_features(text: str, client: str | None, rules=None) -> tuple[list[str], tuple[Concern, ...]]:
    """Everything the learned verdict reads in a reply, and the concerns about it as a whole.

    The training tool calls this very function, so training and a student's kernel agree.
    The rules read the reply as written and, when it is informal, written out too, so that
    "my bad, u r right" earns what "my bad, you are right" earns.
    """
    rules = rules or assess_by_rules(text, client)
    findings = set(rules.as_features())
    informal = written_out(text)
    if informal != text:
        findings |= set(assess_by_rules(informal, client).as_features())
    concerns = _concerns(text, client)
    extra = [c.kind for c in concerns]
    return reply_features(text, sorted(findings), client, extra), concerns


def _combine(text: str, client: str | None, item: Any, rules) -> ReplyAssessment:
    base = rules.assessment
    model = default_model()
    # As in the rules: analysis starts at the first non-blank character, so padding cannot hide
    # the reply; `base` maps offsets in the analysed slice back to the student's text.
    base_at = len(text) - len(text.lstrip())
    analysed = text[base_at:base_at + MAX_CHARS]
    features, concerns = reading_features(analysed, client, rules if base_at == 0 else None)
    probs = model.probabilities(features)
    p_def = probs["defensive"]
    verdict = model.verdict(p_def)
    if base.notice and (FOREIGN_NOTICE in base.notice or COPY_NOTICE in base.notice):
        verdict = None  # the model only knows English replies; a copied client line is no reply
    following = _follows_new_topic(analysed, base_at, client, text)
    if following is not None:
        # Asking about the client's new subject, and nothing about what just happened, follows
        # the withdrawal instead of exploring it: the conventions call that changing the subject.
        verdict = True
    sarcasm = _sarcastic_agreement(analysed, base_at, text)
    if sarcasm is not None:
        verdict = True  # a mock admission is no repair, whatever its words would earn alone
    if any(c.kind == "checklist" for c in concerns) and verdict is False:
        # A checklist of stock phrases never reached the client: it is no repair, whatever the
        # words ("I hear you. Your feelings are valid.") would earn on their own.
        verdict = None

    markers: tuple[Marker, ...] = ()
    evidence: tuple[MoveEvidence, ...] = ()
    if verdict is True:
        markers = ((*(sarcasm or ()), *base.markers) or following
                   or _model_marker(text, analysed, base_at, client))
    elif verdict is False:
        evidence = _evidence_for(_moves_made(probs, rules, model), text, analysed, base_at, client, base)
    else:
        # Not sure: show what each reading found, and let the student compare.
        markers = base.markers
        found = [m for m in MOVES if m in _moves_made(probs, rules, model) or m in rules.moves_found]
        evidence = _evidence_for(found, text, analysed, base_at, client, base)
    moves = frozenset(e.move for e in evidence) if verdict is False else frozenset()
    return ReplyAssessment(
        text=text,
        defensive=verdict,
        moves=moves,
        markers=markers,
        evidence=evidence,
        suggestions=suggestions_for(item, moves),
        notice=base.notice,
        concerns=concerns,
        p_defensive=round(p_def, 3),
        asks_about_risk=find_risk_inquiry(text, client),
    )


def _moves_made(probs: dict[str, float], rules, model) -> list[str]:
    """The moves the model finds, and those the rules quote that the model does not rule out."""
    return [m for m in MOVES
            if probs[m] >= model.move_threshold(m)
            or (m in rules.moves_found and probs[m] >= model.rule_move_floor)]


def _concerns(text: str, client: str | None) -> tuple[Concern, ...]:
    words = tokens(text)
    real_words = [w for w in words if w not in ("?", "!")]
    if len(real_words) < MIN_REPAIR_WORDS:
        return (Concern("too-short", _TOO_SHORT),)
    found = []
    if _is_checklist(text, client):
        found.append(Concern("checklist", _CHECKLIST))
    return tuple(found)


def _follows_new_topic(analysed: str, base_at: int, client: str | None, text: str):
    """A reply that only asks about the subject the client has just changed to, as a marker."""
    if not client or not _SUBJECT_CHANGE.search(client) or _BACK_TO_US.search(analysed):
        return None
    theirs = {w for w in tokens(client) if len(w) > 3}
    pos = 0
    for part in sentences(analysed):
        start = analysed.find(part, pos)
        pos = start + len(part)
        if part.endswith("?") and theirs & set(tokens(part)):
            span = Span(base_at + start, base_at + pos, text[base_at + start:base_at + pos])
            return (Marker("topic-change", span, _FOLLOWS_TOPIC_WHY),)
    return None


def _sarcastic_agreement(analysed: str, base_at: int, text: str):
    """The sentence that mocks the complaint by over-agreeing with it, as a marker."""
    found = _SARCASTIC_AGREEMENT.search(analysed)
    if found is None:
        return None
    start = found.start() + len(found.group(0)) - len(found.group(0).lstrip())
    span = Span(base_at + start, base_at + found.end(), text[base_at + start:base_at + found.end()])
    return (Marker("counter-attack", span, _SARCASM_WHY),)


def _is_checklist(text: str, client: str | None) -> bool:
    """Two or more sentences that are nothing but stock phrases, and little else."""
    parts = sentences(text)
    if len(parts) < 2:
        return False
    stock = 0
    for part in parts:
        said = " ".join(tokens(part)).replace(" ?", "").replace(" !", "")
        rest = said
        for phrase in sorted(_STOCK, key=len, reverse=True):
            rest = rest.replace(phrase, " ")
        if rest == said:
            continue  # no stock phrase at all: a name, a plain word, a sentence of its own
        leftover = [w for w in rest.split() if w not in _FILLER_WORDS]
        if len(leftover) <= 1:
            stock += 1
    return stock >= 2 and stock >= 0.6 * len(parts)


_FILLER_WORDS = frozenset({
    "and", "so", "that", "this", "really", "truly", "completely", "totally", "very", "ok", "yes",
    "okay", "well", "just", "also", "again", "you", "for", "it", "a", "too", "much",
})


_MIN_QUOTED_WORDS = 3


def _quotable(sentence: str) -> bool:
    """Whether a sentence can be quoted back as evidence: "What?" or "Okay." on its own
    shows the student nothing about what landed or what undercut it."""
    words = re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)?", sentence)
    return len(words) >= _MIN_QUOTED_WORDS


def _scored_sentences(analysed: str, client: str | None) -> list[tuple[int, int, dict[str, float]]]:
    """Each quotable sentence of the reply (start, end in ``analysed``) with the model's
    probabilities on its features alone. Computed once per assessment: every move the rules
    did not quote picks its best sentence from this one scoring."""
    model = default_model()
    out = []
    pos = 0
    for part in sentences(analysed):
        start = analysed.find(part, pos)
        pos = start + len(part)
        if _quotable(part):
            out.append((start, start + len(part), model.probabilities(reply_features(part, (), client))))
    return out


def _best_sentence(text: str, base_at: int, scored, output: str):
    """The sentence of the reply whose features score highest on one output of the model."""
    best = None
    for start, end, probs in scored:
        if best is None or probs[output] > best[0]:
            best = (probs[output], start, end)
    if best is None:
        return None
    start, end = base_at + best[1], base_at + best[2]
    return Span(start, end, text[start:end])


def _sentence_around(span: Span, text: str, analysed: str, base_at: int) -> Span:
    """The sentence of the reply that holds ``span`` (``span`` itself if none does)."""
    pos = 0
    for part in sentences(analysed):
        start = analysed.find(part, pos)
        pos = start + len(part)
        if base_at + start <= span.start and span.end <= base_at + pos:
            return Span(base_at + start, base_at + pos, text[base_at + start:base_at + pos])
    return span


def _model_marker(text: str, analysed: str, base_at: int, client: str | None) -> tuple[Marker, ...]:
    span = _best_sentence(text, base_at, _scored_sentences(analysed, client), "defensive")
    return (Marker("reads-defensive", span, _MODEL_MARKER_WHY),) if span else ()


def _evidence_for(moves, text, analysed, base_at, client, base) -> tuple[MoveEvidence, ...]:
    by_rules = {e.move: e for e in base.evidence}
    scored = None  # scored on first need: most replies' moves are all quoted by the rules
    out = []
    for move in moves:
        if move in by_rules:
            found = by_rules[move]
            if not _quotable(found.span.text):
                # A rule may match one word ("What" of an open question): quote its sentence.
                found = MoveEvidence(move, _sentence_around(found.span, text, analysed, base_at),
                                     found.reason)
            out.append(found)
            continue
        if scored is None:
            scored = _scored_sentences(analysed, client)
        span = _best_sentence(text, base_at, scored, move)
        if span is not None:
            out.append(MoveEvidence(move, span, _MODEL_MOVE_WHY))
    return tuple(out)


def suggestions_for(item: Any, present: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """For each move the reply lacks (of those the item asks for, or all), what to try.

    With an item, the advice shows the sentence of its own model rewrite that makes the move,
    so it is always about this client; the general description is the fallback.
    """
    general = default_lexicon().suggestions
    wanted = list(getattr(item, "must_include", None) or MOVES) if item is not None else list(MOVES)
    examples = model_rewrite_examples(item) if item is not None else {}
    out = []
    for move in MOVES:
        if move in present or move not in wanted:
            continue
        advice = general[move]
        if move in examples:
            advice = f"{advice} The model reply does it like this: “{examples[move]}”"
        out.append((move, advice))
    return tuple(out)


def model_rewrite_examples(item: Any) -> dict[str, str]:
    """The item's own example of each move: its author's `move_examples`, else the sentence of
    its model rewrite in which the rules find the move."""
    authored = getattr(item, "move_examples", None) or {}
    rewrite = getattr(item, "model_rewrite", None)
    key = (getattr(item, "id", None), rewrite if isinstance(rewrite, str) else None,
           tuple(sorted(authored.items())))
    return dict(_rewrite_examples(*key))


@lru_cache(maxsize=512)
def _rewrite_examples(item_id: object, rewrite: str | None,
                      authored: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    # Keyed by the item's id and by what the examples are made of, so an item edited while a
    # kernel runs (an author previewing) never gets the examples of its old text.
    examples = dict(authored)
    if rewrite is not None:
        for part in sentences(rewrite):
            for evidence in assess_by_rules(part).assessment.evidence:
                examples.setdefault(evidence.move, part)
    return tuple(examples.items())
