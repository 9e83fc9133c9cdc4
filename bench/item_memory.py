"""What a page's kernel holds for the items it reads from the compiled course.

    .venv/bin/python bench/item_memory.py [--runs N]

A copy of the real course is compiled (as `repairlab check` does); then, in a fresh
interpreter per run, a page (``content/page.py``) reads every item of the course from the
compiled files, as a kernel reads the items it shows. Measured around the reading only,
after one item of each kind has been read on another page (so every kind's code is imported
and not counted): Python allocations still held (tracemalloc), the growth of RSS, and
the time. Every item of the course stands for the
worst page; a real page reads 5-40 of them. Prints medians; a figure to compare two
versions of the code on one machine, not a target.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PROBE = """
import gc, json, resource, sys, time, tracemalloc
from pathlib import Path
from repairlab.content.page import load_page

root = Path(sys.argv[1])
warm = load_page(root)  # one item of each kind first: its code imported, as a page has it
firsts = {}
for item_id in sorted(warm.compiled.sources):
    firsts.setdefault(warm.compiled.facts(item_id, ("type",))["type"], item_id)
for item_id in firsts.values():
    warm.item(item_id)
page = load_page(root)  # a fresh page: nothing read yet but the compiled course's index
ids = sorted(page.compiled.sources)
gc.collect()
def rss():  # resident bytes now (Linux)
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()
rss_before = rss()
tracemalloc.start()
started = time.perf_counter()
items = [page.item(item_id) for item_id in ids]
elapsed = time.perf_counter() - started
gc.collect()
held, _ = tracemalloc.get_traced_memory()
tracemalloc.stop()
rss_after = rss()
assert all(item is not None for item in items)
print(json.dumps({"items": len(items), "held": held, "ms": elapsed * 1000,
                  "rss": rss_after - rss_before, "type": type(items[-1]).__module__}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "course"
        for folder in ("curriculum", "exercises"):
            shutil.copytree(REPO / folder, root / folder)
        from repairlab.content.compiled import compile_course

        if compile_course(root).folder is None:
            print("the course did not compile", file=sys.stderr)
            return 1
        runs = []
        for _ in range(args.runs):
            out = subprocess.run([sys.executable, "-c", PROBE, str(root)], text=True,
                                 capture_output=True, check=True, cwd=tmp).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
    held = statistics.median(r["held"] for r in runs) / 2**20
    rss = statistics.median(r["rss"] for r in runs) / 2**20
    ms = statistics.median(r["ms"] for r in runs)
    print(f"{runs[0]['items']} items read from the compiled course, median of {len(runs)}: "
          f"{held:.2f} MB held (tracemalloc), RSS +{rss:.1f} MB, {ms:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
