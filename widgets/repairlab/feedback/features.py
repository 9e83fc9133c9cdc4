"""What the learned part of the assessor reads in a reply: hashed features, stdlib only.

The same function turns a reply into features when the model is trained (tools/train_assessor.py,
with scikit-learn) and when a student's reply is scored (``verdict.py``, plain Python), so the two
can never drift apart. A feature is a short string ("w:sorry", "r:marker:justifying"); it is
hashed with CRC-32 into one of ``BUCKETS`` slots, so the shipped model is a fixed-size table of
weights and no vocabulary has to be kept in the kernel's memory.

The features, and why each is there:
- words, word pairs and triples of the reply, after undoing texting spellings ("u" → "you"), so
  a student's own informal voice reads like the same words written out;
- character 4-grams inside words, so misspellings ("apologise", "appologize") still count;
- what the rules found (each marker and move kind, and nothing at all), so the model starts from
  the lexicon's explainable evidence and learns when to trust it;
- the reply's shape (questions, length), and how much of it answers what the client said: a
  checklist of stock phrases shares no words with the client, and a question that follows the
  client's new topic shares the topic's words but none of the relationship's.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Iterable

FEATURE_VERSION = 1
BUCKETS = 1 << 17
_MASK = BUCKETS - 1

# Texting and informal spellings, undone before words are read (one token for one).
SPELLINGS = {
    "u": "you", "ya": "you", "yu": "you", "ur": "your", "youre": "you're", "yr": "your",
    "urself": "yourself",
    "im": "i'm", "ive": "i've", "id": "i'd", "ill": "i'll", "i'am": "i'm",
    "dont": "don't", "cant": "can't", "wont": "won't", "didnt": "didn't", "doesnt": "doesn't",
    "isnt": "isn't", "wasnt": "wasn't", "shouldnt": "shouldn't", "wouldnt": "wouldn't",
    "couldnt": "couldn't", "havent": "haven't", "hadnt": "hadn't", "arent": "aren't",
    "thats": "that's", "whats": "what's", "its": "it's", "lets": "let's", "theres": "there's",
    "r": "are", "pls": "please", "plz": "please", "sry": "sorry", "soz": "sorry", "srry": "sorry",
    "sorryy": "sorry", "rly": "really", "realy": "really", "bc": "because", "cuz": "because",
    "coz": "because", "cos": "because", "tho": "though", "thx": "thanks", "ty": "thanks",
    "gonna": "going to", "wanna": "want to", "kinda": "kind of", "gotta": "got to",
    "b4": "before", "2day": "today", "2": "to", "k": "ok", "okay": "ok", "okey": "ok",
    "idk": "i don't know", "tbh": "to be honest", "rn": "right now", "abt": "about",
    "ppl": "people", "sth": "something", "smth": "something", "w/": "with", "prob": "probably",
    "def": "definitely", "totes": "totally", "yeah": "yes", "yea": "yes", "yep": "yes",
    "apologise": "apologize", "apologised": "apologized",
}
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[?!]")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})

# Words that carry no topic: what is left after removing them is what a reply is *about*.
def word_list(text: str) -> frozenset[str]:
    """A word list written as prose (easier to read and extend than a list literal)."""
    return frozenset(text.split())


FUNCTION_WORDS = word_list(
    """a an the and or but so if then than that this these those it its it's is are was were be
    been being am do does did done have has had having i me my mine myself you your yours
    yourself we us our they them their he him his she her to of in on at for with about from by
    as into over after before up down out off just really very so too also not no don't didn't
    can can't could would should will won't shall may might must i'm you're i've you've i'd
    you'd i'll you'll what how why when where who which there here all any some more much
    today now yes ok oh well like get got go going want feel felt think know say said tell
    told let let's make made sorry please thing things something way"""
)
# Words that talk about the two of you and the work together: a reply that stays with the
# relationship uses them, one that follows the client off the subject does not.
_RELATIONSHIP_WORDS = word_list(
    """i me my we us our between session sessions here therapy talk talking said asked pushed
    felt feel feeling feelings mean happened"""
)


# "ur" is "you're" before these words ("ur right", "ur not wrong"), else "your".
_YOU_ARE_NEXT = word_list(
    """right wrong not so being going fine allowed welcome ok okay totally completely absolutely
    really just probably definitely upset angry annoyed frustrated hurt disappointed mad sad
    entitled free safe here the a"""
)


def _spelled_out(tok: str, nxt: str) -> str:
    if tok == "ur" and nxt in _YOU_ARE_NEXT:
        return "you're"
    return SPELLINGS.get(tok, tok)


def tokens(text: str) -> list[str]:
    """Lower-cased words (and ? !), with texting spellings written out."""
    raw = _TOKEN.findall(text.lower().translate(_QUOTES))
    out: list[str] = []
    for k, tok in enumerate(raw):
        out.extend(_spelled_out(tok, raw[k + 1] if k + 1 < len(raw) else "").split())
    return out


_RAW_WORD = re.compile(r"[A-Za-z0-9']+")


def written_out(text: str) -> str:
    """The reply with texting spellings written out ("u r right, my bad" → "you are right, my
    bad") and a lone "i" capitalised, so the rules can read an informal voice too."""
    words = list(_RAW_WORD.finditer(text))
    out, pos = [], 0
    for k, m in enumerate(words):
        word = m.group(0)
        low = word.lower()
        nxt = words[k + 1].group(0).lower() if k + 1 < len(words) else ""
        if low == "i":
            full = "I"
        elif low in ("okay", "yeah", "yea", "yep"):
            full = word
        else:
            full = _spelled_out(low, nxt) if low in SPELLINGS else word
        out.append(text[pos:m.start()] + full)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def _bucket(n: int, edges: Iterable[int]) -> int:
    return sum(1 for e in edges if n >= e)


def reply_features(
    text: str,
    rules: Iterable[str] = (),
    client: str | None = None,
    extra: Iterable[str] = (),
) -> list[str]:
    """The features of one reply. ``rules`` are the rule findings, e.g. ("marker:justifying",);
    ``extra`` are further findings named by the caller (e.g. "checklist")."""
    words = tokens(text)
    feats = [f"w:{w}" for w in words]
    seq = ["<s>", *words, "</s>"]
    feats += [f"b:{a}_{b}" for a, b in itertools.pairwise(seq)]
    feats += [f"t:{a}_{b}_{c}" for a, b, c in zip(seq, seq[1:], seq[2:], strict=False)]
    for w in words:
        if len(w) > 4:
            padded = f"<{w}>"
            feats += [f"c:{padded[i:i + 4]}" for i in range(len(padded) - 3)]
    found = list(rules)
    feats += [f"r:{r}" for r in found]
    if not found:
        feats.append("r:nothing")
    markers = sum(1 for r in found if r.startswith("marker:"))
    moves = sum(1 for r in found if r.startswith("move:"))
    feats.append(f"r:markers={min(markers, 2)}")
    feats.append(f"r:moves={min(moves, 3)}")

    sents = sentences(text)
    questions = [s for s in sents if s.endswith("?")]
    feats.append(f"s:words={_bucket(len(words), (3, 6, 12, 25, 50))}")
    feats.append(f"s:questions={min(len(questions), 3)}")
    if sents and sents[-1].endswith("?"):
        feats.append("s:ends-with-question")
    if sents and sents[0].endswith("?"):
        feats.append("s:opens-with-question")

    feats += [f"e:{e}" for e in extra]
    if client:
        feats += _context_features(words, questions, client)
    else:
        feats.append("x:no-client")
    return feats


def _content(words: Iterable[str]) -> set[str]:
    return {w for w in words if w not in FUNCTION_WORDS and len(w) > 2 and w.isalpha()}


def _context_features(words: list[str], questions: list[str], client: str) -> list[str]:
    """How the reply relates to what the client said (see the module's docstring)."""
    theirs = _content(tokens(client))
    mine = _content(words)
    shared = theirs & mine
    feats = [f"x:shared={min(len(shared), 3)}"]
    if mine:
        feats.append(f"x:share-of-reply={_bucket(int(100 * len(shared) / len(mine)), (10, 25, 50))}")
    relational = any(w in _RELATIONSHIP_WORDS for w in words)
    for q in questions:
        q_words = set(tokens(q))
        on_their_words = bool(_content(q_words) & theirs)
        about_us = bool(q_words & _RELATIONSHIP_WORDS)
        feats.append(f"x:question-on-client-words={int(on_their_words)}-about-us={int(about_us)}")
    if not relational:
        feats.append("x:nothing-about-us")
    return feats


def hashed(features: Iterable[str]) -> set[int]:
    """Feature strings → the set of buckets present, the model's input (presence, not counts:
    a long reply should not win by repeating itself)."""
    return {zlib.crc32(f.encode("utf-8")) & _MASK for f in features}
