"""``repairlab check``: everything an instructor can get wrong, found before students do."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .compiled import compile_course
from .course import Course
from .cues import Cue, course_choice_points, cue_warnings
from .errors import AuthoringProblem
from .notes_counts import notes_count_problems


@dataclass
class CheckReport:
    course: Course | None
    problems: list[AuthoringProblem]
    unused: list[str]  # item ids no notebook shows: not an error, but probably a slip
    compiled: Path | None = None  # where the valid items were compiled for the pages
    # Kinds whose keys can be found by pattern (longest option, one position): not errors,
    # but an author should look at the items named (content/cues.py).
    warnings: list[Cue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_course(root: Path) -> CheckReport:
    """Load and validate everything; the valid items are compiled for the students' pages on
    the way (content/compiled.py), so a checked course serves lighter pages."""
    compiled = compile_course(root)
    course, problems = compiled.course, compiled.problems
    unused, warnings = [], []
    if course is not None:
        unused = sorted(i for i in course.bank.items if i not in course.shown_in)
        warnings = cue_warnings(course_choice_points(course.bank))
        # Counts the instructor notes state, against the pages (content/notes_counts.py).
        problems = [*problems, *notes_count_problems(course)]
    return CheckReport(course, problems, unused, compiled.folder, warnings)
