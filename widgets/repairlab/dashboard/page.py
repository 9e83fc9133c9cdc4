"""The dashboard as one HTML fragment: each statistic as a chart (with alt text) and a table.
Everything from a hand-in or a file name is escaped here."""

from __future__ import annotations

from dataclasses import replace
from html import escape

from repairlab.wording import counted

from .charts import (
    MAX_MISSED_IN_CHART,
    completion_chart,
    marker_chart,
    missed_chart,
    render,
    rewrite_chart,
)
from .loading import ClassData
from .statistics import (
    DiaryKept,
    ItemMiss,
    MarkerUse,
    ModuleCompletion,
    ModuleDifficulty,
    RewriteChange,
    SkillMastery,
    completion_by_module,
    diaries_by_module,
    difficulty_by_module,
    fmt_number,
    fmt_percent,
    marker_use,
    missed_items,
    percent,
    rewrite_by_module,
    rewrite_overall,
    rewrite_progress,
    skill_mastery,
)

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


def _students(count: int) -> str:
    return counted(count, "student")


def _count_share(count: int, whole: int) -> str:
    share = percent(count, whole)
    return f"{count}" if share is None else f"{count} ({fmt_percent(share)})"


def table_html(caption: str, header: list[str], rows: list[list[str]],
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


def _counts(row: ModuleCompletion) -> str:
    return counted(row.skills, "skill") if row.skills else counted(row.items, "item")


def completion_html(rows: list[ModuleCompletion], *, chart: bool = True) -> str:
    intro = ("Completion is the gradebook's: the share of a module's skills mastered, by the "
             "practice rule, where the module names skills; otherwise the share of its items "
             "done (at least one attempt not marked incorrect). Attempted is always the share "
             "of items done. First-try accuracy is the share of the items a student tried "
             "that their first judged attempt solved, averaged over the students who tried "
             "one.")
    if not rows or not rows[0].students:
        return _section("Completion per module", intro, "<p>No hand-ins to show yet.</p>")
    students = rows[0].students
    summary = "; ".join(f"{r.title}: {r.all_done} all done, {r.some_done} some, "
                        f"{r.none_done} none, mean completion {fmt_percent(r.mean_completion)}"
                        for r in rows)
    alt = (f"Stacked bar chart: for each module, how many of the {_students(students)} have "
           f"completed all, some or none of it. {summary}.")
    table = table_html(
        f"Completion per module ({_students(students)})",
        ["Module", "Completion counts", "Mean completion", "Mean attempted",
         "Mean first-try accuracy", "All done", "Some done", "None done yet"],
        [[escape(r.title), _counts(r), fmt_percent(r.mean_completion),
          fmt_percent(r.mean_attempted), fmt_percent(r.mean_first_try),
          _count_share(r.all_done, r.students),
          _count_share(r.some_done, r.students), _count_share(r.none_done, r.students)]
         for r in rows], text_columns=2)
    figure = _figure_html(render(completion_chart, rows), alt,
                          "Modules in course order. The table below gives the same numbers.")
    return _section("Completion per module", intro, (figure if chart else "") + table)


def diaries_html(rows: list[DiaryKept]) -> str:
    intro = ("Which students kept a practice diary for each module (the gradebook's diary "
             "columns). What they wrote is in each student's hand-in.")
    counts = table_html(
        f"Practice diaries kept ({_students(rows[0].students if rows else 0)})",
        ["Module", "Kept a diary"],
        [[escape(r.title), _count_share(len(r.kept_by), r.students)] for r in rows])
    # Names can run to hundreds: folded away, as the every-item list is.
    names = "".join(
        f"<details><summary>Who kept one: {escape(r.title)} ({len(r.kept_by)})</summary>"
        + (f'<ul class="rl-diarists">{"".join(f"<li>{escape(s)}</li>" for s in r.kept_by)}</ul>'
           if r.kept_by else "<p>Nobody yet.</p>") + "</details>"
        for r in rows)
    return _section("Practice diaries", intro, counts + names)


def missed_html(rows: list[ItemMiss], *, chart: bool = True) -> str:
    intro = ("Solved means marked correct or good, or a reflection submitted. Shares are of "
             "the students who tried the item.")
    header = ["Item", "Module", "Kind", "Tried", "Wrong first time", "Never solved", "Not tried"]

    def table(caption: str, chosen: list[ItemMiss]) -> str:
        return table_html(caption, header, [
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
           f"{lead.title}: wrong on the first attempt for {fmt_percent(lead.first_wrong_percent)}"
           f" of the {_students(lead.tried)} who tried it, never solved by "
           f"{fmt_percent(lead.never_solved_percent)}. "
           # The next two only: alt text is a summary, and the table right below has all.
           + " ".join(f"Next, {r.title}: {fmt_percent(r.first_wrong_percent)} wrong first, "
                      f"{fmt_percent(r.never_solved_percent)} never solved." for r in top[1:3]))
    figure = _figure_html(render(missed_chart, top), alt,
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
    table = table_html(
        f"Defensive markers ({_students(writers)} wrote rewrites)",
        ["Marker", "Students", "Replies with it", "Times found", "In first replies",
         "In last replies"],
        [[escape(r.label), _count_share(r.students, r.writers), str(r.attempts), str(r.uses),
          str(r.in_first), str(r.in_last)] for r in rows])
    figure = _figure_html(render(marker_chart, rows), alt,
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
                f"{fmt_percent(r.first_score)} → {fmt_percent(r.last_score)}",
                f"{fmt_percent(r.first_defensive_percent)} → "
                f"{fmt_percent(r.last_defensive_percent)}",
                f"{fmt_number(r.first_markers)} → {fmt_number(r.last_markers)}",
                f"{fmt_number(r.first_moves)} → {fmt_number(r.last_moves)}",
                f"{r.improved} / {r.unchanged} / {r.worse}"]

    by_module = table_html(
        "Rewrites by module, first reply → last reply (student × item pairs; means over the "
        "revised)", ["Module", *header], [[escape(r.title), *cells(r)] for r in modules],
        footer=["All modules", *cells(overall)])
    by_item = (f"<details><summary>Every rewrite item ({len(items)})</summary>" + table_html(
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
           f"{fmt_percent(overall.first_score)} to {fmt_percent(overall.last_score)} and "
           f"defensive replies from {fmt_percent(overall.first_defensive_percent)} to "
           f"{fmt_percent(overall.last_defensive_percent)}. "
           + " ".join(f"{r.title}: score {fmt_percent(r.first_score)} to "
                      f"{fmt_percent(r.last_score)}, defensive "
                      f"{fmt_percent(r.first_defensive_percent)} to "
                      f"{fmt_percent(r.last_defensive_percent)}." for r in revised))
    figure = _figure_html(render(rewrite_chart, rows), alt,
                          "Circles: first attempt; squares: last attempt. Modules in course "
                          "order, all modules last. The table below gives the same numbers.")
    return _section("How rewrites change", intro,
                    (figure if chart else "") + by_module + by_item)


def skills_html(rows: list[SkillMastery], difficulty: list[ModuleDifficulty]) -> str:
    intro = ("Each skill a module trains, by the practice rule the students' practice mode and "
             "the gradebook's skill columns use: mastered once its criterion is met at the top "
             "level. Difficulty is how hard the students said an attempt felt, 0 (easy) to 10.")
    if not rows:
        return _section("Skills mastered", intro,
                        "<p>No skills to show: no module names the skills it trains, or the "
                        "dashboard was opened without the course folder (give it with "
                        "<code>--course</code>).</p>")
    students = rows[0].students
    modules = list(dict.fromkeys(r.module_title for r in rows))
    # A table per module: four columns fit a phone's width without scrolling sideways.
    skills = "".join(table_html(
        f"{title} ({_students(students)})", ["Skill", "Mastered", "In progress", "Not started"],
        [[escape(r.name), _count_share(r.mastered, r.students),
          _count_share(r.in_progress, r.students), _count_share(r.not_started, r.students)]
         for r in rows if r.module_title == title]) for title in modules)
    felt = table_html(
        "Self-rated difficulty per module (mean of each student's mean, 0-10)",
        ["Module", "Students who rated", "Mean difficulty"],
        [[escape(r.title), _count_share(r.rated, r.students), fmt_number(r.mean)]
         for r in difficulty])
    return _section("Skills mastered", intro, skills + felt)


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
                                rewrite_overall(data), chart=charts),
                  skills_html(skill_mastery(data), difficulty_by_module(data)),
                  diaries_html(diaries_by_module(data))]
    else:
        parts.append("<p>No usable hand-ins in this folder yet.</p>")
    parts.append("</div>")
    return "".join(parts)

