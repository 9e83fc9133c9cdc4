"""How the course is served, in one place, so that ``repairlab serve``, the browser tests and
the benchmarks all run exactly the same configuration.

``voila_command`` is the command line and ``serve_env`` its environment; start the server with
both (``subprocess.Popen(voila_command(...), env=serve_env(...))``). The command runs
``repairlab.serving.app``, Voilà with the few handler changes listed there.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..content.course import Course

log = logging.getLogger("repairlab")

LANDING_PAGE = "index.ipynb"
TEMPLATE = "repairlab"
# A Jupyter data directory holding voila/templates/repairlab/: Voilà finds templates (and their
# static files) only through the Jupyter path, so serve_env() puts this folder on JUPYTER_PATH.
SHARE_DIR = Path(__file__).resolve().parent / "share"

# Pre-heated kernels: one per page a student opens most (the landing page and each module's
# practice, cases and practice-mode pages). Each idle pooled kernel costs ~60 MB; readings
# start a kernel on request.
POOL_SIZE = 1
# A tab closed without its shutdown request (browser crash, lost network) leaves a kernel
# running; one with no connection and no activity for this long is shut down.
CULL_IDLE_SECONDS = 600
CULL_INTERVAL_SECONDS = 60

# Shown in place of a failed cell's output. The traceback goes to the server log only.
CELL_ERROR_MESSAGE = ("This part of the page could not be shown. Please reload the page; if it "
                      "happens again, tell your instructor (the details are in the server log).")

# Files under curriculum/ that may be downloaded: images next to the notebooks, nothing else
# (no YAML, notebooks, instructor notes, data). Hidden files and folders never, even images.
FILE_ALLOWLIST = [r".*\.(png|jpg|jpeg|gif|svg|webp)"]
FILE_DENYLIST = [r"(.*/)?\..*"]


def pooled_notebooks(root: Path, course: Course | None = None) -> list[str]:
    """The notebooks (relative to curriculum/) that get a pool of pre-heated kernels.

    The landing page and every page of exercises: each module's practice notebook and any
    other notebook of the module that shows items (e.g. cases.ipynb), but not the reading;
    then every module's practice-mode notebook. That one chooses its item from the student's
    attempts, which a pooled kernel could not know in advance, until a kernel handed out after
    a save learned to draw its page again from the store (repairlab/redraw.py). The pools are
    filled in this order, so the pages opened most come first. ``course`` is the loaded course,
    if the caller has it.
    """
    from ..content.course import notebook_item_refs

    curriculum = root / "curriculum"
    pages = [LANDING_PAGE] if (curriculum / LANDING_PAGE).is_file() else []
    practice_modes: list[str] = []
    if course is None:
        course = _load(root)
    for module in course.modules if course is not None else []:
        practice, reading = module.notebook("practice"), module.notebook("reading")
        if getattr(module.manifest.notebooks, "practice_mode", None):
            practice_mode = module.notebook("practice_mode")
            if practice_mode.is_file():
                practice_modes.append(practice_mode.relative_to(curriculum).as_posix())
        for notebook in sorted(module.path.glob("*.ipynb")):
            try:
                shows_items = notebook == practice or bool(notebook_item_refs(notebook))
            except (OSError, ValueError, KeyError):
                shows_items = False
            if shows_items and notebook != reading:
                pages.append(notebook.relative_to(curriculum).as_posix())
    return pages + practice_modes


def _load(root: Path) -> Course | None:
    try:
        from ..content.course import load_course

        return load_course(root)[0]
    except Exception:  # a broken course still serves; only the pools are missing
        return None


def compile_for_serving(root: Path) -> Course | None:
    """Validate the course once for all the kernels to come and write the compiled items
    (content/compiled.py), so that a page's kernel needs neither pydantic nor YAML."""
    try:
        from ..content.compiled import compile_course

        return compile_course(root).course
    except Exception:  # never stops serving: the pages validate what they show themselves
        log.exception("could not compile the course; pages will validate their own items")
        return None


def kernel_pools(root: Path, pool_size: int = POOL_SIZE, course: Course | None = None) -> dict:
    """VoilaKernelManager.kernel_pools_config: pools for the pooled notebooks, none elsewhere."""
    pools: dict = {"default": {"pool_size": 0}}
    for page in pooled_notebooks(root, course):
        pools[page] = {"pool_size": pool_size}
    return pools


# How long a page's kernel may take to start and answer (VoilaExecutor.startup_timeout).
KERNEL_READY_SECONDS = 300

# What every RepairLab page served by Voilà carries, the course and the instructor's dashboard
# alike, on a laptop (as PAGE_FLAGS on the command line) and on a JupyterHub (set by the server
# extension, serving/hub.py).
PAGE_CONFIG = {
    "VoilaConfiguration": {
        # The course's own look: lang="en", light and dark themes, styles for the views'
        # classes, and a live region for feedback (serving/share/voila/templates/repairlab).
        "template": TEMPLATE,
        # No code, nor a traceback, on the page: a failed cell shows CELL_ERROR_MESSAGE and
        # the detail goes to the server log.
        "strip_sources": True,
        "show_tracebacks": False,
        # No ?template=...&theme=... from the address bar: one look, and the pre-rendered
        # pages stay usable (Voilà skips the pool when the query asks for another template).
        "allow_template_override": "NO",
        "allow_theme_override": "NO",
        # Only the widgets' front-end extensions (Voilà's widget manager and the one it draws
        # ipywidgets' controls with): the pages need nothing else. Voilà otherwise loads every
        # JupyterLab extension installed beside it: on a hub image that can be many, and with
        # the `site` extra it is the Pyodide kernel's, which throws on a served page (it
        # expects JupyterLite) and costs every page its downloads.
        "extension_allowlist": ["@voila-dashboards/widgets-manager8",
                                "@jupyter-widgets/jupyterlab-manager"],
    },
    "VoilaExecutor": {
        "cell_error_instruction": CELL_ERROR_MESSAGE,
        # How long a page's new kernel may take to answer before the page fails. nbclient's
        # 60 s failed pages (a traceback in the log, the student left with a half page) on a
        # machine busy with other work, where kernels (nice 10, kernel_starts.py) get only
        # what CPU is left: a slow page is better than none.
        "startup_timeout": KERNEL_READY_SECONDS,
    },
}
PAGE_FLAGS = tuple(f"--{section}.{name}={one}"
                   for section, values in PAGE_CONFIG.items() for name, value in values.items()
                   # A list is one flag per entry, as traitlets reads a List on the command line.
                   for one in (value if isinstance(value, list) else [value]))

# The kernel manager's culling (a backstop for kernels whose tab went away without shutting
# them down): MappingKernelManager traits.
KERNEL_CULLING = {
    "cull_idle_timeout": CULL_IDLE_SECONDS,
    "cull_interval": CULL_INTERVAL_SECONDS,
    "cull_connected": False,
}


def voila_command(root: Path, *, port: int, ip: str = "127.0.0.1",
                  preheat: bool = True) -> list[str]:
    """The command line of ``repairlab serve``. Compiles the course first (see
    ``compile_for_serving``): every way of serving it (the CLI, the bench, the browser tests)
    then serves the same pages."""
    course = compile_for_serving(root)
    curriculum = root / "curriculum"
    command = [
        sys.executable, "-m", "repairlab.serving.app", str(curriculum),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={ip}",
        # Exactly this port: Voilà would otherwise move to another one when it is taken, and
        # the address printed for the student (and used by the tests) would be wrong.
        "--Voila.port_retries=0",
        *PAGE_FLAGS,
        *_each("--VoilaConfiguration.file_allowlist", FILE_ALLOWLIST),
        *_each("--VoilaConfiguration.file_denylist", FILE_DENYLIST),
        *(f"--MappingKernelManager.{name}={value}" for name, value in KERNEL_CULLING.items()),
    ]
    if preheat:
        command += [
            "--VoilaConfiguration.preheat_kernel=True",
            # No pool from Voilà itself (it would start every pool at once and keep the first
            # page waiting behind them): the app sets VoilaKernelManager.kernel_pools_config
            # from this and fills the pools one page at a time, landing page first.
            "--VoilaConfiguration.default_pool_size=0",
            f"--RepairLabVoila.preheat_pools={json.dumps(kernel_pools(root, course=course))}",
            # Refill a pool as soon as its kernel is taken, so the next visit is fast too.
            "--VoilaKernelManager.fill_delay=0",
        ]
    return command


def _each(flag: str, values: list[str]) -> list[str]:
    # A list option is given once per item (traitlets deprecates JSON lists on the command line).
    return [part for value in values for part in (flag, value)]


def serve_env(root: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment (kernels inherit it)."""
    env = dict(os.environ if base is None else base)
    # Pre-heated kernels start before any page is requested, so show() cannot find the course
    # from the request; it finds it here. (Their working folder is still the notebook's.)
    env["REPAIRLAB_COURSE_DIR"] = str(Path(root).resolve())
    paths = [str(SHARE_DIR), *[p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]]
    env["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    # debugpy's start-up warning about frozen modules is noise in the server log.
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def landing_url(port: int, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{port}/voila/render/{LANDING_PAGE}"
