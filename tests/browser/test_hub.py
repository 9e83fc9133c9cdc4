"""The course on a real JupyterHub (pytest marker ``hub``; ``make test-hub``, part of ``make test``).

One hub for the module, started from exactly deploy/jupyterhub_config.py with test-only
overrides (hub_helpers.py): a test login, the simple local spawner, free ports, a temporary
folder. Two students log in through the hub's login form in headless Chromium, land on the
course, answer items of two kinds each and find their progress kept under their own name; each
hands in twice with the landing page's button and gets receipts; the instructor logs in and
sees the dashboard of both hand-ins and downloads the gradebook with their grades. Each student
is refused the other's server, the parts of their own server that are not the course, the
instructor's view and the other's hand-ins; a kill -9 of the hand-in service mid-write loses
nothing; a closed tab stops its kernel; stopping the hub leaves no process behind.

What this does not prove: the simple spawner runs every student's server as one OS user, so
students are kept apart over HTTP only (see docs/deploying.md).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from browser_helpers import PRACTICE, answer, expect_feedback, item_of_kind, wrong_and_right
from conftest import ARTIFACTS, WIDGET_TIMEOUT_MS, Watch, close_tabs, screenshot, unavailable
from hub_helpers import Hub, hub_available, log_in, start_hub
from playwright.sync_api import expect

from repairlab.progress import ProgressStore

pytestmark = [pytest.mark.hub, pytest.mark.browser]

STUDENTS = ("alice", "bob")
INSTRUCTOR = "carol"  # in the hub group `instructors` (deploy/jupyterhub_config.py)
# Each student answers items of two kinds, none the other answers, so that each one's progress
# (and hand-in, and grade) is their own.
KINDS_OF = {"alice": ("pick-repair-step", "order-repair-steps"),
            "bob": ("classify-marker", "spot-the-schema")}
LANDING = "voila/render/index.ipynb"
WIDTHS = (1280, 375)


@pytest.fixture(scope="module")
def hub(chromium_path, demo_course_root, tmp_path_factory) -> Iterator[Hub]:
    reason = hub_available()
    if reason:
        unavailable(reason)
    # What an administrator does after each change to the items (`repairlab check`): validate
    # and compile them for the students' kernels, which cannot write the course folder.
    from repairlab.content.compiled import compile_course

    compile_course(demo_course_root)
    hub = start_hub(demo_course_root, tmp_path_factory.mktemp("hub"),
                    (ARTIFACTS / "hub.log").resolve(), instructors=(INSTRUCTOR,))
    yield hub
    left = hub.stop()
    if left:
        hub.kill_leftovers()


@pytest.fixture(scope="module")
def students(hub, browser) -> Iterator[dict]:
    """A browser of their own for each student, logged in through the hub, on their landing page."""
    contexts = {}
    for name in STUDENTS:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts[name] = context
        page = log_in(context, hub, name)
        page.watch = Watch()
        page.watch.attach(page)
        page.wait_for_url(f"**/user/{name}/{LANDING}", timeout=WIDGET_TIMEOUT_MS)
        page.wait_for_selector(".jupyter-widgets", state="visible", timeout=WIDGET_TIMEOUT_MS)
    yield contexts
    for context in contexts.values():
        close_tabs(context)
        context.close()


def landing_tab(students, name):
    return next(p for p in students[name].pages if p.url.endswith(LANDING))


def test_each_student_lands_on_the_course_under_their_own_name(hub, students):
    for name in STUDENTS:
        page = landing_tab(students, name)
        assert page.url == hub.user_url(name, LANDING)
        # RepairLab's template (not Voilà's lab template), and no code on the page.
        assert page.locator("html").get_attribute("lang") == "en"
        expect(page.locator(".repairlab-identity")).to_contain_text(
            f"Your hand-in files carry your sign-in name, {name}")
        assert page.locator(".jp-InputArea").count() == 0
        screenshot(page, f"hub-landing-{name}")
        page.watch.assert_clean()


def test_each_students_progress_is_kept_under_their_own_name(hub, students, open_in):
    answered = {}
    for name in STUDENTS:
        page = open_in(students[name], hub.user_url(name, f"voila/render/{PRACTICE}"))
        answered[name] = set()
        for kind in KINDS_OF[name]:
            item = item_of_kind(hub, kind)
            _, right = wrong_and_right(item)
            exercise = page.locator(f".repairlab-exercise.repairlab-{item.type}")
            answer(exercise, item, right)
            expect_feedback(exercise, item, right)
            answered[name].add(item.id)
        with page.expect_event("close", timeout=10_000):
            page.close(run_before_unload=True)
    for name in STUDENTS:
        other = next(n for n in STUDENTS if n != name)
        with ProgressStore(hub.progress_file(name)) as store:
            assert store.students() == [name]
            assert set(store.latest_by_item(name)) == answered[name]
            assert not answered[other] & set(store.latest_by_item(name))


def test_each_student_hands_in_with_the_button_and_gets_a_receipt(hub, students, axe):
    for name in STUDENTS:
        page = landing_tab(students, name)
        page.reload()  # back on the landing page after practising, as a student comes back
        expect(page.locator(".rl-attempted-text").first).to_contain_text(
            "Attempted: 2 of", timeout=WIDGET_TIMEOUT_MS)
        panel = page.locator(".repairlab-handin")
        for version in (1, 2):  # a resubmission: the newest counts, every version is kept
            page.get_by_role("button", name="Hand in", exact=True).click()
            receipt = panel.locator(".rl-handin-receipt")
            expect(receipt).to_contain_text("Handed in. Received", timeout=WIDGET_TIMEOUT_MS)
            expect(receipt).to_contain_text(f"version {version}, 2 attempts on 2 exercises")
        # The receipt is in a live region: a screen reader announces it.
        expect(receipt).to_have_attribute("aria-live", "polite")
        kept = sorted(p.name for p in (hub.submissions / name).iterdir())
        assert [n[:5] for n in kept] == ["0001-", "0002-"], kept
        page.watch.assert_clean()
    page = landing_tab(students, "alice")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        panel = page.locator(".repairlab-handin")
        panel.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"hub-handin-receipt-{width}.png"), full_page=False)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1280, "height": 900})
    assert axe(page) == []


def test_the_instructor_sees_both_hand_ins_and_their_grades(hub, browser, axe):
    import csv
    import io

    from browser_helpers import course_at

    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    try:
        page = log_in(context, hub, INSTRUCTOR)
        page.wait_for_url(f"**/user/{INSTRUCTOR}/**", timeout=WIDGET_TIMEOUT_MS)
        page.goto(hub.service_url())  # through the hub's OAuth, back to the dashboard
        expect(page.locator("h1")).to_contain_text("the class")
        expect(page.locator(".rl-dash-summary")).to_contain_text("2 students")
        course = course_at(hub.root)
        total = len(course.items_of(course.modules[0]))
        attempted = round(100 * 2 / total, 1)  # two items each, both answered right
        # Completion is the share of the module's skills mastered (issue 16), by the
        # gradebook's rule over what each student handed in: the page must show that figure.
        from repairlab.coursework import module_items, module_skills, module_titles
        from repairlab.gradebook import merge_submissions

        merged = merge_submissions([hub.submissions], curriculum_version=course.version,
                                   modules=module_titles(course), module_items=module_items(course),
                                   module_skills=module_skills(course))
        mastered = {row["student"]: row["total completion"] for row in merged.rows}
        assert sorted(mastered) == list(STUDENTS)
        grades = page.get_by_role("table", name="Grades from each student's newest hand-in")
        for name in STUDENTS:  # each handed in twice; the newest counts
            row = grades.locator("tr", has=page.locator(f"th:text-is('{name}')"))
            expect(row.locator("td").nth(0)).to_have_text("2")
            expect(row.locator("td").nth(2)).to_have_text(f"{attempted:g}%")
            expect(row.locator("td").nth(3)).to_have_text(f"{mastered[name]:g}%")
        # The dashboard below: the module's completion is the same rule's (the mean of the
        # CSV's module completion), with attempted beside it.
        from repairlab.dashboard import fmt_percent

        module = course.modules[0]
        done = [row[f"{module.slug} completion"] for row in merged.rows]
        per_module = page.get_by_role("table", name="Completion per module (2 students)")
        cells = per_module.locator("tr", has=page.locator(f"th:text-is('{module.title}')")
                                   ).locator("td")
        expect(cells.nth(1)).to_have_text(fmt_percent(round(sum(done) / len(done), 1)))
        expect(cells.nth(2)).to_have_text(f"{attempted:g}%")
        expect(page.get_by_role("table", name="Practice diaries kept (2 students)")).to_be_visible()
        diaries = page.locator("section", has=page.locator("h2", has_text="Practice diaries"))
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(ARTIFACTS / f"hub-dashboard-{width}.png"), full_page=False)
            for name, part in (("completion", per_module), ("diaries", diaries)):
                part.scroll_into_view_if_needed()
                part.screenshot(path=str(ARTIFACTS / f"hub-dashboard-{name}-{width}.png"))
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert axe(page) == []
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the gradebook (CSV)").click()
        rows = {row["student"]: row for row in csv.DictReader(io.StringIO(
            download.value.path().read_text(encoding="utf-8")))}
        assert sorted(rows) == list(STUDENTS)
        module = course.modules[0].slug
        for name in STUDENTS:
            assert rows[name][f"{module} diary"] == "no"  # nobody kept a practice diary here
            assert float(rows[name][f"{module} attempted"]) == attempted
            assert float(rows[name]["total completion"]) == mastered[name]
            assert rows[name][f"{module} score"] != ""
    finally:
        close_tabs(context)
        context.close()


def test_a_student_gets_403_from_the_instructors_view_and_others_hand_ins(hub, students):
    request = students["alice"].request
    # Through the hub's OAuth (the request follows the redirects), then the service's refusal.
    for path in ("", "gradebook.csv", "api/submissions/bob"):
        response = request.get(hub.service_url(path))
        assert response.status == 403, (path, response.status)
    own = request.get(hub.service_url("api/submissions/alice"))
    assert own.ok
    assert [v["version"] for v in own.json()["versions"]] == [1, 2]
    # A hand-in must come from the student's own server (its token), not a browser's cookie:
    # another site cannot post in a student's name.
    assert request.post(hub.service_url("api/submissions"), data="{}").status == 403
    # With alice's server's own token (what her page's kernel hands in with): bob's record is
    # refused, her own accepted.
    token = hub.server_process("alice").environ()["JUPYTERHUB_API_TOKEN"]
    headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}
    records = {name: sorted((hub.submissions / name).glob("*.json"))[-1].read_bytes()
               for name in STUDENTS}
    refused = request.post(hub.service_url("api/submissions"), data=records["bob"],
                           headers=headers)
    assert refused.status == 403
    assert "only your own work" in refused.json()["message"]
    accepted = request.post(hub.service_url("api/submissions"), data=records["alice"],
                            headers=headers)
    assert accepted.status == 201
    assert accepted.json()["version"] == 3
    assert len(list((hub.submissions / "bob").glob("*.json"))) == 2


def test_a_kill_9_of_the_service_mid_write_loses_no_hand_in(hub, students):
    import threading
    import urllib.error
    import urllib.request

    from repairlab.collect import collect

    folder = hub.submissions / "alice"
    kept = sorted(p.name for p in folder.iterdir())
    record = (folder / kept[-1]).read_bytes()
    token = hub.server_process("alice").environ()["JUPYTERHUB_API_TOKEN"]

    def hand_in() -> int:
        request = urllib.request.Request(
            hub.service_url("api/submissions"), data=record, method="POST",
            headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (urllib.error.URLError, OSError):
            return 0

    service = hub.service_process()
    answered = []
    hub.stall.touch()
    sender = threading.Thread(target=lambda: answered.append(hand_in()))
    sender.start()
    try:
        deadline = time.monotonic() + 30
        while not hub.stalled.exists():  # the temporary file written, not yet renamed
            assert time.monotonic() < deadline, "the service never reached the write"
            time.sleep(0.05)
        service.kill()  # SIGKILL
        # Dead at once; a zombie until the hub, its parent, polls it.
        deadline = time.monotonic() + 10
        while not dead(service):
            assert time.monotonic() < deadline, "the service outlived SIGKILL"
            time.sleep(0.05)
    finally:
        hub.stall.unlink()
        sender.join(timeout=70)
    assert answered, "the hand-in was never answered"
    assert answered[0] != 201, "a receipt was given for work never kept"
    # Every acknowledged version is whole; the interrupted one is a hidden temporary file that
    # nothing reads.
    names = sorted(p.name for p in folder.iterdir())
    assert [n for n in names if not n.startswith(".")] == kept
    assert any(n.startswith(".") and n.endswith(".tmp") for n in names), names
    found = collect([hub.submissions])
    assert not found.skipped
    assert len(found.handins) == len(kept) + len(list((hub.submissions / "bob").iterdir()))
    # The hub starts the service again (it polls its managed services), and the student's next
    # hand-in is kept as the next version.
    deadline = time.monotonic() + 90
    while True:
        restarted = hub.service_process()
        if restarted is not None and restarted.pid != service.pid and hand_in() == 201:
            break
        assert time.monotonic() < deadline, "the hub did not start the hand-in service again"
        time.sleep(0.5)
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))[-1] \
        .startswith(f"{len(kept) + 1:04d}-")


def test_a_student_is_refused_the_other_students_server(hub, students):
    for name, other in (STUDENTS, tuple(reversed(STUDENTS))):
        for path in (LANDING, f"voila/render/{PRACTICE}", "api/kernels"):
            response = students[name].request.get(hub.user_url(other, path))
            assert response.status == 403, (name, other, path, response.status)


def test_a_student_gets_the_course_and_nothing_else_of_their_server(hub, students):
    request = students["alice"].request
    landing = hub.user_url("alice", LANDING)
    # The server's address, JupyterLab, the classic pages and Voilà's file browser: the course.
    for path in ("", "lab", "lab/tree/01-demo/answers.yaml", "tree", "notebooks/index.ipynb",
                 "terminals/1", "voila", "voila/tree/01-demo"):
        response = request.get(hub.user_url("alice", path))
        assert response.ok, (path, response.status)
        assert response.url.split("?")[0] == landing, (path, response.url)
    # Files, contents and terminals: refused, even the course's own files.
    for path in ("files/01-demo/answers.yaml", "api/contents", "api/contents/01-demo",
                 "api/sessions", "api/terminals", "voila/api/contents/01-demo",
                 "nbconvert/html/index.ipynb"):
        response = request.get(hub.user_url("alice", path))
        assert response.status == 403, (path, response.status)
    # With the _xsrf token, so that only the course server's own refusal can answer 403.
    xsrf = next(c["value"] for c in students["alice"].cookies() if c["name"] == "_xsrf"
                and c["path"].startswith("/user/alice"))
    for path in ("api/terminals", "api/kernels"):
        response = request.post(hub.user_url("alice", path), data={},
                                headers={"X-XSRFToken": xsrf})
        assert response.status == 403, (path, response.status)
    # Only the course's images may be downloaded.
    assert request.get(hub.user_url("alice", "voila/files/01-demo/images/figure.svg")).ok
    for path in ("01-demo/answers.yaml", "01-demo/practice.ipynb", "01-demo/images/.secret.svg",
                 ".hidden.png"):
        assert request.get(hub.user_url("alice", f"voila/files/{path}")).status in (403, 404), path


def test_a_failing_page_shows_a_message_not_a_traceback(hub, students, open_in):
    from repairlab.serving.config import CELL_ERROR_MESSAGE

    page = students["alice"].new_page()
    page.goto(hub.user_url("alice", "voila/render/01-demo/broken.ipynb"))
    expect(page.locator("#rl-main")).to_contain_text(CELL_ERROR_MESSAGE.split(";")[0],
                                                     timeout=WIDGET_TIMEOUT_MS)
    text = page.content()
    for secret in ("SECRET-DETAIL-1458", "ValueError", "Traceback", "raise "):
        assert secret not in text, secret
    assert "SECRET-DETAIL-1458" in hub.log()  # the instructor finds it in the server's log
    with page.expect_event("close", timeout=10_000):
        page.close(run_before_unload=True)


def test_an_instructor_keeps_jupyterlab_but_not_the_students_servers(hub, browser):
    context = browser.new_context()
    try:
        page = log_in(context, hub, INSTRUCTOR)
        page.wait_for_url(f"**/user/{INSTRUCTOR}/{LANDING}", timeout=WIDGET_TIMEOUT_MS)
        lab = context.request.get(hub.user_url(INSTRUCTOR, "lab"))
        assert lab.ok
        assert lab.url.endswith(f"/user/{INSTRUCTOR}/lab")
        assert context.request.get(hub.user_url(INSTRUCTOR, "api/contents/01-demo")).ok
        for student in STUDENTS:
            assert context.request.get(hub.user_url(student, LANDING)).status == 403
    finally:
        close_tabs(context)
        context.close()


def test_a_closed_tab_stops_its_kernel(hub, students, open_in):
    name = "bob"
    before = wait_for_kernel_count(hub, name, lambda pids: True)
    page = open_in(students[name], hub.user_url(name, f"voila/render/{PRACTICE}"))
    opened = wait_for_kernel_count(hub, name, lambda pids: len(pids) == len(before) + 1)
    # Each kernel runs serving/kernel.py first, so the course's log messages reach the log.
    import psutil

    for pid in opened - before:
        assert "--IPKernelApp.exec_lines=import repairlab.serving.kernel" in \
            psutil.Process(pid).cmdline()
    with page.expect_event("close", timeout=10_000):
        page.close(run_before_unload=True)
    after = wait_for_kernel_count(hub, name, lambda pids: len(pids) == len(before))
    assert not (opened - before) & after, "the closed tab's kernel is still running"
    # The backstop for a tab that goes without a word (a crash): idle kernels are culled.
    from repairlab.serving.config import CULL_IDLE_SECONDS, CULL_INTERVAL_SECONDS

    assert (f"Culling kernels with idle durations > {CULL_IDLE_SECONDS} seconds at "
            f"{CULL_INTERVAL_SECONDS} second intervals") in hub.log()


def test_stopping_the_hub_leaves_no_process_behind(hub, students):
    for context in students.values():
        close_tabs(context)
    assert all(hub.server_process(name) for name in (*STUDENTS, INSTRUCTOR))
    started = time.monotonic()
    left = hub.stop()
    assert not left, f"processes left after the hub stopped: {left}"
    assert time.monotonic() - started < 30


# -- helpers ---------------------------------------------------------------------------------

@pytest.fixture
def open_in():
    """open_in(context, url) -> a new tab of that student's browser, with the page's widgets
    showing."""

    watches = []

    def _open(context, url):
        page = context.new_page()
        watch = Watch()
        watch.attach(page)
        page.goto(url)
        page.wait_for_selector(".repairlab-exercise", state="visible", timeout=WIDGET_TIMEOUT_MS)
        watches.append(watch)
        return page

    yield _open
    for watch in watches:
        watch.assert_clean()


def dead(process) -> bool:
    import psutil

    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_for_kernel_count(hub: Hub, name: str, done, timeout: float = 60.0) -> set[int]:
    """The student's kernels once ``done(pids)`` holds and stays so for a moment."""
    deadline = time.monotonic() + timeout
    pids = hub.kernel_pids(name)
    while time.monotonic() < deadline:
        pids = hub.kernel_pids(name)
        if done(pids):
            time.sleep(0.5)  # not a wait for the result: a check that it holds
            if hub.kernel_pids(name) == pids:
                return pids
        time.sleep(0.2)
    raise AssertionError(f"{name}'s kernels never reached the expected count: {sorted(pids)}")
