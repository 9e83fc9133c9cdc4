"""Shared fixtures: a small, stable course built the way an instructor would build one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
    return root


@pytest.fixture
def demo_course(tmp_path, monkeypatch) -> Path:
    """A one-module course (the worked template: one item of every kind); progress in tmp."""
    monkeypatch.setenv("REPAIRLAB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("REPAIRLAB_COURSE_DIR", raising=False)
    return make_course(tmp_path / "course", ("demo", "Demo module"))


@pytest.fixture
def course_builder():
    """``make_course`` for tests that need more than the one-module demo."""
    return make_course
