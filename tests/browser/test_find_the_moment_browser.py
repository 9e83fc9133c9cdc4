"""Find the moment in a real browser: one item done by keyboard alone, announced, axe-clean,
and usable at 375 px. The expected feedback is the kind's own scorer's (browser_helpers)."""

from __future__ import annotations

from browser_helpers import PRACTICE, expect_feedback, item_of_kind
from playwright.sync_api import expect

KIND = "find-the-moment"
EXERCISE = f".repairlab-exercise.repairlab-{KIND}"


def _focus_is_visible_on(page, selector: str) -> bool:
    return page.evaluate("""(selector) => {
        const el = document.activeElement;
        if (!el || !el.matches(selector)) return false;
        const style = getComputedStyle(el);
        return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    }""", selector)


def _tab_to(page, selector: str, limit: int = 150) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)",
                         selector):
            assert _focus_is_visible_on(page, selector), f"focus on {selector} is not visible"
            return
    raise AssertionError(f"Tab never reached {selector}")


def _checked_label(page) -> str:
    return page.evaluate("""(exercise) => {
        const input = document.querySelector(exercise + ' input[type=radio]:checked');
        return input ? input.closest('label').textContent.trim() : '';
    }""", EXERCISE)


def _pick_by_keyboard(page, label: str, turns: int) -> None:
    """Tab into the turns, Space picks one, the arrow keys move the pick, Enter checks it."""
    _tab_to(page, f"{EXERCISE} input[type=radio]")
    page.keyboard.press("Space")
    for _ in range(turns):
        if _checked_label(page) == label:
            break
        page.keyboard.press("ArrowDown")
    assert _checked_label(page) == label
    _tab_to(page, f"{EXERCISE} button.mod-primary")
    page.keyboard.press("Enter")


def test_a_moment_found_by_keyboard_alone_is_announced_and_axe_clean(demo_server, open_page,
                                                                    axe, shoot):
    item = item_of_kind(demo_server, KIND)
    tab = open_page(demo_server.url(PRACTICE), wait_for=f".repairlab-{KIND}")
    page = tab.page
    exercise = page.locator(EXERCISE)
    labels = [item.turn_label(n, t) for n, t in enumerate(item.turns, 1)]

    # The turns are one labelled radio group, in reading order, each saying who speaks.
    group = exercise.locator(".widget-radio-box")
    expect(group).to_have_attribute("role", "radiogroup")
    expect(page.locator("#" + group.get_attribute("aria-labelledby"))).to_have_text("Your answer")
    assert [r.strip() for r in group.locator("label").all_inner_texts()] == labels
    area = exercise.locator(".repairlab-feedback")
    expect(area).to_have_attribute("aria-live", "polite")
    expect(area).to_have_attribute("role", "status")

    wrong = next(t for t in item.turns if t.id != item.answer)
    _pick_by_keyboard(page, labels[item.turns.index(wrong)], len(labels))
    expect_feedback(exercise, item, wrong.id)
    _pick_by_keyboard(page, labels[[t.id for t in item.turns].index(item.answer)], len(labels))
    expect_feedback(exercise, item, item.answer)
    expect(area).to_contain_text(" ".join(item.explanation.split()))

    exercise.scroll_into_view_if_needed()
    shoot(page, "find-the-moment-1280")
    violations = axe(page)
    assert not violations, violations
    tab.watch.assert_clean()


def test_the_transcript_fits_a_phone(demo_server, open_page, shoot):
    item = item_of_kind(demo_server, KIND)
    tab = open_page(demo_server.url(PRACTICE), width=375, height=812,
                    wait_for=f".repairlab-{KIND}")
    exercise = tab.page.locator(EXERCISE)
    exercise.get_by_role("radio", name=item.turn_label(1, item.turns[0])).check()
    exercise.get_by_role("button", name="Check answer").click()
    expect_feedback(exercise, item, item.turns[0].id)
    exercise.scroll_into_view_if_needed()
    shoot(tab.page, "find-the-moment-375")
    overflow = tab.page.evaluate("""(exercise) => {
        const width = document.documentElement.clientWidth;
        return [...document.querySelectorAll(exercise + ' *')]
            .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > width + 1)
            .map(e => e.tagName + '.' + [...e.classList].join('.')).slice(0, 10);
    }""", EXERCISE)
    assert not overflow, overflow
    assert tab.page.evaluate("document.documentElement.scrollWidth") <= 375
    tab.watch.assert_clean()
