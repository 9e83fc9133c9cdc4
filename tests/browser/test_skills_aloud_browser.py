"""Say it aloud first, then the skills on the landing page, in a real browser by keyboard
(issue 16): start the timer on a rewrite, stop it, type what was said, get feedback; the
landing page then lists the rewrite's skill as mastered (its one item, right first time) and
the others as not started.
axe finds nothing serious; screenshots at 1280 and 375 px."""

from __future__ import annotations

from browser_helpers import PRACTICE, item_of_kind
from conftest import build_demo_course
from playwright.sync_api import expect
from test_accessibility import Keyboard

REWRITE = ".repairlab-exercise.repairlab-rewrite-reply"


def _shift_tab_to(page, selector: str, limit: int = 20) -> None:
    for _ in range(limit):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Shift+Tab never reached {selector}")


def test_say_it_aloud_then_see_the_skill_mastered_on_the_landing_page(
        own_server, open_page, tmp_path, shoot, axe):
    root = build_demo_course(tmp_path / "course")
    server = own_server(root)
    item = item_of_kind(server, "rewrite-reply")
    tab = open_page(server.url(PRACTICE), wait_for=REWRITE)
    page = tab.page
    keys = Keyboard(page)
    exercise = page.locator(REWRITE).first

    keys.tab_to(f"{REWRITE} .rl-aloud-start")
    page.keyboard.press("Enter")
    status = exercise.locator(".rl-aloud")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text("Timer running", timeout=20_000)
    expect(status).to_contain_text(item.client_says.split(".")[0])  # the client's line
    expect(exercise.locator("textarea")).to_be_disabled()
    said = exercise.get_by_role("button", name="I've said it")
    expect(said).to_be_visible()
    exercise.screenshot(path=str(shoot(page, "aloud-1280").with_name("aloud-1280-timer.png")))
    said.focus()
    page.keyboard.press("Enter")
    expect(status).to_contain_text("You answered aloud in", timeout=20_000)
    expect(exercise.locator("textarea")).to_be_enabled()
    _shift_tab_to(page, f"{REWRITE} textarea")
    page.keyboard.type(item.model_rewrite.strip())
    keys.tab_to(f"{REWRITE} button.mod-primary")
    page.keyboard.press("Enter")
    expect(exercise.locator(".repairlab-feedback")).not_to_have_text("", timeout=20_000)
    exercise.screenshot(path=str(shoot(page, "aloud-1280").with_name("aloud-1280-done.png")))
    assert axe(page) == []
    assert not keys.invisible_focus, keys.invisible_focus
    tab.watch.assert_clean()

    for width in (1280, 375):
        home = open_page(server.url("index.ipynb"), width=width, wait_for=".repairlab-home")
        skills = home.page.get_by_role("list", name="Your skills in module 1")
        expect(skills).to_contain_text("Owning your part: Mastered", timeout=20_000)
        expect(skills).to_contain_text("Noticing rupture markers: Not started")
        # The bar is the gradebook's completion (skills mastered); the exercise done beside it.
        module = home.page.locator(".rl-module").first
        expect(module.locator(".rl-progress-text")).to_have_text(
            "Completion: 1 of 5 skills mastered")
        expect(module.get_by_role("progressbar", name="Module 1 completion: 20%")).to_be_visible()
        expect(module.locator(".rl-attempted-text")).to_have_text(
            "Attempted: 1 of 9 exercises done")
        scroll = home.page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"the page scrolls sideways at {width} px ({scroll} px)"
        skills.scroll_into_view_if_needed()
        shoot(home.page, f"home-skills-{width}")
        assert axe(home.page) == []
        home.watch.assert_clean()
