"""What "Your skills" costs the landing page's kernel (issue 16): time and memory to work out
each module's skills for a student who has not started, and for one with work in every module.

    .venv/bin/python bench/landing_skills.py [--runs 5]

Copies the real course to a temporary folder, compiles it (as `repairlab serve` does), and in a
fresh interpreter per run (a new kernel) times ``views.home.module_skills_html`` and reads the
process's peak RSS before and after it. "Worked everywhere" records one attempt at the first
practice item of every module, so every module reads its items (each item's skill and level,
from the compiled course); "not started" reads none. Medians of --runs runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WIDGETS = REPO / "widgets"

KERNEL = r"""
import json, resource, sys, time
from pathlib import Path
from repairlab.content.page import load_page
from repairlab.progress import Attempt, ProgressStore
from repairlab.views.home import module_skills_html

course = load_page(Path(sys.argv[1]))
store = ProgressStore(Path(sys.argv[2]) / "progress.sqlite3")
if sys.argv[3] == "setup":  # a kernel of its own: the measured one has read no item yet
    for module in course.modules:
        first = next(i for i in course.items_of(module) if course.item(i).type != "reflection")
        store.record(Attempt(student="s", item_id=first, module=module.slug, kind="x",
                             response="r", feedback={}, score=1.0, status="correct",
                             curriculum_version=course.version))
    sys.exit(0)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
shown = module_skills_html(course, store, "s")
took = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
items = sum(len(course.items_of(m)) for m in course.modules)
print(json.dumps({"items": items, "ms": 1000 * took, "rss_mb": (after - before) / 1024, "modules": len(shown),
                  "pydantic": "pydantic" in sys.modules}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "course"
        for part in ("curriculum", "exercises"):
            shutil.copytree(REPO / part, root / part)
        env = {**os.environ, "PYTHONPATH": str(WIDGETS)}
        # `check` validates the course and writes the compiled course a page's kernel reads.
        subprocess.run([sys.executable, "-m", "repairlab.cli", "check", "--quiet", str(root)],
                       env=env, check=False, capture_output=True)
        if not (root / ".repairlab" / "compiled").is_dir():
            sys.exit("the course did not compile: run `repairlab check` on it to see why")
        for mode in ("not-started", "worked"):
            runs = []
            for n in range(args.runs):
                data = Path(tmp) / f"data-{mode}-{n}"
                data.mkdir()
                if mode == "worked":
                    subprocess.run([sys.executable, "-c", KERNEL, str(root), str(data), "setup"],
                                   env=env, check=True)
                done = subprocess.run([sys.executable, "-c", KERNEL, str(root), str(data), mode],
                                      env=env, capture_output=True, text=True, check=True)
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"{mode}: {statistics.median(r['ms'] for r in runs):.0f} ms, "
                  f"+{statistics.median(r['rss_mb'] for r in runs):.1f} MB peak RSS, "
                  f"{runs[0]['modules']} modules, {runs[0]['items']} items, "
                  f"pydantic imported: {runs[0]['pydantic']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
