"""Building small, stable courses the way an instructor would: the real course header and
landing page, plus modules made by `repairlab new-module` (one item of every kind each), with
the template's placeholders written as an author would before `repairlab check` passes.

Shared by tests/conftest.py and tests/browser/conftest.py.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from repairlab.cli import main as repairlab

REPO = Path(__file__).resolve().parents[1]


def make_course(root: Path, *modules: tuple[str, str]) -> Path:
    """A course with the real course.yaml header and landing page, and template modules."""
    (root / "curriculum").mkdir(parents=True)
    (root / "exercises").mkdir()
    header = (REPO / "curriculum" / "course.yaml").read_text(encoding="utf-8")
    (root / "curriculum" / "course.yaml").write_text(
        header[: header.index("\nmodules:")] + "\nmodules: []\n", encoding="utf-8")
    shutil.copy(REPO / "curriculum" / "index.ipynb", root / "curriculum" / "index.ipynb")
    for slug, title in modules:
        assert repairlab(["new-module", slug, "--title", title, "--course", str(root)]) == 0
        write_the_placeholders(next((root / "curriculum").glob(f"[0-9][0-9]-{slug}")))
    return root


def write_the_placeholders(module: Path) -> None:
    """What the author of a new module does first: write their own text wherever the template
    left "TODO: ..." (here, simply the text the placeholder asks for)."""
    for path in module.iterdir():
        if path.suffix in (".yaml", ".ipynb"):
            text = path.read_text(encoding="utf-8")
            path.write_text(re.sub(r"TODO: ?", "", text), encoding="utf-8")
