"""The rules stage of the reply assessor: explainable evidence from lexicon.yaml.

These rules find the words a student sees quoted back (markers and moves, each with a reason).
``assessor.py`` combines what they find with the learned verdict (``verdict.py``).

The pipeline, each step explainable to a student:
1. normalise quotes without moving any character, so spans index the original text;
2. split into sentences (a sentence ending in "?" is a question) and clauses;
3. run every lexicon pattern (case-sensitively on the lower-cased text, word starts only);
   drop matches that are negated, in the wrong sentence type, after their `not_after` words,
   or (for `opens_clause` patterns) not at the start of their clause;
4. turn an apology followed by "but"/"however" ... into an undone-apology marker, and a
   validation followed by "but" and nothing that repairs into a justifying marker;
5. let "soft" markers (intent, rules) be cancelled by moves that own or acknowledge (a weak
   move, a plain account of what you did, only within a sentence-scoped marker's sentence);
6. with no marker and no move at all, a statement reply gets a "no-repair" marker (the
   lexicon's `residual` rule): it answers the complaint without repairing it;
7. any marker left makes the reply defensive, and a defensive reply keeps no moves.
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass

from .language import looks_foreign
from .lexicon import NOT_AFTER_REACH, Lexicon, Pattern, default_lexicon
from .model import MOVES, Marker, MoveEvidence, ReplyAssessment, Span

# Long enough for any honest reply to a client; longer input is cut so the time stays bounded.
MAX_CHARS = 5000

# One character for one, so offsets into the normalised text are offsets into the original.
_QUOTES = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\t": " ",
        "\r": " ",
    }
)

# The middle of a long run of blank space is replaced by a filler of the same length: no phrase
# spans it, a pattern that may open with optional space cannot crawl along it (quadratic time),
# and a word character fails every pattern's leading word-boundary check at once. Four blanks
# stay on each side so the words around the run keep their boundaries.
_LONG_BLANK = re.compile(r"\s{9,}")
_FILLER = "_"


def _cut_blank(m: re.Match[str]) -> str:
    run = m.group(0)
    return run[:4] + _FILLER * (len(run) - 8) + run[-4:]


_WORD_CHAR = re.compile(r"[\w']")
_SENTENCE_END = re.compile(r"[.!?…]+[\"')\]]*(?=\s|$)|\n+")
_TRAILING = re.compile(r"[\s\"')\]]+$")
_WORD = re.compile(r"[a-z']+|n't", re.IGNORECASE)
_EMPTY_NOTICE = "There is no reply to assess yet: write what you would say to the client."
_CUT_NOTICE = (
    "Your reply is very long, so only its first {n:,} characters were assessed. "
    "A repair usually takes a few sentences."
)
FOREIGN_NOTICE = (
    "This does not look like English. The feedback only understands English replies, "
    "so it may miss what you wrote."
)
_NOT_TEXT_NOTICE = "The reply was not text, so there was nothing to assess."
COPY_NOTICE = "Your reply repeats the client's words. Write what you would say back to them."
_FAILED_NOTICE = (
    "The feedback could not assess this reply, which is our fault, not yours. "
    "Compare it with the model rewrite instead."
)
_LOG = logging.getLogger(__name__)
_UNDONE_WHY = "the apology is followed by “{word}”, which takes it back"
_UNDONE_VALIDATION_WHY = (
    "the acknowledgement is followed by “{word}” and then your side of it, which takes it back"
)


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    question: bool


@dataclass
class _Hit:
    pattern: Pattern | None
    group: str
    kind: str
    start: int
    end: int
    why: str
    sentence: int


class _Text:
    """The normalised text with its sentence and clause structure."""

    def __init__(self, norm: str, lex: Lexicon) -> None:
        self.norm = norm
        self.low = _lower(norm)
        self.sentences = _split_sentences(norm)
        self._starts = [s.start for s in self.sentences]
        self.breaks = [m.start() for m in lex.clause_break.finditer(norm)]
        self._break_ends = [m.end() for m in lex.clause_break.finditer(norm)]

    def sentence_of(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self._starts, pos) - 1)

    def clause_start(self, pos: int) -> int:
        sent = self.sentences[self.sentence_of(pos)]
        i = bisect.bisect_right(self._break_ends, pos) - 1
        start = self._break_ends[i] if i >= 0 else 0
        return max(start, sent.start)

    def same_clause(self, a: _Hit, b: _Hit) -> bool:
        if a.sentence != b.sentence:
            return False
        lo, hi = (a, b) if a.start <= b.start else (b, a)
        i = bisect.bisect_left(self.breaks, lo.end)
        return not (i < len(self.breaks) and self.breaks[i] < hi.start)


def _lower(norm: str) -> str:
    """Lower case, one character for one (a few characters lower to two, e.g. "İ")."""
    low = norm.lower()
    if len(low) == len(norm):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in norm)


def _matches(regex: re.Pattern[str], low: str):
    """`regex.finditer(low)`, keeping only matches that start a word (the lexicon's rule)."""
    pos, n = 0, len(low)
    while pos <= n:
        m = regex.search(low, pos)
        if m is None:
            return
        start = m.start()
        if start and _WORD_CHAR.match(low, start - 1):
            pos = start + 1
            continue
        yield m
        pos = m.end() if m.end() > start else start + 1


def _split_sentences(norm: str) -> list[_Sentence]:
    out: list[_Sentence] = []
    pos = 0
    for m in _SENTENCE_END.finditer(norm):
        if norm[pos : m.end()].strip():
            out.append(_make_sentence(norm, pos, m.end()))
        pos = m.end()
    if norm[pos:].strip():
        out.append(_make_sentence(norm, pos, len(norm)))
    return out or [_Sentence(0, len(norm), False)]


def _make_sentence(norm: str, start: int, end: int) -> _Sentence:
    body = _TRAILING.sub("", norm[start:end])
    return _Sentence(start, end, body.endswith("?"))


# How far back, in characters, negation is looked for: the window is a few words, so a long
# clause without punctuation need not be scanned from its start for every match.
_NEGATION_REACH = 240


def _negated(text: _Text, lex: Lexicon, start: int) -> bool:
    prefix = text.norm[max(text.clause_start(start), start - _NEGATION_REACH) : start]
    prefix = lex.negation_exempt.sub(" ", prefix)
    prefix = lex.leading_question.sub(" ", prefix)
    words = [w.lower() for w in _WORD.findall(prefix)][-lex.negation_window :]
    return any(w in lex.negation_words or w.endswith("n't") for w in words)


def _after(text: _Text, regex: re.Pattern[str], start: int) -> bool:
    """Does the clause before `start` end with `regex` ("especially" before "if it sounded")?"""
    lo = max(text.clause_start(start), start - NOT_AFTER_REACH)
    return bool(regex.search(text.norm, lo, start))


def _opens_clause(text: _Text, lex: Lexicon, start: int) -> bool:
    """Is the match the start of its clause, after a few openers at most ("Well, honestly, you ...")?"""
    lo = text.clause_start(start)
    return start - lo <= NOT_AFTER_REACH and bool(lex.clause_openers.fullmatch(text.norm, lo, start))


def _find_hits(text: _Text, lex: Lexicon) -> list[_Hit]:
    hits: list[_Hit] = []
    norm = text.norm
    for pat in lex.patterns:
        for m in _matches(pat.matcher, text.low):
            start, end = m.start(), m.end()
            while start < end and norm[start].isspace():
                start += 1
            if start >= end:
                continue
            sent = text.sentence_of(start)
            if pat.where != "any":
                question = text.sentences[sent].question
                if question != (pat.where == "question"):
                    continue
            if pat.negatable and _negated(text, lex, start):
                continue
            if pat.not_after is not None and _after(text, pat.not_after, start):
                continue
            if pat.opens_clause and not _opens_clause(text, lex, start):
                continue
            hits.append(_Hit(pat, pat.group, pat.kind, start, end, pat.why, sent))
    hits.sort(key=lambda h: (h.start, -h.end))
    return hits


def _undo_apologies(text: _Text, lex: Lexicon, hits: list[_Hit]) -> list[_Hit]:
    """Apologies followed by a contrast become undone-apology markers."""
    out: list[_Hit] = []
    norm = text.norm
    hedges = [h for h in hits if h.kind == "non-apology"]
    for hit in hits:
        # A hedged apology is already a marker; calling it "undone" too would say it twice.
        if hit.kind != "apology" or any(_overlaps(hit, h) for h in hedges):
            out.append(hit)
            continue
        sent = text.sentences[hit.sentence]
        rest = norm[hit.end : sent.end]
        undo_end = None
        word = ""
        for m in lex.contrast_in_sentence.finditer(rest):
            if not lex.continuation.match(rest[m.end() :]):
                undo_end, word = hit.end + m.end(), m.group(0).strip(" ,")
                break
        if undo_end is None and hit.sentence + 1 < len(text.sentences):
            nxt = text.sentences[hit.sentence + 1]
            m = lex.contrast_next_sentence.match(norm, nxt.start, nxt.end)
            if m:
                undo_end, word = m.end(), m.group(0).strip(" ,.").split()[-1]
        if undo_end is None:
            out.append(hit)
        else:
            out.append(
                _Hit(
                    None,
                    "marker",
                    "undone-apology",
                    hit.start,
                    undo_end,
                    _UNDONE_WHY.format(word=word.lower()),
                    hit.sentence,
                )
            )
    return out


# How far after the contrast the words are read for a repair ("..., but I should have asked"):
# a clause that repairs does so at once, and the bound keeps a long unpunctuated reply cheap.
_UNDO_REACH = 300


def _undo_validations(text: _Text, lex: Lexicon, hits: list[_Hit]) -> list[_Hit]:
    """A validation followed by "but" and nothing that repairs becomes a justifying marker.

    "I can see why you think that, but the exercise is evidence-based": what follows the "but"
    is the reply's real answer. The validation stands when the words after the contrast hold a
    move ("..., but I should have warned you") or stay with the client (`residual.holding`).
    """
    nxt_open = lex.validation_undone_next
    if nxt_open is None:
        return []
    norm = text.norm
    contrasts = list(lex.contrast_in_sentence.finditer(norm))
    contrast_starts = [m.start() for m in contrasts]
    move_starts = sorted(h.start for h in hits if h.group == "move")
    holding = lex.residual.holding if lex.residual is not None else None
    out: list[_Hit] = []
    for hit in hits:
        if hit.kind != "validation":
            continue
        sent = text.sentences[hit.sentence]
        lo = hi = None
        word = ""
        i = bisect.bisect_left(contrast_starts, hit.end)
        if i < len(contrasts) and contrasts[i].start() < sent.end:
            m = contrasts[i]
            lo, hi, word = m.end(), sent.end, m.group(0).strip(" ,—–-")
        elif hit.sentence + 1 < len(text.sentences):
            after = text.sentences[hit.sentence + 1]
            m = nxt_open.match(norm, after.start, after.end)
            if m:
                lo, hi, word = m.end(), after.end, m.group(0).strip(" ,.").split()[-1]
        if lo is None:
            continue
        hi = min(hi, lo + _UNDO_REACH)
        if not _WORD.search(norm, lo, hi):
            continue
        j = bisect.bisect_left(move_starts, lo)
        if (j < len(move_starts) and move_starts[j] < hi) or (holding and holding.search(norm, lo, hi)):
            continue
        why = _UNDONE_VALIDATION_WHY.format(word=word.lower())
        out.append(_Hit(None, "marker", "justifying", hit.start, hi, why, hit.sentence))
    return out


def _overlaps(a: _Hit, b: _Hit) -> bool:
    return a.start < b.end and b.start < a.end


def _contrast_between(text: _Text, lex: Lexicon, start: int, end: int) -> bool:
    if start >= end:
        return False
    return bool(lex.contrast_in_sentence.search(text.norm, start, end)) or any(
        lex.contrast_next_sentence.match(text.norm, s.start, s.end)
        for s in text.sentences
        if start <= s.start < end
    )


def _cancelled(marker: _Hit, moves: list[_Hit], text: _Text, lex: Lexicon) -> bool:
    """A soft marker is harmless when the reply owns or acknowledges elsewhere (d11)."""
    pat = marker.pattern
    soft = pat.soft if pat else frozenset()
    for move in moves:
        if move.kind not in soft or _overlaps(move, marker):
            continue
        if pat is not None and pat.soft_within == "sentence":
            # "You told me about it, and I forgot": only a move later in the same sentence turns
            # the second-person clause into the setting of an admission (a plain account will do).
            # "I kept talking while you were frozen, so you missed it": a clause opened by a
            # consequence word after your own act is what your act did, not blame (`consequence`).
            if move.sentence != marker.sentence:
                continue
            if move.start < marker.end and not _consequence_of(text, lex, move, marker):
                continue
        elif (move.pattern and move.pattern.weak) or text.same_clause(move, marker):
            continue
        # "I understand, but the policy ...": a move the "but" turns away from does not count.
        if move.end <= marker.start and _contrast_between(text, lex, move.end, marker.start):
            continue
        return True
    return False


def _consequence_of(text: _Text, lex: Lexicon, move: _Hit, marker: _Hit) -> bool:
    """Is the marker's clause the consequence of the move before it ("..., so you missed it")?"""
    if lex.consequence is None or move.end > marker.start:
        return False
    lo = max(move.end, text.clause_start(marker.start) - 3)
    return bool(lex.consequence.search(text.norm, lo, marker.start))


def _merge(markers: list[_Hit]) -> list[_Hit]:
    """Overlapping markers of one kind become one, spanning all their words."""
    kept: list[_Hit] = []
    for hit in sorted(markers, key=lambda h: (h.start, -(h.end - h.start))):
        same = next((k for k in kept if k.kind == hit.kind and _overlaps(k, hit)), None)
        if same is None:
            kept.append(_Hit(hit.pattern, hit.group, hit.kind, hit.start, hit.end, hit.why, hit.sentence))
        else:
            same.end = max(same.end, hit.end)
    return kept


def _residual(text: _Text, lex: Lexicon) -> list[_Hit]:
    """No marker and no move: a statement reply that answers without repairing (see lexicon.yaml).

    Questions are left alone ("Did I say something wrong?" is not defensive), and so are short
    acknowledgements and replies that stay with the client ("Let me sit with that").
    """
    res = lex.residual
    if res is None:
        return []
    statements = [s for s in text.sentences if not s.question]
    words = sum(len(_WORD.findall(text.norm[s.start : s.end])) for s in statements)
    if words < res.min_words or res.holding.search(text.norm):
        return []
    first = statements[0]
    end = first.start + len(_TRAILING.sub("", text.norm[first.start : first.end]))
    sent = text.sentences.index(first)
    return [_Hit(None, "marker", "no-repair", first.start, max(end, first.start + 1), res.why, sent)]


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())


def _suggestions(lex: Lexicon, present: frozenset[str]) -> tuple[tuple[str, str], ...]:
    return tuple((m, lex.suggestions[m]) for m in MOVES if m not in present)


def _result(text: str, lex: Lexicon, notice: str | None) -> ReplyAssessment:
    return ReplyAssessment(
        text=text,
        defensive=False,
        moves=frozenset(),
        markers=(),
        evidence=(),
        suggestions=_suggestions(lex, frozenset()),
        notice=notice,
    )


@dataclass(frozen=True)
class RuleFindings:
    """What the rules found, before any verdict: the assessment they alone would give, and every
    move they found (also those a marker outweighs), for the learned verdict to weigh."""

    assessment: ReplyAssessment
    moves_found: frozenset[str]

    def as_features(self) -> tuple[str, ...]:
        # "no-repair" only says that no pattern matched, which the learned verdict reads better
        # from the words themselves: as a feature it made fresh phrasings of ownership defensive.
        kinds = sorted({m.kind for m in self.assessment.markers} - {"no-repair"})
        return (*(f"marker:{k}" for k in kinds), *(f"move:{m}" for m in sorted(self.moves_found)))


def assess_by_rules(text: str, context: str | None = None) -> RuleFindings:
    """The rules' assessment of a reply (see the module docstring); never raises on odd input."""
    lex = default_lexicon()
    if not isinstance(text, str):
        return RuleFindings(_result("", lex, _NOT_TEXT_NOTICE), frozenset())
    try:
        return _assess(text, context, lex)
    except Exception:
        # A student must never see a traceback for what they typed; the log keeps the bug.
        _LOG.exception("the reply rules failed on a reply of %d characters", len(text))
        return RuleFindings(_result(text, lex, _FAILED_NOTICE), frozenset())


def _assess(text: str, context: str | None, lex: Lexicon) -> RuleFindings:
    notices: list[str] = []
    # Analysis starts at the first non-blank character, so padding cannot hide the reply;
    # `base` maps offsets in the analysed slice back to the student's text.
    base = len(text) - len(text.lstrip())
    if base == len(text):
        return RuleFindings(_result(text, lex, _EMPTY_NOTICE), frozenset())
    analysed = text[base : base + MAX_CHARS]
    if len(text) - base > MAX_CHARS:
        notices.append(_CUT_NOTICE.format(n=MAX_CHARS))
    norm = analysed.translate(_QUOTES)
    norm = _LONG_BLANK.sub(_cut_blank, norm)
    if looks_foreign(norm):
        notices.append(FOREIGN_NOTICE)
    if isinstance(context, str) and _same_words(context.translate(_QUOTES), norm):
        notices.append(COPY_NOTICE)

    structure = _Text(norm, lex)
    hits = _undo_apologies(structure, lex, _find_hits(structure, lex))
    hits += _undo_validations(structure, lex, hits)
    marker_hits = [h for h in hits if h.group == "marker"]
    move_hits = [h for h in hits if h.group == "move"]

    hard = [h for h in marker_hits if not (h.pattern and h.pattern.soft)]
    # Moves that sit inside a hard marker ("sorry" in "sorry if you were offended") are not
    # real moves, so they cannot excuse anything else.
    usable = [m for m in move_hits if not any(_overlaps(m, h) for h in hard)]
    soft_left = [
        h for h in marker_hits if h.pattern and h.pattern.soft and not _cancelled(h, usable, structure, lex)
    ]
    final = _merge(hard + soft_left)
    if not final and not usable and not notices:
        final = _residual(structure, lex)

    markers = tuple(Marker(h.kind, Span.trimmed(text, base + h.start, base + h.end), h.why) for h in final)
    evidence: list[MoveEvidence] = []
    if not markers:
        seen: set[str] = set()
        for h in usable:
            if h.kind not in seen:
                seen.add(h.kind)
                evidence.append(MoveEvidence(h.kind, Span.trimmed(text, base + h.start, base + h.end), h.why))
        evidence.sort(key=lambda e: MOVES.index(e.move))
    moves = frozenset(e.move for e in evidence)
    assessment = ReplyAssessment(
        text=text,
        defensive=bool(markers),
        moves=moves,
        markers=markers,
        evidence=tuple(evidence),
        suggestions=_suggestions(lex, moves),
        notice=" ".join(notices) or None,
    )
    return RuleFindings(assessment, frozenset(h.kind for h in usable))
