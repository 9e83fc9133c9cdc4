"""Load, check and compile lexicon.yaml (see the comments at the top of that file)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from .model import MARKER_KINDS, MOVES

_PATTERN_KEYS = {"re", "why", "negatable", "in", "soft", "example"}
_WHERE = {"any", "statement", "question"}
_FRAGMENT = re.compile(r"\{([a-z_]+)\}")

# Unbounded repeats of a wildcard, a class or a group are what turn a regex exponential or
# quadratic on a long reply without punctuation; the lexicon bounds its gaps instead.
_UNBOUNDED = re.compile(r"(?<!\\)\.[*+]|\][*+]|\)[*+]|\{\d+,\}")


class LexiconError(ValueError):
    """The lexicon file is malformed; the message names the place and the fix."""


@dataclass(frozen=True)
class Pattern:
    group: str  # "move" or "marker"
    kind: str
    regex: re.Pattern[str]
    source: str
    why: str
    negatable: bool
    where: str
    soft: frozenset[str]
    example: str | None
    where_in_file: str


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


def _compile(source: str, fragments: dict[str, str], where: str, *, words: bool) -> re.Pattern:
    expanded = _expand(source, fragments, where)
    if _UNBOUNDED.search(expanded):
        raise LexiconError(
            f"{where}: unbounded repeat in {source!r}; bound it, e.g. [^.?!]{{0,40}} or (...){{0,3}}"
        )
    # " ?" is an optional space; any other space is a run of whitespace.
    body = expanded.replace(" ?", r"\s*").replace(" ", r"\s+")
    if words:
        body = rf"(?<![\w'])(?:{body})(?!\w)"
    try:
        return re.compile(body, re.IGNORECASE)
    except re.error as exc:
        raise LexiconError(f"{where}: the pattern {source!r} is not a valid regex ({exc})") from exc


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
                patterns.append(
                    Pattern(
                        group=group,
                        kind=kind,
                        regex=_compile(entry["re"], fragments, where, words=True),
                        source=entry["re"],
                        why=entry["why"].strip(),
                        negatable=bool(entry.get("negatable", True)),
                        where=where_in,
                        soft=frozenset(soft),
                        example=entry.get("example"),
                        where_in_file=where,
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
    )


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Read and compile a lexicon file; the packaged one when no path is given."""
    if path is None:
        text = resources.files(__package__).joinpath("lexicon.yaml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return build_lexicon(yaml.safe_load(text))


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return load_lexicon()
