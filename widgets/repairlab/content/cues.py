"""Answer cues: can a kind's keys be found by pattern instead of by thinking?

Authors of choice items drift into habits: the key is the longest, most careful option, or it
is written first; an author correcting the first habit can slide into the opposite one (the
key always the shortest). A student who notices the habit scores without reading the
vignette. Where options are named "Family: subtype" (a classify-marker item's "Withdrawal:
minimal response", "Confrontation: rejecting an intervention"), a third habit hides in the
mix: the key's family is the one most options share, so a student who picks that family and
guesses within it beats chance without reading the exchange. This module measures, per
exercise kind, how often the key is the longest option, how often the shortest, how often it
is shown in each position, and how often it belongs to the majority family, against what
chance would give, and names the items behind a share far above chance. ``repairlab check`` prints
those as warnings (content/check.py).

The statistic is pure arithmetic on ``ChoicePoint`` records, so a test can build a handful and
check the figures by hand; the functions at the end read them off validated items.

* A **choice point** is one question with options: a single-choice item, or a node of a case
  simulation as offered in some situation the case can reach (the best choice there is the
  one with the largest effect on the meter; ties give several keys). Its options are in the
  order the student is **shown** them (``kinds.base.shown_order``, the function the views and
  the case engine use): the options are shuffled, stably per item, so where the key was
  written says nothing, but where the shuffle lands it is what a student could learn.
* **Chance** for "the key is the longest": with ``k`` keys among ``n`` options, ``t`` of them
  sharing the greatest length, the probability that a random choice of ``k`` options includes
  one of the ``t``: ``1 - C(n - t, k) / C(n, k)`` (``k / n`` when no lengths tie).
  The same for "the key is the shortest", with the options sharing the smallest length.
  For "the key is in position ``j``": ``k / n``, over the points with more than ``j`` options.
  For "the key is in the majority family": the same formula, ``t`` now the options of the
  families that share the largest count (a 2+2 split has two such families). Only points
  where that is not every option are counted: with all options in one family (an item that
  tests subtypes) or an even split, the habit cannot show, so such a point says nothing.
* A figure is a **warning** when its observed share is more than ``MARGIN`` above its chance
  share *and* so many hits would be unlikely by chance (``P(X >= hits) < ALPHA``, X the number
  of hits if each point hit with its own chance: a Poisson binomial tail). The second test
  keeps a small kind from warning over a coincidence; fewer than ``MIN_POINTS`` points never
  warn.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from math import comb
from typing import Any, Literal

from ..kinds.base import shown_order

MARGIN = 0.15  # how far above chance a share may go before check warns
ALPHA = 0.05  # how unlikely by chance the excess must be
MIN_POINTS = 5  # fewer choice points than this say nothing about an author's habits
# A "Family: subtype" prefix is short: longer text before a colon is a sentence, not a family.
FAMILY_MAX_WORDS = 4


@dataclass(frozen=True)
class ChoicePoint:
    """One question: its options' lengths in the order shown, and which of them are keys;
    ``families`` the options' "Family:" prefixes when every option has one (else None)."""

    ref: str  # what an author looks up: an item id, or "case-id node-id" for a case
    lengths: tuple[int, ...]
    keys: frozenset[int]
    families: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not self.keys or not all(0 <= k < len(self.lengths) for k in self.keys):
            raise ValueError(f"{self.ref}: keys {sorted(self.keys)} are not among "
                             f"{len(self.lengths)} options")
        if self.families is not None and len(self.families) != len(self.lengths):
            raise ValueError(f"{self.ref}: {len(self.families)} families for "
                             f"{len(self.lengths)} options")

    @property
    def majority_family(self) -> frozenset[int]:
        """The options of the families that share the largest count (empty without families)."""
        if self.families is None:
            return frozenset()
        counts = Counter(self.families)
        most = max(counts.values())
        return frozenset(k for k, f in enumerate(self.families) if counts[f] == most)

    @property
    def family_can_cue(self) -> bool:
        """Whether "pick the majority family" singles out some options and not others."""
        return 0 < len(self.majority_family) < len(self.lengths)

    @property
    def key_in_majority_family(self) -> bool:
        return bool(self.keys & self.majority_family)

    @property
    def chance_majority_family(self) -> float:
        return self._chance_among(len(self.majority_family))

    @property
    def key_is_longest(self) -> bool:
        return max(self.lengths[k] for k in self.keys) == max(self.lengths)

    @property
    def key_is_shortest(self) -> bool:
        return min(self.lengths[k] for k in self.keys) == min(self.lengths)

    @property
    def chance_longest(self) -> float:
        return self._chance_among(self.lengths.count(max(self.lengths)))

    @property
    def chance_shortest(self) -> float:
        return self._chance_among(self.lengths.count(min(self.lengths)))

    def _chance_among(self, tied: int) -> float:
        """P(a random choice of len(keys) options includes one of ``tied`` given options)."""
        n, k = len(self.lengths), len(self.keys)
        return 1 - comb(n - tied, k) / comb(n, k)

    def chance_at(self, position: int) -> float:
        return len(self.keys) / len(self.lengths) if position < len(self.lengths) else 0.0


@dataclass(frozen=True)
class Cue:
    """One figure for one kind: how often its keys are the longest, the shortest, in one
    position, or in the family most options share."""

    kind: str
    what: Literal["longest", "shortest", "position", "family"]
    position: int | None  # 0-based position in the order shown, for "position"
    n: int  # choice points counted
    hits: tuple[str, ...]  # refs of the points where the key is the longest / in the position
    chance: float  # the share expected by chance
    p_value: float  # P(at least this many hits by chance)

    @property
    def share(self) -> float:
        return len(self.hits) / self.n if self.n else 0.0

    @property
    def excess(self) -> float:
        return self.share - self.chance

    def is_warning(self, margin: float = MARGIN, alpha: float = ALPHA) -> bool:
        return self.n >= MIN_POINTS and self.excess > margin and self.p_value < alpha

    def describe(self) -> str:
        """One sentence: the kind, the figure against chance, and the points to look at."""
        case = self.kind == "simulation"
        unit, key, option = (("choice points", "the best choice", "choice") if case
                             else ("items", "the key", "option"))
        if self.what == "family":
            where = f"belongs to the family most {option}s share (the words before \":\")"
        elif self.position is None:
            where = f"is the {self.what} {option}"
        else:
            where = f"is shown as {option} {self.position + 1}"
        return (f"{self.kind}: {key} {where} in {len(self.hits)} of {self.n} {unit} "
                f"({self.share:.0%}; by chance about {self.chance:.0%}). "
                f"Look at: {', '.join(self.hits)}.")

    def fix(self) -> str:
        if self.what == "longest":
            return ("write the other options as long and as specific as the key, and let the "
                    "key be the shortest now and then; keep each option's feedback accurate.")
        if self.what == "shortest":
            return ("let the key say as much as the other options in some of these items (a "
                    "key that is always the briefest gives the answer away too).")
        if self.what == "family":
            return ("in some of these items replace a distractor of the key's family with a "
                    "plausible option of another family (a 2+2 split), and in some let the key "
                    "be the only option of its family; give each new option its own feedback.")
        return ("swap the key with another option in the file in some of these items: the "
                "options are shown shuffled, the same way each time, so where the key is "
                "written decides where it is shown (the ids and the texts can stay as they are).")


def tail_probability(chances: Sequence[float], hits: int) -> float:
    """P(X >= hits), X the number of successes of independent trials with these chances."""
    if hits <= 0:
        return 1.0
    dist = [1.0]  # dist[j]: P(exactly j successes so far)
    for p in chances:
        new = [0.0] * (len(dist) + 1)
        for j, q in enumerate(dist):
            new[j] += q * (1 - p)
            new[j + 1] += q * p
        dist = new
    return min(1.0, max(0.0, sum(dist[hits:])))


def _cue(kind: str, what, position, points: Sequence[ChoicePoint], hit, chance) -> Cue:
    chances = [chance(p) for p in points]
    hits = tuple(p.ref for p in points if hit(p))
    return Cue(kind, what, position, len(points), hits,
               sum(chances) / len(points) if points else 0.0,
               tail_probability(chances, len(hits)))


def kind_cues(kind: str, points: Sequence[ChoicePoint]) -> list[Cue]:
    """The "longest" and "shortest" figures, one per shown position, and, for kinds whose
    options are named by family, the "family" figure."""
    cues = [_cue(kind, "longest", None, points, lambda p: p.key_is_longest,
                 lambda p: p.chance_longest),
            _cue(kind, "shortest", None, points, lambda p: p.key_is_shortest,
                 lambda p: p.chance_shortest)]
    for j in range(max((len(p.lengths) for p in points), default=0)):
        having = [p for p in points if len(p.lengths) > j]
        cues.append(_cue(kind, "position", j, having, lambda p, j=j: j in p.keys,
                         lambda p, j=j: p.chance_at(j)))
    with_families = [p for p in points if p.family_can_cue]
    if with_families:
        cues.append(_cue(kind, "family", None, with_families, lambda p: p.key_in_majority_family,
                         lambda p: p.chance_majority_family))
    return cues


def answer_cues(points_by_kind: Mapping[str, Sequence[ChoicePoint]]) -> list[Cue]:
    return [cue for kind in sorted(points_by_kind) for cue in kind_cues(kind, points_by_kind[kind])]


def cue_warnings(points_by_kind: Mapping[str, Sequence[ChoicePoint]], margin: float = MARGIN,
                 alpha: float = ALPHA) -> list[Cue]:
    """The figures far enough above chance for ``repairlab check`` to warn about."""
    return [c for c in answer_cues(points_by_kind) if c.is_warning(margin, alpha)]


# --- from the course's items ------------------------------------------------------------------

def item_choice_points(item: Any) -> list[ChoicePoint]:
    """The choice points of one validated item (none for kinds without options)."""
    if item.type == "simulation":
        return _case_choice_points(item)
    if not (hasattr(item, "choices") and hasattr(item, "answer_id")):
        return []
    choices = shown_order(item, item.choices())
    keys = frozenset(k for k, c in enumerate(choices) if c.id == item.answer_id)
    if len(choices) < 2 or not keys:
        return []
    labels = [c.label.strip() for c in choices]
    return [ChoicePoint(item.id, tuple(len(label) for label in labels), keys,
                        option_families(labels))]


def option_families(labels: Sequence[str]) -> tuple[str, ...] | None:
    """Each option's "Family" in "Family: subtype", when every option is written that way."""
    families = []
    for label in labels:
        prefix, colon, _ = label.partition(":")
        prefix = prefix.strip()
        if not colon or not prefix or len(prefix.split()) > FAMILY_MAX_WORDS:
            return None
        families.append(prefix.casefold())
    return tuple(families)


def _case_choice_points(case: Any) -> list[ChoicePoint]:
    """One point per node and set of choices on offer there, in any situation the case can
    reach (a flag set earlier can add or remove choices); the best choice moves the meter most."""
    from ..kinds.simulation.graph import explore  # the graph walk that `check` also uses

    points: dict[tuple[str, tuple[str, ...]], ChoicePoint] = {}
    nodes = case.node_map()
    for node_id, flags, values in explore(case).successors:
        node = nodes[node_id]
        state = dict(zip(case.state, values, strict=True))
        offered = case.offered_choices(node, flags, state)
        best = max((c.weight for c in offered), default=None)
        if len(offered) < 2 or all(c.weight == best for c in offered):
            continue
        ids = tuple(c.id for c in offered)
        if (node_id, ids) in points:
            continue
        ref = f"{case.id} {node_id}" + ("" if len(offered) == len(node.choices)
                                        else f" ({', '.join(ids)})")
        points[(node_id, ids)] = ChoicePoint(
            ref, tuple(len(c.text.strip()) for c in offered),
            frozenset(k for k, c in enumerate(offered) if c.weight == best))
    return list(points.values())


def course_choice_points(items: Iterable[Any]) -> dict[str, list[ChoicePoint]]:
    """Every choice point of the given items, by kind."""
    found: dict[str, list[ChoicePoint]] = {}
    for item in items:
        points = item_choice_points(item)
        if points:
            found.setdefault(item.type, []).extend(points)
    return found
