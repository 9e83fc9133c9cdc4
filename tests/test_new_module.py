"""Does `repairlab new-module` give an instructor a module that works at once?"""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources

import nbformat
import pytest
import yaml
from course_factory import write_the_placeholders
from nbclient import NotebookClient

from repairlab.cli import main as repairlab
from repairlab.registry import KINDS


def _execute(path):
    """Run a notebook as Voilà would (cwd = its folder); return it with widget state saved."""
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


def test_new_module_is_added_to_the_course_in_order(tmp_path, capsys, course_builder):
    course = course_builder(tmp_path / "c", ("first", "First"), ("second-topic", "Second topic"))
    text = (course / "curriculum" / "course.yaml").read_text()
    assert text.index("- 01-first") < text.index("- 02-second-topic")
    assert "# FORKS:" in text  # the manifest's comments survive the edit
    assert repairlab(["check", str(course)]) == 0
    assert "2 modules, 18 exercise items" in capsys.readouterr().out


def _line_of(path, fragment: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if fragment in line)


def test_a_new_module_fails_check_until_its_placeholders_are_written(tmp_path, capsys,
                                                                    course_builder):
    """new-module fills in the number, slug and title, and lists the "TODO: ..." text only the
    author can write; `check` names each one's file and line until it is replaced."""
    course = course_builder(tmp_path / "c")
    assert repairlab(["new-module", "cultural-ruptures", "--title", "Cultural ruptures",
                      "--course", str(course)]) == 0
    out = capsys.readouterr().out
    assert "Still to write: `repairlab check` fails until each of these 8 placeholders" in out
    module = course / "curriculum" / "01-cultural-ruptures"
    manifest = module / "module.yaml"
    assert 'title: "Cultural ruptures"' in manifest.read_text(encoding="utf-8")
    summary = f"curriculum/01-cultural-ruptures/module.yaml:{_line_of(manifest, 'TODO: one or two')}"

    assert repairlab(["check", str(course)]) == 1
    err = capsys.readouterr().err
    assert f"{summary}: field `summary`: placeholder text from the template, not yet written: " \
           "'TODO: one or two sentences that tell a student what this module is for.'" in err
    assert "field `objectives#1`: placeholder text" in err
    assert "curriculum/01-cultural-ruptures/reading.ipynb: cell 3, line 3: placeholder text " \
           "from the template, not yet written: 'TODO: write the reading" in err
    assert "fix: replace the placeholder (the whole TODO line) with your own text" in err
    assert "8 problem(s) found" in err  # the placeholders, and nothing else
    assert summary in out  # new-module listed the same places

    write_the_placeholders(module)
    assert repairlab(["check", str(course)]) == 0
    out = capsys.readouterr().out
    assert "1 modules, 9 exercise items" in out
    assert "is not shown in any notebook" not in out  # every worked item is on a page


def test_a_placeholder_in_an_item_fails_check(demo_course, capsys):
    items = demo_course / "exercises" / "demo" / "items.yaml"
    text = items.read_text(encoding="utf-8")
    items.write_text(text.replace("    hint: Start with what you did, then make room for how it felt.",
                                  "    hint: >\n      TODO: a hint for a stuck student."),
                     encoding="utf-8")
    assert repairlab(["check", str(demo_course)]) == 1
    err = capsys.readouterr().err
    line = _line_of(items, "TODO: a hint")
    assert f"exercises/demo/items.yaml:{line}: item 'm01-rewrite-01', field `hint`: " \
           "placeholder text from the template" in err, err


def test_a_template_marker_left_in_a_hand_copied_module_fails_check(demo_course, capsys):
    manifest = demo_course / "curriculum" / "01-demo" / "module.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('title: "Demo module"', 'title: "__TITLE__"'),
                        encoding="utf-8")
    assert repairlab(["check", str(demo_course)]) == 1
    err = capsys.readouterr().err
    assert "field `title`: the template's marker __TITLE__ was never filled in" in err
    assert "fix: replace the placeholder __TITLE__ with the module's title" in err


def test_the_template_has_one_worked_item_of_every_kind():
    """Every kind in the registry, once: a kind added later cannot be left out of the template
    (and so out of every new module, and of the demo course the tests use)."""
    template = resources.files("repairlab") / "templates" / "module"
    items = [item for entry in (template / "exercises").iterdir() if entry.name.endswith(".yaml")
             for item in yaml.safe_load(entry.read_text(encoding="utf-8"))["items"]]
    assert Counter(item["type"] for item in items) == Counter(list(KINDS))
    shown = "".join(entry.read_text(encoding="utf-8")
                    for entry in (template / "curriculum").iterdir()
                    if entry.name.endswith(".ipynb"))
    for item in items:
        assert f'show(\\"{item["id"]}\\")' in shown, item["id"]


def test_the_template_case_plays_to_a_repair_and_to_a_withdrawal(demo_course):
    """The worked case, played with the real reply assessor: owning the glance and meeting the
    hurt repairs the alliance (stronger than it began on every way in); explaining it away
    twice ends in a withdrawal."""
    from repairlab.content.course import load_course
    from repairlab.kinds.simulation import Playthrough
    from repairlab.kinds.simulation.graph import explore

    course, _ = load_course(demo_course)
    case = course.bank.get("m01-case-01")
    run = Playthrough.start(case)
    run.choose("own-glance")
    run.reply("That sounds really painful, not being heard at home and then feeling it here "
              "with me too. What was that like for you?")
    run.choose("agree-signal")
    assert run.ending == "repaired"
    assert run.phases[:3] == ["anger", "hurt", "vulnerability"]

    start = case.start_state()
    repaired = [c for c in explore(case).successors if case.node(c[0]).ending == "repaired"]
    assert repaired
    for config in repaired:
        end = dict(zip(case.state, config[2], strict=True))
        assert end["bond"] > start["bond"], config
        assert sum(end.values()) > sum(start.values()), config

    run = Playthrough.start(case)
    run.choose("explain-time")  # explaining the glances away, twice
    run.choose("insist")
    assert run.ending == "withdraws-further"


def test_the_template_reads_well():
    template = resources.files("repairlab") / "templates" / "module"
    text = (template / "exercises" / "items.yaml").read_text(encoding="utf-8")
    assert "how being watched the clock felt" not in " ".join(text.split())
    assert "how it felt to them to see the therapist watching the clock" in " ".join(text.split())


def test_new_module_refuses_a_bad_or_taken_slug(tmp_path, capsys, course_builder):
    course = course_builder(tmp_path / "c", ("first", "First"))
    assert repairlab(["new-module", "Bad Slug", "--title", "X", "--course", str(course)]) == 1
    assert "not a valid slug" in capsys.readouterr().err
    assert repairlab(["new-module", "first", "--title", "X", "--course", str(course)]) == 1
    assert "already" in capsys.readouterr().err


@pytest.mark.slow
def test_new_module_notebooks_run_and_show_on_the_landing_page(demo_course, monkeypatch):
    monkeypatch.setenv("REPAIRLAB_COURSE_DIR", str(demo_course))
    module = demo_course / "curriculum" / "01-demo"
    practice = _execute(module / "practice.ipynb")
    errors = [o for c in practice.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    shown = [c for c in practice.cells if c.cell_type == "code" and "show(" in c.source]
    assert shown
    for cell in shown:  # every exercise cell displays a widget, not a notice
        assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                   for o in cell.outputs), cell.source
    _execute(module / "reading.ipynb")
    cases = _execute(module / "cases.ipynb")
    shown = [c for c in cases.cells if c.cell_type == "code" and "show(" in c.source]
    assert shown
    assert all(any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                   for o in c.outputs) for c in shown)

    landing = _execute(demo_course / "curriculum" / "index.ipynb")
    state = json.dumps(landing.metadata["widgets"])
    assert "Module 1: Demo module" in state
    assert "01-demo/practice.ipynb" in state
    assert "not therapy" in state


def test_a_new_modules_headings_number_it_as_the_course_does(tmp_path, course_builder):
    # The shipped modules say "Module 1 practice", not "Module 01": a new one must match them.
    course = course_builder(tmp_path / "c", ("first", "First"), ("second-topic", "Second topic"))
    for name in ("reading", "practice", "practice-mode", "cases"):
        notebook = nbformat.read(course / "curriculum" / "02-second-topic" / f"{name}.ipynb",
                                 as_version=4)
        heading = next(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
        assert heading.startswith("# Module 2"), (name, heading.splitlines()[0])
        assert "Module 02" not in heading
