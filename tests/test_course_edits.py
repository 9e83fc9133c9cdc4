"""An instructor edits the course while it is in use: is every page built afterwards up to date?

A page's kernel keeps the course it read between cells (JupyterLab keeps one for hours), and
`repairlab serve` keeps pre-heated pages rendered before anyone asks for them. Neither may
show a module's old title, miss a module just added, or show an item as it was before an edit:
not even on the first visit after the edit. (The server side is in
tests/browser/test_serving_unit.py and tests/browser/test_course_edits_browser.py.)
"""

from __future__ import annotations

from pathlib import Path

from course_factory import write_the_placeholders

from repairlab.cli import main as repairlab


def landing_page() -> str:
    """The landing page as index.ipynb builds it, in this kernel."""
    from repairlab import notebook
    from repairlab.views.home import home_view

    return home_view(notebook.current_course(), notebook._progress()).children[0].value


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_module_title_edited_since_is_on_the_landing_page(in_module):
    assert "Module 1: Demo module" in landing_page()
    edit(in_module / "curriculum" / "01-demo" / "module.yaml",
         'title: "Demo module"', 'title: "Rupture basics"')
    page = landing_page()
    assert "Module 1: Rupture basics" in page
    assert "Demo module" not in page


def test_a_module_added_since_is_on_the_landing_page(in_module, capsys):
    assert "Module 2" not in landing_page()
    assert repairlab(["new-module", "second", "--title", "A second module",
                      "--course", str(in_module)]) == 0
    write_the_placeholders(in_module / "curriculum" / "02-second")
    page = landing_page()
    assert "Module 2: A second module" in page
    assert "02-second/practice.ipynb" in page


def test_an_item_edited_since_is_shown_as_edited(in_module):
    from repairlab.notebook import build_view

    assert "After &quot;you&#x27;re not listening&quot;" in build_view("m01-step-01").heading_html()
    edit(in_module / "exercises" / "demo" / "items.yaml",
         """    title: After "you're not listening\"""", "    title: After the glances")
    assert "After the glances" in build_view("m01-step-01").heading_html()


def test_an_edit_after_check_is_shown_on_the_first_visit(in_module, capsys):
    """`check` compiled the course for the pages; the instructor then edits a title and an
    item: the very next page (a new kernel) shows both edits."""
    from repairlab import notebook
    from repairlab.notebook import build_view

    assert repairlab(["check", str(in_module)]) == 0
    assert "Module 1: Demo module" in landing_page()
    edit(in_module / "curriculum" / "01-demo" / "module.yaml",
         'title: "Demo module"', 'title: "Rupture basics"')
    edit(in_module / "exercises" / "demo" / "items.yaml",
         """    title: After "you're not listening\"""", "    title: After the glances")
    notebook._load.cache_clear()  # a new visit: a new kernel
    assert "Module 1: Rupture basics" in landing_page()
    assert "After the glances" in build_view("m01-step-01").heading_html()


def test_a_saved_answer_whose_option_was_since_replaced_shows_nothing_chosen(in_module):
    """A student picked a distractor; the author then replaced it with another option. The
    student's next visit shows the item as new, with no error, and the new option works."""
    from repairlab import notebook
    from repairlab.notebook import build_view

    assert build_view("m01-marker-01").submit("complaint").status == "incorrect"
    edit(in_module / "exercises" / "demo" / "items.yaml", "      - id: complaint\n",
         "      - id: c-reject\n")
    notebook._load.cache_clear()  # the next visit: a new kernel
    view = build_view("m01-marker-01")
    assert view.options.value is None
    assert "went wrong" not in view.feedback.value
    assert view.submit("c-reject").status == "incorrect"
    assert view.submit("minimal").status == "correct"
