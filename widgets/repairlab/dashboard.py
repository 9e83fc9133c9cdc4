"""The class dashboard: what a folder of hand-ins says about the whole class.

Four views, each a plain table (a list of dataclasses) computed here and drawn by
:func:`show_dashboard` as a chart *and* an HTML table:

* :func:`completion_by_module` -- how many students have done all, some or none of each module;
* :func:`missed_items` -- the items most students get wrong on the first attempt or never solve;
* :func:`marker_use` -- the defensive markers found most often in students' rewrites;
* :func:`rewrite_progress` (per item), :func:`rewrite_by_module`, :func:`rewrite_overall` --
  how rewrites change from the first to the last attempt (score, defensive replies, markers,
  repair moves).

:func:`load_folder` reads the hand-ins with :mod:`repairlab.collect`, the same collector and
the same choice of one hand-in per student as the gradebook; a file it cannot use is listed in
``ClassData.skipped`` with the reason, never raised. Completion follows the grading rule
(:mod:`repairlab.grading`) so the dashboard and the CSV never disagree about who has finished
what.

Nothing here imports ipywidgets or matplotlib at import time: ``import repairlab`` stays fast
and the aggregation is usable (and testable) without Jupyter.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path
from typing import Any

from repairlab import timestamps
from repairlab.collect import ZIP_SUFFIX, HandIn, RenameError, Skipped, choose, collect
from repairlab.grading import SOLVED, outcome
from repairlab.wording import counted

__all__ = [
    "SOLVED",
    "ClassData",
    "ItemMiss",
    "MarkerUse",
    "ModuleCompletion",
    "RewriteChange",
    "Skipped",
    "completion_by_module",
    "dashboard_app",
    "load_folder",
    "marker_use",
    "missed_items",
    "rewrite_by_module",
    "rewrite_overall",
    "rewrite_progress",
    "show_dashboard",
]

log = logging.getLogger("repairlab.dashboard")

# Environment variables `repairlab dashboard` sets for the notebook's kernel.
SUBMISSIONS_ENV = "REPAIRLAB_SUBMISSIONS"
COURSE_ENV = "REPAIRLAB_COURSE_DIR"
NEWEST_ENV = "REPAIRLAB_NEWEST"  # "1": --newest
RENAMES_ENV = "REPAIRLAB_RENAMES"  # JSON {file: student id}: --rename
REWRITE = "rewrite-reply"


# --------------------------------------------------------------------------------------------
# Loading a folder


@dataclass
class ClassData:
    """The hand-ins of one class: one submission per student, and the files left out."""

    folder: Path
    curriculum_version: str | None
    course: str | None  # the course title recorded in the hand-ins
    items: dict[str, dict[str, Any]]  # item id -> {module, module_title, kind, title}, in order
    submissions: dict[str, dict[str, Any]]  # student -> the submission that counts, by name
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    chosen: dict[str, HandIn] = field(default_factory=dict)  # student -> the hand-in counted
    conflicts: list[str] = field(default_factory=list)  # one id, several progress files: not shown

    @property
    def students(self) -> list[str]:
        return list(self.submissions)

    @property
    def modules(self) -> list[tuple[str, str]]:
        """(slug, title) in course order."""
        found: dict[str, str] = {}
        for meta in self.items.values():
            found.setdefault(str(meta.get("module", "")), str(meta.get("module_title") or ""))
        return [(slug, title or slug) for slug, title in found.items()]

    def module_items(self, slug: str) -> list[str]:
        return [i for i, meta in self.items.items() if meta.get("module") == slug]

    def attempts_by_item(self, student: str) -> dict[str, list[dict[str, Any]]]:
        """item id -> the student's attempts at it, oldest first (items of the course only).

        Attempts at items the course no longer lists are left out, as in the gradebook.
        """
        by_item: dict[str, list[dict[str, Any]]] = {}
        for attempt in self.submissions[student].get("attempts") or []:
            item_id = attempt.get("item_id")
            if item_id in self.items:
                by_item.setdefault(item_id, []).append(attempt)
        return by_item


def load_folder(
    folder: str | os.PathLike[str],
    *,
    curriculum_version: str | None = None,
    items: Mapping[str, Mapping[str, Any]] | None = None,
    newest: bool = False,
    renames: Mapping[str, str] | None = None,
) -> ClassData:
    """Read every hand-in under ``folder``; never raises for a bad file.

    The files are read by :func:`repairlab.collect.collect` and one hand-in per student chosen
    by :func:`repairlab.collect.choose`, exactly as ``repairlab gradebook`` does: sub-folders
    and zip files are read too, and a file left out is listed in ``skipped`` with the reason
    (not a hand-in, changed after download, another curriculum version than
    ``curriculum_version``). Without ``curriculum_version`` the version most hand-ins were made
    for is used (so totals are never mixed across versions). Hand-ins with one student id from
    different progress files are listed in ``conflicts`` and that student is not shown, unless
    ``newest``; ``renames`` counts a file as another student id (both as in the gradebook; a
    rename that finds no file raises :class:`repairlab.collect.RenameError`).

    ``items`` (item id -> {module, module_title, kind, title}, in course order, e.g.
    :func:`repairlab.coursework.item_index`) fixes the modules and items; without it they are
    taken from the hand-ins themselves, which each carry the course's item list.

    ``folder`` may also be a zip file (an LMS's bulk download, not unzipped). Raises
    ``NotADirectoryError`` only when ``folder`` is neither a folder nor a zip file.
    """
    root = Path(folder).expanduser()
    if not is_folder_or_zip(root):
        raise NotADirectoryError(f"{root} is not a folder. Give the folder the hand-ins were "
                                 "downloaded to (or the zip file of them).")
    found = collect([root], relative_to=root if root.is_dir() else root.parent)
    choice = choose(found.handins, curriculum_version=curriculum_version, newest=newest,
                    renames=renames)
    submissions = {student: handin.submission for student, handin in choice.chosen.items()}
    if items is not None:
        index = {str(k): dict(v) for k, v in items.items()}
    else:
        index = _items_from(submissions.values())
    course = next((s.get("course") for s in sorted(
        submissions.values(), key=_created, reverse=True)), None)
    skipped = sorted([*found.skipped, *choice.skipped], key=lambda s: s.name)
    return ClassData(folder=root, curriculum_version=choice.version, course=course, items=index,
                     submissions=submissions, skipped=skipped, notes=choice.notes,
                     chosen=choice.chosen, conflicts=choice.conflicts)


def is_folder_or_zip(path: Path) -> bool:
    return path.is_dir() or (path.is_file() and path.suffix.lower() == ZIP_SUFFIX)


def _created(submission: Mapping[str, Any]):
    return timestamps.newest_first_key(submission.get("created_at"))


def _items_from(submissions: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The item list of the newest hand-in, then any item only older ones list."""
    index: dict[str, dict[str, Any]] = {}
    for submission in sorted(submissions, key=_created, reverse=True):
        for item_id, meta in (submission.get("items") or {}).items():
            if item_id not in index and isinstance(meta, Mapping):
                index[item_id] = dict(meta)
    return index


# --------------------------------------------------------------------------------------------
# The four views


def _percent(part: float, whole: float) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


@dataclass(frozen=True)
class ModuleCompletion:
    """One module: how much of it the class has done (the gradebook's completion rule)."""

    module: str
    title: str
    items: int
    students: int
    mean_completion: float | None  # percent of the module's items, averaged over students
    all_done: int  # students who completed every item
    some_done: int  # at least one item, not all
    none_done: int


def completion_by_module(data: ClassData) -> list[ModuleCompletion]:
    rows = []
    attempts = {s: data.submissions[s].get("attempts") or [] for s in data.students}
    for slug, title in data.modules:
        ids = data.module_items(slug)
        done = [outcome(attempts[s], ids).completed for s in data.students]
        rows.append(ModuleCompletion(
            module=slug, title=title, items=len(ids), students=len(done),
            mean_completion=_mean([100 * d / len(ids) for d in done]) if ids else None,
            all_done=sum(1 for d in done if ids and d == len(ids)),
            some_done=sum(1 for d in done if 0 < d < len(ids)),
            none_done=sum(1 for d in done if d == 0)))
    return rows


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
            never_solved=never, first_wrong_percent=_percent(first_wrong, tried),
            never_solved_percent=_percent(never, tried)))
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
        return _percent(self.first_defensive, self.revised)

    @property
    def last_defensive_percent(self) -> float | None:
        return _percent(self.last_defensive, self.revised)


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


# --------------------------------------------------------------------------------------------
# Charts (matplotlib, imported only here) and their tables

# Okabe & Ito's palette: distinguishable with every common colour-vision deficiency. Each
# series also differs by hatch or marker shape, so no chart relies on colour alone.
BLUE, ORANGE, VERMILLION, SKY, GREEN = "#0072B2", "#E69F00", "#D55E00", "#56B4E9", "#009E73"
GREY = "#DDDDDD"
TEXT = "#1f2328"
MAX_MISSED_IN_CHART = 10

_RC = {
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "axes.edgecolor": "#6e7781",
    "axes.labelcolor": TEXT,
    "text.color": TEXT,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "hatch.linewidth": 0.8,
    # Stable ids in the SVG, so the same data gives the same picture (and widget state).
    "svg.hashsalt": "repairlab-dashboard",
}


def _wrap(text: str, width: int = 30, lines: int = 2) -> str:
    return textwrap.fill(text, width, max_lines=lines, placeholder="…")


def _new_figure(rows: int, *, width: float = 8.0, per_row: float = 0.55, extra: float = 1.2):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # A Figure with its own Agg canvas, not pyplot: no global backend switch in the kernel,
    # nothing shown twice by the inline backend, and no figures kept alive by pyplot.
    figure = Figure(figsize=(width, extra + per_row * max(rows, 1)), layout="constrained",
                    facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def _svg_data_uri(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _render(draw, *args) -> str:
    import matplotlib

    with matplotlib.rc_context(_RC):
        return _svg_data_uri(draw(*args))


def _finish_axis(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_axisbelow(True)
    ax.grid(axis="x", color="#d0d7de", linewidth=0.8)


def _legend(figure, handles, labels, columns: int = 3) -> None:
    # Below the plot, so it never covers a bar (constrained layout makes room). The charts
    # carry no title: the section heading above each one is its title, for everyone.
    figure.legend(handles, labels, loc="outside lower left", ncols=columns, frameon=False)


def _count_axis(ax, most: int, label: str) -> None:
    """Whole-number ticks up to ``most`` only; the room beyond is for the bar-end labels."""
    from matplotlib.ticker import MaxNLocator

    most = max(most, 1)
    ax.set_xlim(0, most * 1.18 + 0.3)
    ax.set_xticks([t for t in MaxNLocator(integer=True).tick_values(0, most) if 0 <= t <= most])
    ax.set_xlabel(label)


def _label_end(ax, x: float, y: float, text: str) -> None:
    ax.annotate(text, (x, y), xytext=(4, 0), textcoords="offset points", va="center",
                fontsize=9)


def _completion_chart(rows: list[ModuleCompletion]):
    figure = _new_figure(len(rows))
    ax = figure.add_subplot()
    y = range(len(rows))
    left = [0] * len(rows)
    series = [("All items done", "all_done", BLUE, "", "white"),
              ("Some items done", "some_done", ORANGE, "//", TEXT),
              ("None done yet", "none_done", GREY, "", TEXT)]
    for name, attr, colour, hatch, ink in series:
        values = [getattr(r, attr) for r in rows]
        bars = ax.barh(y, values, left=left, color=colour, hatch=hatch, edgecolor="#444444",
                       linewidth=0.6, label=name)
        for bar, value, row in zip(bars, values, rows, strict=True):
            if value and value / max(row.students, 1) >= 0.08:
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2,
                        str(value), ha="center", va="center", color=ink, fontweight="bold",
                        bbox={"facecolor": colour, "edgecolor": "none", "pad": 1.5})
        left = [a + b for a, b in zip(left, values, strict=True)]
    for bar_end, row, at in zip(left, rows, y, strict=True):
        _label_end(ax, bar_end, at, f"mean {_fmt_percent(row.mean_completion)}")
    ax.set_yticks(list(y), [_wrap(r.title, 32) for r in rows])
    ax.invert_yaxis()  # course order, top to bottom
    _count_axis(ax, max(left), "Students")
    _finish_axis(ax)
    _legend(figure, *ax.get_legend_handles_labels())
    return figure


def _missed_chart(rows: list[ItemMiss]):
    figure = _new_figure(len(rows), per_row=0.8)
    ax = figure.add_subplot()
    height = 0.38
    ys = list(range(len(rows)))
    first = ax.barh([y - height / 2 for y in ys], [r.first_wrong_percent or 0 for r in rows],
                    height, color=VERMILLION, edgecolor="#444444", linewidth=0.6,
                    label="Wrong on the first attempt")
    never = ax.barh([y + height / 2 for y in ys], [r.never_solved_percent or 0 for r in rows],
                    height, color=SKY, hatch="//", edgecolor="#444444", linewidth=0.6,
                    label="Never solved")
    for bars in (first, never):
        for bar in bars:
            _label_end(ax, bar.get_width(), bar.get_y() + bar.get_height() / 2,
                       f"{bar.get_width():.0f}%")
    ax.set_yticks(ys, [f"{_wrap(r.title, 34, 1)}\n{r.item_id} · {r.tried} tried" for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, 112)
    ax.set_xticks(range(0, 101, 20), [f"{v}%" for v in range(0, 101, 20)])
    ax.set_xlabel("Share of the students who tried the item")
    _finish_axis(ax)
    _legend(figure, *ax.get_legend_handles_labels(), columns=2)
    return figure


def _marker_chart(rows: list[MarkerUse]):
    figure = _new_figure(len(rows), per_row=0.5)
    ax = figure.add_subplot()
    ys = list(range(len(rows)))
    bars = ax.barh(ys, [r.students for r in rows], color=VERMILLION, edgecolor="#444444",
                   linewidth=0.6)
    for bar, row in zip(bars, rows, strict=True):
        _label_end(ax, bar.get_width(), bar.get_y() + bar.get_height() / 2,
                   f"{row.students} of {row.writers}")
    ax.set_yticks(ys, [_wrap(r.label, 34) for r in rows])
    ax.invert_yaxis()
    _count_axis(ax, max(r.writers for r in rows),
                "Students whose rewrites contained it at least once")
    _finish_axis(ax)
    return figure


def _rewrite_chart(rows: list[RewriteChange]):
    figure = _new_figure(len(rows), width=9.0, per_row=0.75, extra=1.5)
    score_ax, defensive_ax = figure.subplots(1, 2, sharey=True, width_ratios=[3, 2])
    ys = list(range(len(rows)))
    panels = [(score_ax, "Mean score", lambda r: (r.first_score, r.last_score)),
              (defensive_ax, "Replies still defensive",
               lambda r: (r.first_defensive_percent, r.last_defensive_percent))]
    for ax, title, values in panels:
        for y, row in zip(ys, rows, strict=True):
            start, end = values(row)
            if start is not None and end is not None:
                ax.annotate("", xy=(end, y), xytext=(start, y),
                            arrowprops={"arrowstyle": "-|>", "color": "#6e7781", "lw": 1.2,
                                        "shrinkA": 5, "shrinkB": 6})
        pairs = [(values(r), y) for y, r in zip(ys, rows, strict=True)]
        firsts = [(start, y) for (start, _end), y in pairs if start is not None]
        lasts = [(end, y) for (_start, end), y in pairs if end is not None]
        ax.scatter([x for x, _ in firsts], [y for _, y in firsts], marker="o", s=70,
                   color=ORANGE, edgecolor="#444444", zorder=3, label="First attempt")
        ax.scatter([x for x, _ in lasts], [y for _, y in lasts], marker="s", s=70,
                   color=BLUE, edgecolor="#444444", zorder=3, label="Last attempt")
        ax.set_xlim(-5, 105)
        ax.set_xticks(range(0, 101, 25), [f"{v}%" for v in range(0, 101, 25)])
        ax.set_title(title, loc="left", fontsize=11)
        _finish_axis(ax)
    score_ax.set_yticks(ys, [f"{_wrap(r.title, 30)}\n{r.revised} revised" for r in rows])
    score_ax.set_ylim(len(rows) - 0.5, -0.5)  # first row on top
    if len(rows) > 1:  # the last row is the whole class: set it apart
        for ax in (score_ax, defensive_ax):
            ax.axhline(len(rows) - 1.5, color="#6e7781", linewidth=0.8, linestyle="--")
    _legend(figure, *score_ax.get_legend_handles_labels(), columns=2)
    return figure


# -- HTML ------------------------------------------------------------------------------------

_STYLE = """<style>
/* Only the dashboard page carries this style: charts and wide tables want more than the
   course's reading column. */
#rl-main { max-width: 72rem; }
.rl-dash { width: 100%; }
.rl-dash h2 { margin-top: 2rem; }
.rl-dash figure { margin: 1rem 0 0.5rem; }
.rl-dash figure img { display: block; max-width: 100%; height: auto; background: #fff;
  border-radius: 6px; }
.rl-dash figcaption { font-size: 0.95rem; color: var(--rl-muted, #525a63); margin-top: .35rem; }
.rl-dash .rl-table-wrap { overflow-x: auto; margin: 0.5rem 0 1rem; }
.rl-dash table { border-collapse: collapse; font-size: 0.95rem; }
.rl-dash caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
.rl-dash th, .rl-dash td { border: 1px solid var(--rl-rule, #d0d7de); padding: 0.3rem 0.55rem;
  text-align: left; vertical-align: top; }
.rl-dash td.rl-num { text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
.rl-dash thead th { background: var(--rl-surface, #f5f7fa); }
.rl-dash tfoot th, .rl-dash tfoot td { font-weight: 600; }
.rl-dash .rl-skipped li { margin: 0.3rem 0; }
</style>"""


def _fmt_percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%"


def _fmt_number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _students(count: int) -> str:
    return counted(count, "student")


def _count_share(count: int, whole: int) -> str:
    share = _percent(count, whole)
    return f"{count}" if share is None else f"{count} ({_fmt_percent(share)})"


def _table(caption: str, header: list[str], rows: list[list[str]],
           footer: list[str] | None = None, *, text_columns: int = 1) -> str:
    """An accessible table: caption, column and row headers. Cells are already escaped.

    The first column is the row header; the first ``text_columns`` columns are text, the
    rest numbers (aligned right, so they compare down the column).
    """
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)

    def row_html(cells: list[str]) -> str:
        first, *rest = cells
        body = "".join(f"<td>{c}</td>" if n < text_columns else f'<td class="rl-num">{c}</td>'
                       for n, c in enumerate(rest, start=1))
        return f'<tr><th scope="row">{first}</th>{body}</tr>'

    parts = [f'<div class="rl-table-wrap" role="region" tabindex="0" '
             f'aria-label="{escape(caption)}"><table><caption>{escape(caption)}</caption>',
             f"<thead><tr>{head}</tr></thead><tbody>",
             *(row_html(r) for r in rows), "</tbody>"]
    if footer:
        parts.append(f"<tfoot>{row_html(footer)}</tfoot>")
    parts.append("</table></div>")
    return "".join(parts)


def _figure_html(uri: str, alt: str, caption: str) -> str:
    return (f'<figure><img src="{uri}" alt="{escape(alt)}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def _section(heading: str, intro: str, body: str) -> str:
    return f"<section><h2>{escape(heading)}</h2><p>{escape(intro)}</p>{body}</section>"


def completion_html(rows: list[ModuleCompletion], *, chart: bool = True) -> str:
    intro = ("Completed means at least one attempt that was not marked incorrect, the "
             "gradebook's rule.")
    if not rows or not rows[0].students:
        return _section("Completion per module", intro, "<p>No hand-ins to show yet.</p>")
    students = rows[0].students
    summary = "; ".join(f"{r.title}: {r.all_done} all done, {r.some_done} some, "
                        f"{r.none_done} none, mean completion {_fmt_percent(r.mean_completion)}"
                        for r in rows)
    alt = (f"Stacked bar chart: for each module, how many of the {_students(students)} have done "
           f"all, some or none of its items. {summary}.")
    table = _table(
        f"Completion per module ({_students(students)})",
        ["Module", "Items", "Mean completion", "All items done", "Some done", "None done yet"],
        [[escape(r.title), str(r.items), _fmt_percent(r.mean_completion),
          _count_share(r.all_done, r.students), _count_share(r.some_done, r.students),
          _count_share(r.none_done, r.students)] for r in rows])
    figure = _figure_html(_render(_completion_chart, rows), alt,
                          "Modules in course order. The table below gives the same numbers.")
    return _section("Completion per module", intro, (figure if chart else "") + table)


def missed_html(rows: list[ItemMiss], *, chart: bool = True) -> str:
    intro = ("Solved means marked correct or good, or a reflection submitted. Shares are of "
             "the students who tried the item.")
    header = ["Item", "Module", "Kind", "Tried", "Wrong first time", "Never solved", "Not tried"]

    def table(caption: str, chosen: list[ItemMiss]) -> str:
        return _table(caption, header, [
            [f"{escape(r.title)} <small>({escape(r.item_id)})</small>", escape(r.module_title),
             escape(r.kind.replace("-", " ").capitalize()), str(r.tried),
             _count_share(r.first_wrong, r.tried), _count_share(r.never_solved, r.tried),
             str(r.not_tried)] for r in chosen], text_columns=3)

    # Every item can run to hundreds of rows: folded away, under the chart's own table.
    every = (f"<details><summary>Every item ({len(rows)}), most missed first</summary>"
             f"{table('Every item, most missed first', rows)}</details>")
    shown = [r for r in rows if r.tried and (r.first_wrong or r.never_solved)]
    if not shown:
        return _section("Items students miss most", intro,
                        "<p>No item has been missed yet.</p>" + every)
    top = shown[:MAX_MISSED_IN_CHART]
    lead = top[0]
    alt = (f"Bar chart of the {len(top)} items missed most. The most missed is "
           f"{lead.title}: wrong on the first attempt for {_fmt_percent(lead.first_wrong_percent)}"
           f" of the {_students(lead.tried)} who tried it, never solved by "
           f"{_fmt_percent(lead.never_solved_percent)}. "
           # The next two only: alt text is a summary, and the table right below has all.
           + " ".join(f"Next, {r.title}: {_fmt_percent(r.first_wrong_percent)} wrong first, "
                      f"{_fmt_percent(r.never_solved_percent)} never solved." for r in top[1:3]))
    figure = _figure_html(_render(_missed_chart, top), alt,
                          f"The {len(top)} most missed items; the table below gives the same "
                          "numbers.")
    return _section("Items students miss most", intro,
                    (figure if chart else "") + table(f"The {len(top)} most missed items", top)
                    + every)


def markers_html(rows: list[MarkerUse], *, chart: bool = True) -> str:
    intro = ("Defensive markers the reply assessor found in students' rewritten replies. "
             "First and last count each student's first and last reply to each item.")
    if not rows:
        return _section("Defensive markers in rewrites", intro,
                        "<p>No defensive markers in any rewrite yet.</p>")
    writers = rows[0].writers
    alt = (f"Bar chart of the defensive markers in rewrites, by how many of the "
           f"{_students(writers)} who wrote rewrites used each. "
           + " ".join(f"{r.label}: {_students(r.students)}." for r in rows))
    table = _table(
        f"Defensive markers ({_students(writers)} wrote rewrites)",
        ["Marker", "Students", "Replies with it", "Times found", "In first replies",
         "In last replies"],
        [[escape(r.label), _count_share(r.students, r.writers), str(r.attempts), str(r.uses),
          str(r.in_first), str(r.in_last)] for r in rows])
    figure = _figure_html(_render(_marker_chart, rows), alt,
                          "Most widespread first. The table below gives the same numbers.")
    return _section("Defensive markers in rewrites", intro, (figure if chart else "") + table)


def rewrites_html(items: list[RewriteChange], modules: list[RewriteChange],
                  overall: RewriteChange, *, chart: bool = True) -> str:
    intro = ("For students who rewrote a reply more than once: their first reply against their "
             "last. The score is the share of the item's must-include repair moves, 0 while the "
             "reply still reads as defensive.")
    if not items:
        return _section("How rewrites change", intro, "<p>No rewrites handed in yet.</p>")
    header = ["Wrote", "Revised", "Score", "Defensive", "Markers per reply",
              "Moves per reply", "Better / same / worse"]

    def cells(r: RewriteChange) -> list[str]:
        return [str(r.wrote), str(r.revised),
                f"{_fmt_percent(r.first_score)} → {_fmt_percent(r.last_score)}",
                f"{_fmt_percent(r.first_defensive_percent)} → "
                f"{_fmt_percent(r.last_defensive_percent)}",
                f"{_fmt_number(r.first_markers)} → {_fmt_number(r.last_markers)}",
                f"{_fmt_number(r.first_moves)} → {_fmt_number(r.last_moves)}",
                f"{r.improved} / {r.unchanged} / {r.worse}"]

    by_module = _table(
        "Rewrites by module, first reply → last reply (student × item pairs; means over the "
        "revised)", ["Module", *header], [[escape(r.title), *cells(r)] for r in modules],
        footer=["All modules", *cells(overall)])
    by_item = (f"<details><summary>Every rewrite item ({len(items)})</summary>" + _table(
        "Rewrites by item, first reply → last reply (means over the students who revised)",
        ["Item", "Module", *header],
        [[escape(r.title), escape(r.module), *cells(r)] for r in items], text_columns=2)
        + "</details>")
    revised = [r for r in modules if r.revised]
    if not revised:
        return _section("How rewrites change", intro,
                        "<p>No student has revised a rewrite yet.</p>" + by_module + by_item)
    total = replace(overall, title="All modules")
    rows = revised + ([total] if len(revised) > 1 else [])
    alt = (f"Dot chart with arrows from first to last attempt, per module: mean rewrite score on "
           f"the left, share of replies still defensive on the right. Over all "
           f"{overall.revised} revised rewrites the mean score went from "
           f"{_fmt_percent(overall.first_score)} to {_fmt_percent(overall.last_score)} and "
           f"defensive replies from {_fmt_percent(overall.first_defensive_percent)} to "
           f"{_fmt_percent(overall.last_defensive_percent)}. "
           + " ".join(f"{r.title}: score {_fmt_percent(r.first_score)} to "
                      f"{_fmt_percent(r.last_score)}, defensive "
                      f"{_fmt_percent(r.first_defensive_percent)} to "
                      f"{_fmt_percent(r.last_defensive_percent)}." for r in revised))
    figure = _figure_html(_render(_rewrite_chart, rows), alt,
                          "Circles: first attempt; squares: last attempt. Modules in course "
                          "order, all modules last. The table below gives the same numbers.")
    return _section("How rewrites change", intro,
                    (figure if chart else "") + by_module + by_item)


def _files_html(data: ClassData) -> str:
    parts = []
    if data.conflicts:
        items = "".join(f"<li>{escape(c)}</li>" for c in data.conflicts)
        ids = counted(len(data.conflicts), "student id")
        parts.append(f'<div class="rl-notice" role="alert"><p><strong>'
                     f"{ids} not shown</strong>: their hand-ins came from more than one "
                     f"progress file, and may be more than one student's work. The gradebook "
                     f'writes nothing until this is settled.</p><ul class="rl-conflicts">'
                     f"{items}</ul></div>")
    if data.skipped:
        items = "".join(f"<li><strong>{escape(s.name)}</strong> {escape(s.reason)}</li>"
                        for s in data.skipped)
        parts.append(f'<div class="rl-notice" role="note"><p><strong>'
                     f"{counted(len(data.skipped), 'file')} left out</strong> (everything else is shown):</p>"
                     f'<ul class="rl-skipped">{items}</ul></div>')
    if data.notes:
        items = "".join(f"<li>{escape(n)}</li>" for n in data.notes)
        parts.append(f'<div class="rl-notice" role="note"><ul>{items}</ul></div>')
    return "".join(parts)


def dashboard_html(data: ClassData, *, charts: bool = True) -> str:
    """The whole dashboard as one HTML fragment (charts as images with alt text, and tables)."""
    course = f"{escape(data.course)}, " if data.course else ""
    version = (f"curriculum version {escape(data.curriculum_version)}"
               if data.curriculum_version else "no curriculum version")
    head = (f'<p class="rl-dash-summary"><strong>{_students(len(data.students))}</strong> · '
            f"{course}{version} · from {escape(str(data.folder))}</p>")
    parts = [_STYLE, '<div class="rl-dash">', head, _files_html(data)]
    if data.students:
        parts += [completion_html(completion_by_module(data), chart=charts),
                  missed_html(missed_items(data), chart=charts),
                  markers_html(marker_use(data), chart=charts),
                  rewrites_html(rewrite_progress(data), rewrite_by_module(data),
                                rewrite_overall(data), chart=charts)]
    else:
        parts.append("<p>No usable hand-ins in this folder yet.</p>")
    parts.append("</div>")
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# The notebook's widget

PAGE_TROUBLE = ("The dashboard could not be shown. The details are in the server log; "
                "run `repairlab gradebook` on the same folder to check the files.")


def _course_items(course_dir: str | os.PathLike[str] | None):
    """(curriculum version, item index, problem) from the course folder, if one is given.

    Only an explicit folder counts: the notebook ships inside the package, and searching up
    from there could find an unrelated course (a RepairLab checkout, in development).
    """
    if not course_dir:
        return None, None, None
    try:
        from .content.course import load_course
        from .coursework import item_index

        course, _problems = load_course(Path(course_dir))
    except Exception:
        log.exception("could not load the course at %s", course_dir)
        course = None
    if course is None:
        return None, None, (f"The course at {course_dir} could not be loaded (run `repairlab "
                            "check`), so the items listed in the hand-ins are used.")
    return course.version, item_index(course), None


def choice_from_env() -> tuple[bool, dict[str, str]]:
    """(newest, renames) as `repairlab dashboard --newest --rename FILE=ID` passed them."""
    newest = os.environ.get(NEWEST_ENV, "").strip() == "1"
    try:
        renames = json.loads(os.environ.get(RENAMES_ENV, "") or "{}")
    except ValueError:
        log.error("%s is not JSON; no file is renamed", RENAMES_ENV)
        renames = {}
    if not isinstance(renames, dict):
        renames = {}
    return newest, {str(k): str(v) for k, v in renames.items()}


def _load_view(folder: str, course_dir) -> tuple[str, str]:
    """(dashboard HTML, status sentence) for a folder; problems become notices, not errors."""
    from .views.html import notice_html

    path = Path(folder).expanduser()
    if not is_folder_or_zip(path):
        message = f"There is no folder {path}. Check the path and try again."
        return notice_html(message), message
    version, items, problem = _course_items(course_dir)
    newest, renames = choice_from_env()
    try:
        data = load_folder(path, curriculum_version=version, items=items, newest=newest,
                           renames=renames)
    except RenameError as error:
        return notice_html(str(error)), str(error)
    page = (notice_html(problem) if problem else "") + dashboard_html(data)
    shown = counted(len(data.students), "student's hand-in", "students' hand-ins")
    status = (f"Showing {shown}"
              + (f"; {counted(len(data.skipped), 'file')} left out" if data.skipped else "")
              + (f"; {counted(len(data.conflicts), 'student id')} not shown"
                 if data.conflicts else "")
              + ".")
    return page, status


def dashboard_app(folder: str | os.PathLike[str] | None = None, *,
                  course_dir: str | os.PathLike[str] | None = None):
    """The dashboard widget: the folder from ``folder`` or $REPAIRLAB_SUBMISSIONS, else a
    folder box and a Load button. The course (for versions and item titles) from
    ``course_dir`` or $REPAIRLAB_COURSE_DIR, if either is set."""
    import ipywidgets as widgets

    folder = folder or os.environ.get(SUBMISSIONS_ENV, "").strip() or None
    course_dir = course_dir or os.environ.get(COURSE_ENV, "").strip() or None

    # repairlab.js makes .repairlab-feedback a polite live region: loading is announced.
    status = widgets.HTML("")
    status.add_class("repairlab-feedback")
    body = widgets.HTML("", layout=widgets.Layout(width="100%"))
    path_box = widgets.Text(value=str(folder or ""), description="Hand-in folder",
                            placeholder="e.g. /home/me/Downloads/handins",
                            style={"description_width": "initial"},
                            layout=widgets.Layout(width="100%", max_width="40rem"))
    load = widgets.Button(description="Load" if folder is None else "Read the folder again",
                          button_style="primary", layout=widgets.Layout(width="auto"))

    def show(_button=None) -> None:
        target = path_box.value.strip()
        if not target:
            status.value = "<p>Type the path of the folder with the hand-ins, then Load.</p>"
            return
        status.value = "<p>Reading the hand-ins…</p>"
        try:
            body.value, message = _load_view(target, course_dir)
        except Exception:
            log.exception("the dashboard for %s failed", target)
            from .views.html import notice_html

            body.value, message = notice_html(PAGE_TROUBLE), PAGE_TROUBLE
        status.value = f"<p>{escape(message, quote=False)}</p>"
        load.description = "Read the folder again"

    load.on_click(show)
    if folder is not None:
        # Served by `repairlab dashboard`: the folder is fixed, so no box to retype it in.
        path_box.layout.display = "none"
        show()
    return widgets.VBox([widgets.HBox([path_box, load]), status, body],
                        layout=widgets.Layout(width="100%"))


def show_dashboard(folder: str | os.PathLike[str] | None = None, *,
                   course_dir: str | os.PathLike[str] | None = None) -> None:
    """Display the dashboard (the one line of the dashboard notebook)."""
    from IPython.display import display

    try:
        display(dashboard_app(folder, course_dir=course_dir))
    except Exception:
        log.exception("show_dashboard failed")
        import ipywidgets as widgets

        from .views.html import notice_html

        display(widgets.HTML(notice_html(PAGE_TROUBLE)))
