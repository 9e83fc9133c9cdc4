"""Counts in instructor notes never go stale: `repairlab check` compares each page's count line
("**Practice page:** 14 classify-marker, ...") with the items the notebook shows, and says
which line is wrong and how it should read. The shipped notes state their counts that way
only, and state them right.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from repairlab.cli import main as repairlab
from repairlab.content.check import check_course
from repairlab.content.notes_counts import COUNT_LINE, page_counts
from repairlab.registry import KINDS

REPO = Path(__file__).resolve().parents[1]
NOTES = "curriculum/01-demo/instructor-notes.md"


def notes_line(course: Path, page: str) -> tuple[int, str]:
    lines = (course / NOTES).read_text(encoding="utf-8").splitlines()
    return next((n, line) for n, line in enumerate(lines, 1)
                if line.startswith(f"**{page} page:**"))


def edit_notes(course: Path, old: str, new: str) -> None:
    path = course / NOTES
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_new_module_states_its_counts_and_check_agrees(demo_course, capsys):
    _, line = notes_line(demo_course, "Practice")
    assert "1 classify-marker" in line
    assert line.endswith("(8 items).")
    assert repairlab(["check", str(demo_course)]) == 0
    assert "instructor-notes" not in capsys.readouterr().out


def test_an_item_taken_off_the_page_makes_the_count_line_fail(demo_course, capsys):
    """The instructor drops the marker item from the practice page and forgets the notes."""
    practice = demo_course / "curriculum" / "01-demo" / "practice.ipynb"
    notebook = json.loads(practice.read_text(encoding="utf-8"))
    notebook["cells"] = [c for c in notebook["cells"]
                         if 'show("m01-marker-01")' not in "".join(c["source"])]
    practice.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    number, _ = notes_line(demo_course, "Practice")
    assert repairlab(["check", str(demo_course)]) == 1
    out = capsys.readouterr().err
    assert (f"{NOTES}:{number}: the practice page's count line is out of date: it says "
            "1 classify-marker (the page shows 0); 8 items in all (the page shows 7).") in out
    assert ("fix: replace the line with: **Practice page:** 1 spot-the-schema, 1 rewrite-reply, "
            "1 pick-repair-step, 1 order-repair-steps, 1 rupture-or-red-flag, 1 reflection, "
            "1 find-the-moment (7 items).") in out


def test_a_count_typed_wrong_is_found_and_the_total_is_optional(demo_course, capsys):
    edit_notes(demo_course, "**Cases page:** 1 simulation (1 item).", "**Cases page:** 3 simulation")
    number, _ = notes_line(demo_course, "Cases")
    assert repairlab(["check", str(demo_course)]) == 1
    out = capsys.readouterr().err
    assert (f"{NOTES}:{number}: the cases page's count line is out of date: it says 3 simulation "
            "(the page shows 1).") in out
    assert "fix: replace the line with: **Cases page:** 1 simulation (1 item)." in out


def test_a_count_in_words_of_ones_own_is_explained(demo_course, capsys):
    edit_notes(demo_course, "1 rewrite-reply,", "1 rewrites,")
    assert repairlab(["check", str(demo_course)]) == 1
    out = capsys.readouterr().err
    assert "count line has '1 rewrites', which is not a number and an exercise kind." in out
    assert "fix: write each entry as a number and a kind's `type` (spot-the-schema," in out


def test_a_count_line_for_a_page_the_module_lacks(demo_course, capsys):
    edit_notes(demo_course, "**Cases page:**", "**Reading page:**")
    assert repairlab(["check", str(demo_course)]) == 1
    assert ("a count line for the reading page, but this module has no reading notebook"
            in capsys.readouterr().err)


# --- the shipped notes -----------------------------------------------------------------------

# A number of items written into prose: what went stale before ("23 rewrites", "27 items").
PROSE_COUNT = re.compile(
    r"(?<!Young's )\b\d+ (?:[a-z-]+ )?(?:items?|rewrites?|markers?|schemas?|repair[- ]steps?|"
    r"pick-the-step|ordering|cases|simulations?|"
    + "|".join(k for k in KINDS if k != "reflection")  # "10 reflection" is minutes of it
    + r")\b", re.I)


def test_the_shipped_notes_state_counts_only_in_count_lines():
    for notes in sorted((REPO / "curriculum").glob("*/instructor-notes.md")):
        lines = notes.read_text(encoding="utf-8").splitlines()
        assert any(line.startswith("**Practice page:**") for line in lines), notes.parent.name
        stray = [f"{notes.parent.name}:{n}: {line}" for n, line in enumerate(lines, 1)
                 if not COUNT_LINE.match(line) and PROSE_COUNT.search(line)]
        assert not stray, "\n".join(stray)


def test_the_shipped_count_lines_are_right():
    report = check_course(REPO)
    assert not [p.format(REPO) for p in report.problems if p.path.name == "instructor-notes.md"]
    module4 = (REPO / "curriculum" / "04-non-defensive-responding" / "instructor-notes.md")
    assert "26 rewrite-reply" in module4.read_text(encoding="utf-8")


def test_module_4s_practice_time_covers_its_page():
    """The notes give the rewrites two to three minutes each: the practice time they state must
    hold that many rewrites, plus a minute or two for each other item, from the page's counts."""
    report = check_course(REPO)
    module = next(m for m in report.course.modules if m.slug == "non-defensive-responding")
    counts = page_counts(report.course, module)["practice"]
    notes = (module.path / "instructor-notes.md").read_text(encoding="utf-8")
    stated = int(re.search(r"(\d+) minutes practice \(the rewrites at two\s+to three minutes "
                           r"each", notes).group(1))
    others = sum(n for kind, n in counts.items() if kind not in ("rewrite-reply", "reflection"))
    low = 2 * counts["rewrite-reply"] + others
    high = 3 * counts["rewrite-reply"] + 2 * others
    # Not at the very bottom either: every rewrite done in two minutes is no plan for a class.
    assert low + (high - low) // 4 <= stated <= high, (stated, low, high)
    # The landing page's "about N minutes" for the module is the notes' total.
    total = int(re.search(r"About (\d+) minutes of student time", notes).group(1))
    assert module.manifest.minutes == total
