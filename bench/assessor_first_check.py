"""How long a student's first rewrite check takes in a fresh kernel, cold and after the
warm-up a page with a rewrite item starts (repairlab/feedback/warm.py).

    python bench/assessor_first_check.py [--runs 5]

Each run is a fresh Python process (a kernel's first check is what matters): it imports the
assessor, then times its first ``assess_reply``, either at once (cold: what the first check
cost before) or after ``warm_up()`` has run (what a student gets now, once the page's
background warm-up has finished, which it does within a second of the page being built).
Prints the median and the worst of the runs, and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

WIDGETS = Path(__file__).resolve().parents[1] / "widgets"

RUN = """
import time
from repairlab.feedback import assess_reply
from repairlab.feedback.warm import warm_up
if {warm}:
    warm_up()
started = time.perf_counter()
assess_reply("You're right that I cut you off. I'm sorry. Can you tell me more?",
             client="You keep changing the subject when I talk about my father.")
print(time.perf_counter() - started)
"""


def first_check(warm: bool) -> float:
    env = {**os.environ, "PYTHONPATH": str(WIDGETS)}
    out = subprocess.run([sys.executable, "-c", RUN.format(warm=warm)], env=env, check=True,
                         capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for label, warm in (("cold (before)", False), ("after warm-up (now)", True)):
        times = [first_check(warm) for _ in range(runs)]
        print(f"{label:22} first check: median {statistics.median(times) * 1000:7.1f} ms, "
              f"worst {max(times) * 1000:7.1f} ms ({runs} runs)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
