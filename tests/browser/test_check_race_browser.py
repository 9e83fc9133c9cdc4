"""A student is scored on the answer they see when they press Check, even on a busy kernel.

ipywidgets sends a model's state change at once only when its previous change has been
processed; later ones wait in the page. A button click is sent at once. So on a busy kernel,
"pick A, pick B, Check" could reach the kernel as "A, Check, B" and be scored on A (found
when the practice-mode test failed once in CI). ``repairlab.js`` sends waiting changes before
any click (docs/architecture.md, "A click never overtakes the answer it checks").

Made deterministic here: the page has a test-only "Hold the kernel" button whose handler keeps
the kernel busy until the test releases it. While it is held, the student changes an answer
(the first change leaves, the next ones wait) and presses Check; then the kernel is released
and the feedback must be for the answer on the screen. Without the fix every case fails.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser_helpers import item_of_kind, words
from conftest import WIDGET_TIMEOUT_MS, build_demo_course, start_server, stop_server
from playwright.sync_api import expect
from test_accessibility import Keyboard

from repairlab.registry import score

PAGE = "01-demo/check-race.ipynb"
# The kernel holds at most this long (a test that fails before releasing it must not leave a
# kernel stuck); the test waits for the hold to begin and the feedback to come within it.
HOLD_SECONDS = 120


def _race_page(held: Path, release: Path, item_ids: list[str]) -> dict:
    hold = f"""\
import time
from pathlib import Path
import ipywidgets

HELD, RELEASE = Path({str(held)!r}), Path({str(release)!r})

def hold(_):
    # The kernel is busy (as on a loaded hub) until the test lets it go.
    HELD.write_text("held")
    deadline = time.monotonic() + {HOLD_SECONDS}
    while not RELEASE.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    RELEASE.unlink(missing_ok=True)
    HELD.unlink(missing_ok=True)

hold_button = ipywidgets.Button(description="Hold the kernel")
hold_button.on_click(hold)
hold_button"""
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# Check on a busy kernel"},
             {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
              "source": "from repairlab import show"},
             {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
              "source": hold}]
    cells += [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
               "source": f"show({item_id!r})"} for item_id in item_ids]
    return {"cells": cells,
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                        "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


KINDS = ["pick-repair-step", "order-repair-steps", "rewrite-reply", "spot-the-schema"]


@pytest.fixture(scope="module")
def race_server(chromium_path, tmp_path_factory):
    root = build_demo_course(tmp_path_factory.mktemp("race-course") / "course")
    gate = tmp_path_factory.mktemp("race-gate")
    server = start_server(root, tmp_path_factory.mktemp("race-work"), "race")
    server.held, server.release = gate / "held", gate / "release"
    ids = [item_of_kind(server, kind).id for kind in KINDS]
    (root / "curriculum" / PAGE).write_text(
        json.dumps(_race_page(server.held, server.release, ids)), encoding="utf-8")
    yield server
    server.release.write_text("go")  # never leave a kernel held
    stop_server(server)


def _wait_for(condition, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@contextmanager
def busy_kernel(page, server):
    """The page's kernel is busy for the whole block; released at its end."""
    server.release.unlink(missing_ok=True)
    page.get_by_role("button", name="Hold the kernel").click()
    _wait_for(server.held.exists, "the kernel to be held", timeout=WIDGET_TIMEOUT_MS / 1000)
    try:
        yield
        # Else the kernel let go before the check was sent, and the case proved nothing.
        assert server.held.exists(), f"the kernel was held for less than {HOLD_SECONDS} s"
    finally:
        server.release.write_text("go")


def _expect_scored_on(exercise, item, shown, other) -> None:
    """The feedback is the scorer's for the answer on the screen, not for the earlier one."""
    right, wrong = score(item, shown), score(item, other)
    assert words(right.headline) != words(wrong.headline), "the two answers must read apart"
    area = exercise.locator(".repairlab-feedback")
    expect(area).not_to_have_text("", timeout=WIDGET_TIMEOUT_MS)
    text = words(area.inner_text())
    assert words(wrong.headline) not in text, f"scored on the earlier answer: {text[:300]}"
    assert words(right.headline) in text, text[:300]


@pytest.fixture
def race_page(race_server, open_page):
    tab = open_page(race_server.url(PAGE), wait_for=".repairlab-spot-the-schema")
    yield tab.page
    tab.watch.assert_clean()


def _exercise(page, kind: str):
    return page.locator(f".repairlab-exercise.repairlab-{kind}")


def test_a_choice_is_scored_on_the_option_shown(race_server, race_page):
    item = item_of_kind(race_server, "pick-repair-step")
    exercise = _exercise(race_page, item.type)
    label = {c.id: c.label for c in item.choices()}
    wrong = next(c.id for c in item.choices() if c.id != item.answer_id)
    with busy_kernel(race_page, race_server):
        exercise.get_by_role("radio", name=label[wrong], exact=True).check()
        exercise.get_by_role("radio", name=label[item.answer_id], exact=True).check()
        exercise.get_by_role("button", name="Check answer").click()
    _expect_scored_on(exercise, item, item.answer_id, wrong)


def test_an_order_is_scored_on_the_letters_shown(race_server, race_page):
    item = item_of_kind(race_server, "order-repair-steps")
    exercise = _exercise(race_page, item.type)
    text = {s.id: s.text for s in item.steps}
    letter = {step: exercise.locator(".rl-order-steps li", has_text=words(text[step]))
              .locator(".rl-letter").inner_text().strip() for step in item.correct_order}
    first, second = item.correct_order[0], item.correct_order[1]
    with busy_kernel(race_page, race_server):
        step_1 = exercise.get_by_label("Step 1", exact=True)
        step_1.select_option(label=letter[second])  # changed its mind: the next one waits
        step_1.select_option(label=letter[first])
        for position, step in enumerate(item.correct_order[1:], 2):
            exercise.get_by_label(f"Step {position}", exact=True).select_option(label=letter[step])
        exercise.get_by_role("button", name="Check order").click()
    earlier = [second, *item.correct_order[1:]]
    _expect_scored_on(exercise, item, list(item.correct_order), earlier)


def test_a_reply_is_scored_on_the_text_in_the_box(race_server, race_page):
    item = item_of_kind(race_server, "rewrite-reply")
    exercise = _exercise(race_page, item.type)
    box = exercise.get_by_label("Your reply")
    with busy_kernel(race_page, race_server):
        box.fill(item.defensive_reply)
        box.press("Tab")  # leaving the box sends its text: the next text waits behind it
        box.fill(item.model_rewrite)
        exercise.get_by_role("button", name="Get feedback").click()
    _expect_scored_on(exercise, item, item.model_rewrite, item.defensive_reply)
    expect(box).to_have_value(item.model_rewrite)


def test_a_choice_made_and_checked_by_keyboard_is_scored_on_the_option_shown(race_server,
                                                                              race_page):
    item = item_of_kind(race_server, "spot-the-schema")
    selector = f".repairlab-{item.type}"
    exercise = _exercise(race_page, item.type)
    label = {c.id: c.label for c in item.choices()}
    shown = [t.strip() for t in exercise.locator(".widget-radio-box label").all_inner_texts()]
    answer = label[item.answer_id]
    keys = Keyboard(race_page)
    with busy_kernel(race_page, race_server):
        keys.tab_to(f"{selector} input[type=radio]")  # the first option, not yet chosen
        # A wrong option first (it leaves at once), then the arrow keys to the answer (waits).
        if shown[0] != answer:
            race_page.keyboard.press("Space")
            while keys.checked_label(selector) != answer:
                race_page.keyboard.press("ArrowDown")
        else:
            race_page.keyboard.press("ArrowDown")
            race_page.keyboard.press("ArrowUp")
        earlier = shown[1] if shown[0] == answer else shown[0]
        assert keys.checked_label(selector) == answer
        keys.tab_to(f"{selector} button.mod-primary")
        race_page.keyboard.press("Enter")
    by_label = {text: i for i, text in label.items()}
    _expect_scored_on(exercise, item, item.answer_id, by_label[earlier])
