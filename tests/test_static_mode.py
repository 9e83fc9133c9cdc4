"""Static mode (the course as a static site, Python in the browser), without a browser: a page
of a compiled course works with no pydantic, sqlite3, PyYAML or platformdirs to import (Pyodide
has none of them), from the compiled course alone, after every file time has changed, and
keeps progress as JSON lines that the hand-in and `repairlab` read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from repairlab.content.compiled import compile_course, fingerprint
from repairlab.static import page_href

WIDGETS = Path(__file__).resolve().parents[1] / "widgets"

# Run in a fresh interpreter, as a page's kernel: the modules Pyodide lacks cannot be imported.
KERNEL = textwrap.dedent("""
    import importlib.abc, json, os, sys

    class NotInTheBrowser(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"pydantic", "pydantic_core", "sqlite3", "_sqlite3",
                                      "yaml", "platformdirs"}:
                raise ImportError(f"{name} is not in the static site")
            return None

    sys.meta_path.insert(0, NotInTheBrowser())

    import threading

    def no_threads(self):  # as in Pyodide: a page that starts a thread fails to show
        raise RuntimeError("can't start new thread")

    threading.Thread.start = no_threads
    from repairlab.notebook import _progress, build_view, current_course
    from repairlab.views.home import home_view

    course = current_course()
    seen = {}
    choice = build_view("m01-schema-01")
    choice.submit(choice.options.options[0][1])
    seen["choice"] = choice.feedback.value
    rewrite = build_view("m01-rewrite-01")
    rewrite.submit("You're right, I kept looking at the clock. I'm sorry. What was that like?")
    seen["rewrite"] = rewrite.feedback.value
    case = build_view("m01-case-01")
    case.choose("own-glance")
    seen["case_path"] = case.play.path
    order = build_view("m01-order-01")
    order.submit([s.id for s in order.item.steps])
    draft = build_view("m01-reflect-01")
    draft.text.value = "half a thought"
    from repairlab.notebook import diary_view
    diary_view().boxes["hard"].value = "Staying with <b>it</b>"  # kept on leaving the box
    home = home_view(course, _progress())
    seen["home"] = home.children[0].value
    seen["handin"] = home.children[2].prepare() or ""
    home.children[1].save("Ana Static")
    seen["handin"] = home.children[2].prepare() or ""
    seen["blocked"] = sorted(m for m in ("pydantic", "sqlite3", "yaml", "platformdirs")
                             if m in sys.modules)
    print(json.dumps(seen))
""")


def _run_kernel(cwd: Path, data: Path) -> dict:
    env = {**os.environ, "REPAIRLAB_STATIC": "1", "REPAIRLAB_DATA_DIR": str(data),
           "PYTHONPATH": str(WIDGETS)}
    for name in ("REPAIRLAB_COURSE_DIR", "REPAIRLAB_STUDENT", "JUPYTERHUB_USER"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-c", KERNEL], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def site_course(demo_course):
    """The demo course as the static site has it: compiled, then copied (every file time
    changes), without its exercise files (the site ships the compiled course instead)."""
    assert compile_course(demo_course).folder is not None
    for path in demo_course.rglob("*"):
        if path.is_file():
            os.utime(path, (1_000_000_000, 1_000_000_000))
    for path in sorted((demo_course / "exercises").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    return demo_course


def test_the_fingerprint_follows_the_contents_not_the_file_times(demo_course):
    before = fingerprint(demo_course)
    items = next((demo_course / "exercises").rglob("*.yaml"))
    os.utime(items, (1_000_000_000, 1_000_000_000))
    assert fingerprint(demo_course) == before
    items.write_text(items.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert fingerprint(demo_course) != before


def test_a_static_page_works_from_the_compiled_course_and_keeps_progress_as_lines(
        site_course, tmp_path):
    data = tmp_path / "drive" / "repairlab-progress"
    seen = _run_kernel(site_course / "curriculum" / "01-demo", data)

    assert seen["blocked"] == []
    assert "rl-feedback" in seen["choice"]
    assert seen["rewrite"]  # the reply assessor's feedback, from its JSON weights
    assert seen["case_path"] == [{"node": "open", "choice": "own-glance"}]  # a turn taken
    assert 'href="01-demo/reading.html"' in seen["home"]  # Voici builds .html pages
    assert ".ipynb" not in seen["home"]
    assert "Ana Static" in seen["handin"]
    assert "in this browser only" in seen["home"].replace("<strong>", "").replace("</strong>", "")
    assert "A private window forgets them" in seen["home"]

    lines = [json.loads(line) for line in
             (data / "progress.jsonl").read_text(encoding="utf-8").splitlines()]
    answered = [line["attempt"]["item_id"] for line in lines if "attempt" in line]
    assert answered == ["m01-schema-01", "m01-rewrite-01", "m01-order-01"]
    assert any(line.get("draft", {}).get("text") == "half a thought" for line in lines)

    # Reloaded (a new kernel): the answers and the draft come back.
    again = subprocess.run(
        [sys.executable, "-c", textwrap.dedent("""
            from repairlab.notebook import build_view
            print(build_view("m01-reflect-01").text.value)
            print(build_view("m01-rewrite-01").reply.value)
        """)], cwd=site_course / "curriculum" / "01-demo", capture_output=True, text=True,
        env={**os.environ, "REPAIRLAB_STATIC": "1", "REPAIRLAB_DATA_DIR": str(data),
             "PYTHONPATH": str(WIDGETS)}, timeout=120)
    assert again.stdout.splitlines() == [
        "half a thought",
        "You're right, I kept looking at the clock. I'm sorry. What was that like?"]


def test_the_hand_in_of_a_static_page_is_read_like_any_other(site_course, tmp_path):
    from repairlab.handin import read_submission

    seen = _run_kernel(site_course / "curriculum" / "01-demo", tmp_path / "data")
    handin = tmp_path / "handin.html"
    handin.write_text(seen["handin"], encoding="utf-8")
    submission = read_submission(handin)
    assert submission["student"] == "Ana Static"
    assert {a["item_id"] for a in submission["attempts"]} >= {"m01-schema-01", "m01-rewrite-01"}
    # The practice diary, kept in the browser's store, goes in too.
    assert [entry["hard"] for entry in submission["diary"].values()] == ["Staying with <b>it</b>"]


@pytest.mark.parametrize(("static", "href", "expected"), [
    ("1", "../index.ipynb", "../index.html"),
    ("1", "../02-x/reading.ipynb#top", "../02-x/reading.html#top"),
    ("1", "notes.png", "notes.png"),
    ("0", "../index.ipynb", "../index.ipynb"),
])
def test_links_between_pages_go_to_html_on_the_static_site(monkeypatch, static, href, expected):
    monkeypatch.setenv("REPAIRLAB_STATIC", static)
    assert page_href(href) == expected


# On the site every file test of a page's kernel is a round trip through the service worker
# to the page (the browser's drive): tens of milliseconds each on a loaded machine, once for
# each exercise a page shows. The site never changes under a kernel.
COUNT_FILE_TESTS = textwrap.dedent("""
    import json, os, sys
    from repairlab.notebook import build_view

    tested = []
    real_stat = os.stat

    def counting_stat(path, *args, **kwargs):
        tested.append(os.fspath(path))
        return real_stat(path, *args, **kwargs)

    os.stat = counting_stat
    build_view("m01-schema-01")
    first = list(tested)
    del tested[:]
    build_view("m01-rewrite-01")
    print(json.dumps({"first": first, "next": tested}))
""")


def test_a_static_page_finds_its_course_and_manifests_once_not_for_every_exercise(
        site_course, tmp_path):
    """Does a page on the site test the course's files once per kernel, rather than walking
    up to ``course.yaml`` and testing each ``module.yaml`` for every exercise it shows?"""
    env = {**os.environ, "REPAIRLAB_STATIC": "1", "PYTHONPATH": str(WIDGETS),
           "REPAIRLAB_DATA_DIR": str(tmp_path / "data")}
    env.pop("REPAIRLAB_COURSE_DIR", None)
    done = subprocess.run([sys.executable, "-c", COUNT_FILE_TESTS], capture_output=True,
                          text=True, cwd=site_course / "curriculum" / "01-demo", env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    tested = json.loads(done.stdout.strip().splitlines()[-1])

    def named(paths, name):
        return [p for p in paths if Path(p).name == name]

    walked = named(tested["first"], "course.yaml")
    assert walked
    assert len(walked) == len(set(walked))  # one walk up to the course
    assert named(tested["first"], "module.yaml") == []  # the compiled course holds them
    assert named(tested["next"], "course.yaml") == []
    assert named(tested["next"], "module.yaml") == []


def test_the_sites_piplite_installs_nothing_and_keeps_imports_off_the_drive(monkeypatch):
    """The kernel's start imports piplite right after it mounts the drive as the current
    folder; the site's placeholder must give it what it sets, and make Python answer "no
    module here" for the drive's folders without testing them (each test a round trip)."""
    from repairlab.serving.site import NO_PIPLITE

    monkeypatch.setattr(sys, "path_hooks", list(sys.path_hooks))
    monkeypatch.setattr(sys, "path_importer_cache", {})
    # As in the kernel's start: IPython not imported yet (this process's modules untouched).
    modules = {name: module for name, module in sys.modules.items()
               if name.split(".")[0] != "IPython"}
    monkeypatch.setattr(sys, "modules", modules)
    namespace: dict = {}
    exec(compile(NO_PIPLITE["piplite/__init__.py"], "piplite/__init__.py", "exec"), namespace)
    # IPython's __init__ imports `embed` from its terminal (and so prompt_toolkit): a stand-in.
    with pytest.raises(RuntimeError, match="not available"):
        modules["IPython.terminal.embed"].embed()
    hook = sys.path_hooks[0]
    assert hook is namespace["_drive_folders"]
    for folder in ("/drive", "/drive/curriculum/01-what-a-rupture-is"):
        assert hook(folder).find_spec("ipywidgets") is None
    with pytest.raises(ImportError):  # any other folder: Python's own finders
        hook("/lib/python3.13/site-packages")
    settings = compile(NO_PIPLITE["piplite/piplite.py"], "piplite/piplite.py", "exec")
    assert {"_PIPLITE_DISABLE_PYPI", "_PIPLITE_URLS"} <= set(settings.co_names)


def test_a_static_page_knows_which_notebook_shows_each_item_without_opening_them(
        site_course, monkeypatch):
    """The module navigation and the landing page need, for every item, the notebook that
    shows it. On the site that comes with the compiled course: the page does not open every
    notebook of the course in the browser's drive (each open a few round trips)."""
    from repairlab.content.page import load_page

    monkeypatch.setenv("REPAIRLAB_STATIC", "0")
    from_notebooks = {item_id: (module.folder, notebook) for item_id, (module, notebook)
                      in load_page(site_course).shown_in.items()}
    assert from_notebooks  # the demo course shows items
    for notebook in (site_course / "curriculum").rglob("*.ipynb"):
        notebook.write_text("not a notebook any more", encoding="utf-8")

    monkeypatch.setenv("REPAIRLAB_STATIC", "1")
    page = load_page(site_course)
    assert {item_id: (module.folder, notebook) for item_id, (module, notebook)
            in page.shown_in.items()} == from_notebooks


def test_a_static_page_reads_its_notebooks_items_in_one_file(site_course, monkeypatch):
    """On the site each file a page's kernel reads is a round trip through the page and a
    download: a page reads the items its notebook shows from one file, not one file each."""
    from repairlab.content.compiled import PAGES, CompiledCourse
    from repairlab.content.page import load_page

    monkeypatch.setenv("REPAIRLAB_STATIC", "1")
    page = load_page(site_course)
    folder = CompiledCourse.open(site_course).folder
    assert (folder / PAGES).is_dir()
    for item_file in folder.glob("*.json"):
        if item_file.name != "index.json":
            item_file.unlink()  # the items' own files: not read by a page of the site

    shown = [i for i, (_, notebook) in page.shown_in.items() if notebook.name == "practice.ipynb"]
    assert shown
    assert all(page.item(item_id) is not None for item_id in shown)


MODULE_END = textwrap.dedent("""
    import json, sys
    import repairlab.notebook as notebook

    shown = []
    notebook._display = shown.append  # what the page would display, in order
    notebook.module_nav(sys.argv[1])
    panels = [w for w in shown if hasattr(w, "prepare")]
    out = {"panels": len(panels), "nav_last": "rl-nav" in getattr(shown[-1], "value", "")}
    if panels:
        out["intro"] = panels[0].children[0].value
        out["handin"] = panels[0].prepare() or panels[0].link.value
    print(json.dumps(out))
""")


@pytest.mark.parametrize(("static", "page", "offered"), [
    ("1", "cases", True),  # the demo module's last page: its "next" leaves the module
    ("1", "practice", False),  # the module goes on to its cases page
    ("0", "cases", False),  # a server keeps the work: the landing page's hand-in is enough
])
def test_the_end_of_each_module_on_the_static_site_offers_the_hand_in_file(
        site_course, tmp_path, static, page, offered):
    """Issue 17: browser storage can be lost (private windows, cleared data), so the static
    site offers the export where each module ends, not only on the landing page."""
    env = {**os.environ, "REPAIRLAB_STATIC": static, "REPAIRLAB_DATA_DIR": str(tmp_path / "d"),
           "PYTHONPATH": str(WIDGETS), "REPAIRLAB_STUDENT": "Ana End"}
    for name in ("REPAIRLAB_COURSE_DIR", "JUPYTERHUB_USER"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-c", MODULE_END, page], env=env, text=True,
                          cwd=site_course / "curriculum" / "01-demo", capture_output=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["nav_last"]  # the links still end the page
    assert seen["panels"] == (1 if offered else 0)
    if offered:
        assert "Keep a copy of your work" in seen["intro"]
        assert "in this browser only" in seen["intro"]
        assert "RepairLab hand-in" in seen["handin"]
        assert "Ana End" in seen["handin"]
