"""The difficulty check in a real browser, by keyboard alone (issue 16): after a rewrite,
Tab into "How hard did that feel?", pick with the arrow keys, hear "Saved"; a reload shows
the rating again. After a written turn of a case, the same check rates that turn, and the case
is recorded with it at its ending. axe finds nothing serious; screenshots at 1280 and 375 px."""

from __future__ import annotations

from browser_helpers import PRACTICE, course_at, item_of_kind
from conftest import build_demo_course
from playwright.sync_api import expect
from test_accessibility import Keyboard

from repairlab.kinds.simulation import Playthrough
from repairlab.progress import DB_FILENAME, ProgressStore

REWRITE = ".repairlab-exercise.repairlab-rewrite-reply"
CASE = ".repairlab-exercise.repairlab-simulation"
CASES = "01-demo/cases.ipynb"
# A reply the template case routes as validating and exploring (tests/test_rating_widget.py).
VALIDATING = ("That sounds lonely, and I'm sorry my glances brought it back. "
              "What was it like just now?")
TURN_MS = 20_000


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


def _focused_text(page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.textContent : ''")


def _press_until_focused(page, key: str, text: str, limit: int = 40) -> None:
    for _ in range(limit):
        if _focused_text(page).strip().startswith(text[:40]):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{key} never reached the button {text[:40]!r}")


def test_rate_a_written_turn_of_a_case_by_keyboard(own_server, open_page, tmp_path, shoot, axe):
    root = build_demo_course(tmp_path / "course")
    server = own_server(root)
    case = course_at(server.root).bank.get("m01-case-01")  # the template's case, on CASES
    shadow = Playthrough.start(case)  # which choices the page offers, and their words
    tab = open_page(server.url(CASES), wait_for=f"{CASE} .rl-choice")
    page = tab.page
    keys = Keyboard(page)
    exercise = page.locator(CASE).first

    own = next(c.text for c in shadow.options if c.id == "own-glance")
    keys.tab_to(f"{CASE} .rl-choice")
    _press_until_focused(page, "Tab", own)
    page.keyboard.press("Enter")
    shadow.choose("own-glance")
    reply = exercise.get_by_label("Your reply")
    expect(reply).to_be_focused(timeout=TURN_MS)  # focus moves to the written turn
    expect(exercise.locator(".rl-rating")).to_have_count(0)  # a chosen line is not rated

    page.keyboard.type(VALIDATING)
    keys.tab_to(f"{CASE} button.mod-primary")  # "Say it"
    page.keyboard.press("Enter")
    expect(exercise.locator(".repairlab-transcript")).to_contain_text(
        case.node("closer").client[:40], timeout=TURN_MS)
    group = exercise.get_by_role("radiogroup", name="How hard did that feel?")
    expect(group).to_be_visible(timeout=TURN_MS)
    keys.tab_to(f"{CASE} .rl-rating input[type=radio]")
    page.keyboard.press("Space")  # 0
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    status = exercise.locator(".rl-rating-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text("Saved: 6 of 10", timeout=TURN_MS)
    expect(status).to_contain_text("kept with this case when the case ends")
    expect(group.get_by_role("radio", name="6", exact=True)).to_be_checked()
    exercise.scroll_into_view_if_needed()
    exercise.screenshot(path=str(shoot(page, "case-turn-rating-1280").with_name(
        "case-turn-rating-1280-exercise.png")))
    assert axe(page) == []

    # Back up to the next choice and end the case, by keyboard.
    signal = next(c.text for c in case.node("closer").choices if c.id == "agree-signal")
    _press_until_focused(page, "Shift+Tab", signal)
    page.keyboard.press("Enter")
    expect(exercise.locator(".repairlab-feedback")).to_contain_text("Ending", timeout=TURN_MS)
    expect(group.get_by_role("radio", name="6", exact=True)).not_to_be_checked()  # afresh
    assert not keys.invisible_focus, keys.invisible_focus
    tab.watch.assert_clean()
    with ProgressStore(server.data_dir / DB_FILENAME) as store:
        [attempt] = store.attempts("browser-test", item_id=case.id)
    assert attempt.extra["turn_ratings"] == [{"turn": 2, "rating": 6}]

    # At 375 px: a new run, the turn rated again, and nothing scrolls sideways.
    narrow = open_page(server.url(CASES), width=375, wait_for=f"{CASE} .rl-restart")
    small = narrow.page.locator(CASE).first
    small.locator(".rl-restart").click()
    small.get_by_role("button", name=own[:40]).click()
    small.get_by_label("Your reply").fill(VALIDATING)
    small.get_by_role("button", name="Say it").click()
    small_group = small.get_by_role("radiogroup", name="How hard did that feel?")
    expect(small_group).to_be_visible(timeout=TURN_MS)
    small_group.get_by_role("radio", name="8", exact=True).check()
    expect(small.locator(".rl-rating-status")).to_contain_text("Saved: 8 of 10",
                                                                timeout=TURN_MS)
    width = narrow.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at 375 px ({width} px)"
    small.locator(".rl-rating").scroll_into_view_if_needed()
    shoot(narrow.page, "case-turn-rating-375")
    assert axe(narrow.page) == []
