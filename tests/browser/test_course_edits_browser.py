"""The real server, while an instructor edits the course: the very next visit shows the edit.

Pre-heated pages are rendered when the server starts, before anyone asks for them; without
care, the first student to open the landing page after an edit would get the page as it was.
"""

from __future__ import annotations

import time

from browser_helpers import words
from course_factory import make_course, write_the_placeholders
from playwright.sync_api import expect

from repairlab.cli import main as repairlab

# Long enough for a pre-heated kernel to start and run the landing page on a busy machine.
SETTLE_SECONDS = 10


def test_the_first_visit_after_an_edit_shows_it(own_server, open_page, tmp_path):
    course = make_course(tmp_path / "course", ("demo", "Demo"))
    server = own_server(course)
    # A first visit (it also creates the progress file, which refreshes the pools once); then
    # the pools settle, each holding a page rendered before the edit.
    before = open_page(server.url("index.ipynb"), wait_for=".repairlab-home")
    expect(before.page.locator(".repairlab-home .rl-module h2")).to_have_text(["Module 1: Demo"])
    with before.page.expect_event("close"):
        before.page.close(run_before_unload=True)  # its kernel is shut down
    server.wait_for_kernels(len(server.pooled))
    time.sleep(SETTLE_SECONDS)

    manifest = course / "curriculum" / "01-demo" / "module.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        'title: "Demo"', 'title: "Rupture basics"'), encoding="utf-8")
    assert repairlab(["new-module", "second", "--title", "A second module",
                      "--course", str(course)]) == 0
    write_the_placeholders(course / "curriculum" / "02-second")

    tab = open_page(server.url("index.ipynb"), wait_for=".repairlab-home")
    titles = tab.page.locator(".repairlab-home .rl-module h2")
    expect(titles).to_have_text([words("Module 1: Rupture basics"),
                                 words("Module 2: A second module")])
    tab.watch.assert_clean()
