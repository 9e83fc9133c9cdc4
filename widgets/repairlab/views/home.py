"""The landing page: modules in course order with objectives, links and the student's progress."""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from .html import notice_html


def module_progress(course, store, student) -> dict[str, tuple[int, int]]:
    """module folder -> (items solved, items shown), from the student's latest attempts."""
    latest = {}
    if store is not None:
        try:
            latest = store.latest_by_item(student)
        except Exception:
            latest = {}
    progress = {}
    for module in course.modules:
        ids = course.items_of(module)
        solved = sum(1 for i in ids if i in latest and latest[i].status in
                     ("correct", "good", "submitted"))
        progress[module.folder] = (solved, len(ids))
    return progress


def home_view(course, progress_state) -> widgets.Widget:
    if course is None:
        return widgets.HTML(notice_html(
            "The course could not be found. Please tell your instructor."))
    store, student, problem = progress_state
    progress = module_progress(course, store, student)
    parts = [f'<header class="rl-home-header"><h1>{escape(course.manifest.title)}</h1>',
             f'<p class="rl-scope" role="note"><strong>Scope:</strong> '
             f"{escape(course.manifest.scope_note)}</p></header>"]
    if problem:
        parts.append(notice_html(problem))
    parts.append('<ol class="rl-modules">')
    for module in course.modules:
        done, total = progress[module.folder]
        manifest = module.manifest
        objectives = "".join(f"<li>{escape(o)}</li>" for o in manifest.objectives)
        percent = round(100 * done / total) if total else 0
        parts.append(
            f'<li class="rl-module" id="module-{module.number:02d}">'
            f"<h2>Module {module.number}: {escape(manifest.title)}</h2>"
            f'<p class="rl-summary">{escape(manifest.summary)}</p>'
            f'<p class="rl-links"><a href="{escape(module.folder)}/{escape(manifest.notebooks.reading)}">'
            f"Reading</a> · "
            f'<a href="{escape(module.folder)}/{escape(manifest.notebooks.practice)}">'
            f"Practice ({total} exercises)</a> · about {manifest.minutes} minutes</p>"
            f'<p class="rl-progress-text">Progress: {done} of {total} exercises done</p>'
            f'<progress class="rl-progress" max="{total or 1}" value="{done}" '
            f'aria-label="Module {module.number} progress: {percent}%">{percent}%</progress>'
            f'<details><summary>Learning objectives</summary><ul>{objectives}</ul></details>'
            "</li>")
    parts.append("</ol>")
    page = widgets.HTML("".join(parts), layout=widgets.Layout(width="100%"))
    page.add_class("repairlab-home")
    return page
