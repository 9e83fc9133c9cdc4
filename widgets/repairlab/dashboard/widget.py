"""The dashboard notebook's widget: a folder box (or the folder `repairlab dashboard` was given)
and the page. ipywidgets is imported only when the widget is built."""

from __future__ import annotations

import json
import logging
import os
from html import escape
from pathlib import Path

from repairlab.collect import RenameError
from repairlab.wording import counted

from .loading import course_arguments, is_folder_or_zip, load_folder
from .page import dashboard_html

log = logging.getLogger("repairlab.dashboard")

# Environment variables `repairlab dashboard` sets for the notebook's kernel.
SUBMISSIONS_ENV = "REPAIRLAB_SUBMISSIONS"
COURSE_ENV = "REPAIRLAB_COURSE_DIR"
NEWEST_ENV = "REPAIRLAB_NEWEST"  # "1": --newest
RENAMES_ENV = "REPAIRLAB_RENAMES"  # JSON {file: student id}: --rename

PAGE_TROUBLE = ("The dashboard could not be shown. The details are in the server log; "
                "run `repairlab gradebook` on the same folder to check the files.")


def _course_arguments(course_dir: str | os.PathLike[str] | None) -> tuple[dict, str | None]:
    """(:func:`load_folder`'s course arguments, problem) from the course folder, if one is given.

    Only an explicit folder counts: the notebook ships inside the package, and searching up
    from there could find an unrelated course (a RepairLab checkout, in development).
    """
    if not course_dir:
        return {}, None
    try:
        from ..content.course import load_course

        course, _problems = load_course(Path(course_dir))
    except Exception:
        log.exception("could not load the course at %s", course_dir)
        course = None
    if course is None:
        return {}, (f"The course at {course_dir} could not be loaded (run `repairlab check`), "
                    "so the items listed in the hand-ins are used.")
    return course_arguments(course), None


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
    from ..views.html import notice_html

    path = Path(folder).expanduser()
    if not is_folder_or_zip(path):
        message = f"There is no folder {path}. Check the path and try again."
        return notice_html(message), message
    from_course, problem = _course_arguments(course_dir)
    newest, renames = choice_from_env()
    try:
        data = load_folder(path, newest=newest, renames=renames, **from_course)
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
            from ..views.html import notice_html

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

        from ..views.html import notice_html

        display(widgets.HTML(notice_html(PAGE_TROUBLE)))
