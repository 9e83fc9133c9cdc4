"""The practice diary in a real browser, by keyboard alone (issue 16): on the practice-mode
page, Tab into each labelled box, type, Tab to "Save my diary", Enter, hear "Diary saved";
a reload at 375 px shows the entry again. axe finds nothing serious; screenshots at 1280 and
375 px."""

from __future__ import annotations

from conftest import build_demo_course
from playwright.sync_api import expect
from test_accessibility import Keyboard

PRACTICE_MODE = "01-demo/practice-mode.ipynb"
DIARY = ".rl-diary"
ENTRY = {"What I practised": "Owning my part, beginner items.",
         "What was hard": "Not explaining <b>myself</b> first.",
         "What I will try next": "Pause, then name what I did."}


def test_write_the_diary_by_keyboard_and_find_it_after_a_reload(own_server, open_page, tmp_path,
                                                                shoot, axe):
    server = own_server(build_demo_course(tmp_path / "course"))
    tab = open_page(server.url(PRACTICE_MODE), wait_for=f"{DIARY} textarea")
    page = tab.page
    keys = Keyboard(page)
    diary = page.locator(DIARY)
    for question, text in ENTRY.items():
        box = diary.get_by_role("textbox", name=question)
        expect(box).to_have_value("")
        keys.tab_to(f"{DIARY} .rl-diary-{_key(question)} textarea")
        page.keyboard.type(text)
    keys.tab_to(f"{DIARY} button.mod-primary")
    page.keyboard.press("Enter")
    status = diary.locator(".rl-diary-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text("Diary saved", timeout=20_000)
    shoot(page, "diary-1280")
    diary.screenshot(path=str(shoot(page, "diary-1280").with_name("diary-1280-diary.png")))
    assert axe(page) == []
    assert not keys.invisible_focus, keys.invisible_focus
    tab.watch.assert_clean()

    narrow = open_page(server.url(PRACTICE_MODE), width=375, wait_for=f"{DIARY} textarea")
    again = narrow.page.locator(DIARY)
    for question, text in ENTRY.items():  # restored as typed, markup as text
        expect(again.get_by_role("textbox", name=question)).to_have_value(text, timeout=20_000)
    width = narrow.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at 375 px ({width} px)"
    again.scroll_into_view_if_needed()
    shoot(narrow.page, "diary-375")
    again.screenshot(path=str(shoot(narrow.page, "diary-375").with_name("diary-375-diary.png")))
    assert axe(narrow.page) == []


def _key(question: str) -> str:
    from repairlab.diary import QUESTIONS

    return next(key for key, asked in QUESTIONS if asked == question)
