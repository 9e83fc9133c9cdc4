"""The course on a JupyterHub: a Jupyter server extension that gives each student's single-user
server what ``repairlab serve`` gives a laptop.

On a hub, Voilà is not started by ``repairlab serve``: it runs as an extension of the student's
own Jupyter server, at ``/user/<name>/voila/render/<page>.ipynb``. Installing the package turns
this extension on in every Jupyter server of the environment
(``etc/jupyter/jupyter_server_config.d/repairlab.json``), but it acts only in a **course
server**: one started by JupyterHub (``JUPYTERHUB_SERVICE_PREFIX`` is set) for a course
(``REPAIRLAB_COURSE_DIR`` is set, by deploy/jupyterhub_config.py). A laptop's JupyterLab, or a
hub that does not serve the course, is left alone.

In a course server:

* **The same pages as on a laptop.** Voilà gets ``config.PAGE_CONFIG`` (the RepairLab template,
  no sources, no tracebacks, no template override from the address bar) and the same file
  allowlist (only the course's images). The template is found through ``JUPYTER_PATH``. No
  request leaves for a CDN.
* **A closed tab stops its kernel.** The page handler is ``app.PageHandler``, which sets the
  ``_xsrf`` cookie the page's shutdown request needs (voila issue 1458).
* **A class opening pages together is queued, not frozen**: kernels on Unix sockets, and
  pages prepared a few at a time with a "being prepared" message (``kernel_starts.py``).
* **Idle kernels are culled** (``config.KERNEL_CULLING``), and the course's log messages reach
  the server log (``kernel.py`` runs first in every kernel).
* **No pre-heated kernels.** A pool per page is right for one laptop and wrong for a hub of 100
  students (11 idle kernels, ~730 MB, per student): a hub student's page starts its kernel on
  request. Idle servers are stopped by the hub's culler.
* **Students see the course, not the server.** Voilà's file browser, JupyterLab, the classic
  pages, terminals, file downloads and the contents, sessions, terminals and kernel-starting
  APIs are closed:
  pages redirect to the landing page, APIs answer 403. Users the hub marks as instructors
  (``REPAIRLAB_HUB_ROLE=instructor``, set by the hub's pre-spawn hook for the ``instructors``
  group) keep JupyterLab and everything else.

The landing page is the default URL: the hub sets ``Spawner.default_url`` to ``LANDING_URL``
(the recipes serve the course's curriculum/ folder; on Binder the server serves the whole
repository, and the redirects here follow: see ``landing_url``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

from .config import (
    FILE_ALLOWLIST,
    FILE_DENYLIST,
    KERNEL_CULLING,
    LANDING_PAGE,
    PAGE_CONFIG,
    SHARE_DIR,
)
from .kernel_starts import kernel_launch_options

COURSE_ENV = "REPAIRLAB_COURSE_DIR"
ROLE_ENV = "REPAIRLAB_HUB_ROLE"
INSTRUCTOR = "instructor"
# Relative to the single-user server's base URL (/user/<name>/).
LANDING_URL = f"/voila/render/{LANDING_PAGE}"

# What a student's server does not serve (paths under /user/<name>/). Pages go to the landing
# page; everything else is refused.
STUDENT_PAGES_TO_LANDING = [
    r"/voila/?",
    r"/voila/tree(/.*)?",
    r"/lab(/.*)?",
    r"/doc(/.*)?",
    r"/tree(/.*)?",
    r"/notebooks(/.*)?",
    r"/edit(/.*)?",
    r"/view(/.*)?",
    r"/consoles(/.*)?",
    r"/terminals(/.*)?",
]
STUDENT_REFUSED = [
    r"/voila/api/contents(/.*)?",
    r"/files(/.*)?",
    r"/api/contents(/.*)?",
    r"/api/sessions(/.*)?",
    # Starting kernels of one's own (Voilà starts a page's kernel itself, on the server side).
    r"/api/kernels/?",
    r"/api/terminals(/.*)?",
    r"/nbconvert(/.*)?",
    r"/api/nbconvert(/.*)?",
]


def is_course_server(env: Mapping[str, str] = os.environ) -> bool:
    """A single-user server started by JupyterHub to serve the course."""
    return bool(env.get("JUPYTERHUB_SERVICE_PREFIX") and env.get(COURSE_ENV))


def is_instructor(env: Mapping[str, str] = os.environ) -> bool:
    return env.get(ROLE_ENV, "").strip().lower() == INSTRUCTOR


def landing_url(root_dir: str | os.PathLike[str], course: str | os.PathLike[str]) -> str:
    """The landing page's address under the server's base URL, for a server whose files are
    ``root_dir`` (``LANDING_URL`` when that is the course's curriculum folder)."""
    page = Path(course).resolve() / "curriculum" / LANDING_PAGE
    try:
        relative = page.relative_to(Path(root_dir).resolve())
    except ValueError:  # the course is not among the server's files: the recipes' layout
        return LANDING_URL
    return f"/voila/render/{relative.as_posix()}"


def with_template_path(env: Mapping[str, str]) -> str:
    """JUPYTER_PATH with the template's share folder first (Voilà finds templates only there)."""
    paths = [str(SHARE_DIR), *[p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]]
    return os.pathsep.join(dict.fromkeys(paths))


class ToLanding(JupyterHandler):
    """A page students do not get: the landing page instead."""

    def initialize(self, landing: str):
        self.landing = landing

    @web.authenticated
    def get(self, *args):
        self.redirect(self.landing)

    head = get


class Refused(JupyterHandler):
    """An address students do not get, whatever the method."""

    @web.authenticated
    def get(self, *args):
        raise web.HTTPError(403, "Not available on the course server.")

    post = put = patch = delete = head = get


def _start_kernel_with(kernel_manager, extra: list[str]) -> None:
    """Give every Python kernel the server starts ``extra`` command-line arguments (IPython's;
    an instructor's kernel of another language is left alone).

    The server's kernel manager exists before any extension loads, so its class cannot be
    chosen here (``repairlab serve`` uses ``app.RepairLabKernelManager``): its bound method is
    wrapped instead.
    """
    start_kernel = kernel_manager.start_kernel

    async def start_with_args(*args, **kwargs):
        name = kwargs.get("kernel_name") or kernel_manager.default_kernel_name
        if name.startswith("python"):
            kwargs["extra_arguments"] = [*kwargs.get("extra_arguments", []), *extra]
            kwargs = {**kernel_launch_options(), **kwargs}
        return await start_kernel(*args, **kwargs)

    kernel_manager.start_kernel = start_with_args


def _load_jupyter_server_extension(serverapp) -> None:
    if not is_course_server():
        serverapp.log.debug("RepairLab: not a JupyterHub course server; nothing to do")
        return
    from voila.paths import collect_template_paths

    from .app import KERNEL_ARGS, PageHandler
    from .kernel_starts import PageSlots, use_ipc_transport

    # Before Voilà's extension loads (extensions load in name order, "repairlab..." first),
    # so that Voilà reads this configuration and finds the template.
    os.environ["JUPYTER_PATH"] = with_template_path(os.environ)
    config = serverapp.config
    for section, values in PAGE_CONFIG.items():
        for name, value in values.items():
            config[section][name] = value
    config.VoilaConfiguration.file_allowlist = list(FILE_ALLOWLIST)
    config.VoilaConfiguration.file_denylist = list(FILE_DENYLIST)
    config.VoilaConfiguration.preheat_kernel = False

    kernel_manager = serverapp.kernel_manager
    # As on a laptop: no race for TCP ports, and pages prepared a few at a time.
    use_ipc_transport(kernel_manager)
    serverapp.web_app.settings["repairlab_page_slots"] = PageSlots()
    for name, value in KERNEL_CULLING.items():
        setattr(kernel_manager, name, value)
    _start_kernel_with(kernel_manager, KERNEL_ARGS)

    # As in `repairlab serve`: no MathJax from a CDN (Voilà's page asks cdnjs for it unless
    # these are set, and null means the copy bundled with the page).
    serverapp.web_app.settings.setdefault("mathjax_url", None)
    serverapp.web_app.settings.setdefault("mathjax_config", None)

    from voila.configuration import VoilaConfiguration

    voila_configuration = VoilaConfiguration(parent=serverapp)
    base_url = serverapp.web_app.settings["base_url"]
    landing = url_path_join(base_url, landing_url(serverapp.root_dir, os.environ[COURSE_ENV]))

    def at(pattern: str) -> str:
        return url_path_join(base_url, pattern)

    handlers: list[tuple] = [
        (at(r"/voila/render/(.*)"), PageHandler, {
            "config": config,
            "template_paths": collect_template_paths(["voila", "nbconvert"],
                                                     voila_configuration.template),
            "voila_configuration": voila_configuration,
        }),
        # Voilà's file browser lists every file of the course, instructor notes included.
        (at(r"/voila/?"), ToLanding, {"landing": landing}),
        (at(r"/voila/tree(/.*)?"), ToLanding, {"landing": landing}),
        (at(r"/voila/api/contents(/.*)?"), Refused),
    ]
    instructor = is_instructor()
    if not instructor:
        handlers += [(at(p), ToLanding, {"landing": landing}) for p in STUDENT_PAGES_TO_LANDING]
        handlers += [(at(p), Refused) for p in STUDENT_REFUSED]
    _add_first(serverapp.web_app, handlers)
    serverapp.log.info("RepairLab: serving the course in %s to %s (%s); landing page %s",
                       os.environ.get(COURSE_ENV), os.environ.get("JUPYTERHUB_USER", "?"),
                       "instructor: JupyterLab kept" if instructor else "student: course only",
                       landing)


def _add_first(web_app, handlers: list[tuple]) -> None:
    """Add ``handlers`` ahead of every other rule of the server.

    Tornado tries rules in order and ``add_handlers`` puts new ones after those of the
    extensions loaded earlier; these must win over the server's own pages and over Voilà's
    handlers for the same paths (Voilà loads after this extension).
    """
    web_app.add_handlers(".*$", handlers)
    rules = web_app.default_router.rules
    rules.insert(0, rules.pop(-2))  # add_handlers inserted its rule before the last one


def _jupyter_server_extension_points():
    return [{"module": "repairlab.serving.hub"}]

