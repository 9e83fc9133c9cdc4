"""Shared fixtures: a small, stable course built the way an instructor would build one."""

from __future__ import annotations

from pathlib import Path

import pytest
from course_factory import make_course
from student_work import WORK, play_case


@pytest.fixture
def demo_course(tmp_path, monkeypatch) -> Path:
    """A one-module course (the worked template: one item of every kind); progress in tmp."""
    monkeypatch.setenv("REPAIRLAB_DATA_DIR", str(tmp_path / "data"))
    # A course that cannot be compiled in place is compiled in the user's cache: keep it here.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("REPAIRLAB_COURSE_DIR", raising=False)
    return make_course(tmp_path / "course", ("demo", "Demo module"))


@pytest.fixture
def in_module(demo_course, monkeypatch):
    """Run as a notebook of the demo module runs: from its folder, with fresh caches."""
    from repairlab import notebook

    notebook._load.cache_clear()
    notebook._progress.cache_clear()
    monkeypatch.chdir(demo_course / "curriculum" / "01-demo")
    yield demo_course
    notebook._load.cache_clear()
    notebook._progress.cache_clear()


@pytest.fixture
def course_builder():
    """``make_course`` for tests that need more than the one-module demo."""
    return make_course


@pytest.fixture
def hand_ins(demo_course, monkeypatch, tmp_path):
    """``hand_ins({student: [(item_id, response), ...]})``: each student works through the demo
    module's real views in a kernel of their own, then `repairlab export`s a hand-in file.
    Returns the folder of hand-ins."""
    from repairlab.cli import main as repairlab
    from repairlab.notebook import _load, _progress, build_view

    def work_and_hand_in(work: dict[str, list[tuple[str, str]]]) -> Path:
        monkeypatch.chdir(demo_course / "curriculum" / "01-demo")
        for student, answers in work.items():
            monkeypatch.setenv("REPAIRLAB_STUDENT", student)
            _load.cache_clear()  # a new student is a new Voilà visit: a new kernel
            _progress.cache_clear()
            views = {}
            for item_id, response in answers:
                views.setdefault(item_id, build_view(item_id)).submit(response)
        _progress.cache_clear()
        folder = tmp_path / "handins"
        folder.mkdir()
        for student in work:
            assert repairlab(["export", "--student", student, "-o",
                              str(folder / f"{student}.html"), "--course", str(demo_course)]) == 0
        return folder

    return work_and_hand_in


class Laptop:
    """One student's computer: its own progress file, the demo module's real views in kernels
    of its own, and `repairlab export` for the hand-in."""

    def __init__(self, name: str, course: Path, data: Path, monkeypatch):
        self.name, self.course, self.data, self._mp = name, course, data, monkeypatch

    def use(self, student: str | None = None) -> None:
        """Start a new kernel on this laptop; ``student`` sets REPAIRLAB_STUDENT."""
        from repairlab.notebook import _load, _progress

        self._mp.setenv("REPAIRLAB_DATA_DIR", str(self.data))
        if student:
            self._mp.setenv("REPAIRLAB_STUDENT", student)
        else:
            self._mp.delenv("REPAIRLAB_STUDENT", raising=False)
        self._mp.delenv("JUPYTERHUB_USER", raising=False)
        self._mp.chdir(self.course / "curriculum" / "01-demo")
        _load.cache_clear()
        _progress.cache_clear()

    def work(self, answers, *, student: str | None = None) -> None:
        from repairlab.notebook import build_view

        self.use(student)
        views = {}
        for item_id, response in answers:
            views.setdefault(item_id, build_view(item_id)).submit(response)

    def home(self):
        """The landing page, in a new kernel: (module list, name panel, hand-in panel)."""
        from repairlab.notebook import _progress, current_course
        from repairlab.views.home import home_view

        self.use()
        return home_view(current_course(), _progress()).children

    def give_name(self, name: str):
        """Type a name into the landing page's box and press its button."""
        _page, name_panel, _handin = self.home()
        return name_panel.save(name)

    def download(self, folder: Path) -> Path | None:
        """Press "Prepare my hand-in file" and save the file its link offers, as a browser
        would; None if no link was offered."""
        import base64
        import html
        import re

        _page, _name_panel, handin = self.home()
        handin.prepare()
        link = re.search(r'download="([^"]+)" href="data:text/html;charset=utf-8;base64,'
                         r'([^"]+)"', handin.link.value)
        if link is None:
            return None
        path = folder / self.name / html.unescape(link.group(1))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(link.group(2)))
        return path

    def hand_in(self, path: Path, *args: str, student: str | None = None) -> int:
        from repairlab.cli import main as repairlab

        self.use(student)
        path.parent.mkdir(parents=True, exist_ok=True)
        return repairlab(["export", "-o", str(path), "--course", str(self.course), *args])


@pytest.fixture
def laptop(demo_course, monkeypatch, tmp_path):
    """``laptop(name)``: a student's own computer (see :class:`Laptop`)."""
    return lambda name: Laptop(name, demo_course, tmp_path / "laptops" / name, monkeypatch)


@pytest.fixture
def worked_hand_in(demo_course, monkeypatch, tmp_path):
    """``worked_hand_in(suffix=".html")``: ann works through the demo module's real views
    (``WORK``, then the case), and `repairlab export`s her hand-in; returns its path. Every
    attempt and its feedback come from the real scorers, saved by the real progress store."""
    from repairlab.cli import main as repairlab
    from repairlab.notebook import _load, _progress, build_view

    def work_and_export(suffix: str = ".html") -> Path:
        monkeypatch.chdir(demo_course / "curriculum" / "01-demo")
        monkeypatch.setenv("REPAIRLAB_STUDENT", "ann")
        _load.cache_clear()
        _progress.cache_clear()
        views = {}
        for item_id, response in WORK:
            views.setdefault(item_id, build_view(item_id)).submit(response)
        play_case(build_view("m01-case-01"))
        _progress.cache_clear()
        path = tmp_path / "handins" / f"ann{suffix}"
        path.parent.mkdir(exist_ok=True)
        assert repairlab(["export", "--student", "ann", "-o", str(path),
                          "--course", str(demo_course)]) == 0
        return path

    return work_and_export
