"""The real course in a real browser: the landing page and every module's pages.

The content is written by others while this runs, so expectations come from the course
itself (its manifest and notebooks), never from copies here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from repairlab.content.course import load_course, notebook_item_refs
from repairlab.notebook import CONTENT_TROUBLE

REPO = Path(__file__).resolve().parents[2]
COURSE, _ = load_course(REPO)
MODULES = COURSE.modules if COURSE is not None else []
PAGES = [(m, path.name) for m in MODULES for path in sorted(m.path.glob("*.ipynb"))]


def test_course_loads():
    assert COURSE is not None, "curriculum/course.yaml does not load: run `repairlab check`"


def test_landing_page(course_server, open_page, axe, shoot):
    tab = open_page(course_server.url("index.ipynb"), wait_for=".repairlab-home")
    home = tab.page.locator(".repairlab-home")
    expect(home.locator("h1")).to_have_text(" ".join(COURSE.manifest.title.split()))
    titles = home.locator(".rl-module h2").all_inner_texts()
    assert titles == [f"Module {m.number}: {' '.join(m.title.split())}" for m in MODULES]
    for module, link in zip(MODULES, home.locator(".rl-module").all(), strict=True):
        practice = f"{module.folder}/{module.manifest.notebooks.practice}"
        expect(link.get_by_role("link", name="Reading")).to_have_attribute(
            "href", f"{module.folder}/{module.manifest.notebooks.reading}")
        expect(link.locator(f'a[href="{practice}"]')).to_have_count(1)
    shoot(tab.page, "course-landing")
    violations = axe(tab.page)
    assert not violations, violations
    tab.watch.assert_clean()


@pytest.mark.parametrize(("module", "name"), PAGES,
                         ids=[f"{m.folder}/{name}" for m, name in PAGES])
def test_module_page(module, name, course_server, open_page, axe, shoot):
    items = notebook_item_refs(module.path / name)
    ready = ".repairlab-exercise" if items else "#rl-main h1"
    tab = open_page(course_server.url(f"{module.folder}/{name}"), wait_for=ready)
    page = tab.page
    if items:
        expect(page.locator(".repairlab-exercise")).to_have_count(len(items), timeout=30_000)
    expect(page.locator(".rl-notice", has_text=CONTENT_TROUBLE[:40])).to_have_count(0)
    expect(page.locator("h1").first).to_be_visible()
    shoot(page, f"course-{module.folder}-{name.removesuffix('.ipynb')}")
    violations = axe(page)
    assert not violations, violations
    tab.watch.assert_clean()
