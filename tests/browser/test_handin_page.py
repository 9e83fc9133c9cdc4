"""The hand-in file as an instructor opens it: in a browser, on a desk or on a phone.

The file is made as a student makes one (the demo module's real views, the real progress
store, `repairlab export`: ``worked_hand_in`` in tests/conftest.py) and opened from disk.
"""

from __future__ import annotations

import pytest

# The widest any element may reach beyond the viewport, in CSS pixels (rounding only).
SLACK = 1


@pytest.fixture
def open_file(browser):
    contexts = []

    def _open(path, width: int):
        # axe is added as a script; the hand-in's own policy forbids scripts, so it is
        # bypassed for this check only.
        context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
        contexts.append(context)
        page = context.new_page()
        page.goto(path.as_uri())
        page.wait_for_selector("footer")
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_the_hand_in_reads_on_a_phone_and_a_desk(worked_hand_in, demo_course, open_file, axe,
                                                  shoot, width):
    from repairlab.cli._course import load_course_or_explain

    course = load_course_or_explain(demo_course)
    page = open_file(worked_hand_in(".html"), width)
    shoot(page, f"handin-{width}")

    # Nothing scrolls sideways: neither the page nor any element in it.
    sizes = page.evaluate("""() => ({
        page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth,
        widest: Math.max(...[...document.querySelectorAll('body *')]
                         .map(e => e.getBoundingClientRect().right))})""")
    assert sizes["page"] <= sizes["view"], sizes
    assert sizes["widest"] <= sizes["view"] + SLACK, sizes

    # The answers read in the words the student read, not as ids.
    explain = next(o for o in course.item("m01-step-01").options if o.id == "explain")
    assert page.get_by_text(explain.text, exact=True).is_visible()
    steps = page.locator("#item-m01-order-01 ol.rl-answer li").all_inner_texts()
    texts = {s.id: s.text for s in course.item("m01-order-01").steps}
    assert steps == [texts[s] for s in ["validate", "apologise", "explore", "space"]]
    case = course.item("m01-case-01")
    assert page.locator("#item-m01-case-01 .rl-client").first.inner_text().startswith(
        f"{case.client_name}:")
    # The untried item is one line of a list, not a page of its own.
    assert page.locator("ul.not-attempted li").all_inner_texts() == [
        course.item("m01-redflag-01").title]

    assert axe(page) == []
