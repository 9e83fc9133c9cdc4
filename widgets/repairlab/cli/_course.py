"""Loading the course for subcommands that need it whole (export, gradebook, dashboard)."""

from __future__ import annotations

import sys
from pathlib import Path


def load_course_or_explain(path: Path | None):
    """The course, or None after telling the user why on stderr (never a traceback)."""
    from ..content.course import find_course_root, load_course
    from ..content.errors import ContentError

    try:
        course, _ = load_course(find_course_root(path))
    except ContentError as error:
        print(error, file=sys.stderr)
        return None
    if course is None:
        print("error: the course has problems; run `repairlab check` to see them.",
              file=sys.stderr)
    return course
