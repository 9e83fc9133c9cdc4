"""Accessibility of the demo pages: axe-core, keyboard only, labels, live regions, phones."""

from __future__ import annotations

import json
import re

import pytest
from browser_helpers import PRACTICE, answer, expect_feedback, item_of_kind
from playwright.sync_api import expect

PAGES = {"landing": ("index.ipynb", ".repairlab-home"),
         "practice": (PRACTICE, ".repairlab-reflection")}
CONTROLS = "input, select, textarea, button"


def show_every_kind_of_feedback(server, page) -> None:
    """Fill the feedback areas with each tone (good, partial, try, info) for contrast checks."""
    for kind, pick in (("spot-the-schema", "wrong"), ("pick-repair-step", "right"),
                       ("order-repair-steps", "partial"), ("rewrite-reply", "wrong")):
        item = item_of_kind(server, kind)
        exercise = page.locator(f".repairlab-exercise.repairlab-{kind}")
        if kind == "order-repair-steps":
            order = list(item.correct_order)
            order[0], order[1] = order[1], order[0]
            response = order
        elif kind == "rewrite-reply":
            response = item.defensive_reply
        else:
            wrong = next(c.id for c in item.choices() if c.id != item.answer_id)
            response = item.answer_id if pick == "right" else wrong
        answer(exercise, item, response)
        expect_feedback(exercise, item, response)
    hint = page.locator(".repairlab-rewrite-reply").get_by_role("button", name="Show a hint")
    if hint.count():
        hint.click()
        expect(page.locator(".repairlab-rewrite-reply .rl-feedback.rl-info")).to_be_visible()


def describe(violations) -> str:
    return json.dumps(violations, indent=2)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_serious_problems(name, dark, demo_server, open_page, axe, shoot):
    page_path, ready = PAGES[name]
    tab = open_page(demo_server.url(page_path), dark=dark, wait_for=ready)
    if name == "practice":
        show_every_kind_of_feedback(demo_server, tab.page)
    violations = axe(tab.page)
    shoot(tab.page, f"demo-{name}-{'dark' if dark else 'light'}")
    assert not violations, describe(violations)
    tab.watch.assert_clean()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_phone_width(name, dark, demo_server, open_page, shoot):
    """At 375 px nothing runs off the side, so nothing needs sideways scrolling."""
    page_path, ready = PAGES[name]
    tab = open_page(demo_server.url(page_path), dark=dark, width=375, height=812,
                    wait_for=ready)
    if name == "practice":
        show_every_kind_of_feedback(demo_server, tab.page)
    overflow = tab.page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        return [...document.querySelectorAll('body *')]
            .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > width + 1)
            .map(e => e.tagName + '.' + [...e.classList].join('.')).slice(0, 10);
    }""")
    shoot(tab.page, f"demo-{name}-phone-{'dark' if dark else 'light'}")
    assert tab.page.evaluate("document.documentElement.scrollWidth") <= 375, overflow
    tab.watch.assert_clean()


def test_every_control_is_labelled_and_feedback_is_announced(demo_server, open_page):
    tab = open_page(demo_server.url(PRACTICE), wait_for=".repairlab-reflection")
    unlabelled = tab.page.evaluate("""(selector) => {
        const named = (el) => {
            if (el.tagName === 'BUTTON') return el.textContent.trim() !== '';
            if (el.getAttribute('aria-label')) return true;
            const ids = (el.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean);
            if (ids.some(id => (document.getElementById(id) || {}).textContent)) return true;
            return [...(el.labels || [])].some(l => l.textContent.trim() !== '');
        };
        return [...document.querySelectorAll('.repairlab-exercise')].flatMap(ex =>
            [...ex.querySelectorAll(selector)].filter(el => !named(el)).map(el => el.outerHTML));
    }""", CONTROLS)
    assert not unlabelled
    groups = tab.page.locator(".repairlab-exercise .widget-radio-box")
    assert groups.count() >= 4
    for index in range(groups.count()):
        group = groups.nth(index)
        expect(group).to_have_attribute("role", "radiogroup")
        label = tab.page.locator("#" + group.get_attribute("aria-labelledby"))
        # An answered rewrite (an earlier test's, on this shared server) also has its
        # difficulty check (views/rating.py).
        expect(label).to_have_text(re.compile(r"^(Your answer|How hard did that feel\?.*)$"))
    areas = tab.page.locator(".repairlab-exercise .repairlab-feedback")
    assert areas.count() == tab.page.locator(".repairlab-exercise").count()
    for index in range(areas.count()):
        expect(areas.nth(index)).to_have_attribute("aria-live", "polite")
        expect(areas.nth(index)).to_have_attribute("role", "status")


class Keyboard:
    """Drive a page with the keyboard alone, checking that focus is always visible."""

    def __init__(self, page):
        self.page = page
        self.invisible_focus: list[str] = []

    def tab_to(self, selector: str, limit: int = 120) -> None:
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            state = self.page.evaluate("""(selector) => {
                const el = document.activeElement;
                if (!el || el === document.body) return {hit: false, visible: true, what: ''};
                const style = getComputedStyle(el);
                const visible = style.outlineStyle !== 'none' &&
                                parseFloat(style.outlineWidth) >= 2;
                return {hit: el.matches(selector), visible, what: el.outerHTML.slice(0, 120)};
            }""", selector)
            if not state["visible"]:
                self.invisible_focus.append(state["what"])
            if state["hit"]:
                return
        raise AssertionError(f"Tab never reached {selector}")

    def checked_label(self, exercise: str) -> str:
        return self.page.evaluate("""(exercise) => {
            const input = document.querySelector(exercise + ' input[type=radio]:checked');
            return input ? input.closest('label').textContent.trim() : '';
        }""", exercise)


def test_keyboard_alone_completes_a_choice_and_a_rewrite(demo_server, open_page):
    tab = open_page(demo_server.url(PRACTICE), wait_for=".repairlab-reflection")
    keys = Keyboard(tab.page)

    # A choice: Tab into the options, Space picks one, the arrow keys move the choice.
    item = item_of_kind(demo_server, "pick-repair-step")
    target = {c.id: c.label for c in item.choices()}[item.answer_id]
    choice = ".repairlab-pick-repair-step"
    keys.tab_to(f"{choice} input[type=radio]")
    tab.page.keyboard.press("Space")
    for _ in range(len(item.options)):
        if keys.checked_label(choice) == target:
            break
        tab.page.keyboard.press("ArrowDown")
    assert keys.checked_label(choice) == target
    keys.tab_to(f"{choice} button.mod-primary")
    tab.page.keyboard.press("Enter")
    expect_feedback(tab.page.locator(f".repairlab-exercise{choice}"), item, item.answer_id)

    # A rewrite: Tab to the text box, type, Tab to the button, Space presses it.
    item = item_of_kind(demo_server, "rewrite-reply")
    rewrite = ".repairlab-rewrite-reply"
    keys.tab_to(f"{rewrite} textarea")
    tab.page.keyboard.press("Control+A")  # the box may hold this student's earlier answer
    tab.page.keyboard.press("Delete")
    tab.page.keyboard.type(item.model_rewrite.strip())
    keys.tab_to(f"{rewrite} button.mod-primary")
    tab.page.keyboard.press("Space")
    exercise = tab.page.locator(f".repairlab-exercise{rewrite}")
    expect_feedback(exercise, item, item.model_rewrite.strip())
    expect(exercise.locator("textarea")).to_have_value(item.model_rewrite.strip())

    assert not keys.invisible_focus, keys.invisible_focus
    tab.watch.assert_clean()
