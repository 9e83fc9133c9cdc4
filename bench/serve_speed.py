"""How fast and how heavy the student's pages are, next to a one-widget Voilà page.

    .venv/bin/python bench/serve_speed.py [--runs N] [--no-browser]

One run measures, for each app and for a baseline notebook (one cell: an ipywidgets
button), served by the same ``repairlab serve`` configuration (serving/config.py):

* server time to first byte (TTFB) and to the complete HTML, with a warm pool of pre-heated
  kernels and with pre-heating off;
* in Chromium, the time from navigation to the first exercise widget on screen (warm browser
  cache, as for a student moving between pages);
* the resident memory (RSS) of the page's kernel once the page is shown;
* with the pools full and idle, the memory of all the pooled kernels and of the server
  (RSS, and PSS: shared pages split among the processes sharing them);
* TTFB and complete HTML from a warm pool right after a save (a draft written to the
  progress store, as a student leaving a text box does): the pooled kernel is then behind
  the store and draws its views again before the page's end is sent (repairlab/redraw.py);
* the time to ``import repairlab`` in a fresh interpreter.

The course is a copy of the real one in a temporary folder, plus the demo module from
``repairlab new-module`` (one item of every kind) and the baseline notebook; progress goes to
a temporary folder. Prints a Markdown table; exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

TARGET_TTFB_MS = 50  # warm pool
TARGET_BROWSER_RATIO = 1.2  # first widget, app / baseline
TARGET_RSS_MB = 10  # kernel RSS above the baseline kernel
TARGET_IMPORT_MS = 150

BASELINE = "baseline.ipynb"


def notebook(*sources: str) -> str:
    cells = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
        for source in sources
    ]
    return json.dumps(
        {
            "cells": cells,
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def build_course(root: Path) -> dict[str, tuple[str, str]]:
    """The bench course; returns app name -> (page, CSS selector of its first widget)."""
    from repairlab.cli import main as repairlab
    from repairlab.content.course import load_course, notebook_item_refs

    shutil.copytree(REPO / "curriculum", root / "curriculum")
    shutil.copytree(REPO / "exercises", root / "exercises")
    assert repairlab(["new-module", "bench-demo", "--title", "Demo", "--course", str(root)]) == 0
    (root / "curriculum" / BASELINE).write_text(
        notebook("import ipywidgets as widgets\nwidgets.Button(description='Hello')"), encoding="utf-8"
    )
    course, _ = load_course(root)
    apps = {
        "baseline (one button)": (BASELINE, ".jupyter-widgets"),
        "landing page": ("index.ipynb", ".repairlab-home"),
    }
    demo = course.modules[-1]
    apps["demo practice (every kind)"] = (
        f"{demo.folder}/{demo.manifest.notebooks.practice}",
        ".repairlab-exercise",
    )
    real = [m for m in course.modules if m is not demo]
    if real:
        biggest = max(real, key=lambda m: len(notebook_item_refs(m.notebook("practice"))))
        count = len(notebook_item_refs(biggest.notebook("practice")))
        apps[f"module {biggest.number} practice ({count} items)"] = (
            f"{biggest.folder}/{biggest.manifest.notebooks.practice}",
            ".repairlab-exercise",
        )
        # Practice mode serves one item of the module at a time (issue 16: "in the same
        # kernel-memory budget as the practice pages").
        apps[f"module {biggest.number} practice mode"] = (
            f"{biggest.folder}/{biggest.manifest.notebooks.practice_mode}",
            ".repairlab-exercise",
        )
    return apps


class Server:
    def __init__(self, root: Path, data: Path, *, preheat: bool, log: Path,
                 baseline: bool = True):
        from repairlab.serving.config import serve_env, voila_command

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        command = voila_command(root, port=self.port, preheat=preheat)
        if preheat:  # the baseline gets a pool too, so both sides are measured alike
            flag = next(
                i for i, part in enumerate(command) if part.startswith("--RepairLabVoila.preheat_pools=")
            )
            pools = json.loads(command[flag].split("=", 1)[1])
            if baseline:
                pools[BASELINE] = {"pool_size": 1}
            self.pooled = len(pools) - 1
            command[flag] = f"--RepairLabVoila.preheat_pools={json.dumps(pools)}"
        else:
            self.pooled = 0
        env = serve_env(root)
        self.data = data
        env["REPAIRLAB_DATA_DIR"] = str(data)
        env["REPAIRLAB_STUDENT"] = "bench"
        self.log = log.open("w", encoding="utf-8")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        self.settle()

    def kernels(self) -> dict[str, int]:
        """kernel id -> pid, for the server's kernel processes."""
        import psutil

        found = {}
        for child in psutil.Process(self.process.pid).children(recursive=True):
            try:
                match = re.search(r"kernel-([0-9a-f-]{36})\.json", " ".join(child.cmdline()))
            except psutil.Error:
                continue
            if match:
                found[match.group(1)] = child.pid
        return found

    @staticmethod
    def _idle(pids: list[int]) -> bool:
        """True when these processes used (almost) no CPU over one second."""
        import psutil

        try:
            before = sum(sum(psutil.Process(p).cpu_times()[:2]) for p in pids)
            time.sleep(1.0)
            after = sum(sum(psutil.Process(p).cpu_times()[:2]) for p in pids)
        except psutil.Error:
            return False
        return after - before < 0.02 * max(len(pids), 1)

    def idle_memory(self) -> dict[str, float]:
        """MB of the pooled kernels (RSS and PSS, summed) and of the server, pools idle."""
        import psutil

        self.settle()
        kernels = [psutil.Process(pid) for pid in self.kernels().values()]
        server = psutil.Process(self.process.pid)
        mb = 2**20
        return {
            "kernels": len(kernels),
            "kernels_rss": sum(k.memory_info().rss for k in kernels) / mb,
            "kernels_pss": sum(k.memory_full_info().pss for k in kernels) / mb,
            "server_pss": server.memory_full_info().pss / mb,
        }

    def save(self) -> None:
        """Commit to the progress store, as any saved answer or draft does."""
        from repairlab.progress import DB_FILENAME, ProgressStore

        store = ProgressStore(self.data / DB_FILENAME)
        try:
            store.save_draft("bench", "bench-draft", f"typed at {time.time()}")
        finally:
            store.close()

    def wait_for_kernel(self, kernel_id: str, timeout: float = 60.0) -> int | None:
        """The pid of a shown page's kernel once it is idle (widgets drawn, comms settled)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid = self.kernels().get(kernel_id)
            if pid and self._idle([pid]):
                return pid
            time.sleep(0.2)
        return None

    def settle(self, timeout: float = 180.0) -> None:
        """Wait until only the pooled kernels run and all of them are idle.

        Idle matters: a pooled kernel exists before it has finished running its notebook, and
        a page taken from it then waits for the rest ("warm" would not be warm).
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = list(self.kernels().values())
            if len(pids) == self.pooled:
                if self._idle(pids) and sorted(self.kernels().values()) == sorted(pids):
                    return
            else:
                time.sleep(0.2)
        raise RuntimeError(f"kernels did not settle at {self.pooled}: {len(self.kernels())}")

    def fetch(self, page: str) -> tuple[float, float, str, str]:
        """(TTFB s, complete s, kernel id, _xsrf cookie) for one page request."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        start = time.perf_counter()
        connection.request("GET", f"/voila/render/{page}")
        response = connection.getresponse()
        first = response.read(1)
        ttfb = time.perf_counter() - start
        body = first + response.read()
        complete = time.perf_counter() - start
        cookies = response.headers.get_all("Set-Cookie") or []
        connection.close()
        xsrf = next((c.split("=", 1)[1].split(";")[0] for c in cookies if c.startswith("_xsrf=")), "")
        kernel = re.search(rb'"kernelId": "([0-9a-f-]{36})"', body)
        return ttfb, complete, kernel.group(1).decode() if kernel else "", xsrf

    def shutdown_kernel(self, kernel_id: str, xsrf: str) -> None:
        """What the page does when its tab closes (the request sendBeacon makes)."""
        boundary = "benchboundary"
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="_xsrf"\r\n\r\n'
            f"{xsrf}\r\n--{boundary}--\r\n"
        ).encode()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request(
            "POST",
            f"/voila/api/shutdown/{kernel_id}",
            body=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Cookie": f"_xsrf={xsrf}",
                "Origin": f"http://127.0.0.1:{self.port}",
            },
        )
        status = connection.getresponse().status
        connection.close()
        if status != 204:
            raise RuntimeError(f"kernel shutdown refused: HTTP {status}")

    def url(self, page: str) -> str:
        return f"http://127.0.0.1:{self.port}/voila/render/{page}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def server_times(server: Server, page: str, runs: int, *, after_save: bool = False
                 ) -> tuple[list[float], list[float]]:
    ttfbs, completes = [], []
    for _ in range(runs):
        server.settle()
        if after_save:
            server.save()
        ttfb, complete, kernel, xsrf = server.fetch(page)
        ttfbs.append(ttfb)
        completes.append(complete)
        if kernel:
            server.shutdown_kernel(kernel, xsrf)
    return ttfbs, completes


# Runs in the page before any of its scripts: checks once per animation frame whether the
# first widget is drawn, and keeps the time since navigation start. Playwright's own polling
# of a selector comes in coarse bands, which alone moved the app/baseline ratio by ±0.1.
FIRST_WIDGET_PROBE = """
(() => {
  const selector = %s;
  const drawn = () => {
    const el = document.querySelector(selector);
    if (!el) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const check = () => {
    if (drawn()) { window.__firstWidgetMs = performance.now(); return; }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();
"""


def browser_times(server: Server, apps: dict, runs: int, chromium: str) -> tuple[dict, dict]:
    """App -> first-widget times (s), and app -> kernel RSS (bytes) of a shown page."""
    import psutil
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {name: [] for name in apps}
    rss: dict[str, list[int]] = {name: [] for name in apps}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        warm = context.new_page()  # fill the HTTP cache with Voilà's JavaScript once
        warm.goto(server.url(BASELINE))
        warm.wait_for_selector(".jupyter-widgets", state="visible", timeout=120_000)
        warm.close(run_before_unload=True)
        names = list(apps)
        for run in range(runs):
            # Interleaved, in a rotating order: every app sees the same conditions.
            for name in names[run % len(names) :] + names[: run % len(names)]:
                page_path, selector = apps[name]
                server.settle()
                page = context.new_page()
                page.add_init_script(FIRST_WIDGET_PROBE % json.dumps(selector))
                page.goto(server.url(page_path))
                page.wait_for_function("window.__firstWidgetMs !== undefined", timeout=120_000)
                times[name].append(page.evaluate("window.__firstWidgetMs") / 1000)
                kernel = page.evaluate(
                    "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
                )
                # The page's kernel is running and idle before its memory is read.
                pid = server.wait_for_kernel(kernel)
                if pid:
                    rss[name].append(psutil.Process(pid).memory_info().rss)
                with page.expect_event("close"):
                    page.close(run_before_unload=True)
        browser.close()
    return times, rss


def import_time(runs: int = 7) -> tuple[float, float]:
    """Median in-process seconds of `import repairlab` and of `from repairlab import show`."""

    def once(statement: str) -> float:
        code = "import time; t = time.perf_counter(); " + statement + "; print(time.perf_counter() - t)"
        return float(subprocess.check_output([sys.executable, "-c", code], text=True))

    plain = statistics.median(once("import repairlab") for _ in range(runs))
    show = statistics.median(once("from repairlab import show") for _ in range(3))
    return plain, show


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions per figure (median)")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium figures")
    args = parser.parse_args(argv)
    chromium = (
        None
        if args.no_browser
        else next(
            (
                c
                for c in (os.environ.get("REPAIRLAB_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"))
                if c and os.access(c, os.X_OK)
            ),
            None,
        )
    )

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="repairlab-bench-") as tmp:
        tmp = Path(tmp)
        apps = build_course(tmp / "course")
        for name in apps:
            results[name] = {}
        for preheat in (True, False):
            label = "warm" if preheat else "cold"
            server = Server(
                tmp / "course", tmp / f"data-{label}", preheat=preheat, log=tmp / f"server-{label}.log"
            )
            try:
                if preheat:
                    idle = server.idle_memory()
                for name, (page, _) in apps.items():
                    ttfbs, completes = server_times(server, page, args.runs)
                    results[name][f"ttfb_{label}"] = statistics.median(ttfbs)
                    results[name][f"html_{label}"] = statistics.median(completes)
                    if preheat:
                        ttfbs, completes = server_times(server, page, args.runs, after_save=True)
                        results[name]["ttfb_saved"] = statistics.median(ttfbs)
                        results[name]["html_saved"] = statistics.median(completes)
                if preheat and chromium:
                    times, rss = browser_times(server, apps, args.runs, chromium)
                    for name in apps:
                        results[name]["browser"] = statistics.median(times[name])
                        if rss[name]:
                            results[name]["rss"] = statistics.median(rss[name])
            finally:
                server.stop()
        plain_import, show_import = import_time()

    base = results["baseline (one button)"]
    misses = []
    print(
        "| app | TTFB, warm pool (ms) | complete HTML, warm pool (ms) | TTFB, no pool (ms) "
        "| complete HTML, no pool (ms) | first widget in browser (s) | vs baseline "
        "| kernel RSS (MB) | vs baseline (MB) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, row in results.items():
        cells = [name, ms(row["ttfb_warm"]), ms(row["html_warm"]), ms(row["ttfb_cold"]), ms(row["html_cold"])]
        ratio = row["browser"] / base["browser"] if "browser" in row else None
        cells += [f"{row['browser']:.2f}", f"{ratio:.2f}x"] if ratio else ["–", "–"]
        extra = (row["rss"] - base["rss"]) / 2**20 if "rss" in row and "rss" in base else None
        cells += [f"{row['rss'] / 2**20:.0f}", f"{extra:+.1f}"] if extra is not None else ["–", "–"]
        print("| " + " | ".join(cells) + " |")
        if row["ttfb_warm"] * 1000 >= TARGET_TTFB_MS:
            misses.append(f"{name}: warm TTFB {ms(row['ttfb_warm'])} ms >= {TARGET_TTFB_MS}")
        if ratio is not None and ratio > TARGET_BROWSER_RATIO:
            misses.append(f"{name}: first widget {ratio:.2f}x the baseline > {TARGET_BROWSER_RATIO}x")
        if extra is not None and extra > TARGET_RSS_MB:
            misses.append(f"{name}: kernel RSS +{extra:.1f} MB > +{TARGET_RSS_MB} MB")
    print("\n| app | after a save: TTFB (ms) | after a save: complete HTML (ms) |\n|---|---|---|")
    for name, row in results.items():
        print(f"| {name} | {ms(row['ttfb_saved'])} | {ms(row['html_saved'])} |")
    print(
        f"\nPools full and idle: {idle['kernels']} kernels (the course's pages and the baseline), "
        f"RSS {idle['kernels_rss']:.0f} MB, PSS {idle['kernels_pss']:.0f} MB; "
        f"the server PSS {idle['server_pss']:.0f} MB"
    )
    print(
        f"\n`import repairlab`: {ms(plain_import)} ms (target < {TARGET_IMPORT_MS} ms); "
        f"`from repairlab import show` (imports ipywidgets): {ms(show_import)} ms"
    )
    if plain_import * 1000 >= TARGET_IMPORT_MS:
        misses.append(f"import repairlab {ms(plain_import)} ms >= {TARGET_IMPORT_MS}")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; median of {args.runs} runs")
    for miss in misses:
        print(f"MISSED: {miss}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
