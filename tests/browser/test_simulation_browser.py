"""A case simulation in a real browser: one case played to two endings, by mouse and by keyboard.

Uses the real course (``course_server``): Module 5's cases page, case m05-case-01. Free-text
turns go through the real reply assessor in the page's kernel.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from repairlab.content.bank import load_bank
from repairlab.kinds.simulation import Playthrough
from repairlab.progress import DB_FILENAME, ProgressStore

PAGE = "05-the-repair-sequence/cases.ipynb"
CASE = "m05-case-01"
# A reply the assessor reads as validating and exploring (checked in test_simulation.py too).
WARM_REPLY = ("That makes sense, and it isn't stupid. I'm sorry I moved on. Would you tell me "
              "more about it?")
TURN_TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def case(course_server):
    bank, _ = load_bank(course_server.root / "exercises")
    if CASE not in bank:
        pytest.fail(f"{CASE} is missing from the course")
    return bank.get(CASE)


def choice_text(case, node_id: str, choice_id: str) -> str:
    return next(c.text for c in case.node(node_id).choices if c.id == choice_id)


def simulation(tab, case):
    # The page shows two cases, beginner first; m05-case-01 is the one with its title.
    return tab.page.locator(".repairlab-exercise.repairlab-simulation").filter(
        has=tab.page.locator(".rl-title", has_text=case.title))


def click_choice(exercise, case, node_id: str, choice_id: str) -> None:
    exercise.get_by_role("button", name=choice_text(case, node_id, choice_id)[:60]).click()


def expect_client_says(exercise, case, node_id: str) -> None:
    line = case.node(node_id).client
    expect(exercise.locator(".repairlab-transcript")).to_contain_text(line[:50],
                                                                     timeout=TURN_TIMEOUT_MS)


def focused_text(page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.textContent : ''")


def test_play_to_repair_by_mouse(course_server, open_page, case, axe, shoot):
    tab = open_page(course_server.url(PAGE), wait_for=".repairlab-simulation .rl-choice")
    exercise = simulation(tab, case)
    if exercise.locator(".rl-restart").is_visible() and \
            exercise.locator(".rl-choice").count() == 0:
        exercise.locator(".rl-restart").click()  # a finished case restored from an earlier run
    expect(exercise.locator(".repairlab-meter")).to_contain_text("Bond")

    click_choice(exercise, case, "open", "invite")
    expect_client_says(exercise, case, "clock")
    expect(exercise.locator(".repairlab-feedback")).to_contain_text(
        "Exploratory resolution strategy")
    click_choice(exercise, case, "clock", "own-now")
    expect_client_says(exercise, case, "hurt")

    exercise.get_by_label("Your reply").fill(WARM_REPLY)
    exercise.get_by_role("button", name="Say it").click()
    expect_client_says(exercise, case, "vulnerable")
    click_choice(exercise, case, "vulnerable", "link-pattern")

    feedback = exercise.locator(".repairlab-feedback")
    expect(feedback).to_contain_text("Ending: Repaired", timeout=TURN_TIMEOUT_MS)
    expect(feedback).to_contain_text("The turn that mattered most")
    # The debrief's question is asked beside a labelled box, not in the feedback.
    expect(exercise.locator(".rl-reflect-heading")).to_have_text("Reflect")
    expect(exercise.get_by_label("Your reflection")).to_be_editable()
    expect(exercise.locator(".rl-choice")).to_have_count(0)
    shoot(tab.page, "simulation-repaired")
    assert axe(tab.page) == []

    store = ProgressStore(course_server.data_dir / DB_FILENAME)
    try:
        saved = store.attempts("browser-test", item_id=CASE)[-1]
    finally:
        store.close()
    assert [turn["node"] for turn in saved.response] == ["open", "clock", "hurt", "vulnerable"]
    assert saved.response[2]["reply"] == WARM_REPLY
    assert saved.feedback["extra"]["debrief"]["ending"] == "repaired"
    tab.watch.assert_clean()


def test_play_to_ending_therapy_by_keyboard(course_server, open_page, case, shoot):
    tab = open_page(course_server.url(PAGE), wait_for=".repairlab-simulation .rl-restart")
    page, exercise = tab.page, simulation(tab, case)
    # Start from the beginning whatever an earlier test left behind, with the keyboard.
    exercise.locator(".rl-restart").focus()
    page.keyboard.press("Enter")
    expect(exercise.locator(".rl-choice").first).to_be_focused(timeout=TURN_TIMEOUT_MS)

    # The same turns, played in the engine, say which choices the page offers at each step.
    shadow = Playthrough.start(case)

    def choose_by_keyboard(choice_id: str) -> None:
        offered = [c.id for c in shadow.options]
        text = next(c.text for c in shadow.options if c.id == choice_id)
        # After each turn focus is on the first choice; Tab walks down the list. Wait for this
        # turn's first choice by its text: the last turn's button may still be on the page
        # (and focused) for a moment, and it can have been the first one too.
        first = exercise.locator(".rl-choice").first
        expect(first).to_contain_text(shadow.options[0].text[:40], timeout=TURN_TIMEOUT_MS)
        expect(first).to_be_focused(timeout=TURN_TIMEOUT_MS)
        for _ in range(offered.index(choice_id)):
            page.keyboard.press("Tab")
        assert focused_text(page).strip().startswith(text[:40])
        page.keyboard.press("Enter")
        shadow.choose(choice_id)

    choose_by_keyboard("explain-homework")
    expect_client_says(exercise, case, "sharper")
    choose_by_keyboard("double-down")
    expect_client_says(exercise, case, "cold")
    choose_by_keyboard("slot")

    feedback = exercise.locator(".repairlab-feedback")
    expect(feedback).to_contain_text("Ending: The client ends therapy", timeout=TURN_TIMEOUT_MS)
    # The termination-session epilogue is part of the transcript.
    expect(exercise.locator(".repairlab-transcript")).to_contain_text("one last session")
    # Nothing left to choose: focus goes to "Start the case again".
    expect(exercise.locator(".rl-restart")).to_be_focused()
    shoot(page, "simulation-ends-therapy")
    tab.watch.assert_clean()
