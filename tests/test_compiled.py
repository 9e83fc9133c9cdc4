"""The compiled course (content/compiled.py): validated once by `check` or `serve`, read by a
page's kernel without pydantic, and never stale."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from repairlab.cli import main as repairlab
from repairlab.content.compiled import (
    CompiledCourse,
    compile_course,
    compiled_folders,
    fingerprint,
)
from repairlab.content.course import load_course
from repairlab.content.page import load_page
from repairlab.kinds.base import Item
from repairlab.kinds.simulation import Playthrough
from repairlab.registry import KINDS, score

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def user_cache(demo_course) -> Path:
    """The user's cache folder: platformdirs reads XDG_CACHE_HOME, which demo_course sets."""
    return Path(os.environ["XDG_CACHE_HOME"])


def _responses(item) -> list:
    """Answers worth scoring for an item: every option, orders, replies, a reflection."""
    if item.type == "order-repair-steps":
        return [list(item.correct_order), list(reversed(item.correct_order)), []]
    if item.type == "rewrite-reply":
        return [item.model_rewrite, item.defensive_reply, ""]
    if item.type == "reflection":
        return ["I noticed I wanted to explain myself.", ""]
    if item.type == "simulation":
        return []  # played below
    return [c.id for c in item.choices()] + ["", "not-an-option"]


def _first_choice_playthrough(item) -> list[str]:
    play = Playthrough.start(item, assessor=lambda text, **_: {"defensive": False, "moves": []})
    while not play.ended and play.options:
        play.choose(play.options[0].id)
    return [step.said for step in play.steps] + [play.ending or ""]


@pytest.fixture(scope="module")
def real_course(tmp_path_factory):
    """The real course, compiled into a copy's cache (the repository is not written)."""
    root = tmp_path_factory.mktemp("real")
    shutil.copytree(REPO / "curriculum", root / "curriculum")
    shutil.copytree(REPO / "exercises", root / "exercises")
    compiled = compile_course(root)
    assert compiled.folder is not None
    assert not compiled.problems
    return root, compiled.course


def test_every_compiled_item_holds_and_does_what_the_validated_item_does(real_course):
    root, course = real_course
    page = load_page(root)
    assert page.compiled is not None
    for item in course.bank:
        record = page.item(item.id)
        assert type(record) is type(item) is KINDS[item.type].item_type, item.id
        assert record == item, item.id
        for response in _responses(item):
            assert score(record, response) == score(item, response), (item.id, response)
        if item.type == "simulation":
            assert _first_choice_playthrough(record) == _first_choice_playthrough(item)
        for name in ("prompt", "answer_id"):
            if hasattr(item, name):
                assert getattr(record, name) == getattr(item, name), (item.id, name)
    assert len(course.bank) == len(page.compiled.sources)


def test_a_compiled_item_is_read_only(real_course):
    import dataclasses

    record = load_page(real_course[0]).item("m01-schema-01")
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.title = "changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.options[0].feedback = "changed"  # type: ignore[misc]


def test_check_and_new_module_compile_the_course(demo_course, user_cache):
    folder = compiled_folders(demo_course)[0] / fingerprint(demo_course)
    assert (folder / "index.json").is_file()  # new-module ran check
    for old in folder.parent.iterdir():
        shutil.rmtree(old)
    assert repairlab(["check", "--quiet", str(demo_course)]) == 0
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert set(index["sources"]) == {i.id for i in load_course(demo_course)[0].bank}


def test_the_served_command_compiles_the_course(demo_course, user_cache):
    from repairlab.serving.config import voila_command

    for old in compiled_folders(demo_course)[0].iterdir():
        shutil.rmtree(old)
    voila_command(demo_course, port=8999)
    assert CompiledCourse.open(demo_course) is not None


def test_an_edited_file_is_never_read_stale(demo_course, user_cache):
    page = load_page(demo_course)
    assert isinstance(page.item("m01-reflect-01"), Item)
    items = demo_course / "exercises" / "demo" / "items.yaml"
    text = items.read_text(encoding="utf-8")
    old_title = page.item("m01-reflect-01").title
    items.write_text(text.replace(old_title, "A freshly edited title"), encoding="utf-8")
    fresh = load_page(demo_course)  # a new kernel, after the edit
    assert fresh.compiled is None
    item = fresh.item("m01-reflect-01")
    assert item.title == "A freshly edited title"  # validated by the page itself


def test_a_broken_item_is_left_out_and_the_page_explains_it(demo_course, user_cache, caplog):
    broken = demo_course / "exercises" / "demo" / "broken.yaml"
    broken.write_text("items:\n  - id: m01-broken-01\n    type: reflection\n"
                      "    difficulty: beginner\n    title: Broken\n    promt: A typo.\n",
                      encoding="utf-8")
    compiled = compile_course(demo_course)
    assert compiled.problems
    assert compiled.folder is not None
    page = load_page(demo_course)
    assert page.compiled is not None
    assert "m01-broken-01" not in page.compiled.sources
    assert isinstance(page.item("m01-reflect-01"), Item)
    with caplog.at_level(logging.WARNING, logger="repairlab"):
        assert page.item("m01-broken-01") is None
    assert "exercises/demo/broken.yaml:6: item 'm01-broken-01', field `promt`" in caplog.text


def test_a_read_only_course_is_compiled_into_the_users_cache(demo_course, user_cache):
    hidden = demo_course / ".repairlab"
    shutil.rmtree(hidden)
    hidden.write_text("not a folder: nothing can be written under it", encoding="utf-8")
    compiled = compile_course(demo_course)
    assert compiled.folder is not None
    assert user_cache in compiled.folder.parents
    assert isinstance(load_page(demo_course).item("m01-step-01"), Item)


@pytest.mark.parametrize(("damage", "named"), [
    (lambda data: data.update(__record__="os:system"), "__record__"),  # the old format's key
    (lambda data: data.pop("answer"), "answer"),
    (lambda data: data["options"][0].update(text_typo="x"), "text_typo"),
    (lambda data: data.update(options="not a list"), "expected a list"),
    (lambda data: data.update(type="os:system"), "os:system"),
], ids=["old-format", "missing-field", "unknown-nested-field", "wrong-shape", "unknown-type"])
def test_a_damaged_compiled_file_is_validated_from_the_yaml_instead(demo_course, user_cache,
                                                                     caplog, damage, named):
    folder = CompiledCourse.open(demo_course).folder
    path = folder / "m01-step-01.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    damage(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="repairlab"):
        item = load_page(demo_course).item("m01-step-01")
    assert item is not None  # validated from the YAML instead
    assert item.answer
    assert "compiled item m01-step-01 unreadable" in caplog.text
    assert named in caplog.text


def test_an_edited_manifest_is_never_read_stale(demo_course, user_cache):
    """The manifests come from the compiled course only while their files are unchanged; an
    edited one is read from its file, and the items stay compiled."""
    assert load_page(demo_course).modules[0].manifest.title == "Demo module"
    manifest = demo_course / "curriculum" / "01-demo" / "module.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        'title: "Demo module"', 'title: "Rupture basics"'), encoding="utf-8")
    fresh = load_page(demo_course)  # a new kernel, after the edit
    assert fresh.modules[0].manifest.title == "Rupture basics"
    assert fresh.compiled is not None  # the exercise files did not change


def test_a_page_with_a_compiled_course_imports_no_pydantic_schema_or_yaml(demo_course,
                                                                         tmp_path):
    # The placeholders were written after new-module compiled the course: the index holds the
    # manifests as they were, so check (as serve does) brings it up to date.
    assert repairlab(["check", "--quiet", str(demo_course)]) == 0
    code = ("from repairlab import notebook\n"
            "notebook._display = lambda widget: None\n"
            "from repairlab.content.page import load_page\n"
            "for item in " + repr(sorted(load_course(demo_course)[0].bank.items)) + ":\n"
            "    view = notebook.build_view(item)\n"
            "    assert type(view).__name__.endswith('View'), view\n"
            "notebook.module_nav()\n"
            "import json, sys\n"
            "print(json.dumps(sorted(m for m in sys.modules\n"
            "                        if m.startswith(('pydantic', 'repairlab.schemas', 'yaml')))))")
    env = {k: v for k, v in os.environ.items() if k != "REPAIRLAB_COURSE_DIR"}
    env["REPAIRLAB_DATA_DIR"] = str(tmp_path / "data")
    out = subprocess.run([sys.executable, "-c", code], cwd=demo_course / "curriculum" / "01-demo",
                         env=env, text=True, capture_output=True, check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []
