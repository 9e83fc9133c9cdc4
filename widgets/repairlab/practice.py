"""The practice rule: which item a student practises next, from what they have done so far.

A pure function of the attempt history (and of the moment of choosing, for visits): no kernel,
no store, no widgets, nothing of ours but ``grading`` (what counts as solved), ``vocab`` (the
levels) and ``timestamps`` (when each attempt was made). The practice-mode page reads
the module's attempts from the progress store, calls :func:`next_step` and shows the item it
names; the landing page, the hand-in and the tests call :func:`skill_states` on the same
history.

The rule
--------
Each module names the skills it trains (``skills:`` in ``module.yaml``) and each item the one
skill it trains (``skill:``, or its skill's ``default_for`` kind). Skills are practised in the
module's order, one at a time: the *current skill* is the first one not yet mastered.

* **Tries.** The history is the module's attempts, oldest first. Consecutive attempts at the
  same item are one *try* (a student who checks an answer, reads the feedback and checks again
  is still on their first serving of it); practice mode marks each serving (``extra.serving``),
  so the same item served again straight away is a new try, and so is one answered again on a
  later visit. A try is *right* when its first
  attempt was solved: a choice marked correct, an ordering in the right order, a rewrite
  judged not defensive with every move the item asks for (status ``good``). Attempts the
  feedback could not judge (``unsure``) and unscored kinds (reflections) are not tries.
* **Levels.** Every skill starts at beginner. A try counts for the level of its item.
* **Moving up.** A level is met when at least ``correct`` of the last ``of_last`` tries at it
  since the student reached it were right (3 of 4 by default; where the level has fewer
  distinct items than ``correct``, as many as it has). The student then moves up one level;
  meeting the top level masters the skill, and a mastered skill stays mastered. Levels without
  items are skipped.
* **Moving down.** ``down_after`` misses in a row at the current level (2 by default) move the
  student down one level (never below the lowest), and the count at that level starts again.
* **Visits.** A *visit* is a sitting: the tries after a pause of ``VISIT_GAP`` (an hour) or
  more, by each attempt's ``created_at``, belong to a new visit (so does the moment of
  choosing, ``now``, after such a pause). A reload is not a visit. Attempts without a readable
  time (old dicts, tests) join the visit before them.
* **Review.** An item missed on its latest try comes back for review. After its first miss in
  a row it comes back in the same visit once ``FIRST_REVIEW_GAP`` (2) other tries of the skill
  have come in between, rather than repeating what the model answer has just shown. Missed
  again, it waits for a later visit: the next one after a second miss in a row, two visits
  later after a third, then four; there it comes first. Review items are items of the current
  skill at or below the current level; the one missed longest ago comes first. Until its
  review is due, a missed item is served at its level only when every other item there is
  just mastered or waiting too.
* **The next item.** A review that is due; else an item of the current level not tried yet,
  in the author's order; else an item of that level neither *just mastered* (right on its
  latest try, and that try among the last ``of_last`` tries of the skill) nor waiting for its
  review, the one tried longest ago first; else one waiting; else the item just missed, again
  at once (a level with one item). A just-mastered item returns only when the level has
  nothing else. Once every skill is mastered there is no next item.

* **How hard it felt.** After a try the student may rate it 0-10 (``rating`` on the attempt:
  the page joins the store's ratings to the attempts; a case also carries a rating of each
  free-text turn, ``grading.ratings_of``; the latest rating within a try counts).
  Unrated tries leave the rule as above. Two tries in a row at the current level rated
  ``HARD`` (8) or more hold the student where they are: the level is not met on that try,
  even if the criterion is, and if either of the two was missed they step down a level (never
  below the lowest). Two right tries in a row at the current level rated ``EASY`` (3) or less
  move them up a level early, below the top level only: mastery of a skill always needs its
  criterion met at the top level.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from . import timestamps
from .grading import NOT_JUDGED, UNSCORED_KINDS, attempt_field, is_solved, ratings_of
from .vocab import DIFFICULTIES

__all__ = [
    "LEVELS",
    "UNSCORED_KINDS",
    "VISIT_GAP",
    "Criterion",
    "NextStep",
    "PracticeItem",
    "SkillSpec",
    "SkillState",
    "Try",
    "module_skill_states",
    "next_step",
    "rated_attempts",
    "resolve_skill",
    "skill_states",
    "skill_statuses",
    "tries_from_attempts",
]

LEVELS = DIFFICULTIES
# UNSCORED_KINDS (never served in practice mode, nor tries) and NOT_JUDGED (an attempt that is
# not a try) are the grading rule's, so first-try accuracy and the practice rule agree.
FIRST_REVIEW_GAP = 2  # other tries of the skill before a first miss comes back
# A pause this long starts a new visit: long enough that a reload, a short break or a second
# tab is the same sitting, so a review that waits for a later visit is spaced in time.
VISIT_GAP = timedelta(hours=1)
# The 0-10 self-rated difficulty that nudges the level (see "How hard it felt" above).
HARD = 8
EASY = 3
NUDGE_AFTER = 2  # ratings in a row that nudge
# The key in an attempt's ``extra`` naming the serving it belongs to: practice mode gives each
# item it shows a new one, so the same item served twice in a row is two tries.
SERVING = "serving"


@dataclass(frozen=True)
class Criterion:
    correct: int = 3
    of_last: int = 4
    down_after: int = 2


@dataclass(frozen=True)
class SkillSpec:
    id: str
    name: str
    criterion: Criterion = field(default_factory=Criterion)


@dataclass(frozen=True)
class PracticeItem:
    id: str
    skill: str
    difficulty: str
    kind: str = ""


@dataclass(frozen=True)
class Try:
    item_id: str
    right: bool
    rating: int | None = None  # 0-10, how hard it felt; None when the student did not say
    visit: int = 0  # which visit (sitting) it was made on, from 0 (see "Visits" above)
    at: datetime | None = None  # when its latest attempt was made, if known


@dataclass
class SkillState:
    skill: SkillSpec
    level: str
    mastered: bool = False
    tries: int = 0
    right_at_level: int = 0  # right tries in the window counted at the current level
    needed_at_level: int = 0  # how many the criterion asks for at this level
    levels_met: list[str] = field(default_factory=list)

    @property
    def started(self) -> bool:
        return self.tries > 0

    @property
    def status(self) -> str:
        """``mastered``, ``in progress`` or ``not started``: what the landing page shows."""
        return "mastered" if self.mastered else "in progress" if self.started else "not started"


@dataclass(frozen=True)
class NextStep:
    item_id: str | None  # None: every skill is mastered (or there is nothing to practise)
    skill: SkillState | None
    review: bool = False


def resolve_skill(item_skill: str | None, kind: str, skills: Sequence[Any]) -> str | None:
    """The skill an item trains: its own ``skill:``, else the skill whose ``default_for``
    names its kind; None if neither."""
    if item_skill:
        return item_skill
    return next((s.id for s in skills if kind in (getattr(s, "default_for", None) or ())), None)


def tries_from_attempts(attempts: Iterable[Any]) -> list[Try]:
    """The tries in a history of attempts (dicts or ``progress.Attempt``), oldest first:
    consecutive attempts at one item (and one serving, on one visit) are one try, right if its
    first judged attempt solved, rated by the latest rating given within it."""
    tries: list[Try] = []
    previous = None
    visit, last_at = 0, None
    for attempt in attempts:
        item_id = attempt_field(attempt, "item_id")
        status = attempt_field(attempt, "status")
        # The latest rating the attempt carries: a case's ending, else its last rated turn.
        rating = next(reversed(ratings_of(attempt)), None)
        if attempt_field(attempt, "kind") in UNSCORED_KINDS or status in NOT_JUDGED:
            continue
        at = _moment(attempt_field(attempt, "created_at"))
        if at is not None:
            if last_at is not None and at - last_at >= VISIT_GAP:
                visit += 1
            last_at = at
        extra = attempt_field(attempt, "extra")
        serving = (item_id, extra.get(SERVING) if isinstance(extra, Mapping) else None, visit)
        if serving == previous:
            latest = tries[-1]
            tries[-1] = Try(latest.item_id, latest.right,
                            latest.rating if rating is None else rating, visit, at or latest.at)
            continue
        previous = serving
        tries.append(Try(item_id, is_solved(status), rating, visit, at))
    return tries


def _moment(value: Any) -> datetime | None:
    try:
        return timestamps.parse(value)
    except ValueError:  # no time (an old dict, a test), or not one: joins the visit before
        return None


def _visit_now(tries: Sequence[Try], now: datetime | None) -> int:
    """The visit a choice made at ``now`` belongs to: the latest try's, or the next one after
    a pause of ``VISIT_GAP``. Without ``now`` (or any time), the latest try's."""
    if not tries:
        return 0
    last = next((t.at for t in reversed(tries) if t.at is not None), None)
    later = now is not None and last is not None and now - last >= VISIT_GAP
    return tries[-1].visit + (1 if later else 0)


def rated_attempts(attempts: Iterable[Any],
                   ratings: Mapping[tuple[str, str], int]) -> list[dict[str, Any]]:
    """The attempts as dicts, each with its ``rating`` (or None) from the store's ratings,
    keyed by (item id, the attempt's created_at): what the rule reads."""
    rated = []
    for attempt in attempts:
        row = dict(attempt) if isinstance(attempt, Mapping) else attempt.to_dict()
        row["rating"] = ratings.get((row.get("item_id"), row.get("created_at")))
        rated.append(row)
    return rated


def _levels(items: Sequence[PracticeItem]) -> list[str]:
    present = {item.difficulty for item in items}
    return [level for level in LEVELS if level in present]


def _replay(skill: SkillSpec, items: Sequence[PracticeItem], tries: Sequence[Try]) -> SkillState:
    """Walk the skill's tries in order, moving the level up and down as the rule says."""
    levels = _levels(items)
    level_of = {item.id: item.difficulty for item in items}
    criterion = skill.criterion
    state = SkillState(skill, levels[0] if levels else LEVELS[0])
    window: list[bool] = []  # tries at the current level since the student reached it
    rated: list[Try] = []  # the same tries, with how hard each felt
    for attempt in tries:
        level = level_of.get(attempt.item_id)
        if level is None:
            continue
        state.tries += 1
        if state.mastered or level != state.level:
            continue
        window.append(attempt.right)
        rated.append(attempt)
        index = levels.index(state.level)
        need = _needed(criterion, items, state.level)
        latest = rated[-NUDGE_AFTER:]
        felt_hard = len(latest) == NUDGE_AFTER and all(
            t.rating is not None and t.rating >= HARD for t in latest)
        felt_easy = len(latest) == NUDGE_AFTER and all(
            t.right and t.rating is not None and t.rating <= EASY for t in latest)
        if felt_hard:
            # Hard twice: not met on this try; down a level if either was missed.
            if index > 0 and not all(t.right for t in latest):
                state.level = levels[index - 1]
                window, rated = [], []
            continue
        if felt_easy and index + 1 < len(levels):
            state.level = levels[index + 1]
            window, rated = [], []
            continue
        if sum(window[-criterion.of_last:]) >= need:
            state.levels_met.append(state.level)
            if index + 1 == len(levels):
                state.mastered = True
            else:
                state.level = levels[index + 1]
            window, rated = [], []
        elif (index > 0 and len(window) >= criterion.down_after
              and not any(window[-criterion.down_after:])):
            state.level = levels[index - 1]
            window, rated = [], []
    state.needed_at_level = _needed(criterion, items, state.level)
    state.right_at_level = sum(window[-criterion.of_last:])
    return state


def _needed(criterion: Criterion, items: Sequence[PracticeItem], level: str) -> int:
    distinct = sum(1 for item in items if item.difficulty == level)
    return max(1, min(criterion.correct, distinct))


def skill_states(skills: Sequence[SkillSpec], items: Sequence[PracticeItem],
                 attempts: Iterable[Any]) -> list[SkillState]:
    """Each skill's level and mastery after the attempts (oldest first), in module order."""
    tries = tries_from_attempts(attempts)
    return [_replay(skill, _items_of(skill, items), tries) for skill in skills]


def module_skill_states(plan: tuple[Sequence[SkillSpec], Sequence[PracticeItem]] | None,
                        attempts: Iterable[Any]) -> list[SkillState]:
    """Each skill of one module after a student's attempts, from the module's own attempts only
    (another module's attempt between two of its own is not a new try). ``plan`` is
    :func:`module_plan`'s (skills, items). What the gradebook's skill columns and the
    dashboard's mastery table both show."""
    if not plan:
        return []
    skills, items = plan
    own = {item.id for item in items}
    return skill_states(skills, items, [a for a in attempts if attempt_field(a, "item_id") in own])


def skill_statuses(plan: tuple[Sequence[SkillSpec], Sequence[PracticeItem]] | None,
                   attempts: Iterable[Any]) -> list[str]:
    """Each skill's status (mastered / in progress / not started) in module order; empty for
    a module without skills (``plan`` None or without skills). What completion is counted
    from, by the gradebook, the dashboard and the hand-in alike."""
    return [state.status for state in module_skill_states(plan, attempts)]


def _items_of(skill: SkillSpec, items: Sequence[PracticeItem]) -> list[PracticeItem]:
    return [item for item in items if item.skill == skill.id and item.kind not in UNSCORED_KINDS]


def next_step(skills: Sequence[SkillSpec], items: Sequence[PracticeItem],
              attempts: Iterable[Any], now: datetime | None = None) -> NextStep:
    """What to practise next: the item, the skill it is for, and whether it is a review.
    ``now`` (aware UTC) is the moment of choosing: a student back after a pause is on a new
    visit before answering anything, so a review waiting for it comes first."""
    tries = tries_from_attempts(attempts)
    visit = _visit_now(tries, now)
    for skill in skills:
        own = _items_of(skill, items)
        if not own:
            continue
        ids = {item.id for item in own}
        state = _replay(skill, own, tries)
        if state.mastered:
            continue
        history = [t for t in tries if t.item_id in ids]
        return _choose(state, own, history, visit)
    return NextStep(None, None)


def _review_due(misses: int, tries_since: int, visits_since: int) -> bool:
    """Whether an item missed on its last ``misses`` tries in a row comes back: after a first
    miss, once ``FIRST_REVIEW_GAP`` other tries have come in between; after a second, on the
    next visit; after a third, two visits later; then four."""
    if misses <= 1:
        return tries_since >= FIRST_REVIEW_GAP
    return visits_since >= 2 ** (misses - 2)


def _choose(state: SkillState, items: Sequence[PracticeItem], history: list[Try],
            visit: int) -> NextStep:
    levels = _levels(items)
    top = levels.index(state.level)
    last_seen: dict[str, int] = {}
    misses: dict[str, int] = {}
    latest: dict[str, Try] = {}
    for index, attempt in enumerate(history):
        last_seen[attempt.item_id] = index
        latest[attempt.item_id] = attempt
        misses[attempt.item_id] = 0 if attempt.right else misses.get(attempt.item_id, 0) + 1
    tried = len(history)
    just_tried = history[-1].item_id if history else None

    def missed(item: PracticeItem) -> bool:
        return item.id in latest and not latest[item.id].right

    def due(item: PracticeItem) -> bool:
        return missed(item) and _review_due(misses[item.id], tried - 1 - last_seen[item.id],
                                            visit - latest[item.id].visit)

    reviews = [item for item in items
               if levels.index(item.difficulty) <= top and due(item)]
    if reviews:
        chosen = min(reviews, key=lambda item: last_seen[item.id])
        return NextStep(chosen.id, state, review=True)
    at_level = [item for item in items if item.difficulty == state.level]
    fresh = [item for item in at_level if item.id not in last_seen]
    if fresh:
        return NextStep(fresh[0].id, state)
    recent = tried - state.skill.criterion.of_last

    def just_mastered(item: PracticeItem) -> bool:
        return latest[item.id].right and last_seen[item.id] >= recent

    def waiting(item: PracticeItem) -> bool:  # missed, its review not due yet
        return missed(item) and not due(item)

    # Best an item neither just mastered, nor waiting for its review, nor just tried; then one
    # waiting; then a missed item again at once (a level with a single item); a just-mastered
    # one only when nothing else is left.
    ready = ([item for item in at_level
              if not just_mastered(item) and not waiting(item) and item.id != just_tried]
             or [item for item in at_level if not just_mastered(item) and item.id != just_tried]
             or [item for item in at_level if not just_mastered(item)]
             or [item for item in at_level if item.id != just_tried] or at_level)
    chosen = min(ready, key=lambda item: last_seen[item.id])
    return NextStep(chosen.id, state)


def module_plan(course: Any, module: Any, item_of: Any = None
                ) -> tuple[list[SkillSpec], list[PracticeItem]]:
    """The skills a module trains and the items practice mode may serve for them: the items
    its notebooks show, in page order, that are valid, scored and name one of its skills.
    ``item_of(id)`` gives an item's ``id``, ``type``, ``skill`` and ``difficulty`` (default
    ``course.item``; the landing page reads them without building the items)."""
    skills = [SkillSpec(s.id, s.name, Criterion(s.mastery.correct, s.mastery.of_last,
                                                s.mastery.down_after))
              for s in module.manifest.skills]
    known = {skill.id for skill in skills}
    items = []
    for item_id in course.items_of(module):
        item = (item_of or course.item)(item_id)
        if item is None or item.type in UNSCORED_KINDS:
            continue
        skill = resolve_skill(getattr(item, "skill", None), item.type, module.manifest.skills)
        if skill in known:
            items.append(PracticeItem(item.id, skill, item.difficulty, item.type))
    return skills, items
