"""Shared by the browser tests: find the demo course's items and answer them as a student."""

from __future__ import annotations

import functools

from playwright.sync_api import expect

from repairlab.content.course import load_course, notebook_item_refs
from repairlab.registry import score

KINDS = ["spot-the-schema", "rewrite-reply", "pick-repair-step", "order-repair-steps",
         "classify-marker", "rupture-or-red-flag", "reflection"]
PRACTICE = "01-demo/practice.ipynb"


@functools.lru_cache(maxsize=2)
def course_at(root):
    course, problems = load_course(root)
    assert course is not None, problems
    return course


def first_of_kind(course, kind: str):
    """The first item of this kind on the first module's practice page."""
    module = course.modules[0]
    for item_id, _ in notebook_item_refs(module.notebook("practice")):
        item = course.bank.get(item_id)
        if item.type == kind:
            return item
    raise AssertionError(f"module 1's practice page shows no {kind} item")


def item_of_kind(server, kind: str):
    return first_of_kind(course_at(server.root), kind)


def words(text: str) -> str:
    return " ".join(str(text).split())


def expect_feedback(exercise, item, response) -> None:
    """The exercise's feedback area shows the scorer's headline and notes for ``response``."""
    feedback = score(item, response)
    area = exercise.locator(".repairlab-feedback")
    expect(area).to_contain_text(words(feedback.headline), timeout=20_000)
    for note in feedback.notes:
        expect(area).to_contain_text(words(note.text))


def answer(exercise, item, response) -> None:
    """Give ``response`` with the controls a student uses, then ask for feedback."""
    if item.type == "rewrite-reply":
        exercise.get_by_label("Your reply").fill(response)
        exercise.get_by_role("button", name="Get feedback").click()
    elif item.type == "reflection":
        exercise.get_by_label("Your reflection").fill(response)
        exercise.get_by_role("button", name="Save reflection").click()
    elif item.type == "order-repair-steps":
        # The steps are written out under letters; each position's drop-down offers letters.
        text = {s.id: s.text for s in item.steps}
        for position, step in enumerate(response, 1):
            row = exercise.locator(".rl-order-steps li", has_text=words(text[step]))
            letter = row.locator(".rl-letter").inner_text().strip()
            exercise.get_by_label(f"Step {position}", exact=True).select_option(label=letter)
        exercise.get_by_role("button", name="Check order").click()
    else:
        label = {c.id: c.label for c in item.choices()}[response]
        exercise.get_by_role("radio", name=label, exact=True).check()
        exercise.get_by_role("button", name="Check answer").click()


def wrong_and_right(item) -> tuple[object, object]:
    if item.type == "rewrite-reply":
        return item.defensive_reply, item.model_rewrite
    if item.type == "reflection":
        return "", "I felt my face go hot and wanted to explain myself at once."
    if item.type == "order-repair-steps":
        return list(reversed(item.correct_order)), list(item.correct_order)
    wrong = next(c.id for c in item.choices() if c.id != item.answer_id)
    return wrong, item.answer_id
