"""Browser tests: the real ``repairlab serve`` configuration, driven by headless Chromium.

Two servers per session, each started exactly as ``repairlab serve`` starts one (the same
``serving.config`` command and environment), on a free port, with progress kept in a
temporary folder:

* ``demo_server``: a small, stable course built here (the real course.yaml and landing page,
  plus one module from ``repairlab new-module demo``: one item of every kind), so the tests do
  not move while the real content is being written. It also holds a few files that must never
  be served, and a notebook that raises.
* ``course_server``: the real course in curriculum/.

Without Chromium (or Playwright) the tests are skipped with a message, except when
REPAIRLAB_REQUIRE_BROWSER=1 (CI), where they fail. Screenshots go to $REPAIRLAB_ARTIFACTS
(default test-artifacts/).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("REPAIRLAB_ARTIFACTS", "test-artifacts"))
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# A Voilà page runs its notebook and then loads ~4 MB of JavaScript; on a busy two-core
# machine the first widget can take several seconds.
WIDGET_TIMEOUT_MS = 60_000
SERVER_START_SECONDS = 120


# Tests using any of these need Chromium and a running server: they get the `browser` marker
# (so `-m "not browser"` leaves them out); the rest of this folder are fast unit tests.
BROWSER_FIXTURES = {"chromium_path", "browser", "demo_server", "course_server", "laptop_server",
                    "open_page", "own_server"}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents and \
                BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


def _required() -> bool:
    return os.environ.get("REPAIRLAB_REQUIRE_BROWSER") == "1"


def unavailable(reason: str):
    """Skip with a clear message, or fail when CI requires the browser tests to run."""
    if _required():
        pytest.fail(f"{reason} (REPAIRLAB_REQUIRE_BROWSER=1, so this is an error)", pytrace=False)
    pytest.skip(f"{reason}; browser tests skipped. Install Debian's chromium package (or set "
                "REPAIRLAB_CHROMIUM to a Chromium binary) to run them.")


def find_chromium() -> str | None:
    """$REPAIRLAB_CHROMIUM when set (and only it), else Debian's, else one on PATH."""
    chosen = os.environ.get("REPAIRLAB_CHROMIUM")
    candidates = [chosen] if chosen else [
        "/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or ""]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


# -- the course under test -------------------------------------------------------------------

def build_demo_course(root: Path) -> Path:
    """The real course.yaml and landing page, with one module made by `repairlab new-module`."""
    from course_factory import make_course

    make_course(root, ("demo", "Demo"))
    module = root / "curriculum" / "01-demo"
    # Files a student must never be able to download (see test_security.py).
    (root / "curriculum" / ".hidden.png").write_bytes(b"\x89PNG hidden")
    (module / "images").mkdir(exist_ok=True)
    (module / "images" / "figure.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', encoding="utf-8")
    (module / "images" / ".secret.svg").write_text("<svg/>", encoding="utf-8")
    (module / "answers.yaml").write_text("secret: true\n", encoding="utf-8")
    # A page whose code fails: the student sees a friendly message, the log the traceback.
    (module / "broken.ipynb").write_text(json.dumps({
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# A page that fails"},
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
             "source": "raise ValueError('SECRET-DETAIL-1458')"},
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    return root


# -- servers ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    root: Path
    port: int
    process: subprocess.Popen
    log_path: Path
    data_dir: Path
    pooled: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, page: str) -> str:
        return f"{self.base}/voila/render/{page}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kernel_pids(self) -> set[int]:
        """The server's running kernels (child processes running ipykernel)."""
        import psutil

        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return set()
        pids = set()
        for child in children:
            try:
                if "ipykernel" in " ".join(child.cmdline()) and child.status() != "zombie":
                    pids.add(child.pid)
            except psutil.Error:
                continue
        return pids

    def wait_for_kernels(self, count: int, timeout: float = 60.0) -> set[int]:
        """Wait until exactly ``count`` kernels run (pools full, closed tabs cleaned up)."""
        deadline = time.monotonic() + timeout
        pids = self.kernel_pids()
        while time.monotonic() < deadline:
            pids = self.kernel_pids()
            if len(pids) == count:
                # Stable for a moment: a pool refill starts right after a kernel is taken.
                time.sleep(1.0)
                if len(self.kernel_pids()) == count:
                    return pids
            time.sleep(0.25)
        raise AssertionError(f"expected {count} kernels, found {len(pids)}")

    def get(self, path: str) -> tuple[int, str, dict]:
        """(status, body, headers) of a plain GET, without following redirects."""

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(self.base + path, timeout=60) as response:
                return (response.status, response.read().decode("utf-8", "replace"),
                        dict(response.headers))
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)


def start_server(root: Path, workdir: Path, name: str,
                 student: str | None = "browser-test") -> Server:
    from repairlab.serving.config import pooled_notebooks, serve_env, voila_command

    port = free_port()
    data_dir = workdir / f"{name}-data"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = serve_env(root)
    env["REPAIRLAB_DATA_DIR"] = str(data_dir)
    if student:
        env["REPAIRLAB_STUDENT"] = student
    else:  # a laptop: the landing page asks the student's name
        env.pop("REPAIRLAB_STUDENT", None)
    env.pop("JUPYTERHUB_USER", None)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = (ARTIFACTS / f"server-{name}.log").resolve()
    log_file = log_path.open("w", encoding="utf-8")
    # Started from another folder than the course on purpose: pages must not depend on the
    # server's working directory.
    process = subprocess.Popen(voila_command(root, port=port), env=env, cwd=workdir,
                               stdout=log_file, stderr=subprocess.STDOUT)
    log_file.close()
    server = Server(root, port, process, log_path, data_dir, pooled_notebooks(root))
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the {name} server exited:\n{server.log()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.25)
    else:
        stop_server(server)
        raise RuntimeError(f"the {name} server did not start:\n{server.log()[-3000:]}")
    # Wait for every pool to be full, so the tests see the configuration students get.
    server.wait_for_kernels(len(server.pooled), timeout=SERVER_START_SECONDS)
    return server


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        unavailable("no Chromium found ($REPAIRLAB_CHROMIUM if set, else /usr/bin/chromium, "
                    "else chromium on PATH)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("the Python package playwright is not installed")
    return path


@pytest.fixture(scope="session")
def demo_course_root(tmp_path_factory) -> Path:
    """The demo course (see build_demo_course), built once per session."""
    return build_demo_course(tmp_path_factory.mktemp("demo-course") / "course")


@pytest.fixture(scope="session")
def demo_server(chromium_path, demo_course_root, tmp_path_factory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("demo-serve")
    server = start_server(demo_course_root, workdir, "demo")
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def laptop_server(chromium_path, demo_course_root, tmp_path_factory) -> Iterator[Server]:
    """The demo course served as on a laptop: no REPAIRLAB_STUDENT, no hub."""
    workdir = tmp_path_factory.mktemp("laptop-serve")
    server = start_server(demo_course_root, workdir, "laptop", student=None)
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def course_server(chromium_path, tmp_path_factory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("course-serve")
    server = start_server(REPO, workdir, "course")
    yield server
    stop_server(server)


@pytest.fixture
def own_server(chromium_path, tmp_path):
    """own_server(root) -> a server of its own, for a course the test changes while it runs."""
    servers: list[Server] = []

    def start(root: Path) -> Server:
        server = start_server(root, tmp_path / f"own-serve-{len(servers)}", "own")
        servers.append(server)
        return server

    yield start
    for server in servers:
        stop_server(server)


# -- the browser -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Watch:
    """What went wrong on a page: script errors, failed requests, dialogs (e.g. alert())."""

    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)
        page.on("dialog", self._dialog)

    def _request_failed(self, request) -> None:
        # A navigation away from a page cancels its pending requests: not a failure.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.failed.append(f"{request.url}: {request.failure}")

    def _response(self, response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.failed.append(f"{response.url}: HTTP {response.status}")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def assert_clean(self) -> None:
        assert not self.errors, f"script errors on the page: {self.errors}"
        assert not self.failed, f"failed requests: {self.failed}"
        assert not self.dialogs, f"dialogs opened: {self.dialogs}"


@dataclass
class Tab:
    page: object
    watch: Watch


@pytest.fixture
def open_page(browser):
    """open_page(url, *, dark=False, width=1280) -> Tab, with the first widget visible."""
    contexts = []

    def _open(url: str, *, dark: bool = False, width: int = 1280, height: int = 900,
              wait_for: str = ".jupyter-widgets") -> Tab:
        context = browser.new_context(color_scheme="dark" if dark else "light",
                                      viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        watch = Watch()
        watch.attach(page)
        page.goto(url)
        if wait_for:
            page.wait_for_selector(wait_for, state="visible", timeout=WIDGET_TIMEOUT_MS)
        return Tab(page, watch)

    yield _open
    for context in contexts:
        close_tabs(context)
        context.close()


def close_tabs(context) -> None:
    """Close each tab as a student does, so its page asks the server to stop its kernel.

    (Playwright skips the page's unload handlers unless asked; the server would then keep
    one kernel per test until the idle cull.)
    """
    for page in context.pages:
        if page.is_closed():
            continue
        with page.expect_event("close", timeout=10_000):
            page.close(run_before_unload=True)


@pytest.fixture
def shoot():
    """shoot(page, name): a full-page screenshot in $REPAIRLAB_ARTIFACTS."""
    return screenshot


@pytest.fixture
def axe():
    """axe(page): axe-core's serious and critical violations on the page."""
    return run_axe


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under $REPAIRLAB_ARTIFACTS, for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def run_axe(page) -> list[dict]:
    """axe-core's serious and critical violations on the page (WCAG 2.x A and AA rules)."""
    if not AXE.is_file():
        if _required():
            pytest.fail(f"axe-core is missing at {AXE}: run `make node_modules/axe-core/axe.min.js`"
                        " (npm install --no-save axe-core@4)")
        pytest.skip("axe-core is not installed (npm install --no-save axe-core@4)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                             'best-practice']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' +
                                                  (n.failureSummary || ''))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]
