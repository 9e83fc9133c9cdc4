"""Memory of one student's server on a real JupyterHub: idle, and with one page open.

    .venv/bin/python bench/hub_memory.py            # about 1 minute; needs `make test-hub`'s installs

Starts the hub exactly as the hub tests do (deploy/jupyterhub_config.py with the test-only
overrides of tests/browser/hub_helpers.py) on a copy of the real course, logs one student in
through the login form in headless Chromium, and reads PSS (proportional set size: shared pages
divided among the processes sharing them, the figure that adds up across students) of the
student's single-user server and its kernels:

* idle: logged in, the landing page's tab closed and its kernel stopped (what a student who
  went away costs until the hub's idle culler stops the server);
* the landing page open (its kernel running);
* one practice page open (module 4, the page the load figures in issue 15 used), also as RSS:
  in a Kubernetes pod of its own (Zero to JupyterHub) a student's server shares no pages with
  other students', so RSS is what its memory limit must hold.

Also the hub and the proxy, paid once per hub. Medians of --runs students (each a new login).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

from hub_helpers import (  # noqa: E402
    Hub,
    copy_of_course,
    hub_available,
    log_in,
    pss_mb,
    rss_mb,
    start_hub,
)

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
LANDING = "voila/render/index.ipynb"
PRACTICE = "voila/render/04-non-defensive-responding/practice.ipynb"
def settle(hub: Hub, name: str, kernels: int, timeout: float = 60.0) -> None:
    """Until the student's server runs exactly ``kernels`` kernels, then a moment for the
    page's notebook to finish running (its memory to be allocated)."""
    deadline = time.monotonic() + timeout
    while len(hub.kernel_pids(name)) != kernels:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name}: expected {kernels} kernels")
        time.sleep(0.2)
    time.sleep(2.0)


def close(page) -> None:
    with page.expect_event("close", timeout=10_000):
        page.close(run_before_unload=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="students measured (default 3)")
    args = parser.parse_args(argv)
    reason = hub_available()
    if reason:
        print(reason, file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="repairlab-hub-memory-"))
    root = copy_of_course(work)
    hub = start_hub(root, work, work / "hub.log")
    figures: dict[str, list[float]] = {"idle": [], "landing": [], "practice": [],
                                       "kernel": [], "practice_rss": []}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=CHROMIUM_ARGS)
            for run in range(args.runs):
                name = f"student{run + 1}"
                context = browser.new_context()
                page = log_in(context, hub, name)
                page.wait_for_url(f"**/user/{name}/{LANDING}", timeout=60_000)
                page.wait_for_selector(".repairlab-home", state="visible", timeout=60_000)
                settle(hub, name, 1)
                figures["landing"].append(pss_mb(hub.student_processes(name)))
                practice = context.new_page()
                close(page)
                practice.goto(hub.user_url(name, PRACTICE))
                practice.wait_for_selector(".repairlab-exercise", state="visible",
                                           timeout=60_000)
                settle(hub, name, 1)
                tree = hub.student_processes(name)
                figures["practice"].append(pss_mb(tree))
                figures["practice_rss"].append(rss_mb(tree))
                figures["kernel"].append(pss_mb(
                    [p for p in tree if p.pid in hub.kernel_pids(name)]))
                close(practice)
                settle(hub, name, 0)
                figures["idle"].append(pss_mb(hub.student_processes(name)))
                context.close()
            browser.close()
        own = [p for p in hub.processes() if "singleuser" not in " ".join(p.cmdline())
               and "ipykernel" not in " ".join(p.cmdline())]
        hub_and_proxy = pss_mb(own)
    finally:
        left = hub.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"PSS, median of {args.runs} students (MB):")
    print(f"  student's server, idle (no page open):     {statistics.median(figures['idle']):6.1f}")
    print(f"  server + kernel, landing page open:        {statistics.median(figures['landing']):6.1f}")
    print(f"  server + kernel, module 4 practice open:   {statistics.median(figures['practice']):6.1f}")
    print(f"    of which the practice page's kernel:     {statistics.median(figures['kernel']):6.1f}")
    print(f"  the same, RSS (nothing shared, as in a pod): {statistics.median(figures['practice_rss']):6.1f}")
    print(f"  hub + proxy + idle culler (once per hub):  {hub_and_proxy:6.1f}")
    if left:
        print(f"processes left after the hub stopped: {left}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
