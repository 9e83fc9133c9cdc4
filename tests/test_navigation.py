"""Moving through the course, without a browser: the links each page gets from the manifests,
sections short enough to move through, cases in order of difficulty, and the course styling
in JupyterLab."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from repairlab.content.check import check_course
from repairlab.content.navigation import HOME, page_links
from repairlab.vocab import DIFFICULTIES

REPO = Path(__file__).resolve().parents[1]
MAX_SECTION_ITEMS = 20


@pytest.fixture(scope="module")
def course():
    report = check_course(REPO)
    assert report.ok
    return report.course


def _next(links):
    [link] = [link for link in links if link.role == "next"]
    return link


def test_every_reading_links_to_its_practice_and_back_to_the_course(course):
    for module in course.modules:
        links = page_links(course, module, "reading")
        assert links[0].href == HOME
        assert _next(links).href == module.manifest.notebooks.practice


def test_practice_goes_to_the_cases_page_when_there_is_one_else_to_the_next_module(course):
    modules = course.modules
    for n, module in enumerate(modules):
        following = (f"../{modules[n + 1].folder}/{modules[n + 1].manifest.notebooks.reading}"
                     if n + 1 < len(modules) else HOME)
        practice = _next(page_links(course, module, "practice")).href
        if module.manifest.notebooks.cases:
            assert practice == module.manifest.notebooks.cases
            assert _next(page_links(course, module, "cases")).href == following
        else:
            assert practice == following


def test_a_module_an_instructor_adds_is_linked_without_editing_a_link(tmp_path):
    from course_factory import make_course

    root = make_course(tmp_path / "course", ("first", "First"), ("second", "Second"))
    from repairlab.content.course import load_course

    course, _ = load_course(root)
    first, second = course.modules
    nxt = _next(page_links(course, first, "cases" if first.manifest.notebooks.cases
                           else "practice"))
    assert nxt.href == f"../{second.folder}/{second.manifest.notebooks.reading}"
    assert "Second" in nxt.label


def _notebooks():
    return sorted(REPO.glob("curriculum/*/*.ipynb"))


def _sections(path: Path) -> dict[str, list[str]]:
    """heading -> the item ids shown under it (## and ### headings both start a section)."""
    sections: dict[str, list[str]] = {"(top)": []}
    current = "(top)"
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            for line in source.splitlines():
                if re.match(r"#{2,3} ", line):
                    current = line
                    sections.setdefault(current, [])
        elif found := re.search(r'show\("([^"]+)"\)', source):
            sections[current].append(found.group(1))
    return sections


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_section_makes_a_keyboard_user_tab_through_more_than_20_exercises(path):
    for heading, items in _sections(path).items():
        assert len(items) <= MAX_SECTION_ITEMS, f"{heading}: {len(items)} items"


@pytest.mark.parametrize("path", sorted(REPO.glob("curriculum/*/cases.ipynb")),
                         ids=lambda p: p.parent.name)
def test_cases_on_a_page_follow_difficulty(path, course):
    shown = [item for items in _sections(path).values() for item in items]
    levels = [DIFFICULTIES.index(course.bank.get(i).difficulty) for i in shown]
    assert levels == sorted(levels), list(zip(shown, levels, strict=True))


def test_split_sections_go_from_beginner_to_advanced(course):
    for path in _notebooks():
        for heading, items in _sections(path).items():
            match = re.match(r"### (Beginner|Intermediate|Advanced) items", heading)
            if match:
                assert {course.bank.get(i).difficulty for i in items} == {match.group(1).lower()}


def test_jupyterlab_gets_the_course_styling_once_and_the_course_server_never(monkeypatch):
    from repairlab import notebook

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    monkeypatch.setattr(notebook, "_styled", False)
    monkeypatch.delenv("REPAIRLAB_PAGE_HAS_STYLES", raising=False)
    notebook._display("first widget")
    notebook._display("second widget")
    styles = [o for o in shown if hasattr(o, "data") and "<style>" in o.data]
    assert len(styles) == 1
    assert ".rl-visually-hidden" in styles[0].data  # hidden labels stay hidden
    assert ".rl-feedback.rl-good" in styles[0].data  # feedback is coloured
    shown.clear()
    monkeypatch.setattr(notebook, "_styled", False)
    monkeypatch.setenv("REPAIRLAB_PAGE_HAS_STYLES", "1")  # set by the course server's kernels
    notebook._display("widget")
    assert shown == ["widget"]
