"""The course as a static site (`repairlab build-site`), served by a plain static file server and
used in headless Chromium as a student would: every page's Python runs in the browser.

Built once per session from the real course (the downloads and the Pyodide runtime are kept in
build/site-cache between runs; the Voici build itself, ~25 s, is redone so the site is never
stale). `make test-site` runs this file alone; `make test` runs it with the rest.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from browser_helpers import answer, expect_feedback, first_of_kind, words
from conftest import REPO, run_axe, screenshot
from playwright.sync_api import expect

from repairlab.content.course import load_course, notebook_item_refs

pytestmark = pytest.mark.site

# A page's first widget waits for Pyodide, its packages and the notebook's cells up to the
# first that draws (repairlab.js shows the page from there): measured at 12-20 s on an idle
# 2-core machine and over 120 s at load average 47 when Voici still waited for every cell.
FIRST_WIDGET_MS = 240_000
FEEDBACK_MS = 30_000
PRACTICE = "01-what-a-rupture-is/practice"
CASES = "05-the-repair-sequence/cases"
# One item of each kind that module 1's practice page shows (its first of each).
KINDS_ON_PRACTICE = ["classify-marker", "spot-the-schema", "pick-repair-step",
                     "order-repair-steps", "rewrite-reply", "reflection"]
REWRITE = "You're right, I kept reading from my notes. I'm sorry. What was that like for you?"


@dataclass
class Site:
    root: Path
    base: str

    def url(self, page: str) -> str:
        return f"{self.base}/voici/render/curriculum/{page}.html"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def site(chromium_path, tmp_path_factory) -> Iterator[Site]:
    from repairlab.serving.site import build_site

    output = tmp_path_factory.mktemp("site") / "site"
    build_site(REPO, output, cache=REPO / "build" / "site-cache")
    port = _free_port()
    # A plain static file server, no special headers: what any web space gives.
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(output)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/index.html", timeout=2).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("the static file server did not start")
            time.sleep(0.2)
    yield Site(output, base)
    server.terminate()
    server.wait(10)


@pytest.fixture(scope="module")
def course():
    found, problems = load_course(REPO)
    assert found is not None, problems
    return found


@dataclass
class Watch:
    """What a student would never want: script errors, console errors, failed requests, and
    any request that leaves the site (a CDN, an index)."""

    base: str
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("pageerror", lambda error: self.errors.append(f"script: {error}"))
        page.on("console", lambda message: self.errors.append(f"console: {message.text}")
                if message.type == "error" else None)
        page.on("request", self._request)
        page.on("response", lambda response: self.failed.append(
            f"{response.url}: HTTP {response.status}") if response.status >= 400 else None)

    def _request(self, request) -> None:
        if not request.url.startswith((self.base + "/", "data:", "blob:")):
            self.outside.append(request.url)

    def assert_clean(self) -> None:
        assert not self.outside, f"requests outside the site: {self.outside}"
        assert not self.errors, f"errors on the page: {self.errors}"
        assert not self.failed, f"failed requests: {self.failed}"


@pytest.fixture
def student(browser, site):
    """One student's browser profile: pages opened in it share the browser's storage, as the
    tabs and visits of one person do."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    watches: list[Watch] = []

    def open_(page_name: str, ready: str = ".repairlab-exercise", width: int = 1280):
        page = context.new_page()
        if width != 1280:
            page.set_viewport_size({"width": width, "height": 800})
        watch = Watch(site.base)
        watch.attach(page)
        watches.append(watch)
        page.goto(site.url(page_name))
        page.wait_for_selector(ready, state="visible", timeout=FIRST_WIDGET_MS)
        return page, watch

    yield open_
    context.close()


def exercise_of(page, item):
    # The exercise whose title or prompt is this item's: the first of its kind on the page.
    return page.locator(f".repairlab-exercise.repairlab-{item.type}").first


def response_for(item):
    if item.type == "rewrite-reply":
        return REWRITE
    if item.type == "reflection":
        return f"I wanted to explain myself at once ({uuid.uuid4().hex[:6]})."
    if item.type == "order-repair-steps":
        return list(item.correct_order)
    return next(c.id for c in item.choices() if c.id != item.answer_id)


def test_the_landing_page_says_where_work_is_kept(student):
    page, watch = student("index", ready=".repairlab-home")
    note = page.locator(".rl-static-note")
    expect(note).to_contain_text("Where your work is kept")
    # Module links go to the site's .html pages, never to notebooks.
    links = page.locator(".repairlab-home a[href*='practice']")
    expect(links.first).to_be_visible()
    assert all(h.endswith(".html") for h in links.evaluate_all("els => els.map(e => e.href)"))
    violations = run_axe(page)
    screenshot(page, "site-landing-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "site-landing-375")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    assert not violations, violations
    watch.assert_clean()


def _practice_pages() -> list[str]:
    return sorted(p.parent.name for p in (REPO / "curriculum").glob("*/practice.ipynb"))


@pytest.mark.parametrize("module", _practice_pages())
def test_every_modules_practice_page_shows_its_first_exercise(module, student):
    page, watch = student(f"{module}/practice")
    expect(page.locator(".repairlab-exercise").first).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("practice", ignore_case=True)
    watch.assert_clean()


# Records, in the page, what was on screen when the page was first shown and where its first
# exercise first stood (document coordinates), before anything else can run.
SHOWN_WATCH = """
new MutationObserver(() => {
  const cells = document.getElementById("rendered_cells");
  if (!cells || cells.style.display === "none") return;
  if (!window.rlShown) {
    window.rlShown = {pending: document.querySelectorAll(".rl-pending").length};
  }
  const first = document.querySelector(".repairlab-exercise .rl-title");
  if (first && first.getBoundingClientRect().height > 0 && !window.rlFirstTop) {
    window.rlFirstTop = first.getBoundingClientRect().top + window.scrollY;
  }
}).observe(document, {subtree: true, childList: true, attributes: true});
"""


def test_the_first_exercise_shows_before_the_rest_of_the_page_has_run(browser, site, course):
    """The page is shown from its first exercise on, while its later cells still run; they
    then appear below, every one and in the notebook's order, and nothing above them moves."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(SHOWN_WATCH)
    page = context.new_page()
    watch = Watch(site.base)
    watch.attach(page)
    page.goto(site.url(PRACTICE))
    page.wait_for_selector(".repairlab-exercise", state="visible", timeout=FIRST_WIDGET_MS)
    shown = page.evaluate("window.rlShown")
    assert shown["pending"] > 0, "the page was shown only after every cell had run"
    screenshot(page, "site-practice-first-shown")

    module = next(m for m in course.modules if m.path.name == PRACTICE.split("/")[0])
    titles = [course.bank.get(item_id).title for item_id, _ in
              notebook_item_refs(module.notebook("practice"))]
    page.wait_for_function("() => !document.querySelector('.rl-pending') && "
                           "document.querySelector('#main .repairlab-exercise')",
                           timeout=FIRST_WIDGET_MS)
    on_page = page.locator(".repairlab-exercise .rl-title").all_inner_texts()
    assert on_page == titles
    first = page.locator(".repairlab-exercise .rl-title").first
    top = first.evaluate("el => el.getBoundingClientRect().top + window.scrollY")
    assert abs(top - page.evaluate("window.rlFirstTop")) < 1
    # The status line said more was coming; once all is there it says so to a screen reader.
    note = page.locator(".rl-pending-note")
    expect(note).to_have_text("The whole page has loaded.")
    expect(note).to_have_class(re.compile("rl-visually-hidden"))
    violations = run_axe(page)
    assert not violations, violations
    watch.assert_clean()
    context.close()


KEPT_SNAPSHOTS = """async () => {
  const cache = await caches.open("repairlab-kernel-snapshot");
  return (await cache.keys()).map(request => request.url);
}"""


def test_later_pages_start_python_from_the_first_pages_snapshot(browser, site, course):
    """The first page a browser opens keeps its started Python (a memory snapshot named after
    the site's build); the next pages start from it and work as before; a snapshot that
    cannot be restored is replaced, and the page still starts."""
    build = re.search(r'SITE_BUILD = "(\w+)"',
                      (site.root / "static" / "pyodide" / "pyodide.js").read_text()).group(1)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    started_from_snapshot: list[str] = []

    def open_page(name: str):
        page = context.new_page()
        watch = Watch(site.base)
        watch.attach(page)
        page.on("console", lambda message: started_from_snapshot.append(message.text)
                if "started from this browser's snapshot" in message.text else None)
        page.goto(site.url(name))
        page.wait_for_selector(".repairlab-exercise", state="visible", timeout=FIRST_WIDGET_MS)
        return page, watch

    page, watch = open_page(PRACTICE)
    page.wait_for_function(f"async () => ({KEPT_SNAPSHOTS})().then(urls => urls.length === 1)",
                           timeout=FIRST_WIDGET_MS, polling=500)
    assert page.evaluate(KEPT_SNAPSHOTS)[0].endswith(f"kernel-{build}.snapshot")
    assert not started_from_snapshot
    watch.assert_clean()
    page.close()

    # Another module's page (another folder on the drive), a case played one turn.
    page, watch = open_page(CASES)
    assert started_from_snapshot, "the second page started Python from scratch"
    case = next(course.bank.get(item_id) for item_id, _ in
                notebook_item_refs(course.modules[4].notebook("cases")))
    exercise = page.locator(".repairlab-exercise.repairlab-simulation").filter(
        has=page.locator(".rl-title", has_text=case.title))
    choice = case.node(case.start).choices[0]
    exercise.get_by_role("button", name=choice.text[:60]).click()
    expect(exercise.locator(".repairlab-transcript")).to_contain_text(
        words(case.node(choice.next).client)[:50], timeout=FEEDBACK_MS)
    watch.assert_clean()

    # The site rebuilt (here: only another build's snapshot is kept): Python starts afresh,
    # and this build's snapshot replaces the other.
    page.evaluate("""async () => {
      const cache = await caches.open("repairlab-kernel-snapshot");
      const [kept] = await cache.keys();
      await cache.delete(kept);
      await cache.put(kept.url.replace(/kernel-\\w+\\.snapshot$/, "kernel-0000.snapshot"),
                      new Response(new Uint8Array(64)));
    }""")
    assert page.evaluate(KEPT_SNAPSHOTS)[0].endswith("kernel-0000.snapshot")
    page.close()
    started_from_snapshot.clear()
    page, watch = open_page(PRACTICE)
    assert not started_from_snapshot
    choice = page.locator(".repairlab-exercise.repairlab-classify-marker").first
    choice.get_by_role("radio").first.check()
    choice.get_by_role("button", name="Check answer").click()
    expect(choice.locator(".repairlab-feedback")).not_to_be_empty(timeout=FEEDBACK_MS)
    page.wait_for_function(
        f"async () => ({KEPT_SNAPSHOTS})().then(urls => urls.length === 1 && "
        f"urls[0].endsWith('kernel-{build}.snapshot'))", timeout=FIRST_WIDGET_MS, polling=500)
    watch.assert_clean()

    # This build's snapshot damaged (bytes that no longer match what was kept: a disk error,
    # an interrupted write). Pyodide would hang on it: the page starts afresh instead, and a
    # good snapshot replaces the damaged one.
    damaged_size = page.evaluate("""async () => {
      const cache = await caches.open("repairlab-kernel-snapshot");
      const [kept] = await cache.keys();
      const headers = (await cache.match(kept)).headers;
      await cache.put(kept.url, new Response(new Uint8Array(64), {headers}));
      return (await (await cache.match(kept)).arrayBuffer()).byteLength;
    }""")
    assert damaged_size == 64
    page.close()
    started_from_snapshot.clear()
    page, watch = open_page(PRACTICE)
    assert not started_from_snapshot
    page.wait_for_function(
        f"async () => {{ const c = await caches.open('repairlab-kernel-snapshot'); "
        f"const [k] = await c.keys(); return !!k && k.url.endsWith('kernel-{build}.snapshot') "
        f"&& (await (await c.match(k)).arrayBuffer()).byteLength > 1000000; }}",
        timeout=FIRST_WIDGET_MS, polling=500)
    watch.assert_clean()
    context.close()


def test_a_student_practises_comes_back_and_hands_in(student, course, tmp_path):
    from repairlab.handin import read_submission

    items = [first_of_kind(course, kind) for kind in KINDS_ON_PRACTICE]
    page, watch = student(PRACTICE, ready=".repairlab-reflection")
    given = {}
    for item in items:
        exercise = exercise_of(page, item)
        exercise.scroll_into_view_if_needed()
        response = response_for(item)
        answer(exercise, item, response)
        if item.type == "reflection":
            expect(exercise.locator(".repairlab-feedback")).not_to_be_empty(timeout=FEEDBACK_MS)
        else:
            expect_feedback(exercise, item, response)
        given[item.id] = response
    violations = run_axe(page)
    screenshot(page, "site-practice-answered")
    assert not violations, violations
    watch.assert_clean()
    page.close()

    # Closed and opened again: the answers are still there, from the browser's storage.
    page, watch = student(PRACTICE, ready=".repairlab-reflection")
    rewrite = next(i for i in items if i.type == "rewrite-reply")
    expect(exercise_of(page, rewrite).get_by_label("Your reply")).to_have_value(
        REWRITE, timeout=FEEDBACK_MS)
    expect_feedback(exercise_of(page, rewrite), rewrite, REWRITE)
    choice = next(i for i in items if i.type == "spot-the-schema")
    label = {c.id: c.label for c in choice.choices()}[given[choice.id]]
    expect(exercise_of(page, choice).get_by_role("radio", name=label, exact=True)).to_be_checked()
    watch.assert_clean()
    page.close()

    home, watch = student("index", ready=".repairlab-home")
    home.get_by_label("Name or student number").fill("Ana Static")
    home.get_by_role("button", name="Save my name").click()
    expect(home.locator(".repairlab-home .repairlab-feedback").first).to_contain_text(
        "Ana Static", timeout=FEEDBACK_MS)
    home.get_by_role("button", name="Prepare my hand-in file").click()
    link = home.locator("a.rl-download")
    expect(link).to_be_visible(timeout=FEEDBACK_MS)
    with home.expect_download() as download:
        link.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    submission = read_submission(saved)  # the checksum holds: the file is as downloaded
    assert submission["student"] == "Ana Static"
    handed_in = {a["item_id"]: a["response"] for a in submission["attempts"]}
    assert set(given) <= set(handed_in)
    assert handed_in[rewrite.id] == REWRITE
    watch.assert_clean()


PRACTICE_MODE = "01-what-a-rupture-is/practice-mode"
IN_PRACTICE_MODE = ".rl-practice-mode .repairlab-exercise"


def test_practice_mode_serves_scores_keeps_and_moves_on_offline(student, course):
    """Module 1's practice-mode page in the browser alone: its first item (beginner), answered
    and scored, "Next item" serves another; the diary is saved; opened again (375 px), the
    browser's store has the answer (1 right at this level), serves the next item, not the one
    answered, and keeps the diary."""
    module = course.modules[0]
    items = {item.title: item for item in map(course.item, course.items_of(module))}

    def shown(page):
        exercise = page.locator(IN_PRACTICE_MODE).first
        return exercise, items[words(exercise.locator(".rl-title").inner_text())]

    page, watch = student(PRACTICE_MODE, ready=IN_PRACTICE_MODE)
    status = page.locator(".rl-practice-status")
    expect(status).to_contain_text("beginner level")
    exercise, first = shown(page)
    assert first.difficulty == "beginner"
    right = first.answer_id  # module 1's first skill begins with single-choice items
    answer(exercise, first, right)
    expect_feedback(exercise, first, right)
    page.get_by_role("button", name="Next item").click()
    expect(status).to_contain_text("Right first time at this level: 1 of", timeout=FEEDBACK_MS)
    second = shown(page)[1]
    assert second.id != first.id
    diary = page.locator(".rl-diary")
    diary.get_by_role("textbox", name="What I practised").fill("Telling <i>markers</i> apart.")
    diary.get_by_role("button", name="Save my diary").click()
    expect(diary.locator(".rl-diary-status")).to_contain_text("Diary saved", timeout=FEEDBACK_MS)
    violations = run_axe(page)
    screenshot(page, "site-practice-mode-1280")
    assert not violations, violations
    watch.assert_clean()
    page.close()

    page, watch = student(PRACTICE_MODE, ready=IN_PRACTICE_MODE, width=375)
    expect(page.locator(".rl-practice-status")).to_contain_text(
        "Right first time at this level: 1 of")
    assert shown(page)[1].id == second.id  # where the student left off, not the first again
    expect(page.locator(".rl-diary").get_by_role("textbox", name="What I practised")
           ).to_have_value("Telling <i>markers</i> apart.", timeout=FEEDBACK_MS)
    violations = run_axe(page)
    screenshot(page, "site-practice-mode-375")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    assert not violations, violations
    watch.assert_clean()


def test_a_simulation_turn(student, course):
    case = next(course.bank.get(item_id) for item_id, _ in
                notebook_item_refs(course.modules[4].notebook("cases")))
    page, watch = student(CASES, ready=".repairlab-simulation")
    exercise = page.locator(".repairlab-exercise.repairlab-simulation").filter(
        has=page.locator(".rl-title", has_text=case.title))
    start = case.node(case.start)
    choice = start.choices[0]
    exercise.get_by_role("button", name=choice.text[:60]).click()
    expect(exercise.locator(".repairlab-transcript")).to_contain_text(
        words(case.node(choice.next).client)[:50], timeout=FEEDBACK_MS)
    watch.assert_clean()
