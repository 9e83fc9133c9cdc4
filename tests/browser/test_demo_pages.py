"""The stable demo course in a real browser: the landing page and every exercise kind.

Expected feedback is computed with the kind's own scorer for the same response, so these
tests check what the student sees against what the scorer says, whatever the wording.
"""

from __future__ import annotations

import uuid

import pytest
from browser_helpers import (
    KINDS,
    PRACTICE,
    answer,
    course_at,
    expect_feedback,
    item_of_kind,
    words,
    wrong_and_right,
)
from playwright.sync_api import expect


def test_landing_page(demo_server, open_page, shoot):
    course = course_at(demo_server.root)
    tab = open_page(demo_server.url("index.ipynb"), wait_for=".repairlab-home")
    page = tab.page
    home = page.locator(".repairlab-home")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(home.locator("h1")).to_have_text(words(course.manifest.title))
    expect(home.locator(".rl-scope")).to_contain_text("not therapy")
    titles = home.locator(".rl-module h2").all_inner_texts()
    assert titles == [f"Module {m.number}: {m.title}" for m in course.modules]
    module = home.locator(".rl-module").first
    for objective in course.modules[0].manifest.objectives:
        expect(module.locator("details li", has_text=words(objective))).to_have_count(1)
    expect(module.get_by_role("link", name="Practice", exact=True)).to_have_attribute(
        "href", PRACTICE)
    expect(module.get_by_role("link", name="Practice mode", exact=True)).to_have_attribute(
        "href", "01-demo/practice-mode.ipynb")
    expect(module.locator(".rl-progress-text")).to_contain_text("skills mastered")
    expect(module.locator(".rl-attempted-text")).to_contain_text("exercises done")
    shoot(page, "demo-landing")
    tab.watch.assert_clean()


@pytest.mark.parametrize("kind", KINDS)
def test_exercise_kind(kind, demo_server, open_page, shoot):
    item = item_of_kind(demo_server, kind)
    tab = open_page(demo_server.url(PRACTICE), wait_for=f".repairlab-{kind}")
    exercise = tab.page.locator(f".repairlab-exercise.repairlab-{kind}")
    expect(exercise.locator(".rl-title")).to_have_text(words(item.title))
    wrong, right = wrong_and_right(item)

    answer(exercise, item, wrong)
    expect_feedback(exercise, item, wrong)
    answer(exercise, item, right)
    expect_feedback(exercise, item, right)
    if kind in ("rewrite-reply", "reflection"):
        # Feedback never costs the student what they wrote.
        expect(exercise.locator("textarea")).to_have_value(right)

    exercise.scroll_into_view_if_needed()
    shoot(tab.page, f"demo-{kind}-answered")
    tab.watch.assert_clean()


def test_work_is_kept_between_visits(demo_server, open_page):
    """A reloaded page shows the student's last answer, even from a pre-heated kernel.

    Pooled kernels run their notebook before anyone asks for the page, so without the
    server's refresh they would show the progress file as it was before this answer.
    """
    from repairlab.progress import DB_FILENAME, ProgressStore
    from repairlab.views.home import module_standings

    item = item_of_kind(demo_server, "rewrite-reply")
    text = f"You're right, I did keep looking at the clock, and I'm sorry. ({uuid.uuid4().hex[:8]})"
    # Every pool full before answering: the practice page's spare kernel is already rendered.
    demo_server.wait_for_kernels(len(demo_server.pooled))
    tab = open_page(demo_server.url(PRACTICE), wait_for=".repairlab-rewrite-reply")
    exercise = tab.page.locator(".repairlab-exercise.repairlab-rewrite-reply")
    answer(exercise, item, text)
    expect_feedback(exercise, item, text)
    tab.page.close(run_before_unload=True)

    again = open_page(demo_server.url(PRACTICE), wait_for=".repairlab-rewrite-reply")
    exercise = again.page.locator(".repairlab-exercise.repairlab-rewrite-reply")
    expect(exercise.get_by_label("Your reply")).to_have_value(text, timeout=20_000)
    expect_feedback(exercise, item, text)

    course = course_at(demo_server.root)
    store = ProgressStore(demo_server.data_dir / DB_FILENAME)
    try:
        items = module_standings(course, store, "browser-test")[course.modules[0].folder].items
        done, total = items.completed, items.total
    finally:
        store.close()
    home = open_page(demo_server.url("index.ipynb"), wait_for=".repairlab-home")
    expect(home.page.locator(".rl-attempted-text").first).to_have_text(
        f"Attempted: {done} of {total} exercises done")
    assert done >= 1
    again.watch.assert_clean()
    home.watch.assert_clean()


def test_student_downloads_their_work_as_one_file(demo_server, open_page, tmp_path):
    """Landing page → "Prepare my hand-in file" → a download the gradebook accepts."""
    from repairlab.handin import read_submission

    item = item_of_kind(demo_server, "reflection")
    text = f"I felt my face go hot <b>{uuid.uuid4().hex[:8]}</b>"
    tab = open_page(demo_server.url(PRACTICE), wait_for=".repairlab-reflection")
    exercise = tab.page.locator(".repairlab-exercise.repairlab-reflection")
    answer(exercise, item, text)
    expect_feedback(exercise, item, text)

    home = open_page(demo_server.url("index.ipynb"), wait_for=".repairlab-home")
    home.page.get_by_role("button", name="Prepare my hand-in file").click()
    link = home.page.locator("a.rl-download")
    expect(link).to_be_visible(timeout=20_000)
    with home.page.expect_download() as download:
        link.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("repairlab-browser-test-")
    submission = read_submission(saved)  # checksum verified: the file is as downloaded
    assert submission["student"] == "browser-test"
    assert text in [a["response"] for a in submission["attempts"]]
    home.watch.assert_clean()
