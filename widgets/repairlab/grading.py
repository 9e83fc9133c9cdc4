"""The grading rule: what counts as done, and what an item, a module and a course score.

One module, used by everything that shows a grade: the landing page's progress, the summary
in each hand-in, the gradebook CSV and the class dashboard. It reads attempts as dicts (from a
hand-in file) or as :class:`repairlab.progress.Attempt` objects (from a live store), and
imports nothing else of RepairLab's.

The rule
--------
Scores are fractions from 0 to 1 on each attempt; the gradebook shows percentages.

* **Best score per item.** Every attempt counts; an item's score is the best score among its
  attempts. Trying again never lowers a grade. Attempts without a score (reflections) are not
  scores.
* **Completion.** An item is *completed* when at least one of its attempts has a status other
  than ``"incorrect"``. A choice item is therefore completed once answered correctly; an
  ordering once it is right or partly right (``"partial"``); a rewrite or a reflection once
  submitted (any status the exercise gives it: ``"good"``, ``"needs-work"``,
  ``"submitted"``, ...).
* **Module completion** = completed items of the module / all items of the module, in percent.
* **Module score** = the mean of the best scores of the module's items that have at least one
  scored attempt, in percent; empty when there is none. Items not tried yet do not pull the
  score down: completion already shows how much is missing, and keeping the two apart lets an
  instructor weight them as the course requires.
* **Totals** apply the same rules to every item of the course at once, so a module with more
  items weighs more (it is *not* the mean of the module columns).
* Attempts at items that are not in the course's item list (e.g. an item removed mid-term) are
  ignored. Attempts from an earlier curriculum version count: item ids are never reused.

* **Completion means mastery where a module defines it.** In the gradebook and the dashboard
  (:func:`completion_fraction`, called by both), a module that names skills (``skills:`` in
  ``module.yaml``) is complete in proportion to its skills mastered, by the practice rule
  (:func:`mastery_fraction`); a module without skills keeps the item rule above. The total is
  the modules' completion weighted by their items (for a course without skills, exactly
  completed items / all items).
* **Attempted** is the item rule above (completed items / all items), kept as a figure of its
  own in the gradebook and the dashboard: the work done on a module that is not mastered
  yet. The landing page and the hand-in's summary show completion by the same rule
  (:func:`completion_fraction`, worded by :func:`completion_words`) and attempted beside it,
  so a student sees the completion their instructor sees.
* **First-try accuracy** = of the items the student has tried, the share whose first judged
  attempt solved them (reflections, which cannot be wrong, and attempts the feedback could not
  judge, are left out); empty when none is tried.

* **Mean difficulty** of a set of items = the mean of the 0-10 ratings of how hard an attempt
  felt, to one decimal; empty when none is rated. An attempt's ratings (:func:`ratings_of`)
  are the optional ``rating`` on it (a rewrite, a case's ending) and, for a case, the rating of
  each free-text turn, kept in its ``extra`` as ``turn_ratings``.

*Solved* is stricter than completed: marked correct or good, or a reflection submitted
(:data:`SOLVED`). A rewrite that still reads as defensive completes its item (the student did
the work) but does not solve it; the dashboard's "items students miss most" counts solved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "NOT_COMPLETING",
    "NOT_JUDGED",
    "SOLVED",
    "UNSCORED_KINDS",
    "Outcome",
    "attempt_field",
    "best_scores",
    "completed_items",
    "completion_fraction",
    "counts_as_completed",
    "first_try_accuracy",
    "is_solved",
    "mastery_fraction",
    "mean_difficulty",
    "outcome",
    "ratings_of",
    "turn_ratings_of",
]

# Kinds that have no right or wrong (never a try in practice mode, never first-try accuracy).
UNSCORED_KINDS = frozenset({"reflection"})
# Statuses that are not a judgement of the answer.
NOT_JUDGED = frozenset({"unsure", "empty"})
# The only status that does not complete an item.
NOT_COMPLETING = frozenset({"incorrect"})
# The statuses that mean "got it" (kinds.base.Feedback.solved reads this too).
SOLVED = frozenset({"correct", "good", "submitted"})


def counts_as_completed(status: Any) -> bool:
    return str(status) not in NOT_COMPLETING


def is_solved(status: Any) -> bool:
    return status in SOLVED


def attempt_field(attempt: Any, name: str) -> Any:
    # Attempts arrive as dicts (hand-in files) or as progress.Attempt objects (a live store).
    if isinstance(attempt, Mapping):
        return attempt.get(name)
    return getattr(attempt, name, None)


def best_scores(attempts: Iterable[Any]) -> dict[str, float]:
    """item_id -> the best score (0-1) among its scored attempts."""
    best: dict[str, float] = {}
    for attempt in attempts:
        score = attempt_field(attempt, "score")
        if score is None or isinstance(score, bool) or not isinstance(score, (int, float)):
            continue
        item_id = attempt_field(attempt, "item_id")
        if item_id not in best or score > best[item_id]:
            best[item_id] = float(score)
    return best


def completed_items(attempts: Iterable[Any]) -> set[str]:
    return {attempt_field(a, "item_id") for a in attempts if counts_as_completed(attempt_field(a, "status"))}


@dataclass(frozen=True)
class Outcome:
    """How a student did on a set of items."""

    completed: int
    total: int
    score: float | None  # mean of best scores, 0-1; None when no item has a score

    @property
    def completion_percent(self) -> float | None:
        return None if self.total == 0 else round(100 * self.completed / self.total, 1)

    @property
    def score_percent(self) -> float | None:
        return None if self.score is None else round(100 * self.score, 1)


def outcome(attempts: Iterable[Any], item_ids: Sequence[str]) -> Outcome:
    """Apply the grading rule to the attempts at ``item_ids`` (others are ignored)."""
    wanted = set(item_ids)
    relevant = [a for a in attempts if attempt_field(a, "item_id") in wanted]
    best = best_scores(relevant)
    done = completed_items(relevant)
    score = sum(best.values()) / len(best) if best else None
    return Outcome(completed=len(done), total=len(wanted), score=score)


def mastery_fraction(statuses: Sequence[str]) -> float | None:
    """A module's completion where it defines skills: the share of its skills whose status
    (``practice.SkillState.status``) is ``mastered``; None for a module without skills."""
    return sum(s == "mastered" for s in statuses) / len(statuses) if statuses else None


def completion_fraction(items: Outcome, skill_statuses: Sequence[str]) -> float | None:
    """A module's completion, 0-1, for the gradebook and the dashboard alike: its skills
    mastered where it names skills (``skill_statuses``), else its items completed (``items``,
    :func:`outcome`); None for a module with neither."""
    mastery = mastery_fraction(skill_statuses)
    if mastery is not None:
        return mastery
    return items.completed / items.total if items.total else None


def completion_words(completed: int, total: int, skills: int = 0, mastered: int = 0) -> str:
    """What :func:`completion_fraction` counts, in words: "1 of 5 skills mastered" for a
    module with skills, else "3 of 9 exercises done". The one wording: the landing page says
    it from the live counts and the hand-in from the counts its summary stored."""
    if skills:
        return f"{mastered} of {skills} skills mastered"
    return f"{completed} of {total} exercises done"


def first_try_accuracy(attempts: Iterable[Any], item_ids: Sequence[str]) -> float | None:
    """Of the items in ``item_ids`` the student tried, the percentage whose first judged
    attempt solved them (oldest first; see the rule above); None when none was tried."""
    wanted = set(item_ids)
    first: dict[str, bool] = {}
    for attempt in attempts:
        item_id = attempt_field(attempt, "item_id")
        status = attempt_field(attempt, "status")
        if (item_id not in wanted or item_id in first or status in NOT_JUDGED
                or attempt_field(attempt, "kind") in UNSCORED_KINDS):
            continue
        first[item_id] = is_solved(status)
    return round(100 * sum(first.values()) / len(first), 1) if first else None


def _is_rating(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10


def turn_ratings_of(attempt: Any) -> list[int]:
    """The 0-10 ratings of a case's free-text turns (``extra.turn_ratings``), in turn order.
    Anything that is not a rating is left out, never a crash (a hand-in may come from
    another version)."""
    extra = attempt_field(attempt, "extra")
    turns = extra.get("turn_ratings") if isinstance(extra, Mapping) else None
    if not isinstance(turns, list):
        return []
    return [rating for _turn, rating in sorted(
        (turn["turn"], turn["rating"]) for turn in turns
        if isinstance(turn, Mapping) and isinstance(turn.get("turn"), int)
        and not isinstance(turn.get("turn"), bool) and _is_rating(turn.get("rating")))]


def ratings_of(attempt: Any) -> list[int]:
    """How hard the student said an attempt felt, 0-10, in the order given: a case's free-text
    turns, then the attempt's own ``rating`` (a rewrite's, a case's ending)."""
    own = attempt_field(attempt, "rating")
    return turn_ratings_of(attempt) + ([own] if _is_rating(own) else [])


def mean_difficulty(attempts: Iterable[Any], item_ids: Sequence[str]) -> float | None:
    """The mean 0-10 self-rated difficulty of the attempts at ``item_ids`` (every rating each
    carries, :func:`ratings_of`); None if unrated."""
    wanted = set(item_ids)
    ratings = [rating for a in attempts if attempt_field(a, "item_id") in wanted
               for rating in ratings_of(a)]
    return round(sum(ratings) / len(ratings), 1) if ratings else None
