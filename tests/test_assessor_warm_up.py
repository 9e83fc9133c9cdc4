"""A page with a rewrite item loads the reply assessor before the student's first check.

Run in a fresh Python process: in this one, earlier tests have loaded the assessor already.
How much it saves (about 0.28 s off the first check) is measured in bench/README.md, not here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
from repairlab.feedback import lexicon, warm
from repairlab.notebook import build_view

assert lexicon.default_lexicon.cache_info().currsize == 0, "assessor loaded before the page"
view = build_view("m01-rewrite-01")
assert warm.done.wait(60), "the warm-up never finished"
assert lexicon.default_lexicon.cache_info().currsize == 1, "the lexicon was not compiled"
assert view.reply.value == "", "the warm-up touched the student's reply box"
print("warm")
"""


def test_showing_a_rewrite_item_loads_the_assessor_before_the_first_check(in_module, tmp_path):
    widgets_dir = Path(__file__).resolve().parents[1] / "widgets"
    env = {**os.environ, "REPAIRLAB_DATA_DIR": str(tmp_path / "data"),
           "PYTHONPATH": os.pathsep.join([str(widgets_dir), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=Path.cwd(), env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("warm")
    # Warming up is not an attempt: nothing is saved for the student.
    store = tmp_path / "data"
    saved = list(store.glob("*.sqlite3")) if store.exists() else []
    if saved:
        import sqlite3

        with sqlite3.connect(saved[0]) as conn:
            tables = {r[0] for r in conn.execute("select name from sqlite_master")}
            if "attempts" in tables:
                assert conn.execute("select count(*) from attempts").fetchone()[0] == 0
