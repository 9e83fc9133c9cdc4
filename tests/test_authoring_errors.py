"""Does every authoring mistake get a message with file, line, field and fix — and no traceback?"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from repairlab.cli import main as repairlab


class Mistake(NamedTuple):
    file: str  # relative to the course root
    old: str  # text replaced in that file ("" = append `new` as a new file)
    new: str
    expect: tuple[str, ...]  # fragments the message must contain
    line_of: str  # the text whose line the message must name ("" = no line check)


ITEMS = "exercises/demo/items.yaml"
PRACTICE = "curriculum/01-demo/practice.ipynb"
MODULE = "curriculum/01-demo/module.yaml"

MISTAKES = {
    "yaml-syntax-unclosed-quote": Mistake(
        ITEMS, "    title: The clock\n", '    title: "The clock\n',
        ("YAML syntax error", "the double quote that starts the value of `title:`",
         "add the closing quote"), '    title: "The clock'),
    "yaml-key-indented-too-far": Mistake(
        ITEMS, "    title: The clock\n    client_says:", "    title: The clock\n      client_says:",
        ("mapping values are not allowed", "`client_says:` is indented more than `title:`",
         "indent `client_says:` with 4 spaces"), "      client_says:"),
    "yaml-colon-inside-a-value": Mistake(
        ITEMS, "    title: The clock\n", "    title: The clock: again\n",
        ("mapping values are not allowed", "double quotes"), "    title: The clock: again"),
    "yaml-tab-indent": Mistake(
        ITEMS, "    title: The clock\n", "\ttitle: The clock\n",
        ("YAML syntax error", "fix:"), ""),
    "missing-field": Mistake(
        ITEMS, "    explanation: Apologise, validate, explore, then give space.\n", "",
        ("item 'm01-order-01'", "field `explanation`", "required field is missing",
         "add a line `explanation: ...`"), "  - id: m01-order-01"),
    "wrong-type-list": Mistake(
        ITEMS, "    must_include: [ownership, validation]", "    must_include: ownership",
        ("field `must_include`", "expected a list", "fix:"), "    must_include: ownership"),
    "wrong-type-yes-is-boolean": Mistake(
        ITEMS, "        feedback: Last, because the choice", "        feedback: yes\n        x_: Last",
        ("field `steps#1.feedback`", "true/false", "quotes"), "        feedback: yes"),
    "wrong-type-number": Mistake(
        "curriculum/01-demo/module.yaml", "minutes: 45", "minutes: lots",
        ("field `minutes`", "whole number"), "minutes: lots"),
    "unknown-key-typo": Mistake(
        ITEMS, "    hint: Start with", "    hnit: Start with",
        ("item 'm01-rewrite-01'", "unknown field `hnit`", "did you mean `hint`?"),
        "    hnit: Start with"),
    "unknown-type": Mistake(
        ITEMS, "    type: pick-repair-step", "    type: pick-the-repair-step",
        ("unknown exercise type", "did you mean `pick-repair-step`?"),
        "    type: pick-the-repair-step"),
    "misspelt-schema-name": Mistake(
        ITEMS, "      - schema: Mistrust/Abuse", "      - schema: Mistrust",
        ("field `options#3.schema`", "'Mistrust' is not allowed", "Mistrust/Abuse"),
        "      - schema: Mistrust"),
    "answer-names-missing-option": Mistake(
        ITEMS, "    answer: acknowledge", "    answer: acknowledged",
        ("item 'm01-step-01'", "field `answer`", "'acknowledged' is not one of",
         "acknowledge, explain"), "    answer: acknowledged"),
    "order-not-a-permutation": Mistake(
        ITEMS, "correct_order: [apologise, validate, explore, space]",
        "correct_order: [apologise, validate, explore]",
        ("field `correct_order`", "missing: space"), "    correct_order:"),
    "duplicate-key": Mistake(
        ITEMS, "    hint: Start with what you did",
        "    hint: Twice.\n    hint: Start with what you did",
        ("the key `hint` appears twice", "remove or rename one"),
        "    hint: Start with what you did"),
    "duplicate-id-across-files": Mistake(
        "exercises/demo/more.yaml", "",
        "items:\n  - id: m01-reflect-01\n    type: reflection\n    difficulty: beginner\n"
        "    title: Again\n    prompt: A second prompt.\n",
        ("item 'm01-reflect-01'", "already used at", "items.yaml", "give this item a new id"),
        "  - id: m01-reflect-01"),
    "notebook-references-missing-id": Mistake(
        PRACTICE, 'show(\\"m01-step-01\\")', 'show(\\"m01-step-99\\")',
        ("practice.ipynb", "shows item 'm01-step-99', which does not exist",
         "did you mean 'm01-step-01'?"), ""),
    "item-names-unknown-skill": Mistake(
        ITEMS, "    skill: owning-your-part ", "    skill: owning-you-part ",
        ("field `skill`", "'owning-you-part' is not a skill of module 01-demo",
         "did you mean 'owning-your-part'?", "add the skill under `skills:`"),
        "    skill: owning-you-part"),
    "skill-default-for-unknown-kind": Mistake(
        MODULE, "default_for: [classify-marker,", "default_for: [clasify-marker,",
        ("field `skills#1.default_for`", "'clasify-marker' is not an exercise kind",
         "did you mean 'classify-marker'?"), "    default_for: [clasify-marker"),
    "mastery-asks-for-more-than-it-counts": Mistake(
        MODULE, "mastery: {correct: 3, of_last: 4", "mastery: {correct: 5, of_last: 4",
        ("skills#3.mastery", "`correct` (5) cannot be more than `of_last` (4)"),
        "    mastery: {correct: 5"),
    "course-lists-missing-module": Mistake(
        "curriculum/course.yaml", "  - 01-demo", "  - 01-demo\n  - 02-nowhere",
        ("there is no curriculum/02-nowhere/module.yaml", "new-module"), "  - 02-nowhere"),
}


def _apply(root: Path, mistake: Mistake) -> Path:
    path = root / mistake.file
    if not mistake.old:
        path.write_text(mistake.new, encoding="utf-8")
        return path
    text = path.read_text(encoding="utf-8")
    assert mistake.old in text, "the fixture no longer contains the text to break"
    path.write_text(text.replace(mistake.old, mistake.new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, fragment: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(fragment) or fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in {path}")


def test_the_template_course_is_clean(demo_course, capsys):
    """Is the worked template itself free of problems (so every failure below is the mistake's)?"""
    assert repairlab(["check", str(demo_course)]) == 0
    assert "no problems" in capsys.readouterr().out


@pytest.mark.parametrize("name", list(MISTAKES))
def test_mistake_is_reported_where_it_is(name, demo_course, capsys):
    """Does `repairlab check` name the file, the line, the field and the fix?"""
    mistake = MISTAKES[name]
    path = _apply(demo_course, mistake)
    assert repairlab(["check", str(demo_course)]) == 1
    err = capsys.readouterr().err
    assert mistake.file.split("/")[-1] in err
    for fragment in mistake.expect:
        assert fragment in err, f"{fragment!r} missing from:\n{err}"
    if mistake.line_of:
        assert f"{mistake.file}:{_line_of(path, mistake.line_of)}:" in err, err
    assert "Traceback" not in err


# Skill mistakes whose message belongs in another file than the edit: (edit, where the message
# points: file and the text of its line, what the message says).
SKILL_MISTAKES = {
    "item-names-no-skill-and-no-default": (
        Mistake(MODULE, "default_for: [spot-the-schema, reflection]", "default_for: [reflection]",
                (), ""),
        (ITEMS, "  - id: m01-schema-01"),
        ("item 'm01-schema-01', field `skill`", "names no skill",
         "add `skill:` with one of noticing-markers, naming-your-schema",
         "name spot-the-schema in a skill's `default_for` in curriculum/01-demo/module.yaml")),
    "skill-listed-twice": (
        Mistake(MODULE, "  - id: choosing-the-repair-step", "  - id: owning-your-part", (), ""),
        (MODULE, "  - id: owning-your-part\n    name: Choosing"),
        ("field `skills#4.id`", "skill 'owning-your-part' is listed twice",
         "give each skill its own id")),
    "skill-no-item-trains": (
        Mistake(ITEMS, "    skill: owning-your-part ", "    skill: naming-your-schema ", (), ""),
        (MODULE, "  - id: owning-your-part"),
        ("field `skills#3`", "no scored item trains skill 'owning-your-part'", "or remove it")),
}


@pytest.mark.parametrize("name", list(SKILL_MISTAKES))
def test_skill_mistake_is_reported_where_the_fix_goes(name, demo_course, capsys):
    edit, (file, line_text), expect = SKILL_MISTAKES[name]
    _apply(demo_course, edit)
    assert repairlab(["check", str(demo_course)]) == 1
    err = capsys.readouterr().err
    for fragment in expect:
        assert fragment in err, f"{fragment!r} missing from:\n{err}"
    text = (demo_course / file).read_text(encoding="utf-8")
    line = text[: text.index(line_text)].count("\n") + 1
    assert f"{file}:{line}:" in err, err
    assert "1 problem(s) found" in err, err
    assert "Traceback" not in err


def test_an_over_indented_key_is_an_indentation_fix_not_quoting(demo_course, capsys):
    """A key pushed two spaces too far right: the fix names the line and the indentation."""
    path = _apply(demo_course, MISTAKES["yaml-key-indented-too-far"])
    assert repairlab(["check", str(demo_course)]) == 1
    err = capsys.readouterr().err
    line = _line_of(path, "      client_says:")
    assert f"fix: line {line}: `client_says:` is indented more than `title:` on line {line - 1} " \
           "(6 spaces instead of 4)" in err, err
    assert "quote" not in err


def test_an_under_indented_key_is_an_indentation_fix(demo_course, capsys):
    _apply(demo_course, Mistake(ITEMS, "    hint: Start with", "   hint: Start with", (), ""))
    assert repairlab(["check", str(demo_course)]) == 1
    err = capsys.readouterr().err
    assert "`hint:` is indented less than `model_rewrite:`" in err, err
    assert "indent `hint:` with 4 spaces" in err


# -- one broken item is one problem, not a cascade ---------------------------------------------

@pytest.fixture
def two_modules(tmp_path, monkeypatch, course_builder):
    """Two template modules, so that module 2's items are close in name to module 1's."""
    monkeypatch.setenv("REPAIRLAB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("REPAIRLAB_COURSE_DIR", raising=False)
    return course_builder(tmp_path / "course", ("demo", "Demo module"), ("second", "Second"))


def _one_problem(course: Path, capsys) -> str:
    assert repairlab(["check", str(course)]) == 1
    err = capsys.readouterr().err
    assert "1 problem(s) found" in err, err
    assert "does not exist" not in err
    assert "m02-" not in err  # nothing from the other module is suggested
    return err


@pytest.mark.parametrize("name", ["yaml-key-indented-too-far", "yaml-syntax-unclosed-quote",
                                  "duplicate-key", "unknown-key-typo"])
def test_a_broken_item_is_reported_once_and_its_neighbours_still_work(name, two_modules, capsys):
    """One slip in one item: one message, naming that item and the cell waiting for it; the
    other items of the same file still load, and a student's page still shows them."""
    from repairlab.content.course import load_course
    from repairlab.content.page import load_page

    _apply(two_modules, MISTAKES[name])
    err = _one_problem(two_modules, capsys)
    assert "item 'm01-rewrite-01'" in err
    assert "note: the notebook cell showing this item (curriculum/01-demo/practice.ipynb " \
           "cell 6) will work once it is fixed" in err, err

    course, _ = load_course(two_modules)
    assert sorted(course.bank.broken) == ["m01-rewrite-01"]
    neighbours = ["m01-schema-01", "m01-step-01", "m01-order-01", "m01-marker-01",
                  "m01-redflag-01", "m01-reflect-01"]
    assert all(i in course.bank for i in neighbours)
    page = load_page(two_modules)  # compiled by the check above
    assert page.compiled is not None
    assert all(page.item(i) is not None for i in neighbours)
    assert page.item("m01-rewrite-01") is None
    shutil.rmtree(two_modules / ".repairlab")  # no compiled course: the page reads the file
    page = load_page(two_modules)
    assert page.compiled is None
    assert all(page.item(i) is not None for i in neighbours)


def test_an_invalid_field_is_reported_once_not_as_a_missing_item(two_modules, capsys):
    _apply(two_modules, MISTAKES["answer-names-missing-option"])
    err = _one_problem(two_modules, capsys)
    assert "item 'm01-step-01', field `answer`" in err
    assert "(curriculum/01-demo/practice.ipynb cell 8) will work once it is fixed" in err


def test_a_file_that_cannot_be_read_is_one_problem_naming_the_waiting_cells(two_modules, capsys):
    path = two_modules / ITEMS
    path.write_text('title: "an unclosed header\n' + path.read_text(encoding="utf-8"),
                    encoding="utf-8")
    err = _one_problem(two_modules, capsys)
    assert "the notebook cells showing items of this file (curriculum/01-demo/practice.ipynb " \
           "cells 4, 6, 8, 9, 11, 12 and 14) will work once the file is fixed" in err, err


def test_a_missing_item_is_still_reported_with_the_modules_own_ids(two_modules, capsys):
    _apply(two_modules, MISTAKES["notebook-references-missing-id"])
    assert repairlab(["check", str(two_modules)]) == 1
    err = capsys.readouterr().err
    assert "shows item 'm01-step-99', which does not exist" in err
    assert "did you mean 'm01-step-01'?" in err


def test_every_problem_is_reported_not_just_the_first(demo_course, capsys):
    """Two mistakes in two files: does one check run show both?"""
    _apply(demo_course, MISTAKES["unknown-key-typo"])
    _apply(demo_course, MISTAKES["wrong-type-number"])
    assert repairlab(["check", str(demo_course)]) == 1
    err = capsys.readouterr().err
    assert "hnit" in err
    assert "minutes" in err
    assert "2 problem(s) found" in err


def test_real_command_prints_no_traceback(demo_course):
    """Through the installed entry point, is a broken file an exit code 1 and a message?"""
    _apply(demo_course, MISTAKES["yaml-syntax-unclosed-quote"])
    result = subprocess.run([sys.executable, "-m", "repairlab.cli", "check", str(demo_course)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "items.yaml:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_check_outside_a_course_explains_itself(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("REPAIRLAB_COURSE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert repairlab(["check"]) == 1
    assert "no course found" in capsys.readouterr().err


def test_a_path_on_the_command_line_beats_the_environment(demo_course, tmp_path, monkeypatch,
                                                         capsys):
    """With REPAIRLAB_COURSE_DIR set (as Binder sets it), does `check PATH` check PATH?"""
    monkeypatch.setenv("REPAIRLAB_COURSE_DIR", str(tmp_path / "elsewhere"))
    _apply(demo_course, MISTAKES["unknown-key-typo"])
    assert repairlab(["check", str(demo_course / "exercises")]) == 1  # found up from a subfolder
    assert "hnit" in capsys.readouterr().err
