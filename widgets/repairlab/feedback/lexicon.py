"""Load, check and compile lexicon.yaml (see the comments at the top of that file)."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from .model import MARKER_KINDS, MOVES

_PATTERN_KEYS = {
    *("re", "why", "negatable", "in", "soft", "soft_within", "weak", "not_after", "opens_clause"),
    "example",
}
_WHERE = {"any", "statement", "question"}
_SOFT_WITHIN = {"reply", "sentence"}
# How far back `not_after` looks, in characters (bounded so a long clause stays cheap).
NOT_AFTER_REACH = 60
_FRAGMENT = re.compile(r"\{([a-z][a-z0-9_]*)\}")

# Unbounded repeats of a wildcard, a class or a group are what turn a regex exponential or
# quadratic on a long reply without punctuation; the lexicon bounds its gaps instead.
_UNBOUNDED = re.compile(r"(?<!\\)\.[*+]|\][*+]|\)[*+]|\{\d+,\}")


class LexiconError(ValueError):
    """The lexicon file is malformed; the message names the place and the fix."""


# The leading word boundary of every pattern. The assessor checks it itself, because a regex
# that opens with a look-behind (or is case-insensitive) cannot use the regex engine's fast scan
# for its first characters; so patterns run case-sensitively on lower-cased text.
WORD_START = r"(?<![\w'])"
_CASED = re.compile(r"(?<!\\)[A-Z]")


@dataclass(frozen=True)
class Pattern:
    group: str  # "move" or "marker"
    kind: str
    # The pattern without its leading word boundary, for lower-cased text (what the assessor runs).
    matcher: re.Pattern[str]
    source: str
    why: str
    negatable: bool
    where: str
    soft: frozenset[str]
    example: str | None
    where_in_file: str
    # "reply": a soft move anywhere else in the reply cancels the marker; "sentence": only a
    # move later in the same sentence does ("You told me, and I forgot anyway").
    soft_within: str = "reply"
    # A weak move counts as a move but cannot cancel a soft marker (a plain description of
    # what you did is not enough to excuse an excuse).
    weak: bool = False
    # The match is dropped when the text just before it, in its clause, ends with this.
    not_after: re.Pattern[str] | None = None
    # The match counts only when it opens its clause (after `scope.clause_openers` at most):
    # "You said you'd call" blames, "what you said" or "when you wanted to talk" does not.
    opens_clause: bool = False

    @property
    def full(self) -> str:
        """The whole regex, word boundaries included (made when asked: a page's kernel keeps
        only the matcher, about 0.2 MB less for the whole lexicon)."""
        return WORD_START + self.matcher.pattern

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """The pattern as one case-insensitive regex on any text (for tests and tools)."""
        return re.compile(self.full, re.IGNORECASE)


@dataclass(frozen=True)
class Residual:
    """A statement reply with no move and no marker still answers without repairing."""

    why: str
    min_words: int
    holding: re.Pattern[str]  # "Let me sit with that": staying with the client, not defending


@dataclass(frozen=True)
class Lexicon:
    patterns: tuple[Pattern, ...]
    suggestions: dict[str, str]
    negation_words: frozenset[str]
    negation_window: int
    negation_exempt: re.Pattern[str]
    leading_question: re.Pattern[str]
    contrast_in_sentence: re.Pattern[str]
    contrast_next_sentence: re.Pattern[str]
    continuation: re.Pattern[str]
    clause_break: re.Pattern[str]
    clause_openers: re.Pattern[str]
    residual: Residual | None = None
    # "I can see why you think that. But ...": a sentence opening with this after a validation
    # takes it back when nothing after it repairs (None: validations are never taken back).
    validation_undone_next: re.Pattern[str] | None = None
    # "..., so you missed the key part": a second-person clause opened by this, after your own
    # act in the same sentence, is the consequence of the act (None: never).
    consequence: re.Pattern[str] | None = None


def _expand(source: str, fragments: dict[str, str], where: str) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in fragments:
            raise LexiconError(f"{where}: unknown fragment {{{name}}}; define it under `fragments`")
        return fragments[name]

    # Fragments may use fragments, a few levels deep at most.
    for _ in range(3):
        source = _FRAGMENT.sub(sub, source)
    return source


# Two slips that make part of a pattern silently dead. A space before a group one of whose
# alternatives starts with an apostrophe: "i (?:am|'m)" can never match "i'm" (write
# "i(?: am|'m)"). An empty alternative matches the empty string: "(?!(?:a||b))" always fails.
_SPACE_BEFORE_APOSTROPHE = re.compile(r"(?<!\\) \((?:\?:)?(?:[^()]*\|)?'")
_EMPTY_ALTERNATIVE = re.compile(r"(?<!\\)\|\||\(\?:\||(?<![\\(])\|\)")


def _body(source: str, fragments: dict[str, str], where: str) -> str:
    expanded = _expand(source, fragments, where)
    if _UNBOUNDED.search(expanded):
        raise LexiconError(
            f"{where}: unbounded repeat in {source!r}; bound it, e.g. [^.?!]{{0,40}} or (...){{0,3}}"
        )
    if _SPACE_BEFORE_APOSTROPHE.search(expanded):
        raise LexiconError(
            f"{where}: a space before a group with an alternative starting with an apostrophe never "
            f'matches ("i (?:am|\'m)" misses "i\'m"); write "i(?: am|\'m)" in {source!r}'
        )
    if _EMPTY_ALTERNATIVE.search(expanded):
        raise LexiconError(f'{where}: an empty alternative ("||", "(?:|" or "|)") in {source!r}')
    # " ?" is an optional space; any other space is a run of whitespace.
    return expanded.replace(" ?", r"\s*").replace(" ", r"\s+")


def _compile(source: str, fragments: dict[str, str], where: str, *, words: bool) -> re.Pattern:
    body = _body(source, fragments, where)
    if words:
        body = rf"{WORD_START}(?:{body})(?!\w)"
    try:
        return re.compile(body, re.IGNORECASE)
    except re.error as exc:
        raise LexiconError(f"{where}: the pattern {source!r} is not a valid regex ({exc})") from exc


def _compile_matcher(source: str, fragments: dict[str, str], where: str) -> re.Pattern:
    """The fast form: no leading boundary, for lower-cased text (``Pattern.full`` adds it)."""
    body = _body(source, fragments, where)
    # Patterns are written in lower case; one with a capital letter stays case-insensitive.
    flags = re.IGNORECASE if _CASED.search(body) else 0
    try:
        matcher = re.compile(rf"(?:{body})(?!\w)", flags)
    except re.error as exc:
        raise LexiconError(f"{where}: the pattern {source!r} is not a valid regex ({exc})") from exc
    return matcher


def _check_keys(entry: dict, where: str) -> None:
    unknown = set(entry) - _PATTERN_KEYS
    if unknown:
        raise LexiconError(f"{where}: unknown key(s) {sorted(unknown)}; allowed {sorted(_PATTERN_KEYS)}")
    for key in ("re", "why"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise LexiconError(f"{where}: `{key}` is required and must be text")


def build_lexicon(data: dict) -> Lexicon:
    """Check and compile a parsed lexicon; raises LexiconError naming the faulty entry."""
    if not isinstance(data, dict):
        raise LexiconError("the lexicon must be a mapping with `moves` and `markers`")
    fragments = {str(k): str(v) for k, v in (data.get("fragments") or {}).items()}
    patterns: list[Pattern] = []
    suggestions: dict[str, str] = {}
    sections = (("move", data.get("moves") or {}, MOVES), ("marker", data.get("markers") or {}, MARKER_KINDS))
    for group, section, known in sections:
        for kind, body in section.items():
            if kind not in known:
                raise LexiconError(f"{group}s.{kind}: unknown {group}; known: {', '.join(known)}")
            body = body or {}
            if group == "move":
                if not isinstance(body.get("suggestion"), str):
                    raise LexiconError(f"moves.{kind}: a `suggestion` (text) is required")
                suggestions[kind] = body["suggestion"]
            for i, entry in enumerate(body.get("patterns") or []):
                where = f"{group}s.{kind}.patterns[{i}]"
                if not isinstance(entry, dict):
                    raise LexiconError(f"{where}: each pattern is a mapping with `re` and `why`")
                _check_keys(entry, where)
                where_in = entry.get("in", "any")
                if where_in not in _WHERE:
                    raise LexiconError(f"{where}: `in` must be one of {sorted(_WHERE)}")
                soft = entry.get("soft") or []
                if group == "move" and soft:
                    raise LexiconError(f"{where}: `soft` applies to markers only")
                bad = [m for m in soft if m not in MOVES]
                if bad:
                    raise LexiconError(f"{where}: `soft` names unknown move(s) {bad}")
                soft_within = entry.get("soft_within", "reply")
                if soft_within not in _SOFT_WITHIN:
                    raise LexiconError(f"{where}: `soft_within` must be one of {sorted(_SOFT_WITHIN)}")
                if "soft_within" in entry and not soft:
                    raise LexiconError(f"{where}: `soft_within` needs `soft`")
                if entry.get("weak") and group != "move":
                    raise LexiconError(f"{where}: `weak` applies to moves only")
                not_after = None
                if entry.get("not_after") is not None:
                    if not isinstance(entry["not_after"], str) or not entry["not_after"].strip():
                        raise LexiconError(f"{where}: `not_after` must be text (a regex)")
                    tail = rf"(?<![\w'])(?:{entry['not_after']})[\s,'\"]{{0,6}}$"
                    not_after = _compile(tail, fragments, f"{where}.not_after", words=False)
                matcher = _compile_matcher(entry["re"], fragments, where)
                patterns.append(
                    Pattern(
                        group=group,
                        kind=kind,
                        matcher=matcher,
                        source=entry["re"],
                        why=entry["why"].strip(),
                        negatable=bool(entry.get("negatable", True)),
                        where=where_in,
                        soft=frozenset(soft),
                        example=entry.get("example"),
                        where_in_file=where,
                        soft_within=soft_within,
                        weak=bool(entry.get("weak", False)),
                        not_after=not_after,
                        opens_clause=bool(entry.get("opens_clause", False)),
                    )
                )
    missing = [m for m in MOVES if m not in suggestions]
    if missing:
        raise LexiconError(f"moves: no section for {missing}")
    neg = data.get("negation") or {}
    scope = data.get("scope") or {}

    def structural(section: dict, key: str, name: str) -> re.Pattern:
        if not isinstance(section.get(key), str):
            raise LexiconError(f"{name}.{key}: required")
        return _compile(section[key], fragments, f"{name}.{key}", words=False)

    return Lexicon(
        patterns=tuple(patterns),
        suggestions=suggestions,
        negation_words=frozenset(str(w).lower() for w in neg.get("words") or ()),
        negation_window=int(neg.get("window", 5)),
        negation_exempt=structural(neg, "exempt", "negation"),
        leading_question=structural(neg, "leading_question", "negation"),
        contrast_in_sentence=structural(scope, "contrast_in_sentence", "scope"),
        contrast_next_sentence=structural(scope, "contrast_next_sentence", "scope"),
        continuation=structural(scope, "continuation", "scope"),
        clause_break=structural(scope, "clause_break", "scope"),
        clause_openers=structural(scope, "clause_openers", "scope"),
        residual=_residual(data.get("residual"), fragments),
        validation_undone_next=(
            structural(scope, "validation_undone_next", "scope")
            if scope.get("validation_undone_next") is not None
            else None
        ),
        consequence=(
            structural(scope, "consequence", "scope") if scope.get("consequence") is not None else None
        ),
    )


def _residual(section: object, fragments: dict[str, str]) -> Residual | None:
    if section is None or section is False:
        return None
    if not isinstance(section, dict):
        raise LexiconError("residual: a mapping with `why`, `min_words` and `holding` (or leave it out)")
    why = section.get("why")
    if not isinstance(why, str) or not why.strip():
        raise LexiconError("residual.why: required (the reason shown to the student)")
    min_words = section.get("min_words", 4)
    if not isinstance(min_words, int) or min_words < 1:
        raise LexiconError("residual.min_words: a whole number of words, 1 or more")
    if not isinstance(section.get("holding"), str):
        raise LexiconError("residual.holding: required (a regex)")
    holding = _compile(section["holding"], fragments, "residual.holding", words=True)
    return Residual(why=" ".join(why.split()), min_words=min_words, holding=holding)


_HERE = Path(__file__).resolve().parent
LEXICON_YAML = _HERE / "lexicon.yaml"
# The same data as JSON, with the hash of the YAML it came from: a student's kernel reads it
# without importing PyYAML (a page's kernel never needs YAML otherwise). Stale or missing, the
# YAML is read instead; `write_lexicon_json` refreshes it (tools/train_assessor.py calls it).
LEXICON_JSON = _HERE / "lexicon.json"
_LOG = logging.getLogger(__name__)


def _parse_yaml(text: str) -> dict:
    import yaml  # only when the JSON copy is stale: an instructor edited lexicon.yaml

    # libyaml parses the file about ten times faster than the pure-Python loader.
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def lexicon_data(yaml_path: Path = LEXICON_YAML, json_path: Path = LEXICON_JSON) -> dict:
    """The lexicon's data: from the JSON copy when it was made from this very YAML."""
    raw = yaml_path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    try:
        cached = json.loads(json_path.read_text(encoding="utf-8"))
        if cached.get("yaml_sha256") == digest:
            return cached["data"]
    except (OSError, ValueError):
        pass
    _LOG.info("%s is stale or missing: reading %s", json_path.name, yaml_path.name)
    return _parse_yaml(raw.decode("utf-8"))


def write_lexicon_json(yaml_path: Path = LEXICON_YAML, json_path: Path = LEXICON_JSON) -> None:
    raw = yaml_path.read_bytes()
    data = _parse_yaml(raw.decode("utf-8"))
    build_lexicon(data)  # never write a copy of a lexicon that does not compile
    payload = {"about": f"Generated from {yaml_path.name}; edit that file, not this one.",
               "yaml_sha256": hashlib.sha256(raw).hexdigest(), "data": data}
    json_path.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n",
                         encoding="utf-8")


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Read and compile a lexicon file; the packaged one when no path is given."""
    if path is None:
        return build_lexicon(lexicon_data())
    return build_lexicon(_parse_yaml(Path(path).read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return load_lexicon()
