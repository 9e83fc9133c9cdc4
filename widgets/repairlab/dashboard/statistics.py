"""What a class's hand-ins say, as plain tables (lists of frozen dataclasses): pure functions
of a :class:`~repairlab.dashboard.loading.ClassData`, no I/O, no plotting, no widgets.

Completion follows the grading rule (:func:`repairlab.grading.completion_fraction`: skills
mastered where a module names them, else items completed) and skill mastery the practice rule
(:func:`repairlab.practice.module_skill_states`), exactly as the gradebook applies them, so the
dashboard and the CSV never disagree; so do the diaries kept
(:func:`repairlab.diary.modules_with_entries`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from repairlab.diary import modules_with_entries
from repairlab.grading import (
    SOLVED,
    completion_fraction,
    first_try_accuracy,
    mean_difficulty,
    outcome,
)
from repairlab.practice import module_skill_states, skill_statuses

from .loading import ClassData

REWRITE = "rewrite-reply"


def percent(part: float, whole: float) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


def fmt_percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%"


def fmt_number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


@dataclass(frozen=True)
class ModuleCompletion:
    """One module: how much of it the class has done, by the gradebook's rule: completion is
    the share of its skills mastered where the module names skills (and the dashboard was
    given the course), else of its items completed (``grading.completion_fraction``);
    attempted is always the items' share, as the CSV's ``attempted`` column; first-try
    accuracy is the CSV's column of that name (``grading.first_try_accuracy``)."""

    module: str
    title: str
    items: int
    skills: int  # the skills completion counts; 0: it counts items
    students: int
    mean_completion: float | None  # percent, averaged over students (the CSV's completion)
    mean_attempted: float | None  # percent of the items, averaged (the CSV's attempted)
    mean_first_try: float | None  # percent, averaged over the students who tried an item
    all_done: int  # students whose completion is 100%
    some_done: int  # above 0, below 100%
    none_done: int


def completion_by_module(data: ClassData) -> list[ModuleCompletion]:
    rows = []
    attempts = {s: data.submissions[s].get("attempts") or [] for s in data.students}
    for slug, title in data.modules:
        ids = data.module_items(slug)
        plan = data.skills.get(slug)
        done, tried, first = [], [], []
        for student in data.students:
            items = outcome(attempts[student], ids)
            statuses = skill_statuses(plan, attempts[student])
            fraction = completion_fraction(items, statuses)
            done.append(None if fraction is None else 100 * fraction)
            tried.append(items.completion_percent)
            first.append(first_try_accuracy(attempts[student], ids))
        rows.append(ModuleCompletion(
            module=slug, title=title, items=len(ids), skills=len(plan[0]) if plan else 0,
            students=len(done),
            mean_completion=_mean([d for d in done if d is not None]),
            mean_attempted=_mean([t for t in tried if t is not None]),
            mean_first_try=_mean([f for f in first if f is not None]),
            all_done=sum(1 for d in done if d is not None and d >= 100),
            some_done=sum(1 for d in done if d is not None and 0 < d < 100),
            none_done=sum(1 for d in done if not d)))
    return rows


@dataclass(frozen=True)
class DiaryKept:
    """One module: which students kept a practice diary for it (the gradebook's diary
    column). Names only: the entries' text stays in each hand-in."""

    module: str
    title: str
    students: int
    kept_by: tuple[str, ...]  # student ids, in the class's order


def diaries_by_module(data: ClassData) -> list[DiaryKept]:
    kept = {s: modules_with_entries(data.submissions[s].get("diary")) for s in data.students}
    return [DiaryKept(module=slug, title=title, students=len(data.students),
                      kept_by=tuple(s for s in data.students if slug in kept[s]))
            for slug, title in data.modules]


@dataclass(frozen=True)
class ItemMiss:
    """One item: of the students who tried it, how many missed it."""

    item_id: str
    title: str
    module: str
    module_title: str
    kind: str
    students: int  # in the class
    tried: int
    first_wrong: int  # first attempt not solved
    never_solved: int  # tried, and no attempt solved
    first_wrong_percent: float | None  # of those who tried
    never_solved_percent: float | None

    @property
    def not_tried(self) -> int:
        return self.students - self.tried


def missed_items(data: ClassData) -> list[ItemMiss]:
    """Every item, the most missed first: by first-attempt misses, then by never solved, then
    by how many tried it.

    Shares are of the students who tried the item, so an item late in the course is not
    ranked as "hard" only because few students have reached it (completion shows that).
    """
    by_student = {s: data.attempts_by_item(s) for s in data.students}
    rows = []
    for item_id, meta in data.items.items():
        tried = first_wrong = never = 0
        for student in data.students:
            attempts = by_student[student].get(item_id)
            if not attempts:
                continue
            tried += 1
            first_wrong += attempts[0].get("status") not in SOLVED
            never += not any(a.get("status") in SOLVED for a in attempts)
        slug = str(meta.get("module", ""))
        rows.append(ItemMiss(
            item_id=item_id, title=str(meta.get("title") or item_id), module=slug,
            module_title=str(meta.get("module_title") or slug), kind=str(meta.get("kind", "")),
            students=len(data.students), tried=tried, first_wrong=first_wrong,
            never_solved=never, first_wrong_percent=percent(first_wrong, tried),
            never_solved_percent=percent(never, tried)))
    order = {item_id: n for n, item_id in enumerate(data.items)}
    # On equal shares, the item more students tried first: the evidence is stronger.
    rows.sort(key=lambda r: (r.tried == 0, -(r.first_wrong_percent or 0),
                             -(r.never_solved_percent or 0), -r.tried, order[r.item_id]))
    return rows


def _extra(attempt: Mapping[str, Any]) -> dict[str, Any]:
    feedback = attempt.get("feedback")
    extra = feedback.get("extra") if isinstance(feedback, Mapping) else None
    return extra if isinstance(extra, dict) else {}


def _kinds(value: Any) -> list[str]:
    # A hand-in passed its checksum, but may come from another RepairLab version: be lenient.
    return [str(v) for v in value] if isinstance(value, list) else []


def _rewrites(data: ClassData) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(student, item id) -> that student's rewrite attempts at the item, oldest first."""
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for student in data.students:
        for item_id, attempts in data.attempts_by_item(student).items():
            rewrites = [a for a in attempts if a.get("kind") == REWRITE]
            if rewrites:
                found[(student, item_id)] = rewrites
    return found


@dataclass(frozen=True)
class MarkerUse:
    """One kind of defensive marker, across all the class's rewrite attempts."""

    marker: str
    label: str
    students: int  # students with the marker in at least one rewrite
    writers: int  # students who wrote at least one rewrite
    attempts: int  # rewrite attempts containing it
    uses: int  # times it was found (an attempt can contain it more than once)
    in_first: int  # (student, item) pairs whose first rewrite contains it
    in_last: int  # ... whose last rewrite contains it


def _marker_labels() -> dict[str, str]:
    try:
        from repairlab.feedback.model import MARKER_LABELS
    except ImportError:
        return {}
    return dict(MARKER_LABELS)


def marker_use(data: ClassData) -> list[MarkerUse]:
    """The markers students' rewrites contain, the most widespread (by students) first."""
    labels = _marker_labels()
    rewrites = _rewrites(data)
    writers = {student for student, _ in rewrites}
    students: dict[str, set[str]] = {}
    attempts: Counter[str] = Counter()
    uses: Counter[str] = Counter()
    first: Counter[str] = Counter()
    last: Counter[str] = Counter()
    for (student, _item), tries in rewrites.items():
        for attempt in tries:
            kinds = _kinds(_extra(attempt).get("markers"))
            uses.update(kinds)
            attempts.update(set(kinds))
            for kind in set(kinds):
                students.setdefault(kind, set()).add(student)
        first.update(set(_kinds(_extra(tries[0]).get("markers"))))
        last.update(set(_kinds(_extra(tries[-1]).get("markers"))))
    rows = [MarkerUse(marker=kind, label=labels.get(kind, kind.replace("-", " ").capitalize()),
                      students=len(who), writers=len(writers), attempts=attempts[kind],
                      uses=uses[kind], in_first=first[kind], in_last=last[kind])
            for kind, who in students.items()]
    rows.sort(key=lambda r: (-r.students, -r.attempts, r.marker))
    return rows


@dataclass(frozen=True)
class RewriteChange:
    """First versus last rewrite, over the students who rewrote an item more than once.

    Scores are the rewrite's own score in percent: the share of the item's must-include moves
    the reply makes, and 0 while it still reads as defensive (kinds/rewrite_reply.py). Students
    who wrote one reply only have no "change" and are counted in ``wrote`` only.
    """

    item_id: str  # "" for the whole class (rewrite_overall)
    title: str
    module: str
    wrote: int  # students (or student-item pairs, overall) with at least one rewrite
    revised: int  # ... with two or more
    first_score: float | None  # mean, percent, over the revised
    last_score: float | None
    first_defensive: int  # revised whose first reply read as defensive
    last_defensive: int
    first_markers: float | None  # mean markers per reply
    last_markers: float | None
    first_moves: float | None  # mean repair moves per reply
    last_moves: float | None
    improved: int  # last score above the first
    unchanged: int
    worse: int

    @property
    def first_defensive_percent(self) -> float | None:
        return percent(self.first_defensive, self.revised)

    @property
    def last_defensive_percent(self) -> float | None:
        return percent(self.last_defensive, self.revised)


def _score(attempt: Mapping[str, Any]) -> float | None:
    value = attempt.get("score")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return 100 * float(value)


def _change(item_id: str, title: str, module: str,
            pairs: list[list[dict[str, Any]]]) -> RewriteChange:
    revised = [tries for tries in pairs if len(tries) >= 2]
    ends = [(tries[0], tries[-1]) for tries in revised]
    scored = [(_score(a), _score(b)) for a, b in ends]
    scored = [(a, b) for a, b in scored if a is not None and b is not None]
    return RewriteChange(
        item_id=item_id, title=title, module=module, wrote=len(pairs), revised=len(revised),
        first_score=_mean([a for a, _ in scored]), last_score=_mean([b for _, b in scored]),
        first_defensive=sum(bool(_extra(a).get("defensive")) for a, _ in ends),
        last_defensive=sum(bool(_extra(b).get("defensive")) for _, b in ends),
        first_markers=_mean([len(_kinds(_extra(a).get("markers"))) for a, _ in ends]),
        last_markers=_mean([len(_kinds(_extra(b).get("markers"))) for _, b in ends]),
        first_moves=_mean([len(_kinds(_extra(a).get("moves"))) for a, _ in ends]),
        last_moves=_mean([len(_kinds(_extra(b).get("moves"))) for _, b in ends]),
        improved=sum(b > a for a, b in scored), unchanged=sum(b == a for a, b in scored),
        worse=sum(b < a for a, b in scored))


def rewrite_progress(data: ClassData) -> list[RewriteChange]:
    """One row per rewrite item anyone attempted, in course order."""
    rewrites = _rewrites(data)
    rows = []
    for item_id, meta in data.items.items():
        pairs = [tries for (_student, item), tries in rewrites.items() if item == item_id]
        if pairs:
            rows.append(_change(item_id, str(meta.get("title") or item_id),
                                str(meta.get("module_title") or meta.get("module", "")), pairs))
    return rows


def rewrite_by_module(data: ClassData) -> list[RewriteChange]:
    """One row per module with rewrites anyone attempted, over its (student, item) pairs."""
    rewrites = _rewrites(data)
    rows = []
    for slug, title in data.modules:
        pairs = [tries for (_student, item), tries in rewrites.items()
                 if data.items[item].get("module") == slug]
        if pairs:
            rows.append(_change("", title, slug, pairs))
    return rows


def rewrite_overall(data: ClassData) -> RewriteChange:
    """Every (student, item) pair at once: the class's rewrites in one row."""
    return _change("", "All rewrite items", "", list(_rewrites(data).values()))



@dataclass(frozen=True)
class SkillMastery:
    """One skill of a module: how many students have mastered it, are practising it, or have
    not started (the practice rule, as in the gradebook's skill columns)."""

    module: str
    module_title: str
    skill: str
    name: str
    students: int
    mastered: int
    in_progress: int
    not_started: int


def skill_mastery(data: ClassData) -> list[SkillMastery]:
    """Every skill of every module that names skills, in course then module order."""
    rows = []
    for slug, title in data.modules:
        plan = data.skills.get(slug)
        if not plan:
            continue
        states = [module_skill_states(plan, data.submissions[s].get("attempts") or [])
                  for s in data.students]
        for n, skill in enumerate(plan[0]):
            status = Counter(student[n].status for student in states)
            rows.append(SkillMastery(
                module=slug, module_title=title, skill=skill.id, name=skill.name,
                students=len(states), mastered=status["mastered"],
                in_progress=status["in progress"], not_started=status["not started"]))
    return rows


@dataclass(frozen=True)
class ModuleDifficulty:
    """How hard a module's practice felt to the class, on the 0-10 self-rating."""

    module: str
    title: str
    students: int
    rated: int  # students who rated at least one attempt in the module
    mean: float | None  # the mean of those students' own means (the CSV column's mean)


def difficulty_by_module(data: ClassData) -> list[ModuleDifficulty]:
    """Each module with skills: the class mean of the gradebook's "mean difficulty" column.

    The mean of each student's mean, not of every rating pooled, so a student who rates every
    attempt weighs no more than one who rates a few, and the number is the one an instructor
    gets by averaging that column of the CSV."""
    rows = []
    for slug, title in data.modules:
        plan = data.skills.get(slug)
        if not plan:
            continue
        ids = [item.id for item in plan[1]]
        means = [m for s in data.students
                 if (m := mean_difficulty(data.submissions[s].get("attempts") or [], ids))
                 is not None]
        rows.append(ModuleDifficulty(module=slug, title=title, students=len(data.students),
                                     rated=len(means), mean=_mean(means)))
    return rows
