"""Practice mode in a real browser, by keyboard alone: from beginner to mastery of one skill,
and still mastered after a reload (the progress store, not the page, remembers)."""

from __future__ import annotations

from browser_helpers import course_at
from conftest import build_demo_course
from playwright.sync_api import expect
from test_accessibility import Keyboard

PRACTICE_MODE = "01-demo/practice-mode.ipynb"


def _answer_by_keyboard(page, keys: Keyboard, course) -> str:
    """Answer the item on show correctly, by keyboard: Tab into its options, Space, the arrow
    keys to the right one, Tab to "Check answer", Enter. Returns the item's id."""
    exercise = page.locator(".rl-practice-mode .repairlab-exercise")
    title = exercise.locator(".rl-title").inner_text()
    module = course.modules[0]
    item = next(course.item(i) for i in course.items_of(module)
                if course.item(i).title == title)
    target = {c.id: c.label for c in item.choices()}[item.answer_id]
    selector = f".rl-practice-mode .repairlab-{item.type}"
    keys.tab_to(f"{selector} input[type=radio]")
    page.keyboard.press("Space")
    for _ in range(len(item.choices())):
        if keys.checked_label(selector) == target:
            break
        page.keyboard.press("ArrowDown")
    assert keys.checked_label(selector) == target
    keys.tab_to(f"{selector} button.mod-primary")
    page.keyboard.press("Enter")
    expect(exercise.locator(".repairlab-feedback")).not_to_have_text("", timeout=20_000)
    return item.id


def test_keyboard_practice_to_mastery_of_a_skill(own_server, open_page, tmp_path, shoot, axe):
    root = build_demo_course(tmp_path / "course")
    server = own_server(root)
    course = course_at(root)
    skill = course.modules[0].manifest.skills[0]
    tab = open_page(server.url(PRACTICE_MODE), wait_for=".rl-practice-mode .repairlab-exercise")
    page = tab.page
    status = page.locator(".rl-practice-status")
    expect(status).to_contain_text(f"Practising {skill.name}, beginner level")
    keys = Keyboard(page)
    next_button = page.get_by_role("button", name="Next item")
    expect(next_button).to_be_disabled()

    served = []
    for _ in range(6):  # the demo's first skill has one item at each of two levels
        if f"{skill.name}: Mastered" in status.inner_text():
            break
        served.append(_answer_by_keyboard(page, keys, course))
        expect(next_button).to_be_enabled(timeout=20_000)
        before = status.inner_text()
        keys.tab_to(".rl-next-item")
        page.keyboard.press("Enter")
        # The status and the next item are separate widgets and may be drawn in either order:
        # wait for the status to count this answer before reading it at the top of the loop.
        expect(status).not_to_have_text(before, timeout=20_000)
        # The next item replaces this one (or the status says the skill is mastered).
        expect(page.locator(".rl-practice-mode .repairlab-exercise .repairlab-feedback")) \
            .to_have_text("", timeout=20_000)
    expect(status).to_contain_text(f"{skill.name}: Mastered", timeout=20_000)
    assert len(served) == 2
    levels = [course.item(i).difficulty for i in served]
    assert levels == ["beginner", "intermediate"]
    shoot(page, "practice-mode-mastered")
    assert axe(page) == []

    # A new visit: the skill is still mastered and practice goes on with the next one.
    again = open_page(server.url(PRACTICE_MODE), wait_for=".rl-practice-mode .repairlab-exercise")
    again_status = again.page.locator(".rl-practice-status")
    expect(again_status).to_contain_text(f"{skill.name}: Mastered")
    expect(again_status).to_contain_text(f"Practising {course.modules[0].manifest.skills[1].name}")
    narrow = open_page(server.url(PRACTICE_MODE), width=375,
                       wait_for=".rl-practice-mode .repairlab-exercise")
    shoot(narrow.page, "practice-mode-375")
    assert not keys.invisible_focus, keys.invisible_focus
    tab.watch.assert_clean()
    again.watch.assert_clean()
