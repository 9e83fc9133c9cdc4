"""repairlab check [PATH]: validate manifests, items and notebook references."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..content.check import check_course
from ..content.course import find_course_root
from ..content.errors import ContentError


def add_parser(sub, name: str) -> None:
    parser = sub.add_parser(name, help="check every manifest, exercise item and notebook reference",
                            description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=None,
                        help="the course folder (default: found from the current folder)")
    parser.add_argument("--quiet", action="store_true", help="print problems only (no notes or warnings)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        root = find_course_root(args.path)
    except ContentError as error:
        for problem in error.problems:
            print(problem.format(), file=sys.stderr)
        return 1
    report = check_course(root)
    for problem in report.problems:
        print(problem.format(root), file=sys.stderr)
    if report.problems:
        print(f"\n{len(report.problems)} problem(s) found. Fix them and run `repairlab check` "
              "again.", file=sys.stderr)
        return 1
    if not args.quiet:
        course = report.course
        assert course is not None
        for item_id in report.unused:
            source = course.bank.sources[item_id]
            print(f"note: {source.path.relative_to(root)}:{source.line}: item {item_id!r} is not "
                  "shown in any notebook.")
        for cue in report.warnings:
            print(f"warning: {cue.describe()}\n    fix: {cue.fix()}")
        notebooks = sum(2 + bool(m.manifest.notebooks.cases) + bool(m.manifest.notebooks.practice_mode)
                        for m in course.modules)
        warned = (f", {len(report.warnings)} warning(s) above" if report.warnings else "")
        print(f"OK: {len(course.modules)} modules, {len(course.bank)} exercise items, "
              f"{notebooks} notebooks checked; no problems{warned}.")
    return 0
