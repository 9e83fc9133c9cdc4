"""The difficulty check in a real browser, by keyboard alone (issue 16): after a rewrite,
Tab into "How hard did that feel?", pick with the arrow keys, hear "Saved"; a reload shows
the rating again. axe finds nothing serious; screenshots at 1280 and 375 px."""

from __future__ import annotations

from browser_helpers import PRACTICE, item_of_kind
from conftest import build_demo_course
from playwright.sync_api import expect
from test_accessibility import Keyboard

REWRITE = ".repairlab-exercise.repairlab-rewrite-reply"


def test_rate_a_rewrite_by_keyboard_and_find_it_after_a_reload(own_server, open_page, tmp_path,
                                                                shoot, axe):
    root = build_demo_course(tmp_path / "course")
    server = own_server(root)
    item = item_of_kind(server, "rewrite-reply")
    tab = open_page(server.url(PRACTICE), wait_for=REWRITE)
    page = tab.page
    keys = Keyboard(page)
    exercise = page.locator(REWRITE).first
    expect(exercise.locator(".rl-rating")).to_have_count(0)  # nothing to rate yet

    keys.tab_to(f"{REWRITE} textarea")
    page.keyboard.type(item.model_rewrite.strip())
    keys.tab_to(f"{REWRITE} button.mod-primary")
    page.keyboard.press("Enter")
    expect(exercise.locator(".repairlab-feedback")).not_to_have_text("", timeout=20_000)

    group = exercise.get_by_role("radiogroup", name="How hard did that feel?")
    expect(group).to_be_visible(timeout=20_000)
    keys.tab_to(f"{REWRITE} .rl-rating input[type=radio]")
    page.keyboard.press("Space")  # the first choice, 0
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    status = exercise.locator(".rl-rating-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text("Saved: 4 of 10", timeout=20_000)
    expect(group.get_by_role("radio", name="4", exact=True)).to_be_checked()
    shoot(page, "rating-1280")
    exercise.screenshot(path=str(shoot(page, "rating-1280").with_name("rating-1280-exercise.png")))
    assert axe(page) == []
    assert not keys.invisible_focus, keys.invisible_focus
    tab.watch.assert_clean()

    narrow = open_page(server.url(PRACTICE), width=375, wait_for=REWRITE)
    again = narrow.page.locator(REWRITE).first
    expect(again.get_by_role("radiogroup", name="How hard did that feel?")
           .get_by_role("radio", name="4", exact=True)).to_be_checked(timeout=20_000)
    expect(again.locator(".rl-rating-status")).to_have_text("")  # restored, not re-saved
    width = narrow.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at 375 px ({width} px)"
    again.scroll_into_view_if_needed()
    shoot(narrow.page, "rating-375")
    again.screenshot(path=str(shoot(narrow.page, "rating-375").with_name("rating-375-exercise.png")))
    assert axe(narrow.page) == []
