"""repairlab new-module SLUG --title "...": copy the worked template module into the course.

The copy holds a reading, a practice and a cases notebook, a module manifest, instructor
notes, and exercise files with one worked item of every kind (a case simulation among them);
it is appended to curriculum/course.yaml. The module's number, slug and title are filled in;
the text only the author can write (the summary, the objectives, the reading, its key points
and sources) is left as "TODO: ..." placeholders, listed here, which `repairlab check`
reports as errors until they are replaced: a student never sees one. Everything else in the
copy is valid, so an instructor starts from something that works.
"""

from __future__ import annotations

import argparse
import re
import sys
from importlib import resources
from pathlib import Path

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def add_parser(sub, name: str) -> None:
    parser = sub.add_parser(name, help="start a new module from the worked template",
                            description=__doc__)
    parser.add_argument("slug", help="short lower-case name with hyphens, e.g. cultural-ruptures")
    parser.add_argument("--title", required=True, help='the module title, e.g. "Cultural ruptures"')
    parser.add_argument("--course", type=Path, default=None,
                        help="the course folder (default: found from the current folder)")
    parser.set_defaults(run=run)


def _append_module(course_file: Path, folder: str) -> None:
    """Add the folder to the end of `modules:` without rewriting the file (keeps its comments)."""
    lines = course_file.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("modules:"))
    if lines[start].split("#")[0].strip() in ("modules: []", "modules: null"):
        lines[start] = "modules:\n"  # an empty course: start the block list
    last = start
    for i in range(start + 1, len(lines)):
        stripped = lines[i].strip()
        if stripped.startswith("- "):
            last = i
        elif stripped and not stripped.startswith("#"):
            break
    indent = re.match(r"\s*", lines[last]).group(0) if last > start else "  "
    if not lines[last].endswith("\n"):
        lines[last] += "\n"
    lines.insert(last + 1, f"{indent}- {folder}\n")
    course_file.write_text("".join(lines), encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    from ..content.check import check_course
    from ..content.course import find_course_root
    from ..content.errors import ContentError
    from ..content.yaml_source import load_yaml

    if not _SLUG.match(args.slug):
        print(f"error: {args.slug!r} is not a valid slug: use lower-case letters, digits and "
              "hyphens, e.g. cultural-ruptures.", file=sys.stderr)
        return 1
    try:
        root = find_course_root(args.course)
    except ContentError as error:
        print(error, file=sys.stderr)
        return 1
    # Read only the module list: a course being started from scratch has none yet, which
    # `check` rightly rejects but new-module must accept.
    try:
        data = load_yaml(root / "curriculum" / "course.yaml").data or {}
    except ContentError as error:
        print(error, file=sys.stderr)
        return 1
    existing = [str(f) for f in (data.get("modules") or [])]
    number = max((int(f[:2]) for f in existing if f[:2].isdigit()), default=0) + 1
    folder = f"{number:02d}-{args.slug}"
    module_dir = root / "curriculum" / folder
    exercise_dir = root / "exercises" / args.slug
    for target in (module_dir, exercise_dir):
        if target.exists():
            print(f"error: {target.relative_to(root)} already exists; choose another slug.",
                  file=sys.stderr)
            return 1
    if any(f.split("-", 1)[-1] == args.slug for f in existing):
        print(f"error: a module with slug {args.slug!r} is already in the course.", file=sys.stderr)
        return 1

    # Titles go into YAML and Markdown: escape the one character that would end the quoted value.
    values = {"__NN__": f"{number:02d}", "__N__": str(number), "__SLUG__": args.slug,
              "__TITLE__": args.title.replace('"', "'")}
    template = resources.files("repairlab") / "templates" / "module"
    for source_dir, target_dir in (("curriculum", module_dir), ("exercises", exercise_dir)):
        target_dir.mkdir(parents=True)
        for entry in (template / source_dir).iterdir():
            text = entry.read_text(encoding="utf-8")
            for key, value in values.items():
                text = text.replace(key, value)
            (target_dir / entry.name).write_text(text, encoding="utf-8")
    _append_module(root / "curriculum" / "course.yaml", folder)

    report = check_course(root)
    own = [p for p in report.problems
           if module_dir in p.path.parents or exercise_dir in p.path.parents]
    placeholders = [p for p in own if p.kind == "placeholder"]
    others = [p for p in own if p.kind != "placeholder"]
    for problem in others:
        print(problem.format(root), file=sys.stderr)
    print(f"Created curriculum/{folder}/ and exercises/{args.slug}/: a reading, a practice and a "
          f"cases page, with one worked item of every kind,\n"
          f"and added {folder} to curriculum/course.yaml.")
    if placeholders:
        print(f"\nStill to write: `repairlab check` fails until each of these {len(placeholders)} "
              "placeholders is replaced with your own text:")
        for problem in placeholders:
            print("  " + problem.format(root).splitlines()[0])
    print(f"\nNext: write the reading and the placeholders above, adapt or replace the worked "
          f"items in exercises/{args.slug}/, and run `repairlab check`.")
    return 1 if others else 0
