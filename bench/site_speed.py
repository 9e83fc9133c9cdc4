"""The static site beside `repairlab serve`, one practice page, side by side in one run.

    .venv/bin/python bench/site_speed.py [--runs N] [--site DIR] [--page FOLDER/practice]

For each of the two ways of serving the course (the static site from ``repairlab build-site``
behind a plain static file server; ``repairlab serve`` with its pre-heated kernels), in headless
Chromium, per run:

* **first visit**: a fresh browser profile (empty cache, no service worker), navigation to the
  page's first exercise on screen, and the bytes transferred (encoded, as on the wire);
* **repeat visit**: the same profile, the page opened again in a new tab (browser cache and,
  on the site, JupyterLite's service worker in place), the same two figures;
* **choice feedback**: "Check answer" on the page's first choice item to its feedback;
* **first rewrite**: "Get feedback" on the page's first rewrite item to its feedback (the
  assessor's first check in that kernel).

On the site it also notes when the page's console says ipywidgets was loaded (``Loaded
...ipywidgets``: by the first cell's import before issue 17's speed-up, with the runtime since,
as the build preloads it), and counts the kernel's round trips to the browser's drive before
the first widget (``/api/drive`` requests: every file test and read of a page's kernel goes
from its worker through the service worker to the page, tens of milliseconds each under
load). Prints a Markdown table (median of the runs, and the range); writes nothing else. The
load average is printed: figures from a shared machine mean little without it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "widgets"))

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 180_000
TARGET_FIRST_S = 8.0
TARGET_REPEAT_S = 5.0
REWRITE = "You're right, I kept reading from my notes. I'm sorry. What was that like for you?"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing listens on port {port}") from None
            time.sleep(0.2)


class Bytes:
    """Bytes on the wire for one tab (Chromium's encodedDataLength, 0 for a cache hit)."""

    def __init__(self, page) -> None:
        self.total = 0
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.on("Network.loadingFinished", self._finished)

    def _finished(self, event) -> None:
        self.total += int(event.get("encodedDataLength", 0))


def visit(context, url: str) -> dict:
    page = context.new_page()
    wire = Bytes(page)
    marks: dict[str, float] = {}
    drive: list[float] = []
    start = time.monotonic()

    def console(message) -> None:
        if message.text.startswith("Loaded") and "ipywidgets" in message.text:
            marks.setdefault("packages", time.monotonic() - start)

    page.on("console", console)
    page.on("request", lambda request: drive.append(time.monotonic())
            if "/api/drive" in request.url else None)
    page.goto(url)
    page.wait_for_selector(".repairlab-exercise", state="visible", timeout=TIMEOUT_MS)
    first = time.monotonic() - start
    return {"page": page, "first": first, "bytes": wire, "packages": marks.get("packages"),
            "drive": sum(1 for at in drive if at - start <= first) if "/voici/" in url else None}


def feedback_time(exercise, act) -> float:
    area = exercise.locator(".repairlab-feedback").first.element_handle()
    start = time.monotonic()
    act()
    exercise.page.wait_for_function("el => el.innerText.trim().length > 0", arg=area,
                                    timeout=TIMEOUT_MS)
    return time.monotonic() - start


def one_run(browser, url: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        first = visit(context, url)
        page = first["page"]
        choice = page.locator(".repairlab-exercise.repairlab-classify-marker, "
                              ".repairlab-exercise.repairlab-spot-the-schema").first
        choice.get_by_role("radio").first.check()
        choice_s = feedback_time(choice, lambda: choice.get_by_role(
            "button", name="Check answer").click())
        rewrite = page.locator(".repairlab-exercise.repairlab-rewrite-reply").first
        rewrite.wait_for(state="visible", timeout=TIMEOUT_MS)
        rewrite.get_by_label("Your reply").fill(REWRITE)
        rewrite_s = feedback_time(rewrite, lambda: rewrite.get_by_role(
            "button", name="Get feedback").click())
        first_bytes = first["bytes"].total
        page.close(run_before_unload=True)
        repeat = visit(context, url)
        repeat_bytes = repeat["bytes"].total
        repeat["page"].close(run_before_unload=True)
        return {"first visit: first widget (s)": first["first"],
                "first visit: MB transferred": first_bytes / 1e6,
                "repeat visit: first widget (s)": repeat["first"],
                "repeat visit: MB transferred": repeat_bytes / 1e6,
                "choice feedback (s)": choice_s,
                "first rewrite feedback (s)": rewrite_s,
                "first visit: packages loaded (s)": first["packages"],
                "repeat visit: packages loaded (s)": repeat["packages"],
                "first visit: round trips to the drive": first["drive"],
                "repeat visit: round trips to the drive": repeat["drive"]}
    finally:
        context.close()


def static_server(site: Path) -> tuple[subprocess.Popen, str]:
    port = _port()
    process = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                                "127.0.0.1", "--directory", str(site)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for_port(port)
    return process, f"http://127.0.0.1:{port}"


def summarise(name: str, runs: list[dict]) -> dict[str, str]:
    row = {}
    for key in runs[0]:
        values = [r[key] for r in runs if r[key] is not None]
        if not values:
            row[key] = "–"
        elif len(values) == 1:
            row[key] = f"{values[0]:.2f}"
        else:
            row[key] = f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--site", type=Path, action="append",
                        help="an already built site (else one is built here); given twice, "
                             "both are measured, alternately (to compare two builds)")
    parser.add_argument("--page", default="01-what-a-rupture-is/practice")
    parser.add_argument("--no-server", action="store_true", help="the static site only")
    parser.add_argument("--no-preheat", action="store_true",
                        help="serve without pre-heated kernels (a loaded machine may never "
                             "settle a full pool)")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright
    from serve_speed import Server

    work = Path(tempfile.mkdtemp(prefix="site-speed-"))
    processes = []
    try:
        sites = args.site
        if not sites:
            from repairlab.serving.site import build_site

            sites = [work / "site"]
            build_site(REPO, sites[0], cache=REPO / "build" / "site-cache")
        urls = {}
        for site in sites:
            files = [p for p in site.rglob("*") if p.is_file()]
            print(f"site {site}: {len(files)} files, "
                  f"{sum(p.stat().st_size for p in files) / 1e6:.1f} MB", flush=True)
            process, base = static_server(site)
            processes.append(process)
            name = "static site" if len(sites) == 1 else f"static site {site.name}"
            urls[name] = f"{base}/voici/render/curriculum/{args.page}.html"
        server = None
        if not args.no_server:
            root = work / "course"
            shutil.copytree(REPO / "curriculum", root / "curriculum")
            shutil.copytree(REPO / "exercises", root / "exercises")
            server = Server(root, work / "data", preheat=not args.no_preheat,
                            log=work / "serve.log")
            urls["repairlab serve"] = (f"http://127.0.0.1:{server.port}/voila/render/"
                                       f"{args.page}.ipynb")
        results: dict[str, list[dict]] = {name: [] for name in urls}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                args=CHROMIUM_ARGS)
            for run in range(args.runs):
                for name, url in urls.items():  # alternated, so load hits both alike
                    if server is not None and name == "repairlab serve":
                        server.settle()
                    results[name].append(one_run(browser, url))
                    print(f"run {run + 1} {name}: "
                          + ", ".join(f"{k} {v:.2f}" for k, v in results[name][-1].items()
                                      if v is not None), flush=True)
            browser.close()
        if server is not None:
            server.stop()
        rows = {name: summarise(name, runs) for name, runs in results.items()}
        keys = list(next(iter(rows.values())))
        print(f"\nload average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} "
              f"{os.getloadavg()[2]:.1f} on {os.cpu_count()} cores, {args.runs} runs, "
              f"page {args.page}\n")
        print("| | " + " | ".join(rows) + " |")
        print("|---|" + "---|" * len(rows))
        for key in keys:
            print(f"| {key} | " + " | ".join(rows[name][key] for name in rows) + " |")
        site_runs = results[next(iter(urls))]
        first = statistics.median(r["first visit: first widget (s)"] for r in site_runs)
        repeat = statistics.median(r["repeat visit: first widget (s)"] for r in site_runs)
        print(f"\ntargets: first visit ≤ {TARGET_FIRST_S} s: {first:.1f} s "
              f"({'met' if first <= TARGET_FIRST_S else 'MISSED'}); repeat visit ≤ "
              f"{TARGET_REPEAT_S} s: {repeat:.1f} s "
              f"({'met' if repeat <= TARGET_REPEAT_S else 'MISSED'})")
        return 0 if first <= TARGET_FIRST_S and repeat <= TARGET_REPEAT_S else 1
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
