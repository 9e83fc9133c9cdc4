"""repairlab gradebook SUBMISSION... -o grades.csv: merge hand-in files into an LMS CSV.

One row per student; completion and score per module. SUBMISSION is a hand-in file, a folder
(sub-folders are read too) or a zip file, read exactly as `repairlab dashboard` reads them.
Files that are not hand-ins, come from another curriculum version, or were edited after
download are reported and left out.

A student who hands in again counts with the newest hand-in from the same progress file. Two
hand-ins with one student id from different progress files (two laptops where nobody gave a
name, say) stop the gradebook: nothing is written until you --rename the files that belong to
someone else, or ask for the --newest.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..wording import counted
from ._handins import add_choice_options, renames_or_explain


def add_parser(sub, name: str) -> None:
    parser = sub.add_parser(name, help="merge students' hand-in files into a CSV",
                            description=__doc__)
    parser.add_argument("submissions", nargs="+", type=Path,
                        help="hand-in files (.html or .json), folders of them (sub-folders "
                             "too, as LMS bulk downloads make), or zip files of either")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the CSV to write")
    parser.add_argument("--course", type=Path, default=None, help="the course folder")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_choice_options(parser)
    parser.set_defaults(run=run)


def _progress_bar(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    print(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} files",
          end="\n" if done == total else "", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from ..collect import RenameError
    from ..coursework import module_items, module_skills, module_titles
    from ..gradebook import merge_submissions, write_csv
    from ._course import load_course_or_explain

    renames = renames_or_explain(args.rename)
    if renames is None:
        return 1
    course = load_course_or_explain(args.course)
    if course is None:
        return 1
    try:
        result = merge_submissions(
            args.submissions, curriculum_version=course.version, modules=module_titles(course),
            module_items=module_items(course), exclude=[args.output], newest=args.newest,
            renames=renames, progress=None if args.quiet else _progress_bar,
            module_skills=module_skills(course))
    except RenameError as error:
        print(f"error: {error} Nothing was written.", file=sys.stderr)
        return 1
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    for error in result.errors:
        print(f"skipped: {error}", file=sys.stderr)
    for conflict in result.conflicts:
        print(f"error: {conflict}", file=sys.stderr)
    if result.conflicts:
        print(f"error: nothing written: {counted(len(result.conflicts), 'student id')} above came from "
              "more than one progress file.", file=sys.stderr)
        return 1
    if not result.rows:
        print("error: no valid hand-in files found; nothing written.", file=sys.stderr)
        return 1
    write_csv(result, args.output)
    print(f"Wrote {args.output}: {counted(len(result.rows), 'student')}"
          + (f", {counted(len(result.errors), 'file')} skipped." if result.errors else "."))
    return 1 if result.errors else 0
