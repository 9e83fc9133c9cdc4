"""The hand-in service: a JupyterHub-managed service, ``repairlab``, for hand-ins without
downloads and the instructor's view of the class.

deploy/jupyterhub_config.py runs it (``python -m repairlab.serving.service``) and proxies it at
``/services/repairlab/``. It authenticates with the hub (OAuth for browsers, the API token for
a student's kernel) and uses two custom scopes, as JupyterHub's ``examples/custom-scopes``
"grades" service does:

* ``custom:repairlab:submit`` (every user, and each student server's token): hand in one's
  **own** work. ``POST api/submissions`` takes the checksummed record the hand-in file carries,
  verifies it and keeps it as the sender's next version (:mod:`repairlab.handin.inbox`);
  ``GET api/submissions/<own name>`` lists one's versions. A record naming another student is
  refused (403), and so is a post that comes with only a browser cookie (it must carry the
  token, so another site cannot post in a student's name).
* ``custom:repairlab:read`` (the hub group ``instructors``): the class dashboard over every
  received hand-in (``/services/repairlab/``, :mod:`repairlab.dashboard`), the gradebook CSV
  (``gradebook.csv``, :mod:`repairlab.gradebook`) and any student's versions.

Everyone else gets 403 from each of these. Reading uses the same collector as the command
line: the received folder is an ordinary folder of hand-ins.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from html import escape
from pathlib import Path
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop

from repairlab.handin.format import SubmissionError
from repairlab.handin.inbox import Inbox, NotYourWork

SERVICE_NAME = "repairlab"
SUBMIT_SCOPE = "custom:repairlab:submit"
READ_SCOPE = "custom:repairlab:read"
SUBMISSIONS_ENV = "REPAIRLAB_SUBMISSIONS_DIR"
COURSE_ENV = "REPAIRLAB_COURSE_DIR"
# A whole course answered many times over is a few MB (collect.MAX_HANDIN_BYTES is the reader's cap).
MAX_BODY_BYTES = 32 * 1024 * 1024

log = logging.getLogger("repairlab.service")


@functools.lru_cache(maxsize=2)
def _course_at(root: str, signature: str):
    """The course, validated once per version of its files (``signature``)."""
    from repairlab.content.course import load_course

    course, problems = load_course(Path(root))
    for problem in problems:
        log.warning("%s", problem)
    return course


def current_course(root: str):
    from repairlab.content.layout import course_signature

    return _course_at(root, course_signature(Path(root)))


def require_scopes(*scopes: str):
    """The handler method needs any one of ``scopes`` (the custom-scopes example's pattern:
    one handler, different scopes per method)."""

    def wrap(method):
        @functools.wraps(method)
        @web.authenticated
        def wrapped(self, *args, **kwargs):
            return method(self, *args, **kwargs)

        wrapped.scopes = scopes
        return wrapped

    return wrap


class ServiceHandler(HubOAuthenticated, web.RequestHandler):
    """Hub login, scopes per method, and errors as short text (never a traceback)."""

    @property
    def hub_scopes(self):
        method = getattr(self, self.request.method.lower(), None)
        return set(getattr(method, "scopes", ()))

    @property
    def inbox(self) -> Inbox:
        return self.settings["inbox"]

    def has(self, scope: str) -> bool:
        return scope in self.current_user.get("scopes", ())

    def write_error(self, status_code: int, **kwargs) -> None:
        reason = kwargs.get("exc_info", (None, None))[1]
        message = getattr(reason, "log_message", None) or self._reason
        if "/api/" in self.request.path:
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"status": status_code, "message": message}))
        else:
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(_page(f"{status_code}: {self._reason}", f"<p>{escape(message)}</p>"))


class SubmissionsHandler(ServiceHandler):
    """``POST api/submissions``: hand in one's own work."""

    @require_scopes(SUBMIT_SCOPE)
    def post(self):
        if not self.request.headers.get("Authorization"):
            raise web.HTTPError(403, "Hand in from the course's landing page.")
        student = self.current_user["name"]
        try:
            receipt = self.inbox.receive(self.request.body, student)
        except NotYourWork as error:
            raise web.HTTPError(403, str(error)) from None
        except SubmissionError as error:
            raise web.HTTPError(400, str(error)) from None
        log.info("received %s's hand-in, version %d", student, receipt.version)
        self.set_status(201)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(receipt.to_dict()))


class StudentSubmissionsHandler(ServiceHandler):
    """``GET api/submissions/<student>``: one's own versions; an instructor, anyone's."""

    @require_scopes(SUBMIT_SCOPE, READ_SCOPE)
    def get(self, student: str):
        if student != self.current_user["name"] and not self.has(READ_SCOPE):
            raise web.HTTPError(403, "You may see only your own hand-ins.")
        versions = [r.to_dict() for r in self.inbox.versions(student)]
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"student": student, "versions": versions}))


class DashboardHandler(ServiceHandler):
    """The class dashboard over every received hand-in, for instructors."""

    @require_scopes(READ_SCOPE)
    async def get(self):
        html = await self.settings["run"](_dashboard_page, self.settings["course_dir"],
                                          self.inbox.folder)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(html)


class GradebookHandler(ServiceHandler):
    """The gradebook CSV (the LMS import), for instructors."""

    @require_scopes(READ_SCOPE)
    async def get(self):
        status, text = await self.settings["run"](_gradebook_csv, self.settings["course_dir"],
                                                  self.inbox.folder)
        if status != 200:
            raise web.HTTPError(status, text)
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", 'attachment; filename="repairlab-gradebook.csv"')
        self.finish(text)


# --------------------------------------------------------------------------------------------
# The instructor's pages: the dashboard and the gradebook as the command line builds them


def _dashboard_page(course_dir: str, folder: Path) -> str:
    from repairlab.dashboard import course_arguments, dashboard_html, load_folder

    course = current_course(course_dir)
    data = load_folder(folder, **(course_arguments(course) if course else {}))
    title = f"{course.manifest.title}: the class" if course else "The class"
    body = ('<p class="rl-dash-actions"><a class="rl-download" href="gradebook.csv" download>'
            "Download the gradebook (CSV)</a> for your course site, one row per student, "
            "from each student's newest hand-in.</p>")
    if course is not None:
        body += _grades_html(course, folder)
    return _page(title, body + dashboard_html(data))


def _gradebook(course, folder: Path):
    from repairlab.coursework import module_items, module_skills, module_titles
    from repairlab.gradebook import merge_submissions

    return merge_submissions([folder], curriculum_version=course.version,
                             modules=module_titles(course), module_items=module_items(course),
                             module_skills=module_skills(course))


def _grades_html(course, folder: Path) -> str:
    """Who handed in, how often and when, and each one's grade (the gradebook's totals)."""
    from repairlab import timestamps
    from repairlab.dashboard import fmt_percent, table_html

    inbox = Inbox(folder)
    rows = []
    for row in _gradebook(course, folder).rows:
        versions = inbox.versions(row["student"])
        newest = timestamps.format_for_people(versions[-1].received_at) if versions else "—"
        rows.append([escape(row["student"]), str(len(versions)), escape(newest),
                     fmt_percent(row["total attempted"]), fmt_percent(row["total completion"]),
                     fmt_percent(row["total score"])])
    if not rows:
        return "<section><h2>Hand-ins received</h2><p>None yet.</p></section>"
    table = table_html(f"Grades from each student's newest hand-in ({len(rows)} students)",
                   ["Student", "Hand-ins", "Newest received", "Attempted",
                    "Completion (skills mastered)", "Score"], rows,
                   text_columns=3)
    return ('<section class="rl-dash"><h2>Hand-ins received</h2><p>Every version a student '
            "handed in is kept; the newest counts. Attempted is the share of items done; "
            "completion counts a module's skills mastered where it names skills. The gradebook "
            f"has these totals and each module's.</p>{table}</section>")


def _gradebook_csv(course_dir: str, folder: Path) -> tuple[int, str]:
    from repairlab.gradebook import csv_text

    course = current_course(course_dir)
    if course is None:
        return 500, "The course could not be loaded: run `repairlab check` in its folder."
    result = _gradebook(course, folder)
    if result.conflicts:
        return 409, " ".join(result.conflicts)
    return 200, csv_text(result)


def _page(title: str, body: str) -> str:
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_PAGE_STYLE}</style></head>"
            f'<body><main id="rl-main"><h1>{escape(title)}</h1>{body}</main></body></html>')


_PAGE_STYLE = """
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #1a1a1a; background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; overflow-wrap: break-word; }
main p, main li { overflow-wrap: anywhere; }  /* long file names; not table headers */
a { color: #0b57a4; } a:focus-visible { outline: 3px solid #0b57a4; outline-offset: 2px; }
table { max-width: 100%; } img { max-width: 100%; height: auto; }
.rl-download { font-weight: 600; }
"""


# --------------------------------------------------------------------------------------------
# Running it


def make_app(prefix: str, inbox: Inbox, course_dir: str) -> web.Application:
    # One worker: the dashboard's charts (matplotlib) are drawn one at a time, off the event
    # loop, so a hand-in is never kept waiting by an instructor's page.
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="repairlab-pages")

    def run(function, *args):
        return asyncio.get_running_loop().run_in_executor(worker, function, *args)

    return web.Application([
        (prefix, DashboardHandler),
        (url_path_join(prefix, "gradebook.csv"), GradebookHandler),
        (url_path_join(prefix, "api/submissions"), SubmissionsHandler),
        (url_path_join(prefix, r"api/submissions/([^/]+)"), StudentSubmissionsHandler),
        (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
    ], cookie_secret=os.urandom(32), inbox=inbox, course_dir=course_dir, run=run,
        max_body_size=MAX_BODY_BYTES)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="[repairlab-service %(levelname)s] %(message)s")
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    inbox = Inbox(os.environ[SUBMISSIONS_ENV])
    app = make_app(prefix, inbox, os.environ[COURSE_ENV])
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    HTTPServer(app, max_body_size=MAX_BODY_BYTES).listen(url.port, url.hostname)
    log.info("receiving hand-ins at %s into %s", prefix, inbox.folder)
    IOLoop.current().start()


if __name__ == "__main__":
    main()
