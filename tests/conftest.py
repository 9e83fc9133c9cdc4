"""Shared fixtures: a small, stable course built the way an instructor would build one."""

from __future__ import annotations

from pathlib import Path

import pytest
from course_factory import make_course


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
