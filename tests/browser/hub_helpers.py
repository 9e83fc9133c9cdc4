"""A real JupyterHub for the hub tests (test_hub.py) and the hub memory bench.

It runs exactly deploy/jupyterhub_config.py, loaded by a small file of test-only overrides:

* a test login (DummyAuthenticator with one password) instead of the machine's accounts;
* the simple local spawner: every student's server runs as the OS user running the tests,
  with a home of its own (``homes/<name>``), so isolation is over HTTP only;
* free ports on 127.0.0.1, the proxy from node_modules, state in a temporary folder;
* ``--allow-root`` for the students' servers when the tests run as root (CI does): Jupyter
  refuses to run as root otherwise.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEPLOY_CONFIG = REPO / "deploy" / "jupyterhub_config.py"
PROXY = REPO / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORD = "practise-repair"  # the test login's one password
HUB_START_SECONDS = 60

# Put first on the hub's PYTHONPATH (which the hub passes on to its services), so that the test
# can stop the hand-in service in the middle of a write and kill it there: while the file
# ``stall`` exists, the service's fsync (after the temporary file is written, before it is
# renamed into place) says so in ``stalled`` and waits. Every other process is left alone.
STALL_HOOK = """\
import os, sys, time
if any("repairlab.serving.service" in arg for arg in getattr(sys, "orig_argv", ())):
    _fsync = os.fsync
    def _stalling_fsync(fd):
        _fsync(fd)
        if os.path.exists({stall!r}):
            open({stalled!r}, "w").close()
            time.sleep(3600)
    os.fsync = _stalling_fsync
"""

OVERRIDES = """\
# Test-only overrides of deploy/jupyterhub_config.py (see tests/browser/hub_helpers.py).
import os

load_subconfig({deploy!r})

c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.JupyterHub.db_url = "sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{state}/jupyterhub_cookie_secret"
c.ConfigurableHTTPProxy.pid_file = "{state}/jupyterhub-proxy.pid"

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{homes}/{{username}}"
if os.geteuid() == 0:
    c.Spawner.args = ["--allow-root"]
"""


def hub_available() -> str | None:
    """Why the hub tests cannot run here, or None."""
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        return "JupyterHub is not installed (make test-hub installs the `hub` extra)"
    if not os.access(PROXY, os.X_OK):
        return f"configurable-http-proxy is missing at {PROXY} (make test-hub installs it)"
    if shutil.which("node") is None:
        return "Node.js is missing (configurable-http-proxy runs on it)"
    return None


@dataclass
class Hub:
    root: Path  # the course it serves
    process: subprocess.Popen
    port: int
    state: Path
    homes: Path
    log_path: Path
    submissions: Path  # the hand-in service's folder
    seen: set[int] = field(default_factory=set)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stall(self) -> Path:
        """While this file exists, the hand-in service stops mid-write (STALL_HOOK)."""
        return self.state / "stall-service-writes"

    @property
    def stalled(self) -> Path:
        """Written by the hand-in service once it has stopped mid-write."""
        return self.state / "service-stalled"

    def service_process(self):
        """The hand-in service's process (the hub restarts it if it dies)."""
        import psutil

        for process in self.processes():
            try:
                if "repairlab.serving.service" in process.cmdline():
                    return process
            except psutil.Error:
                continue
        return None

    def service_url(self, path: str = "") -> str:
        """An address of the hand-in service, through the hub's proxy."""
        return f"{self.base}/services/repairlab/{path.lstrip('/')}"

    def user_url(self, name: str, path: str = "") -> str:
        return f"{self.base}/user/{name}/{path.lstrip('/')}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def processes(self) -> list:
        """The hub and every process under it (proxy, culler, servers, kernels); each one
        seen is remembered, so that stop() can check none outlives the hub."""
        import psutil

        try:
            hub = psutil.Process(self.process.pid)
            found = [hub, *hub.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []
        self.seen.update(p.pid for p in found)
        return found

    def server_process(self, name: str):
        """The student's single-user server (a process whose JUPYTERHUB_USER is ``name``)."""
        import psutil

        for process in self.processes():
            try:
                if "jupyterhub-singleuser" in " ".join(process.cmdline()) and \
                        process.environ().get("JUPYTERHUB_USER") == name:
                    return process
            except psutil.Error:
                continue
        return None

    def student_processes(self, name: str) -> list:
        """The student's server and everything it started (its kernels); empty if none runs."""
        server = self.server_process(name)
        return [server, *server.children(recursive=True)] if server else []

    def kernel_pids(self, name: str) -> set[int]:
        """The running kernels of the student's server."""
        import psutil

        server = self.server_process(name)
        if server is None:
            return set()
        pids = set()
        for child in server.children(recursive=True):
            try:
                if "ipykernel" in " ".join(child.cmdline()) and child.status() != "zombie":
                    pids.add(child.pid)
            except psutil.Error:
                continue
        self.seen.update(pids)
        return pids

    def progress_file(self, name: str) -> Path:
        """Where the student's server keeps their progress: the per-user data folder in their
        home (platformdirs), since the hub sets HOME and nothing else."""
        return self.homes / name / ".local" / "share" / "repairlab" / "progress.sqlite3"

    def stop(self, timeout: float = 30.0) -> list[str]:
        """Stop the hub as its service manager does (SIGTERM); the processes left after it
        (described), none if it cleaned up after itself."""
        import psutil

        self.processes()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        left = []
        for pid in sorted(self.seen):
            try:
                process = psutil.Process(pid)
                _, alive = psutil.wait_procs([process], timeout=max(0.0, timeout / 3))
                if alive and process.status() != psutil.STATUS_ZOMBIE:
                    left.append(f"{pid} {' '.join(process.cmdline())[:120]}")
            except psutil.NoSuchProcess:
                continue
        return left

    def kill_leftovers(self) -> None:
        import psutil

        for pid in self.seen:
            try:
                psutil.Process(pid).kill()
            except psutil.Error:
                continue


MB = 1024 * 1024


def pss_mb(processes) -> float:
    """Proportional set size of these processes, in MB (a process gone meanwhile counts 0)."""
    import psutil

    total = 0
    for process in processes:
        try:
            total += process.memory_full_info().pss
        except psutil.Error:
            continue
    return total / MB


def rss_mb(processes) -> float:
    """Resident set size of these processes, in MB (a process gone meanwhile counts 0)."""
    import psutil

    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total / MB


def copy_of_course(workdir: Path) -> Path:
    """The repository's course copied into ``workdir/course`` and compiled, for a bench's hub."""
    from repairlab.content.compiled import compile_course

    root = workdir / "course"
    shutil.copytree(REPO / "curriculum", root / "curriculum")
    shutil.copytree(REPO / "exercises", root / "exercises")
    compile_course(root)
    return root


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_hub(course_root: Path, workdir: Path, log_path: Path,
              instructors: tuple[str, ...] = ()) -> Hub:
    """JupyterHub on ``course_root``, started from deploy/jupyterhub_config.py; returns once
    /hub/health answers."""
    state, homes = workdir / "hub-state", workdir / "homes"
    state.mkdir(parents=True, exist_ok=True)
    homes.mkdir(parents=True, exist_ok=True)
    port = free_port()
    overrides = state / "test_overrides.py"
    overrides.write_text(OVERRIDES.format(
        deploy=str(DEPLOY_CONFIG), port=port, hub_port=free_port(), proxy_api_port=free_port(),
        proxy=str(PROXY), state=state, homes=homes, password=PASSWORD), encoding="utf-8")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("JUPYTERHUB_", "REPAIRLAB_", "XDG_", "JUPYTER_"))}
    env["REPAIRLAB_COURSE_DIR"] = str(course_root)
    env["REPAIRLAB_INSTRUCTORS"] = " ".join(instructors)
    # The hand-in service on a free port, keeping what it receives in the temporary folder.
    env["REPAIRLAB_SERVICE_URL"] = f"http://127.0.0.1:{free_port()}"
    env["REPAIRLAB_SUBMISSIONS_DIR"] = str(workdir / "submissions")
    hook = state / "site"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(STALL_HOOK.format(
        stall=str(state / "stall-service-writes"), stalled=str(state / "service-stalled")),
        encoding="utf-8")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(hook), env.get("PYTHONPATH")) if p)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(overrides)],
                                   cwd=state, env=env, stdout=log_file,
                                   stderr=subprocess.STDOUT)
    hub = Hub(course_root, process, port, state, homes, log_path, workdir / "submissions")
    deadline = time.monotonic() + HUB_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterHub exited:\n{hub.log()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{hub.base}/hub/health", timeout=2) as response:
                if response.status == 200:
                    hub.processes()
                    return hub
        except (urllib.error.URLError, OSError):
            pass  # not listening yet, or 404 for a moment while the proxy learns its routes
        time.sleep(0.2)
    hub.stop()
    raise RuntimeError(f"JupyterHub did not answer /hub/health:\n{hub.log()[-4000:]}")


def log_in(context, hub: Hub, name: str):
    """Log in through the hub's login form in a new tab; returns the tab once the student's
    server has sent them to their first page."""
    page = context.new_page()
    page.goto(f"{hub.base}/hub/login")
    page.locator("#username_input").fill(name)
    page.locator("#password_input").fill(PASSWORD)
    page.locator("#login_submit").click()
    return page
