"""A page's kernel reads only what the page needs (content/page.py): the manifests, and each
item when ``show()`` asks for it. The full load (``repairlab check``, the CLI) is unchanged."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_authoring_errors import ITEMS, MISTAKES, _apply

from repairlab.content.course import (
    CourseManifest,
    Mastery,
    ModuleManifest,
    NotebookRefs,
    Skill,
    load_course,
)
from repairlab.content.page import (
    PlainCourseManifest,
    PlainMastery,
    PlainModuleManifest,
    PlainNotebookRefs,
    PlainSkill,
    load_page,
)
from repairlab.content.yaml_source import load_yaml
from repairlab.views.base import ExerciseView

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def fresh_kernel():
    """Each test is a new kernel: nothing cached from another course."""
    from repairlab import notebook

    notebook._load.cache_clear()
    notebook._progress.cache_clear()
    yield notebook
    notebook._load.cache_clear()
    notebook._progress.cache_clear()


def _run(code: str, cwd: Path, **env: str) -> list[str]:
    """Run ``code`` in a fresh interpreter (a new kernel); it prints JSON, which is returned."""
    environment = {k: v for k, v in os.environ.items() if k != "REPAIRLAB_COURSE_DIR"} | env
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=environment, text=True,
                         capture_output=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


LOADED = ("import json, sys; print(json.dumps(sorted(m for m in sys.modules "
          "if m.startswith(('repairlab.kinds', 'repairlab.schemas', 'pydantic')))))")


def test_importing_the_registry_imports_no_kind_and_no_pydantic():
    loaded = _run("import repairlab.registry\n" + LOADED, REPO)
    assert loaded == []


def test_a_kind_is_imported_when_it_is_first_used():
    loaded = _run("from repairlab.registry import KINDS\n"
                  "KINDS['reflection'].schema\n" + LOADED, REPO)
    assert "repairlab.schemas.reflection" in loaded
    assert "repairlab.schemas.simulation" not in loaded
    assert "repairlab.kinds.simulation" not in loaded
    assert "repairlab.schemas.spot_the_schema" not in loaded


def test_a_page_of_choice_items_never_imports_the_simulation_kind(demo_course, tmp_path):
    code = ("from repairlab import notebook\n"
            "notebook._display = lambda widget: None\n"
            "for item in ('m01-step-01', 'm01-schema-01', 'm01-marker-01'):\n"
            "    notebook.show(item)\n"
            "notebook.module_nav()\n"
            "view = notebook.build_view('m01-step-01')\n"
            "assert type(view).__name__ == 'ChoiceView', view\n" + LOADED)
    loaded = _run(code, demo_course / "curriculum" / "01-demo",
                  REPAIRLAB_DATA_DIR=str(tmp_path / "data"))
    assert "repairlab.kinds.simulation" not in loaded
    assert "repairlab.schemas.simulation" not in loaded
    assert "repairlab.kinds.rewrite_reply" not in loaded  # nor any kind the page does not show
    assert "repairlab.kinds.pick_repair_step" in loaded


def test_the_landing_page_and_navigation_validate_no_item_and_import_no_pydantic(
        demo_course, tmp_path):
    code = ("from repairlab import notebook\n"
            "shown = []\n"
            "notebook._display = shown.append\n"
            "notebook.course_home()\n"
            "notebook.module_nav()\n"
            "assert 'Attempted: 0 of 9 exercises done' in shown[0].children[0].value\n" + LOADED)
    loaded = _run(code, demo_course / "curriculum", REPAIRLAB_DATA_DIR=str(tmp_path / "data"))
    assert loaded == []


def test_a_broken_item_elsewhere_does_not_stop_this_one(demo_course, fresh_kernel, monkeypatch,
                                                         caplog):
    broken = demo_course / "exercises" / "demo" / "broken.yaml"
    broken.write_text("items:\n  - id: m01-broken-01\n    type: reflection\n"
                      "    difficulty: beginner\n    title: Broken\n    promt: A typo.\n",
                      encoding="utf-8")
    monkeypatch.chdir(demo_course / "curriculum" / "01-demo")
    with caplog.at_level(logging.WARNING, logger="repairlab"):
        view = fresh_kernel.build_view("m01-reflect-01")
        assert isinstance(view, ExerciseView)
        assert not caplog.records  # the broken file was not even parsed
        notice = fresh_kernel.build_view("m01-broken-01")
    assert "could not be loaded" in notice.value
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "exercises/demo/broken.yaml:6: item 'm01-broken-01', field `promt`" in logged
    assert "show('m01-broken-01'): no such item in the course" in logged


def test_show_validates_only_the_items_asked_for(demo_course):
    page = load_page(demo_course)
    page.item("m01-step-01")
    page.item("m01-nope-01")
    assert set(page._items) == {"m01-step-01", "m01-nope-01"}
    assert page.item("m01-nope-01") is None
    assert page.item("m01-step-01") is page.item("m01-step-01")  # validated once per kernel


DEMO_ITEMS = ("m01-schema-01", "m01-rewrite-01", "m01-step-01", "m01-order-01",
              "m01-marker-01", "m01-redflag-01", "m01-reflect-01", "m01-case-01")


# A skill the module does not list is a problem of the module's practice mode, found by
# `check` across files; the item itself is valid and a page shows it.
@pytest.mark.parametrize("name", [n for n, m in MISTAKES.items()
                                  if m.file == ITEMS and "skill" not in n])
def test_a_page_logs_an_item_problem_as_check_reports_it(name, demo_course):
    """Same items shown, same problems logged, in the same words and at the same lines."""
    _apply(demo_course, MISTAKES[name])
    course, problems = load_course(demo_course)
    # Without check's notes on the notebook cells waiting for a broken item: a page knows
    # only its own cells.
    expected = {dataclasses.replace(p, note="").format(demo_course)
                for p in problems if p.path.name == "items.yaml"}
    assert expected
    messages: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())
    logger = logging.getLogger("repairlab")
    logger.addHandler(handler)
    try:
        page = load_page(demo_course)
        for item_id in DEMO_ITEMS:
            found = page.item(item_id)
            assert (found is None) == (item_id not in course.bank), item_id
            assert found is None or found == course.bank.get(item_id)
    finally:
        logger.removeHandler(handler)
    assert {m.removeprefix("content problem: ") for m in messages} == expected


def test_the_first_valid_item_wins_as_in_the_full_load(demo_course):
    (demo_course / "exercises" / "demo" / "zz-more.yaml").write_text(
        "items:\n  - id: m01-reflect-01\n    type: reflection\n    difficulty: beginner\n"
        "    title: Again\n    prompt: A second prompt.\n", encoding="utf-8")
    course, _ = load_course(demo_course)
    assert load_page(demo_course).item("m01-reflect-01") == course.bank.get("m01-reflect-01")


def test_the_fast_yaml_parser_reports_what_check_reports(tmp_path):
    for text in ('items:\n  - id: "open\n', "items:\n\t- id: x\n", "a: 1\na: 2\n",
                 "items:\n  - id: a: b\n"):
        path = tmp_path / "x.yaml"
        path.write_text(text, encoding="utf-8")
        outcomes = []
        for fast in (False, True):
            try:
                outcomes.append(load_yaml(path, fast=fast).data)
            except Exception as error:
                outcomes.append(str(error))
        assert outcomes[0] == outcomes[1], text


@pytest.mark.parametrize(("plain", "model"), [(PlainCourseManifest, CourseManifest),
                                          (PlainModuleManifest, ModuleManifest),
                                          (PlainNotebookRefs, NotebookRefs),
                                          (PlainSkill, Skill), (PlainMastery, Mastery)])
def test_plain_manifests_have_the_models_fields(plain, model):
    assert {f.name for f in dataclasses.fields(plain)} == set(model.model_fields)


@pytest.mark.parametrize("root", ["repo", "demo"])
def test_plain_manifests_read_as_pydantic_does(root, demo_course):
    root = REPO if root == "repo" else demo_course
    page = load_page(root)
    course, _ = load_course(root)
    assert isinstance(page.manifest, PlainCourseManifest)
    assert dataclasses.asdict(page.manifest) == course.manifest.model_dump()
    assert [m.folder for m in page.modules] == [m.folder for m in course.modules]
    for mine, theirs in zip(page.modules, course.modules, strict=True):
        assert dataclasses.asdict(mine.manifest) == theirs.manifest.model_dump()
    assert {i: (m.folder, n) for i, (m, n) in page.shown_in.items()} == {
        i: (m.folder, n) for i, (m, n) in course.shown_in.items()}


def test_a_doubtful_manifest_is_validated_and_logged_as_check_does(demo_course, caplog):
    manifest = demo_course / "curriculum" / "01-demo" / "module.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("minutes: 45", "minutes: lots"),
                        encoding="utf-8")
    _, problems = load_course(demo_course)
    with caplog.at_level(logging.WARNING, logger="repairlab"):
        page = load_page(demo_course)
    assert page is not None
    assert page.modules == []
    expected = [p.format(demo_course) for p in problems if p.path == manifest]
    assert expected
    assert [r.getMessage().removeprefix("content problem: ") for r in caplog.records] == expected


def test_the_hand_in_still_reads_the_whole_course(demo_course):
    page = load_page(demo_course)
    assert page.full() is page.full()
    assert len(page.full().bank) == 9


def test_the_landing_page_shows_a_working_students_skills_without_importing_a_kind(
        demo_course, tmp_path):
    # A compiled course (as `repairlab serve` leaves it) and a student with work in the module:
    # the skills are worked out from the compiled items read as plain JSON, not built.
    from repairlab.content.compiled import compile_course

    assert compile_course(demo_course).folder is not None
    code = ("from repairlab import notebook\n"
            "from repairlab.progress import Attempt, open_store_safely\n"
            "open_store_safely().store.record(Attempt(student='local-student', "
            "item_id='m01-moment-01', module='demo', kind='find-the-moment', response='t3', "
            "feedback={}, score=1.0, status='correct', curriculum_version='x'))\n"
            "shown = []\n"
            "notebook._display = shown.append\n"
            "notebook.course_home()\n"
            "page = shown[0].children[0].value\n"
            "assert 'Finding where a rupture begins: <strong>Mastered' in page, page\n"
            "assert 'Owning your part: <strong>Not started' in page, page\n" + LOADED)
    loaded = _run(code, demo_course / "curriculum", REPAIRLAB_DATA_DIR=str(tmp_path / "data"))
    # The compiled course's reader brings the kinds' shared base (Item, load), and no kind.
    assert set(loaded) <= {"repairlab.kinds", "repairlab.kinds.base"}
