"""repairlab export -o FILE: a student's work as one hand-in file.

FILE ending .html gives the printable report with the machine-readable record inside;
.json gives the record alone. Both carry a checksum the gradebook verifies.

Whose work: $REPAIRLAB_STUDENT, else $JUPYTERHUB_USER, else (a laptop) the name or student
number given on the course's home page, or with --name here. --student ID exports the work
recorded under ID (a computer shared through $REPAIRLAB_STUDENT).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub, name: str) -> None:
    parser = sub.add_parser(name, help="write a student's hand-in file (HTML or JSON)",
                            description=__doc__)
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--student", default=None,
                     help="export the work recorded under this student id, named so (default: "
                          "$REPAIRLAB_STUDENT, $JUPYTERHUB_USER, or the name given on a laptop)")
    who.add_argument("--name", default=None,
                     help="on a laptop: your name or student number as on the course roster; "
                          "kept with your progress (as the home page keeps it) and carried by "
                          "the hand-in")
    parser.add_argument("-o", "--output", type=Path, required=True,
                        help="the file to write: .html (report) or .json")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="where the progress database is (default: $REPAIRLAB_DATA_DIR or "
                             "the user data folder)")
    parser.add_argument("--course", type=Path, default=None, help="the course folder")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..coursework import item_index, module_skills
    from ..handin import export_submission
    from ..progress import default_store_path, identify, open_store_safely
    from ._course import load_course_or_explain

    if args.output.suffix.lower() not in (".html", ".htm", ".json"):
        print("error: the output file must end in .html or .json.", file=sys.stderr)
        return 1
    course = load_course_or_explain(args.course)
    if course is None:
        return 1
    path = (args.data_dir / default_store_path().name) if args.data_dir else None
    handle = open_store_safely(path)
    if handle.problem:
        print(f"error: {handle.problem}", file=sys.stderr)
        return 1
    try:
        if args.student:
            student = key = args.student
        else:
            who = identify(handle.store)
            if args.name is not None:
                if not who.asks_for_name:
                    print(f"error: --name is for a laptop; here the id comes from "
                          f"${who.source} ({who.student}).", file=sys.stderr)
                    return 1
                try:
                    handle.store.set_student_name(args.name)
                except ValueError as error:
                    print(f"error: --name: {error}", file=sys.stderr)
                    return 1
                who = identify(handle.store)
            if who.student is None:
                print("error: no name for the hand-in yet. Give your name or student number on "
                      "the course's home page, or here with --name.", file=sys.stderr)
                return 1
            student, key = who.student, who.key
        submission = export_submission(
            handle.store, student, args.output, course_title=course.manifest.title,
            curriculum_version=course.version, items=item_index(course), attempts_of=key,
            item_of=course.item, module_skills=module_skills(course))
    except (OSError, ValueError) as error:
        print(f"error: could not write {args.output}: {error}", file=sys.stderr)
        return 1
    finally:
        handle.close()
    count = len(submission["attempts"])
    if count == 0:
        print(f"warning: no saved work for student {student!r}; the file is empty.",
              file=sys.stderr)
    print(f"Wrote {args.output} ({count} attempts by {student}).")
    return 0
