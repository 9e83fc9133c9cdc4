"""The landing page: modules in course order with objectives, links and the student's progress,
and the hand-in: the "download my work" file everywhere, and on a hub with the hand-in service
a "Hand in" button that sends the same record (repairlab.serving.handin_client) and shows
the receipt."""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any

import ipywidgets as widgets

from ..grading import completion_fraction, completion_words, outcome
from ..static import page_href, static_mode
from .html import notice_html
from .identity import StudentNamePanel

log = logging.getLogger("repairlab")


@dataclass(frozen=True)
class ModuleStanding:
    """Where a student stands in one module, by the rules the gradebook applies to their
    hand-in: ``items`` is the item rule (the CSV's ``attempted``), ``states`` each skill's
    state (the skill columns; empty for a module without skills), ``served`` the items
    practice mode serves for them."""

    items: Any  # grading.Outcome
    states: list = field(default_factory=list)  # practice.SkillState, in module order
    served: list = field(default_factory=list)  # practice.PracticeItem

    @property
    def statuses(self) -> list[str]:
        return [state.status for state in self.states]

    @property
    def completion(self) -> float | None:
        """The CSV's and the dashboard's completion (``grading.completion_fraction``)."""
        return completion_fraction(self.items, self.statuses)

    @property
    def completion_text(self) -> str:
        """The same completion in words, as the hand-in says it (``grading.completion_words``)."""
        return completion_words(self.items.completed, self.items.total, len(self.statuses),
                                self.statuses.count("mastered"))


def module_standings(course, store, student) -> dict[str, ModuleStanding]:
    """module folder -> the student's standing in it (:class:`ModuleStanding`), so the
    landing page and the instructor's grades never disagree. Only a module the student has
    worked on reads its items (to know each one's skill and level); in the others every skill
    is "not started", whatever its items."""
    from ..coursework import item_facts
    from ..practice import (
        PracticeItem,
        SkillSpec,
        module_plan,
        module_skill_states,
        rated_attempts,
        skill_states,
    )

    try:
        attempts = store.attempts(student)
        ratings = store.ratings(student)
    except Exception:
        log.exception("could not read progress")
        attempts, ratings = [], {}
    standings = {}
    for module in course.modules:
        own = course.items_of(module)
        standing = ModuleStanding(outcome(attempts, own))
        standings[module.folder] = standing
        skills = list(getattr(module.manifest, "skills", None) or [])
        if not skills:
            continue
        try:
            wanted = set(own)
            mine = [a for a in attempts if a.item_id in wanted]
            if mine:
                plan_skills, items = module_plan(course, module, item_facts(course))
                states = module_skill_states((plan_skills, items), rated_attempts(mine, ratings))
            else:  # nothing done here yet: no item need be read
                plan_skills = [SkillSpec(s.id, s.name) for s in skills]
                items = [PracticeItem("", s.id, "beginner") for s in plan_skills]
                states = skill_states(plan_skills, items, [])
            standings[module.folder] = ModuleStanding(standing.items, states, items)
        except Exception:
            log.exception("could not work out the skills of %s", module.folder)
    return standings


def module_skills_html(course, store, student, standings=None) -> dict[str, str]:
    """module folder -> the student's skills in it, as mastered / in progress / not started,
    by the practice rule the gradebook's skill columns use (``standings``, when the caller
    has them, else read now)."""
    from .skills import skills_html

    if standings is None:
        standings = module_standings(course, store, student)
    return {module.folder: skills_html(standings[module.folder].states,
                                       standings[module.folder].served,
                                       f"Your skills in module {module.number}")
            for module in course.modules if standings[module.folder].states}


def _modules_html(course, standings, skills=None) -> str:
    parts = ['<ol class="rl-modules">']
    for module in course.modules:
        standing = standings[module.folder]
        done, total = standing.items.completed, standing.items.total
        manifest = module.manifest
        objectives = "".join(f"<li>{escape(o)}</li>" for o in manifest.objectives)
        percent = round(100 * (standing.completion or 0))

        def href(notebook: str, folder: str = module.folder) -> str:
            return escape(page_href(f"{folder}/{notebook}"))  # .html on the static site

        parts.append(
            f'<li class="rl-module" id="module-{module.number:02d}">'
            f"<h2>Module {module.number}: {escape(manifest.title)}</h2>"
            f'<p class="rl-summary">{escape(manifest.summary)}</p>'
            f'<p class="rl-links"><a href="{href(manifest.notebooks.reading)}">Reading</a>'
            f' · <a href="{href(manifest.notebooks.practice)}">Practice</a>'
            + (f' · <a href="{href(manifest.notebooks.practice_mode)}">Practice mode</a>'
               if getattr(manifest.notebooks, "practice_mode", None) else "")
            + (f' · <a href="{href(manifest.notebooks.cases)}">Case simulations</a>'
               if manifest.notebooks.cases else "")
            + f" · {total} exercises · about {manifest.minutes} minutes</p>"
            # Completion as the gradebook counts it (skills mastered where the module names
            # skills); the exercises done beside it, which the student sees grow sooner.
            f'<p class="rl-progress-text">Completion: '
            f"{standing.completion_text}</p>"
            f'<progress class="rl-progress" max="100" value="{percent}" '
            f'aria-label="Module {module.number} completion: {percent}%">{percent}%</progress>'
            + (f'<p class="rl-attempted-text">Attempted: {done} of {total} exercises done</p>'
               if standing.states else "")
            # Not a heading: the page's contents list would repeat it under every module.
            + (f'<p class="rl-skills-heading"><strong>Your skills</strong></p>'
               f"{skills[module.folder]}" if skills and skills.get(module.folder) else "") +
            f"<details><summary>Learning objectives</summary><ul>{objectives}</ul></details>"
            "</li>")
    parts.append("</ol>")
    return "".join(parts)


# Variables Binder (mybinder.org's BinderHub) sets in every session it starts.
BINDER_ENV = ("BINDER_SERVICE_HOST", "BINDER_REQUEST", "BINDER_REPO_URL", "BINDER_LAUNCH_HOST")
BINDER_NOTICE = ("You are using a temporary Binder session: your work is lost when it ends "
                 "(about 10 minutes after you close this tab, or sooner). Download your "
                 "hand-in file below before you close it.")


def on_binder(env: Mapping[str, str] = os.environ) -> bool:
    return any(env.get(name) for name in BINDER_ENV)


class HandInPanel(widgets.VBox):
    """Prepare the hand-in file in the kernel, then offer it as an ordinary download link; on
    a hub with the hand-in service, also hand it in directly."""

    def __init__(self, course, handle, student, intro_html: str | None = None):
        from ..serving.handin_client import service_url

        self.course, self.handle, self.student = course, handle, student
        self.hand_in_button = widgets.Button(
            description="Hand in", button_style="primary",
            tooltip="Send your answers, feedback and reflections to your instructor now",
            layout=widgets.Layout(width="auto"))
        self.hand_in_button.on_click(lambda _: self.hand_in())
        # repairlab.js makes .repairlab-feedback a polite live region: the receipt is announced.
        self.receipt = widgets.HTML("")
        self.receipt.add_class("repairlab-feedback")
        self.receipt.add_class("rl-handin-receipt")
        self.prepare_button = widgets.Button(
            description="Prepare my hand-in file", button_style="primary",
            tooltip="Collect your answers, feedback and reflections into one file",
            layout=widgets.Layout(width="auto"))
        self.prepare_button.on_click(lambda _: self.prepare())
        self.link = widgets.HTML("")
        self.link.add_class("repairlab-feedback")
        if service_url() is None:
            intro = widgets.HTML(intro_html or (
                "<h2>Hand in your work</h2><p>One file with your answers, the feedback and your "
                "reflections: open it in a browser to read or print it, and upload it to your "
                "course site.</p>"))
            children = [intro, self.prepare_button, self.link]
        else:
            intro = widgets.HTML(
                "<h2>Hand in your work</h2><p>Send your answers, the feedback and your "
                "reflections to your instructor. You may hand in again later: the newest "
                "counts, and every version is kept.</p>")
            after = widgets.HTML("<p>To keep a copy for yourself, or to print it:</p>")
            children = [intro, self.hand_in_button, self.receipt, after, self.prepare_button,
                        self.link]
        super().__init__(children)
        self.add_class("repairlab-handin")

    def _submission(self, shown):
        """(submission, course) for the student, or (None, None) after saying why in ``shown``."""
        from ..attempts import identify
        from ..coursework import submission_for
        from .identity import name_needed_html

        if not self.handle.saving:
            shown.value = notice_html(self.handle.problem or "Saving is off on this page.")
            return None, None
        # Read now: the student may have given or changed their name since the page opened.
        who = identify(self.handle.store)
        if who.student is None:
            shown.value = name_needed_html()
            return None, None
        # The whole course, loaded now: the page itself needed only the manifests. Its items
        # let the file show answers in the words the student read.
        course = self.course.full()
        return submission_for(course, self.handle.store, who.student, attempts_of=who.key), course

    def hand_in(self) -> dict | None:
        """Send the hand-in to the hub's hand-in service; return its receipt (tests read it)
        and show it."""
        from ..serving.handin_client import SendError, receipt_html, send_submission

        self.receipt.value = "<p>Handing in…</p>"
        self.hand_in_button.disabled = True
        try:
            submission, _course = self._submission(self.receipt)
            if submission is None:
                return None
            receipt = send_submission(submission)
        except SendError as error:
            self.receipt.value = notice_html(str(error))
            return None
        except Exception:
            log.exception("could not hand in")
            self.receipt.value = notice_html(
                "Your work could not be handed in. Please try again, and download your "
                "hand-in file below if it keeps happening.")
            return None
        finally:
            self.hand_in_button.disabled = False
        self.receipt.value = receipt_html(receipt)
        return receipt

    def prepare(self) -> str | None:
        """Build the file; return its HTML (tests read it) and show the download link."""
        from ..attempts import identify
        from ..handin import handin_filename, render_submission_html

        try:
            submission, course = self._submission(self.link)
            if submission is None:
                return None
            who = identify(self.handle.store)
            page = render_submission_html(submission, item_of=course.item)
        except Exception:
            log.exception("could not build the hand-in file")
            self.link.value = notice_html("The file could not be prepared. Please try again, "
                                          "and tell your instructor if it keeps happening.")
            return None
        name = handin_filename(who.student, date.today().isoformat())
        data = base64.b64encode(page.encode("utf-8")).decode("ascii")
        size = max(1, len(page.encode("utf-8")) // 1024)
        self.link.value = (
            f'<p>Your file is ready: <a class="rl-download" download="{escape(name)}" '
            f'href="data:text/html;charset=utf-8;base64,{data}">Download {escape(name)}</a> '
            f"({size} KB).</p>")
        return page


# The static site keeps progress in the browser, not on a server: the student must know where
# their work is, what loses it, and that the hand-in file is the copy that counts.
STATIC_SITE_NOTE = (
    '<div class="rl-static-note" role="note"><h2>Where your work is kept</h2>'
    "<p>This course runs in your browser. Your answers are kept <strong>in this browser "
    "only</strong>, on this computer: another browser or computer does not see them.</p>"
    "<p>A private window forgets them when it closes, and some browsers clear a site's data "
    "(for example after weeks without a visit, or when you clear your history). Hand in your "
    "work at the end of each module: <em>Prepare my hand-in file</em> below downloads a file "
    "that you upload to your course site.</p></div>")


# At the end of each module on the static site (notebook.module_nav): the same file as the
# landing page's, offered where the student finishes, since the browser may lose their work.
MODULE_END_COPY = (
    "<h2>Keep a copy of your work</h2><p>Your answers are kept in this browser only, and a "
    "private window or cleared browser data loses them. The file below holds all your work "
    "so far: upload it to your course site, or keep it as your copy.</p>")


def home_view(course, progress_state) -> widgets.Widget:
    if course is None:
        return widgets.HTML(notice_html(
            "The course could not be found. Please tell your instructor."))
    handle, student = progress_state
    header = [f'<header class="rl-home-header"><h1>{escape(course.manifest.title)}</h1>',
              f'<p class="rl-scope" role="note"><strong>Scope:</strong> '
              f"{escape(course.manifest.scope_note)}</p></header>"]
    if on_binder():
        header.append(f'<div class="rl-notice rl-binder-notice" role="note"><p><strong>'
                      f"Your work is not kept here.</strong> {escape(BINDER_NOTICE)}</p></div>")
    if static_mode():
        header.append(STATIC_SITE_NOTE)
    if handle.problem:
        header.append(notice_html(handle.problem))
    standings = module_standings(course, handle.store, student)
    skills = module_skills_html(course, handle.store, student, standings)
    page = widgets.HTML("".join(header) + _modules_html(course, standings, skills),
                        layout=widgets.Layout(width="100%"))
    home = widgets.VBox([page, StudentNamePanel(handle), HandInPanel(course, handle, student)],
                        layout=widgets.Layout(width="100%", max_width="60rem"))
    home.add_class("repairlab-home")
    return home
