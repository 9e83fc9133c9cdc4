"""What notebooks call: ``show(item_id)``, ``module_nav()`` and ``course_home()``.

Each is one short, hidden line in a notebook. None of them lets an exception reach the
student's page: a content problem becomes a plain notice, with the detail in the server log.
"""

from __future__ import annotations

import functools
import logging
import os
import uuid
from html import escape
from pathlib import Path
from typing import Any

from .static import route_logs_to_console, static_mode

log = logging.getLogger("repairlab")
if static_mode():
    route_logs_to_console()

CONTENT_TROUBLE = ("This exercise could not be loaded. Please tell your instructor "
                   "(they can run `repairlab check` to see why).")


@functools.lru_cache(maxsize=4)
def _load(root: Path, signature: str = ""):
    """The course as this kernel needs it: manifests now, each item when it is shown
    (``content/page.py``); never the whole course validated, unless a hand-in asks. Kept for
    as long as the course's files are as they were (``signature``)."""
    from .content.page import load_page

    return load_page(root)


def current_course():
    """The course this notebook belongs to (found from the notebook's folder), or None.

    A ``CoursePage``: items are read and validated one by one, as ``show()`` asks for them.
    Read again whenever a manifest, notebook or exercise file has changed since: a kernel
    that lives on (JupyterLab, or a page rendered before an instructor's edit) never shows an
    edited course stale.
    """
    from .content.errors import ContentError
    from .content.layout import course_signature, find_course_root

    try:
        root = find_course_root()
        return _load(root, course_signature(root))
    except ContentError as error:
        log.warning("%s", error)
        return None


STYLESHEET = (Path(__file__).parent / "serving" / "share" / "voila" / "templates" / "repairlab"
              / "static" / "repairlab.css")
_styled = False


def course_style() -> str:
    """The course stylesheet as a ``<style>`` element: what a page needs to look as the
    students' pages do (hidden screen-reader labels, coloured feedback, wrapping steps)."""
    return f"<style>{STYLESHEET.read_text(encoding='utf-8')}</style>"


def _display(widget) -> None:
    """Show a widget; the first time in a kernel outside the course server (JupyterLab, the
    classic notebook), bring the course stylesheet first, so an instructor sees what students
    see. The course server's pages link it already (``serving/kernel.py`` says so)."""
    global _styled
    from IPython.display import HTML, display

    # The course's pages (Voilà's and the static site's) link the stylesheet already.
    if not _styled and not os.environ.get("REPAIRLAB_PAGE_HAS_STYLES") and not static_mode():
        _styled = True
        try:
            display(HTML(course_style()))
        except Exception:
            log.exception("could not load the course stylesheet")
    display(widget)


def _notice(text: str):
    import ipywidgets as widgets

    from .views.html import notice_html

    return widgets.HTML(notice_html(text))


@functools.lru_cache(maxsize=1)
def _progress():
    """(store handle, student) for this kernel, opened once. The handle's ``store`` becomes a
    no-op store if saving fails mid-session, and its ``problem`` says so in plain words."""
    from .attempts import current_student
    from .static import static_mode

    if static_mode():  # in the browser: JSON lines in its drive (Pyodide has no sqlite3)
        from .progress_lines import open_lines_safely as open_safely
    else:
        from .progress import open_store_safely as open_safely
    return open_safely(), current_student()


def _recorder(course, module_slug: str, extra: dict | None = None,
              recorded: dict | None = None):
    """The attempt listener a view is given; ``recorded`` (item id -> the attempt as stored)
    lets a difficulty rating name exactly the attempt this view just saved."""
    handle, student = _progress()

    def record(item, response, feedback) -> None:
        from .attempts import Attempt

        # Read handle.store at call time: it is swapped for a no-op store if saving breaks.
        stored = handle.store.record(Attempt(
            student=student, item_id=item.id, module=module_slug, kind=item.type,
            response=response, feedback=feedback.to_dict(), score=feedback.score,
            status=feedback.status, curriculum_version=course.version,
            # Practice mode's serving id, and what the view keeps beside the response (a
            # case's debrief reflection).
            extra={**(extra or {}), **(feedback.kept or {})} or None))
        if recorded is not None and stored is not None:
            recorded[item.id] = stored

    return record


class StoreDrafts:
    """One student's drafts in the progress store (``views.base.Drafts``). Reads the handle's
    store at call time: it becomes a no-op store if saving breaks."""

    def __init__(self, handle, student: str):
        self.handle, self.student = handle, student

    def load(self, key: str) -> str | None:
        return self.handle.store.draft(self.student, key)

    def save(self, key: str, text: str) -> None:
        self.handle.store.save_draft(self.student, key, text)

    def clear(self, key: str) -> None:
        self.handle.store.clear_draft(self.student, key)


class StoreRatings:
    """One student's difficulty ratings in the progress store (``views.rating.Ratings``).
    A rating is of the attempt this view recorded last (``recorded``), else of the student's
    latest attempt at the item (a reloaded page)."""

    def __init__(self, handle, student: str, recorded: dict):
        self.handle, self.student, self.recorded = handle, student, recorded

    def _attempt(self, item_id: str):
        return self.recorded.get(item_id) or self.handle.store.latest(self.student, item_id)

    def load(self, item_id: str) -> int | None:
        attempt = self._attempt(item_id)
        if attempt is None:
            return None
        return self.handle.store.ratings(self.student).get((item_id, attempt.created_at))

    def save(self, item_id: str, rating: int) -> bool:
        attempt = self._attempt(item_id)
        if attempt is None:
            return False
        return bool(self.handle.store.save_rating(self.student, attempt, rating))


class StoreDiary:
    """One student's practice-diary entry for one module in the progress store
    (``views.diary.DiaryKeeper``); reads the handle's store at call time, like drafts."""

    def __init__(self, handle, student: str, module: str):
        self.handle, self.student, self.module = handle, student, module

    def load(self) -> dict[str, str]:
        return self.handle.store.diary(self.student).get(self.module, {})

    def save(self, entry: dict[str, str]) -> bool:
        return bool(self.handle.store.save_diary(self.student, self.module, entry))


def build_view(item_id: str, course=None, *, restore: bool = True, extra: dict | None = None):
    """The view for one item, with saving wired in, the student's unsent draft shown again
    and (``restore``) their last response; ``extra`` goes into each attempt it records.
    Practice mode serves each item as a new try (``restore=False``), but text typed and not
    yet sent is never lost, there as anywhere."""
    course = course or current_course()
    item = course.item(item_id) if course is not None else None
    if item is None:
        log.warning("show(%r): no such item in the course", item_id)
        return _notice(CONTENT_TROUBLE)
    from .registry import KINDS

    module = course.module_of_item(item_id)
    slug = module.slug if module else ""
    handle, student = _progress()
    recorded: dict = {}
    ratings = StoreRatings(handle, student, recorded)
    view = KINDS[item.type].view_class()(
        item, on_attempt=_recorder(course, slug, extra, recorded), notice=handle.problem,
        drafts=StoreDrafts(handle, student), ratings=ratings)
    handle.subscribe(view.set_status)  # "saving is off" appears the moment saving stops
    if not restore:
        view.restore_draft()
        return view
    try:
        last = handle.store.latest(student, item_id)
    except Exception:
        log.exception("could not read progress for %s", item_id)
        last = None
    if last is not None:
        view.restore(last.response)
        if last.extra:
            view.restore_extra(last.extra)
        try:
            view.offer_rating(ratings.load(item_id))  # the rating of that attempt, if any
        except Exception:
            log.exception("could not read the difficulty rating of %s", item_id)
    view.restore_draft()  # typed after the last submission, so it goes over it
    return view


def _show_view(build, trouble: str, what: str) -> None:
    """Display the view ``build()`` makes, or a notice saying ``trouble`` if it fails; in a
    pre-heated kernel, so that the server can have it drawn again after an answer is saved
    (``redraw.py``). Nothing is displayed if ``build()`` returns None."""
    from .redraw import holding

    def safely():
        try:
            return build()
        except Exception:
            log.exception("%s failed", what)
            return _notice(trouble)

    try:
        view = holding(safely)
    except Exception:  # the holder itself: show the view as a page rendered on request would
        log.exception("could not hold %s for redrawing", what)
        view = safely()
    if view is not None:
        _display(view)


def show(item_id: str) -> None:
    """Display one exercise item by its id (the one line of an exercise cell). Only this item
    is validated, and only its kind's module imported."""
    _show_view(lambda: build_view(item_id), CONTENT_TROUBLE, f"show({item_id!r})")


def _module_here(course) -> Any:
    here = Path.cwd().resolve()
    return next((m for m in course.modules if m.path.resolve() == here), None)


def module_nav(page: str = "practice") -> None:
    """The links at the foot of a module's page (``page``: "reading", "practice",
    "practice_mode" or "cases"), worked out from the course's manifests
    (``content/navigation.py``)."""
    import ipywidgets as widgets

    from .content.navigation import leaves_module, page_links

    try:
        course = current_course()
        module = _module_here(course) if course else None
        if module is None:
            from .static import page_href

            links = [f'<a class="rl-nav-link" href="{page_href("../index.ipynb")}">'
                     "← Course home</a>"]
        else:
            found = page_links(course, module, page)
            if static_mode() and leaves_module(found):
                # On the static site the work lives in this browser only: where a module
                # ends, offer the file that keeps it (issue 17).
                _show_view(lambda: module_end_copy_view(course), "Your hand-in file cannot be "
                           "prepared on this page; the course home page has it.", "module_end")
            links = [_link_html(link) for link in found]
        _display(widgets.HTML(f'<nav class="rl-nav" id="rl-page-nav" '
                              f'aria-label="Course navigation">{" ".join(links)}</nav>'))
    except Exception:
        log.exception("module_nav failed")


def module_end_copy_view(course):
    """The landing page's hand-in file, offered at the end of a module (static site)."""
    from .views.home import MODULE_END_COPY, HandInPanel

    handle, student = _progress()
    return HandInPanel(course, handle, student, intro_html=MODULE_END_COPY)


def practice_mode() -> None:
    """Practice mode for the module of this notebook: one item at a time, chosen by the
    practice rule from the student's attempts (repairlab/practice.py)."""
    _show_view(practice_mode_view, "Practice mode could not be loaded. Please tell your "
               "instructor; the practice page still has every exercise.", "practice_mode")
    # The practice diary goes below the item, where a session of deliberate practice ends.
    _show_view(diary_view, "The practice diary could not be loaded. Please tell your "
               "instructor.", "the practice diary")


def diary_view(course=None, module=None):
    """The module's practice diary (views/diary.py), or None outside a module."""
    from .views.diary import DiaryView

    course = course or current_course()
    module = module or (_module_here(course) if course else None)
    if module is None:
        return None
    handle, student = _progress()
    view = DiaryView(StoreDiary(handle, student, module.slug))
    if handle.problem:
        view.status.value = _notice(handle.problem).value
    return view


def practice_mode_view(course=None, module=None):
    from .content.layout import notebook_content_warnings
    from .practice import SERVING, module_plan, rated_attempts
    from .timestamps import utc_now
    from .views.practice_mode import PracticeModeView

    course = course or current_course()
    module = module or (_module_here(course) if course else None)
    if module is None:
        return _notice(CONTENT_TROUBLE)
    skills, items = module_plan(course, module)
    if not items:
        return _notice("This module has no practice mode yet: use its practice page.")
    handle, student = _progress()
    started = handle.store.attempts(student, module=module.slug)
    session: list = []

    def read_attempts() -> list:
        # Saving may have stopped mid-visit: then this visit's answers still move practice on.
        if handle.saving:
            # With the 0-10 ratings the student gave, which nudge the level (practice.py).
            return rated_attempts(handle.store.attempts(student, module=module.slug),
                                  handle.store.ratings(student))
        return started + session

    def make_view(item_id: str):
        extra = {SERVING: uuid.uuid4().hex[:12]}  # this serving: a try of its own
        view = build_view(item_id, course, restore=False, extra=extra)
        if hasattr(view, "listeners"):
            view.listeners.append(lambda item, response, feedback: session.append(
                {"item_id": item.id, "kind": item.type, "status": feedback.status,
                 "extra": extra, "created_at": utc_now()}))
        return view

    warnings: dict[str, str] = {}
    notebooks = module.manifest.notebooks
    for which in ("practice", "cases"):
        if getattr(notebooks, which, None):
            try:
                warnings.update(notebook_content_warnings(module.notebook(which)))
            except (OSError, ValueError, KeyError):
                log.warning("could not read the content warnings of %s", which)
    return PracticeModeView(skills, items, make_view=make_view, read_attempts=read_attempts,
                            warnings=warnings)


def _link_html(link) -> str:
    arrow = {"home": "← ", "back": "← "}.get(link.role, "")
    after = " →" if link.role == "next" else ""
    extra = " rl-next-module" if link.role == "next" else ""
    from .static import page_href

    return (f'<a class="rl-nav-link{extra}" href="{escape(page_href(link.href))}">'
            f"{arrow}{escape(link.label)}{after}</a>")


def course_home() -> None:
    """The landing page: the modules in order, their objectives, links and progress."""
    def build():
        from .views.home import home_view

        return home_view(current_course(), _progress())

    _show_view(build, "The course list could not be loaded. Please tell your instructor.",
               "course_home")
