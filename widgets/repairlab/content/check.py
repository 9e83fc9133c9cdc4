"""``repairlab check``: everything an instructor can get wrong, found before students do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .course import Course, load_course
from .errors import AuthoringProblem


@dataclass
class CheckReport:
    course: Course | None
    problems: list[AuthoringProblem]
    unused: list[str]  # item ids no notebook shows: not an error, but probably a slip

    @property
    def ok(self) -> bool:
        return not self.problems


def check_course(root: Path) -> CheckReport:
    course, problems = load_course(root)
    unused = []
    if course is not None:
        unused = sorted(i for i in course.bank.items if i not in course.shown_in)
    return CheckReport(course, problems, unused)
