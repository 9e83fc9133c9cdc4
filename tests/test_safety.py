"""Safety and scope (issue 13, "Safety"): content warnings, the scope note, identifying details,
and items that deal with self-harm returning to it.

Each test reads the real content files, so taking a warning or a caution out makes it fail.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
CURRICULUM = REPO / "curriculum"
EXERCISES = REPO / "exercises"


@cache
def _items(folder: str) -> dict[str, dict]:
    found = {}
    for path in sorted((EXERCISES / folder).glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]:
            found[item["id"]] = item
    return found


def _text(value) -> str:
    """Every string inside a YAML value, joined, with whitespace folded."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        return " ".join(_text(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return ""


def test_m07_schema_03_returns_to_the_self_harm_urges_and_to_risk_review():
    item = _items("when-repair-is-not-enough")["m07-schema-03"]
    explanation = " ".join(item["explanation"].split())
    assert re.search(r"go back to the urges", explanation)
    assert re.search(r"Review her risk and her safety or crisis plan", explanation)
    assert "procedure" in explanation
    keyed = next(o for o in item["options"] if o["schema"] == item["answer"])
    assert "self-harm urges" in _text(keyed["feedback"])


# -------------------------------------------------- content warnings

SUICIDE_OR_SELF_HARM = re.compile(
    r"suicid|self-harm|self harm|end(?:ing)? (?:her|his|their|your|my) (?:own )?life|"
    r"better off (?:without|if)|overdose|kill(?:ing)? (?:my|your|him|her|them)sel", re.I)


def _cells(notebook: Path) -> list[dict]:
    return json.loads(notebook.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _all_items() -> dict[str, dict]:
    found = {}
    for folder in EXERCISES.iterdir():
        if folder.is_dir():
            found.update(_items(folder.name))
    return found


def _shown(notebook: Path) -> list[tuple[int, str]]:
    return [(k, m.group(1)) for k, c in enumerate(_cells(notebook))
            if c["cell_type"] == "code" and (m := re.match(r'show\("([^"]+)"\)', _source(c)))]


def test_every_item_about_suicide_or_self_harm_has_a_content_warning_just_before_it():
    items = _all_items()
    warned = []
    for notebook in sorted(CURRICULUM.glob("*/*.ipynb")):
        cells = _cells(notebook)
        shown = _shown(notebook)
        for n, (at, item_id) in enumerate(shown):
            if not SUICIDE_OR_SELF_HARM.search(_text(items[item_id])):
                continue
            since = shown[n - 1][0] + 1 if n else 0
            between = [_source(c) for c in cells[since:at] if c["cell_type"] == "markdown"]
            assert any("Content warning" in text for text in between), (notebook.name, item_id)
            warned.append(item_id)
    assert {"m07-case-02", "m07-schema-03", "m04-rewrite-26"} <= set(warned)


def test_the_warning_before_the_risk_case_says_what_it_contains_and_where_to_turn():
    cells = _cells(CURRICULUM / "07-when-repair-is-not-enough" / "cases.ipynb")
    at = next(k for k, c in enumerate(cells) if _source(c) == 'show("m07-case-02")')
    warning = " ".join(_source(cells[at - 1]).split())
    assert warning.startswith("## Content warning: suicide")
    for words in ("thoughts of ending her life", "suicide attempt", "stop whenever you need",
                  "crisis line"):
        assert words in warning
    assert "content warning" in _source(cells[1])  # the page's introduction points to it


def _reading_sections(notebook: Path) -> list[str]:
    text = "\n".join(_source(c) for c in _cells(notebook) if c["cell_type"] == "markdown")
    return re.split(r"^(?=## )", text, flags=re.M)


def test_every_reading_section_about_suicide_or_self_harm_opens_with_a_warning():
    """A section that deals with it opens with a warning; a single sentence in passing may not."""
    warned = []
    for notebook in sorted(CURRICULUM.glob("*/reading.ipynb")):
        for section in _reading_sections(notebook):
            heading, _, body = section.partition("\n")
            if heading.startswith(("## Learning objectives", "## Key points", "## Sources")):
                continue
            sentences = re.split(r"(?<=[.!?])\s+", " ".join(body.split()))
            if sum(bool(SUICIDE_OR_SELF_HARM.search(s)) for s in sentences) > 1:
                assert body.strip().startswith("*Content warning"), (notebook.parent.name, heading)
                warned.append((notebook.parent.name, heading))
    assert ("07-when-repair-is-not-enough", "## Asking about suicide") in warned


def test_asking_about_suicide_is_practical_makes_no_empirical_claim_and_points_to_procedure():
    (section,) = [s for s in _reading_sections(
        CURRICULUM / "07-when-repair-is-not-enough" / "reading.ipynb")
        if s.startswith("## Asking about suicide")]
    text = " ".join(section.split())
    for words in ("plan or intent", "means", "past attempts", "what keeps the client going",
                  "stepped-up care", "safety plan", "confidentiality",
                  "your service's procedure", "your supervisor", "your professional code",
                  "does not teach risk assessment"):
        assert words in text, words
    assert not re.search(r"\d", text), "no statistics"
    assert not re.search(r"increase|put(?:s|ting)? the idea|plant|research|stud(?:y|ies)|"
                         r"evidence|shows? that|proven|most (?:people|clients)|\(\D+,? \d{4}\)",
                         text, re.I), "no empirical claims: DOMAIN.md has none on suicide risk"


# -------------------------------------------------- the scope note, README and reflections

def _modules_with_warnings() -> dict[int, str]:
    found = {}
    for folder in sorted(CURRICULUM.glob("[0-9][0-9]-*")):
        if any("Content warning" in _source(c) for nb in folder.glob("*.ipynb")
               for c in _cells(nb) if c["cell_type"] == "markdown"):
            title = yaml.safe_load((folder / "module.yaml").read_text(encoding="utf-8"))["title"]
            found[int(folder.name[:2])] = title
    return found


def _scope_note() -> str:
    course = yaml.safe_load((CURRICULUM / "course.yaml").read_text(encoding="utf-8"))
    return " ".join(course["scope_note"].split())


def _readme_scope() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^> \*\*Scope\.\*\*.*?(?=^\s*$)", readme, re.M | re.S)
    assert block, "README.md has a '> **Scope.**' block"
    return " ".join(block.group(0).replace("> ", " ").split())


def test_the_scope_note_and_readme_say_what_the_course_is_not():
    warned = _modules_with_warnings()
    assert {4, 7} <= set(warned)
    for where, text in (("course.yaml scope_note", _scope_note()), ("README", _readme_scope())):
        for words in ("not therapy", "crisis line", "vignettes and clients are fictional",
                      "does not replace supervision", "local policies and procedures",
                      "professional code", "could identify them"):
            assert words in text, (where, words)
        for number, title in warned.items():
            assert f"Module {number} ({title}) deals with suicide" in text, (where, number)
        assert "content warnings" in text, where


def test_the_landing_page_shows_the_scope_note(monkeypatch, tmp_path):
    from repairlab import notebook
    from repairlab.views.home import home_view

    monkeypatch.setenv("REPAIRLAB_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(CURRICULUM)
    notebook._load.cache_clear()
    notebook._progress.cache_clear()
    try:
        page = home_view(notebook.current_course(), notebook._progress()).children[0].value
    finally:
        notebook._load.cache_clear()
        notebook._progress.cache_clear()
    scope = re.search(r'<p class="rl-scope"[^>]*>(.*?)</p>', page, re.S).group(1)
    for words in ("All vignettes and clients are fictional.", "Module 7 (When repair is not enough)",
                  "content warnings", "does not replace supervision", "professional code",
                  "could identify them"):
        assert words in scope, words


def test_reflections_that_ask_for_real_moments_warn_against_identifying_details():
    reflections = {i: item for folder in EXERCISES.iterdir() if folder.is_dir()
                   for i, item in _items(folder.name).items() if item["type"] == "reflection"}
    prompt = " ".join(reflections["m05-reflect-01"]["prompt"].split())
    assert "leave out their name and anything else that could identify them" in prompt
    assert "handed in" in prompt
    for item_id, item in reflections.items():
        text = " ".join(item["prompt"].split())
        if re.search(r"with a client|from your own practice|in a placement", text):
            assert re.search(r"identify|identifying details", text), item_id


def test_the_risk_case_has_an_instructor_note_that_prepares_the_session():
    # Issue 13: the suicide case comes with a note for the instructor, not only a warning for
    # the student: what to say before, where support is, and that local procedure decides.
    notes = (CURRICULUM / "07-when-repair-is-not-enough" / "instructor-notes.md").read_text(
        encoding="utf-8")
    sections = re.split(r"^## ", notes, flags=re.MULTILINE)
    section = next((s for s in sections if s.startswith("Running the risk case (m07-case-02")),
                   None)
    assert section is not None, "module 7's instructor notes have no section on m07-case-02"
    text = " ".join(section.split()).lower()
    for what, words in {
        "tell students in advance what the case contains": ("in advance", "suicide"),
        "let a student opt out without a reason": ("without giving a reason",),
        "say where support is": ("support", "crisis line"),
        "bring the local procedure, which decides": ("procedure", "not this course"),
        "debrief the session": ("discussion questions",),
    }.items():
        assert all(word in text for word in words), f"the note does not {what}"
