"""repairlab dashboard FOLDER: a class dashboard of the hand-ins in FOLDER, in your browser.

Shows completion per module, the items students miss most, the defensive markers in their
rewrites, and how rewrites change between first and last attempt, each as a chart and a
table. It reads the files the same way `repairlab gradebook` does and lists any it leaves out.

The page is served by Voilà on 127.0.0.1 only, with a secret token in the address: it shows
your students' work, so nobody else on this machine or network can open it.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from importlib import resources
from pathlib import Path

from ._handins import add_choice_options, renames_or_explain

DEFAULT_PORT = 8867  # next to `repairlab serve`'s 8866, so both can run at once
NOTEBOOK = "dashboard.ipynb"


def add_parser(sub, name: str) -> None:
    parser = sub.add_parser(name, help="a class dashboard of the hand-ins in a folder",
                            description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path,
                        help="the folder the hand-in files (.html or .json) were downloaded to "
                             "(sub-folders and zip files in it are read too), or a zip file")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    parser.add_argument("--course", type=Path, default=None,
                        help="the course folder, for item titles and the curriculum version "
                             "(default: found from the current folder; without one, the "
                             "item lists inside the hand-ins are used)")
    add_choice_options(parser)
    parser.set_defaults(run=run)


def notebook_path() -> Path:
    """The dashboard notebook shipped in the package (instructor/, away from curriculum/)."""
    path = Path(str(resources.files("repairlab") / "instructor" / NOTEBOOK))
    if not path.is_file():  # a zipped install: Voilà needs a real file
        raise FileNotFoundError(f"the dashboard notebook is missing from this installation "
                                f"({path}); reinstall RepairLab.")
    return path


def dashboard_command(notebook: Path, *, port: int, ip: str = "127.0.0.1") -> list[str]:
    """Voilà on the one notebook, with `repairlab serve`'s safety settings."""
    from ..serving.config import KERNEL_CULLING, PAGE_FLAGS

    return [
        sys.executable, "-m", "voila", str(notebook),
        "--no-browser",  # opened by run(), with the token, once the port answers
        f"--port={port}",
        f"--Voila.ip={ip}",
        "--Voila.port_retries=0",  # exactly this port, or the printed address would be wrong
        # The token comes from $JUPYTER_TOKEN (see dashboard_env), not the command line, where
        # any user on the machine could read it in the process list.
        "--Voila.auto_token=True",
        *PAGE_FLAGS,
        # Nothing next to the notebook is for download (one item; the "[...]" list form is
        # deprecated in traitlets).
        "--VoilaConfiguration.file_denylist=.*",
        *(f"--MappingKernelManager.{name}={value}" for name, value in KERNEL_CULLING.items()),
    ]


def dashboard_env(folder: Path, course_root: Path | None, token: str,
                  base: dict[str, str] | None = None, *, newest: bool = False,
                  renames: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment; the notebook's kernel inherits it."""
    from ..dashboard import NEWEST_ENV, RENAMES_ENV
    from ..serving.config import serve_env

    # serve_env puts the course template on JUPYTER_PATH and sets REPAIRLAB_COURSE_DIR.
    env = serve_env(course_root or Path.cwd(), base)
    if course_root is None:
        env.pop("REPAIRLAB_COURSE_DIR", None)
    env["REPAIRLAB_SUBMISSIONS"] = str(Path(folder).resolve())
    env["JUPYTER_TOKEN"] = token
    env[NEWEST_ENV] = "1" if newest else ""
    env[RENAMES_ENV] = json.dumps(renames or {})
    return env


def dashboard_url(port: int, token: str, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{port}/?token={token}"


def _course_root(course: Path | None) -> tuple[Path | None, str | None]:
    """(course folder or None, error). Only a course asked for by name is required."""
    from ..content.course import find_course_root
    from ..content.errors import ContentError

    try:
        return find_course_root(course), None
    except ContentError as error:
        return None, str(error)


def run(args: argparse.Namespace) -> int:
    from ..dashboard import is_folder_or_zip
    from .serve import run_server

    renames = renames_or_explain(args.rename)
    if renames is None:
        return 1
    folder: Path = args.folder.expanduser()
    if not is_folder_or_zip(folder):
        print(f"error: {folder} is not a folder. Give the folder the hand-ins were downloaded "
              "to (or the zip file of them).", file=sys.stderr)
        return 1
    root, problem = _course_root(args.course)
    if problem and (args.course is not None or os.environ.get("REPAIRLAB_COURSE_DIR")):
        print(f"error: {problem}", file=sys.stderr)
        return 1
    try:
        notebook = notebook_path()
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    token = secrets.token_urlsafe(24)
    url = dashboard_url(args.port, token)
    print(f"RepairLab: class dashboard of {folder.resolve()}")
    if root is None:
        print("  note: no course found here; using the item lists inside the hand-ins "
              "(pass --course to use the course's).")
    print(f"  open {url}\n  stop with Ctrl+C")
    return run_server(dashboard_command(notebook, port=args.port),
                      dashboard_env(folder, root, token, newest=args.newest, renames=renames),
                      port=args.port, url=url,
                      open_browser=not args.no_browser)
