"""Kernels: one per open page, shut down when the tab closes, pooled ones in the right place."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from repairlab.serving.app import QUIET_SECONDS

PRACTICE = "01-demo/practice.ipynb"


def test_page_sets_the_xsrf_cookie(demo_server, open_page):
    """Voilà's shutdown request carries the _xsrf cookie; without it the server refuses it."""
    tab = open_page(demo_server.url(PRACTICE))
    names = {c["name"] for c in tab.page.context.cookies()}
    assert "_xsrf" in names


def test_closing_a_tab_shuts_its_kernel_down(demo_server, browser):
    baseline = len(demo_server.wait_for_kernels(len(demo_server.pooled)))
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(demo_server.url(PRACTICE))
        page.wait_for_selector(".repairlab-exercise", state="visible", timeout=60_000)
        # The page took the pooled kernel and the pool started a new one.
        demo_server.wait_for_kernels(baseline + 1)
        with page.expect_event("close"):
            page.close(run_before_unload=True)
        demo_server.wait_for_kernels(baseline, timeout=30)
    finally:
        context.close()
    assert "403 POST /voila/api/shutdown" not in demo_server.log()


def test_pooled_kernels_run_in_the_notebooks_folder(demo_server, open_page):
    """module_nav() finds its module from the kernel's working folder: the notebook's."""
    for _ in range(3):
        # A full, fresh pool (an answer saved by an earlier test makes it stale for a moment).
        time.sleep(QUIET_SECONDS + 1)
        demo_server.wait_for_kernels(len(demo_server.pooled))
        before = len(demo_server.log())
        tab = open_page(demo_server.url(PRACTICE), wait_for=".rl-nav")
        if f"for {PRACTICE}" in demo_server.log()[before:]:  # "Using pre-heated kernel: ..."
            break
    else:
        raise AssertionError("the practice page never came from the kernel pool")
    nav = tab.page.get_by_role("navigation", name="Course navigation")
    expect(nav.get_by_role("link", name="Back to the reading")).to_have_attribute(
        "href", "reading.ipynb")
