"""What a student (or anyone who can reach the server) can make it do: nothing unintended.

* Text typed into an exercise is shown as text and never runs.
* Only the course's pages and its images are served: no YAML, notebooks, instructor notes,
  hidden files, progress data, nor anything outside curriculum/.
* A page whose code fails shows a friendly message; the traceback goes to the server log.
"""

from __future__ import annotations

import http.client

import pytest
from browser_helpers import PRACTICE
from playwright.sync_api import expect

from repairlab.serving.config import CELL_ERROR_MESSAGE

PAYLOAD = ('<img src=x onerror=alert(1)> <script>alert(2)</script> '
           '<a href="javascript:alert(3)">x</a>')


def test_student_text_is_shown_as_text_and_never_runs(demo_server, open_page):
    tab = open_page(demo_server.url(PRACTICE), wait_for=".repairlab-reflection")
    page = tab.page
    for kind, box, button in (("rewrite-reply", "Your reply", "Get feedback"),
                              ("reflection", "Your reflection", "Save reflection")):
        exercise = page.locator(f".repairlab-exercise.repairlab-{kind}")
        exercise.get_by_label(box).fill(PAYLOAD)
        exercise.get_by_role("button", name=button).click()
        feedback = exercise.locator(".repairlab-feedback")
        expect(feedback.locator(".rl-feedback")).to_be_visible(timeout=20_000)
        expect(exercise.get_by_label(box)).to_have_value(PAYLOAD)
        assert feedback.locator("img, script, a, iframe, object, embed").count() == 0
    page.wait_for_timeout(1000)  # time for an injected onerror handler to fire, were there one
    injected = page.evaluate("""() => ({
        images: document.querySelectorAll('img[src="x"]').length,
        scripts: [...document.querySelectorAll('script')]
                     .filter(s => s.textContent.includes('alert(')).length,
        links: document.querySelectorAll('a[href^="javascript:"]').length})""")
    assert injected == {"images": 0, "scripts": 0, "links": 0}
    assert tab.watch.dialogs == []
    tab.watch.assert_clean()


def raw_get(server, path: str) -> int:
    """The status of a GET for ``path`` exactly as written (no client-side normalising)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


NOT_SERVED = [
    "/voila/files/course.yaml",
    "/voila/files/index.ipynb",
    "/voila/files/01-demo/module.yaml",
    "/voila/files/01-demo/answers.yaml",
    "/voila/files/01-demo/instructor-notes.md",
    "/voila/files/01-demo/practice.ipynb",
    "/voila/files/.hidden.png",
    "/voila/files/01-demo/images/.secret.svg",
    "/voila/files/../exercises/demo/items.yaml",
    "/voila/files/%2e%2e/exercises/demo/items.yaml",
    "/voila/files/..%2fexercises/demo/items.yaml",
    "/voila/files/../demo-data/progress.sqlite3",
    "/voila/static/../../course.yaml",
    "/voila/static/%2e%2e/%2e%2e/course.yaml",
    "/voila/static/course.yaml",
    "/voila/templates/repairlab/static/../../../../../course.yaml",
    "/voila/api/contents/",
    "/voila/api/contents/course.yaml",
    "/voila/api/contents/01-demo/instructor-notes.md",
    "/voila/render/../exercises/demo/items.yaml",
    "/voila/render/%2e%2e/exercises/demo/items.yaml",
    "/voila/tree/../exercises",
]


@pytest.mark.parametrize("path", NOT_SERVED)
def test_only_course_files_are_served(path, demo_server):
    status = raw_get(demo_server, path)
    if status in (301, 302):
        # Redirects (a non-notebook "rendered", a tree page) may only lead to a refusal or
        # to the landing page.
        _, _, headers = demo_server.get(path)
        target = headers.get("Location", "")
        assert target.endswith("/voila/render/index.ipynb") or raw_get(
            demo_server, target) in (403, 404), target
    else:
        assert status in (403, 404), f"{path} answered {status}"


def test_course_images_are_served(demo_server):
    assert raw_get(demo_server, "/voila/files/01-demo/images/figure.svg") == 200


@pytest.mark.parametrize("path", ["/", "/voila/tree", "/voila/tree/01-demo"])
def test_file_browser_pages_lead_to_the_landing_page(path, demo_server):
    status, _, headers = demo_server.get(path)
    assert status in (301, 302)
    assert headers["Location"].endswith("/voila/render/index.ipynb")


def test_a_failing_page_shows_a_message_not_a_traceback(demo_server, open_page, shoot):
    tab = open_page(demo_server.url("01-demo/broken.ipynb"), wait_for="#rl-main")
    body = tab.page.locator("#rl-main")
    expect(body).to_contain_text(CELL_ERROR_MESSAGE.split(";")[0], timeout=30_000)
    text = tab.page.content()
    for secret in ("SECRET-DETAIL-1458", "ValueError", "Traceback", "raise "):
        assert secret not in text, secret
    shoot(tab.page, "demo-failing-page")
    assert "SECRET-DETAIL-1458" in demo_server.log()
    assert tab.watch.errors == []


def test_pages_load_only_the_widgets_front_end(demo_server, browser):
    # Voilà would load every JupyterLab extension installed beside it; the Pyodide kernel's
    # (from the `site` extra, installed by `make test`) throws on a served page.
    from repairlab.serving.config import PAGE_CONFIG

    allowed = set(PAGE_CONFIG["VoilaConfiguration"]["extension_allowlist"])
    context = browser.new_context()
    page = context.new_page()
    extensions: set[str] = set()
    page.on("request", lambda request: extensions.update(
        request.url.split("/labextensions/")[1].split("/static/")[:1]
        if "/labextensions/" in request.url else ()))
    try:
        page.goto(demo_server.url(PRACTICE))
        page.wait_for_selector(".repairlab-exercise", state="visible", timeout=120_000)
    finally:
        context.close()
    assert extensions, "the page loaded no widget extension"
    assert extensions <= allowed
