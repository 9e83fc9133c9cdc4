"""Moving through the course in a real browser: links between pages worked out from the
manifests, a contents list and skip links made from each page's sections, drafts that survive
a reload, the order exercise's full step text, and figures readable at 375 px."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from browser_helpers import PRACTICE, item_of_kind, words
from conftest import ARTIFACTS
from playwright.sync_api import expect

from repairlab.content.course import load_course
from repairlab.progress import DB_FILENAME, ProgressStore

REPO = Path(__file__).resolve().parents[2]
COURSE, _ = load_course(REPO)
MODULES = COURSE.modules if COURSE is not None else []
PHONE = 375


def _nav(page):
    nav = page.locator("#rl-page-nav")
    expect(nav).to_be_visible(timeout=30_000)
    return nav


def test_a_reading_links_to_its_practice_and_back_to_the_course(course_server, open_page):
    module = MODULES[0]
    tab = open_page(course_server.url(f"{module.folder}/{module.manifest.notebooks.reading}"),
                    wait_for="#rl-page-nav")
    nav = _nav(tab.page)
    expect(nav.get_by_role("link", name=re.compile("Course home"))).to_have_attribute(
        "href", "../index.ipynb")
    practice = nav.get_by_role("link", name=re.compile(f"Module {module.number} practice"))
    expect(practice).to_have_attribute("href", module.manifest.notebooks.practice)
    practice.click()  # the link really leads to the practice page
    expect(tab.page.locator("h1").first).to_contain_text(f"Module {module.number} practice",
                                                        timeout=30_000)
    tab.watch.assert_clean()


def test_practice_goes_on_to_the_cases_page_and_cases_to_the_next_module(course_server,
                                                                         open_page):
    module = next(m for m in MODULES if m.manifest.notebooks.cases)
    after = MODULES[MODULES.index(module) + 1]
    tab = open_page(course_server.url(f"{module.folder}/{module.manifest.notebooks.practice}"),
                    wait_for="#rl-page-nav")
    expect(_nav(tab.page).locator(".rl-next-module")).to_have_attribute(
        "href", module.manifest.notebooks.cases)
    tab = open_page(course_server.url(f"{module.folder}/{module.manifest.notebooks.cases}"),
                    wait_for="#rl-page-nav")
    expect(_nav(tab.page).locator(".rl-next-module")).to_have_attribute(
        "href", f"../{after.folder}/{after.manifest.notebooks.reading}")


def test_every_page_has_contents_from_its_sections_and_skip_links_that_move_focus(
        course_server, open_page, shoot):
    module = next(m for m in MODULES if m.number == 4)
    tab = open_page(course_server.url(f"{module.folder}/{module.manifest.notebooks.practice}"),
                    wait_for=".repairlab-exercise")
    page = tab.page
    contents = page.get_by_role("navigation", name="Contents of this page")
    expect(contents).to_be_visible(timeout=20_000)
    headings = page.locator("#rl-main .jp-RenderedMarkdown h2, #rl-main .jp-RenderedMarkdown h3")
    names = [words(t.replace("¶", "")) for t in headings.all_inner_texts()]
    assert [words(t) for t in contents.locator("a").all_inner_texts()] == names
    # From the top of the first section, one link past all its exercises (and its parts: the
    # 26 rewrite items are split by level) to the next section of its level.
    levels = headings.evaluate_all("els => els.map(el => el.tagName)")
    target = next(n for n in range(1, len(levels)) if levels[n] <= levels[0])
    skip = page.locator(".rl-skip").first
    expect(skip).to_contain_text(names[target])
    skip.focus()
    page.keyboard.press("Enter")
    expect(headings.nth(target)).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is inside the next section, not 20 items back
    inside = page.evaluate("document.activeElement.closest('.jp-Cell') !== null")
    assert inside
    shoot(page, "nav-module4-practice-1280")
    tab.watch.assert_clean()


def test_the_landing_page_has_a_contents_list_of_its_modules(course_server, open_page):
    tab = open_page(course_server.url("index.ipynb"), wait_for=".repairlab-home")
    contents = tab.page.get_by_role("navigation", name="Contents of this page")
    expect(contents).to_be_visible(timeout=20_000)
    texts = [words(t) for t in contents.locator("a").all_inner_texts()]
    for module in MODULES:
        assert f"Module {module.number}: {words(module.title)}" in texts


def test_a_typed_reply_survives_a_reload_as_a_draft(demo_server, open_page, shoot):
    item = item_of_kind(demo_server, "rewrite-reply")
    tab = open_page(demo_server.url(PRACTICE), wait_for=".repairlab-exercise")
    box = tab.page.locator(f".repairlab-exercise:has-text('{item.title}')").get_by_label(
        "Your reply")
    typed = "You're right <b>and</b> I was looking at the clock"
    # Other tests on this server may have answered the item already: count from here.
    attempts_before = _attempt_count(demo_server, item.id)
    box.fill(typed)
    box.press("Tab")  # leaving the box is when the draft is kept
    # Reload once the kernel has kept it: on a loaded machine the reload can outrun the save.
    _wait_for_draft(demo_server, tab.page, item.id, typed)
    assert _attempt_count(demo_server, item.id) == attempts_before  # a draft, not an attempt
    tab.page.reload()
    box = tab.page.locator(f".repairlab-exercise:has-text('{item.title}')").get_by_label(
        "Your reply")
    expect(box).to_have_value(typed, timeout=30_000)
    expect(tab.page.locator("b", has_text="and")).to_have_count(0)  # text, never markup
    shoot(tab.page, "nav-draft-restored-1280")
    tab.watch.assert_clean()


def test_a_reply_still_being_typed_survives_a_reload(demo_server, open_page):
    # The cursor never leaves the box, so the box never sends its text before the reload: the
    # page keeps an unsent copy in the browser and sends it when the page is drawn again.
    item = item_of_kind(demo_server, "rewrite-reply")
    tab = open_page(demo_server.url(PRACTICE), wait_for=".repairlab-exercise")
    reply = f".repairlab-exercise:has-text('{item.title}')"
    box = tab.page.locator(reply).get_by_label("Your reply")
    typed = "I rushed you <i>there</i>, and I'm sorry"
    attempts_before = _attempt_count(demo_server, item.id)
    box.click()
    box.press("End")
    box.press_sequentially(typed)
    shown = box.input_value()  # with any draft kept earlier in front of what was just typed
    assert shown.endswith(typed)
    tab.page.reload()
    box = tab.page.locator(reply).get_by_label("Your reply")
    expect(box).to_have_value(shown, timeout=60_000)
    expect(tab.page.locator("i", has_text="there")).to_have_count(0)  # text, never markup
    # Sent on: the kernel keeps it as a draft, not as an attempt.
    _wait_for_draft(demo_server, tab.page, item.id, shown)
    assert _attempt_count(demo_server, item.id) == attempts_before
    tab.watch.assert_clean()


def _attempt_count(server, item_id: str) -> int:
    store = ProgressStore(server.data_dir / DB_FILENAME)
    try:
        return len(store.attempts("browser-test", item_id=item_id))
    finally:
        store.close()


def _wait_for_draft(server, page, item_id: str, text: str) -> None:
    store = ProgressStore(server.data_dir / DB_FILENAME)
    try:
        deadline = time.monotonic() + 30
        while store.draft("browser-test", item_id) != text and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert store.draft("browser-test", item_id) == text, "the draft was never kept"
    finally:
        store.close()


@pytest.mark.parametrize("width", [1280, PHONE])
def test_the_order_exercise_shows_every_step_in_full(demo_server, open_page, shoot, width):
    item = item_of_kind(demo_server, "order-repair-steps")
    tab = open_page(demo_server.url(PRACTICE), width=width, wait_for=".repairlab-exercise")
    exercise = tab.page.locator(".repairlab-order-repair-steps")
    for step in item.steps:
        row = exercise.locator(".rl-order-steps li", has_text=words(step.text))
        expect(row).to_be_visible()
        # Whole and unclipped: the row is as wide as its box allows, nothing cut off.
        clipped = row.evaluate("el => el.scrollWidth > el.clientWidth + 1")
        assert not clipped, step.text
    assert exercise.get_by_label("Step 1", exact=True).locator("option").all_inner_texts()[1:] \
        == [chr(ord("A") + n) for n in range(len(item.steps))]
    exercise.scroll_into_view_if_needed()
    shoot(tab.page, f"nav-order-{width}")
    tab.watch.assert_clean()


FIGURES = sorted(REPO.glob("curriculum/*/images/*.svg"))


def _smallest_text_ratio(svg: Path) -> float:
    """The smallest font size over the drawing's width, from the figure's own file."""
    text = svg.read_text(encoding="utf-8")
    width = float(re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+)', text).group(1))
    sizes = [float(s) for s in re.findall(r'font-size[=:]\s*"?([\d.]+)', text)]
    return min(sizes) / width


@pytest.mark.parametrize("module", [m for m in MODULES if any(m.path.glob("images/*.svg"))],
                         ids=lambda m: m.folder)
def test_every_figure_is_readable_on_a_phone(module, course_server, open_page, shoot):
    tab = open_page(course_server.url(f"{module.folder}/{module.manifest.notebooks.reading}"),
                    width=PHONE, wait_for="#rl-main h1")
    images = tab.page.locator("#rl-main .rl-figure img")
    expect(images.first).to_be_visible(timeout=30_000)
    for n in range(images.count()):
        image = images.nth(n)
        name = image.get_attribute("src").rsplit("/", 1)[-1]
        svg = module.path / "images" / name
        shown = image.evaluate("el => el.getBoundingClientRect().width")
        assert shown * _smallest_text_ratio(svg) >= 11, f"{name}: labels under 11 px at 375 px"
        # The frame scrolls, and takes keyboard focus so it can be scrolled without a mouse.
        frame = image.locator("xpath=..")
        expect(frame).to_have_attribute("tabindex", "0")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        frame.screenshot(path=str(ARTIFACTS / f"nav-figure-{svg.stem}-frame-375.png"))
    assert tab.page.evaluate("document.documentElement.scrollWidth") <= PHONE + 1
    shoot(tab.page, f"nav-figure-{module.folder}-375")
    tab.watch.assert_clean()
