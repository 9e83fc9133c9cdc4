"""Does `repairlab new-module` give an instructor a module that works at once?"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

from repairlab.cli import main as repairlab


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
    assert "2 modules, 14 exercise items" in capsys.readouterr().out


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

    landing = _execute(demo_course / "curriculum" / "index.ipynb")
    state = json.dumps(landing.metadata["widgets"])
    assert "Module 1: Demo module" in state
    assert "01-demo/practice.ipynb" in state
    assert "not therapy" in state
