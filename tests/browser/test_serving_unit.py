"""The serving configuration and the server's own pieces, without a browser (fast)."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import sys
import threading

import pytest

from repairlab.cli import build_parser
from repairlab.cli import main as repairlab
from repairlab.serving import config
from repairlab.serving.app import PoolRefresher


@pytest.fixture
def course(demo_course_root):
    return demo_course_root


def flags(command: list[str]) -> dict[str, str]:
    return dict(part.split("=", 1) for part in command if part.startswith("--") and "=" in part)


def test_command_is_safe_by_default(course):
    command = config.voila_command(course, port=8123)
    assert command[:4] == [sys.executable, "-m", "repairlab.serving.app",
                           str(course / "curriculum")]
    given = flags(command)
    assert given["--Voila.ip"] == "127.0.0.1"
    assert given["--port"] == "8123"
    assert given["--Voila.port_retries"] == "0"
    assert given["--VoilaConfiguration.template"] == config.TEMPLATE
    assert given["--VoilaConfiguration.strip_sources"] == "True"
    assert given["--VoilaConfiguration.show_tracebacks"] == "False"
    assert given["--VoilaConfiguration.preheat_kernel"] == "True"
    assert given["--VoilaKernelManager.fill_delay"] == "0"
    pools = json.loads(given["--RepairLabVoila.preheat_pools"])
    assert pools == {"default": {"pool_size": 0}, "index.ipynb": {"pool_size": 1},
                     "01-demo/practice.ipynb": {"pool_size": 1},
                     "01-demo/cases.ipynb": {"pool_size": 1},
                     # Pre-heated last: it draws itself again after a save, like the others.
                     "01-demo/practice-mode.ipynb": {"pool_size": 1}}
    assert "--VoilaConfiguration.preheat_kernel=True" not in config.voila_command(
        course, port=8123, preheat=False)


def test_allow_and_deny_lists_keep_to_images(course):
    import re

    def served(path: str) -> bool:
        allowed = any(re.fullmatch(p, path, re.IGNORECASE) for p in config.FILE_ALLOWLIST)
        denied = any(re.fullmatch(p, path, re.IGNORECASE) for p in config.FILE_DENYLIST)
        return allowed and not denied

    assert served("01-demo/images/figure.svg")
    for path in ("course.yaml", "01-demo/module.yaml", "01-demo/instructor-notes.md",
                 "01-demo/practice.ipynb", ".hidden.png", "01-demo/images/.secret.svg",
                 "../exercises/x.png"):
        assert not served(path), path


def test_environment_finds_the_template_and_the_course(course):
    env = config.serve_env(course, {"JUPYTER_PATH": "/elsewhere"})
    assert env["REPAIRLAB_COURSE_DIR"] == str(course.resolve())
    assert env["JUPYTER_PATH"].split(":") == [str(config.SHARE_DIR), "/elsewhere"]
    template = config.SHARE_DIR / "voila" / "templates" / config.TEMPLATE
    assert json.loads((template / "conf.json").read_text())["base_template"] == "lab"
    for name in ("index.html.j2", "page.html", "static/repairlab.css", "static/repairlab.js"):
        assert (template / name).is_file(), name


def test_serve_options():
    args = build_parser().parse_args(["serve", "--listen-all", "--no-preheat", "--port", "9"])
    assert (args.listen_all, args.no_preheat, args.port) == (True, True, 9)
    args = build_parser().parse_args(["serve"])
    assert (args.listen_all, args.no_preheat) == (False, False)


class FakeKernelManager:
    """Just what PoolRefresher uses of Voilà's kernel manager."""

    def __init__(self):
        self._pools: dict[str, list] = {}
        self.filled: list[str] = []
        self.stopped: list[str] = []
        self.log = logging.getLogger("test")

    def add(self, page: str, kernel_id: str) -> None:
        future = asyncio.get_event_loop().create_future()
        future.set_result({"kernel_id": kernel_id})
        self._pools.setdefault(page, []).append(future)

    def fill_if_needed(self, delay=None, notebook_name=None, **kwargs):
        self.filled.append(notebook_name)

    async def shutdown_kernel(self, kernel_id):
        self.stopped.append(kernel_id)


def test_a_saved_answer_replaces_no_pooled_kernel_but_each_redraws_when_handed_out(tmp_path):
    """An answer makes every pooled kernel *behind* the store: none is stopped or started;
    the one Voilà hands out next is named once, so that it draws its views again."""
    db = tmp_path / "progress.sqlite3"

    async def scenario():
        writer = sqlite3.connect(db, isolation_level=None)
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("CREATE TABLE attempts (x)")
        km = FakeKernelManager()
        km.add("index.ipynb", "k-landing")
        km.add("01-demo/practice.ipynb", "k-practice")
        refresher = PoolRefresher(km, progress_file=db)
        refresher.poll()
        assert refresher.take_behind("index.ipynb") is None  # nothing saved since

        writer.execute("INSERT INTO attempts VALUES (1)")  # a student's answer
        refresher.poll()
        assert not refresher.is_stale("index.ipynb")  # handed out as usual, not rendered fresh
        landing = km._pools["index.ipynb"][0]
        assert refresher.take_behind("index.ipynb") is landing
        assert refresher.take_behind("index.ipynb") is None  # once: it leaves the pool now
        km._pools["index.ipynb"].remove(landing)  # what Voilà's get_rendered_notebook does
        refresher.poll()
        assert refresher._refresh_due is None  # no replacement pending, either
        assert km.stopped == []  # no kernel stopped
        assert km.filled == []  # none started

        # A kernel pooled after the answer is not behind; the practice page's still is.
        km.add("index.ipynb", "k-landing-2")
        assert refresher.take_behind("index.ipynb") is None
        assert refresher.take_behind("01-demo/practice.ipynb") is not None

        # Kernels opening the file and reading it commit nothing: nothing falls behind.
        reader = sqlite3.connect(db)
        reader.execute("PRAGMA journal_mode=WAL")
        assert reader.execute("SELECT count(*) FROM attempts").fetchone() == (1,)
        reader.close()
        refresher.poll()
        assert refresher.take_behind("index.ipynb") is None
        refresher.stop()
        writer.close()

    run_in_own_loop(scenario())


def test_a_pooled_kernel_that_waited_long_redraws_when_handed_out_even_with_nothing_saved(
        tmp_path):
    """A practice-mode page heated during a student's last visit chose its item then; back
    after a pause (a later visit, when a review may be due) the page must choose again. So a
    kernel pooled for longer than REDRAW_AFTER_SECONDS is named for a redraw, saved answer or
    not, and a fresh one is not."""
    from repairlab.serving.app import REDRAW_AFTER_SECONDS

    db = tmp_path / "progress.sqlite3"
    sqlite3.connect(db).close()

    async def scenario():
        km = FakeKernelManager()
        km.add("01-demo/practice-mode.ipynb", "k-old")
        refresher = PoolRefresher(km, progress_file=db)
        refresher.note_pooled(now=1000.0)
        km.add("01-demo/practice-mode.ipynb", "k-new")
        refresher.note_pooled(now=1000.0 + REDRAW_AFTER_SECONDS - 1)
        page = "01-demo/practice-mode.ipynb"
        assert refresher.take_behind(page, now=1000.0 + REDRAW_AFTER_SECONDS - 1) is None
        old = km._pools[page][0]
        assert refresher.take_behind(page, now=1000.0 + REDRAW_AFTER_SECONDS) is old
        km._pools[page].remove(old)  # Voilà hands it out
        # The next kernel has waited less: it is handed out as it is.
        assert refresher.take_behind(page, now=1000.0 + REDRAW_AFTER_SECONDS) is None
        assert (km.stopped, km.filled) == ([], [])  # nothing started or stopped for it
        refresher.stop()

    run_in_own_loop(scenario())


def test_pool_refresher_replaces_kernels_rendered_before_an_instructor_edit(
        tmp_path, monkeypatch, course_builder):
    """Pre-heated pages were rendered at start-up. The instructor retitles a module, then adds
    one: each time, every pooled page is stale (so the first visit is rendered fresh) and the
    landing page's kernel is replaced."""
    monkeypatch.setenv("REPAIRLAB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    course = course_builder(tmp_path / "course", ("demo", "Demo"))

    async def scenario():
        km = FakeKernelManager()
        km.add("index.ipynb", "k-landing")
        km.add("01-demo/practice.ipynb", "k-practice")
        refresher = PoolRefresher(km, progress_file=tmp_path / "no-progress-yet.sqlite3",
                                  course_root=course)
        refresher.poll()
        assert not refresher.is_stale("index.ipynb")

        manifest = course / "curriculum" / "01-demo" / "module.yaml"
        manifest.write_text(manifest.read_text(encoding="utf-8").replace(
            'title: "Demo"', 'title: "Rupture basics"'), encoding="utf-8")
        refresher.poll()  # what a page request does first
        assert refresher.is_stale("index.ipynb")
        assert refresher.is_stale("01-demo/practice.ipynb")  # its "Next module" link, too
        await refresher.refresh("index.ipynb")
        assert km.stopped == ["k-landing"]
        assert km.filled == ["index.ipynb"]

        km.add("index.ipynb", "k-landing-2")  # rendered after the edit
        refresher.poll()
        assert not refresher.is_stale("index.ipynb")
        assert repairlab(["new-module", "second", "--title", "Second",
                          "--course", str(course)]) == 0
        refresher.poll()
        assert refresher.is_stale("index.ipynb")
        refresher.stop()

    run_in_own_loop(scenario())


def run_in_own_loop(coroutine) -> None:
    """asyncio.run() in a thread: Playwright's sync API keeps a loop running in this one."""
    errors: list[BaseException] = []

    def target():
        try:
            asyncio.run(coroutine)
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def test_kernel_start_routes_course_logs_to_the_server_log(capfd):
    from repairlab.serving import kernel

    kernel.route_logs_to_server()
    kernel.route_logs_to_server()  # once only, however often it runs
    logger = logging.getLogger("repairlab")
    ours = [h for h in logger.handlers if getattr(h, "_repairlab_server_log", False)]
    assert len(ours) == 1
    logger.warning("DETAIL-FOR-THE-INSTRUCTOR")
    assert "DETAIL-FOR-THE-INSTRUCTOR" in capfd.readouterr().err
    logger.removeHandler(ours[0])


# -- the course on a JupyterHub (repairlab.serving.hub) -----------------------------------------

def test_the_hub_extension_is_turned_on_by_the_file_the_package_installs():
    """pyproject installs jupyter_server_config.d/repairlab.json, which must name a module
    with the extension's entry points (a typo would silently serve plain Voilà on a hub)."""
    import importlib
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    repo = Path(__file__).resolve().parents[2]
    pyproject = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))
    shared = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["shared-data"]
    source, target = next((s, t) for s, t in shared.items() if t.endswith("repairlab.json"))
    assert target == "etc/jupyter/jupyter_server_config.d/repairlab.json"
    enabled = json.loads((repo / source).read_text(encoding="utf-8"))
    modules = [m for m, on in enabled["ServerApp"]["jpserver_extensions"].items() if on]
    assert modules == ["repairlab.serving.hub"]
    module = importlib.import_module(modules[0])
    assert module._jupyter_server_extension_points() == [{"module": modules[0]}]
    assert callable(module._load_jupyter_server_extension)


def test_the_hub_extension_acts_only_in_a_course_server():
    from repairlab.serving.hub import is_course_server, is_instructor

    hub_server = {"JUPYTERHUB_SERVICE_PREFIX": "/user/alice/", "JUPYTERHUB_USER": "alice"}
    assert not is_course_server({})  # a laptop's JupyterLab
    assert not is_course_server(hub_server)  # a hub that does not serve the course
    assert not is_course_server({"REPAIRLAB_COURSE_DIR": "/srv/repairlab"})  # repairlab serve
    assert is_course_server({**hub_server, "REPAIRLAB_COURSE_DIR": "/srv/repairlab"})
    assert is_instructor({"REPAIRLAB_HUB_ROLE": "instructor"})
    assert not is_instructor({"REPAIRLAB_HUB_ROLE": "student"})
    assert not is_instructor({})


def test_the_landing_page_address_follows_what_the_server_serves(tmp_path):
    from repairlab.serving.hub import LANDING_URL, landing_url

    course = tmp_path / "course"
    # The recipes: the server serves curriculum/.
    assert landing_url(course / "curriculum", course) == LANDING_URL
    # Binder: the server serves the whole repository.
    assert landing_url(course, course) == "/voila/render/curriculum/index.ipynb"
    # A server whose files do not hold the course at all.
    assert landing_url(tmp_path / "elsewhere", course) == LANDING_URL
