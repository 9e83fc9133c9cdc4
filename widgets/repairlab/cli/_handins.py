"""The options `repairlab gradebook` and `repairlab dashboard` share for choosing each
student's hand-in, so that both read a folder the same way."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

RENAME_HELP = ("count FILE (as listed in the messages, its path, or its name if no other file "
               "has it) as student ID: for a hand-in with a wrong or missing name. The file is "
               "not changed, so this is not counted as editing it. Repeat for more files.")
NEWEST_HELP = ("when hand-ins with one student id come from different progress files "
               "(different computers or browsers), count the newest instead of stopping; each "
               "file it replaces is listed")


def add_choice_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--newest", action="store_true", help=NEWEST_HELP)
    parser.add_argument("--rename", action="append", default=[], metavar="FILE=ID",
                        help=RENAME_HELP)


def _absolute(file: str) -> str:
    """A FILE that exists from here, as an absolute path (the dashboard's kernel runs
    elsewhere); a name as listed, or the end of one, as it is."""
    path = Path(file).expanduser()
    if path.exists():
        return str(path.resolve())
    archive, slash, member = file.rpartition(".zip/")
    if slash and Path(archive + ".zip").expanduser().is_file():
        return f"{Path(archive + '.zip').expanduser().resolve()}/{member}"
    return file


def renames_from(values: list[str]) -> dict[str, str]:
    """``["a.html=s123", ...]`` as {file: id}; ``ValueError`` with a message for the user."""
    from ..progress import clean_student_id

    renames: dict[str, str] = {}
    for value in values:
        file, equals, student = value.rpartition("=")
        if not equals or not file.strip():
            raise ValueError(f"--rename {value}: write it as FILE=ID, e.g. --rename "
                             "laptop-a/local-student.html=s1234567.")
        try:
            renames[_absolute(file.strip())] = clean_student_id(student)
        except ValueError as error:
            raise ValueError(f"--rename {value}: the id cannot be used. {error}") from None
    return renames


def renames_or_explain(values: list[str]) -> dict[str, str] | None:
    """:func:`renames_from`, or None after telling the user why on stderr."""
    try:
        return renames_from(values)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return None
