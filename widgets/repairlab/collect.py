"""A class's hand-ins, read the same way for the gradebook and the dashboard.

:func:`collect` reads what an instructor downloaded from the LMS: hand-in files, folders of
them at any depth (bulk downloads put each student's upload in its own folder), and zip files
of either. Every file it cannot use is listed as :class:`Skipped` with the reason, never raised.

:func:`choose` then picks one hand-in per student: it leaves out other curriculum versions and
decides what several hand-ins with one student id mean. ``repairlab gradebook`` and
``repairlab dashboard`` both call these two functions, so they read the same files, skip the
same ones with the same words, and count the same hand-in for each student.
"""

from __future__ import annotations

import logging
import os
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from repairlab import timestamps
from repairlab.handin import SubmissionError, read_submission, read_submission_bytes

__all__ = [
    "HANDIN_SUFFIXES",
    "MAX_HANDIN_BYTES",
    "ZIP_SUFFIX",
    "Choice",
    "Collected",
    "HandIn",
    "RenameError",
    "Skipped",
    "choose",
    "collect",
]

log = logging.getLogger("repairlab.collect")

HANDIN_SUFFIXES = (".html", ".htm", ".json")
ZIP_SUFFIX = ".zip"
# A hand-in holds text answers: even a whole course answered many times over is a few MB. A
# bigger file is something else (a video renamed .html?) and would only fill the memory.
MAX_HANDIN_BYTES = 64 * 1024 * 1024

_FRESH = "Ask the student for a fresh hand-in."


@dataclass(frozen=True)
class HandIn:
    """One readable hand-in. ``name`` is how messages show it (a zip member as
    ``archive.zip/folder/file.html``); ``path`` is the file on disk (for a member, the zip)."""

    name: str
    path: Path
    member: str | None
    submission: dict[str, Any]
    renamed_to: str | None = None  # the id an instructor gave it (--rename)

    @property
    def student(self) -> str:
        """The student id it counts for: as recorded in the file, unless renamed."""
        return self.renamed_to or self.submission["student"]

    @property
    def store_id(self) -> str | None:
        """The id of the progress file it came from (``None`` in hand-ins made before ids)."""
        value = self.submission.get("store_id")
        return value if isinstance(value, str) and value else None

    @property
    def curriculum_version(self) -> str:
        return self.submission["curriculum_version"]

    @property
    def created(self):
        return timestamps.newest_first_key(self.submission.get("created_at"))

    @property
    def downloaded(self) -> str:
        """When the student downloaded it, for people."""
        return timestamps.format_for_people(self.submission.get("created_at", "?"))


@dataclass(frozen=True)
class Skipped:
    """A file left out. ``reason`` reads on from the file name: "ben.html" + " " + reason."""

    path: Path
    name: str
    reason: str

    @property
    def message(self) -> str:
        return f"{self.name} {self.reason}"


@dataclass
class Collected:
    handins: list[HandIn] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Finding and reading the files


@dataclass(frozen=True)
class _Candidate:
    name: str
    path: Path
    member: str | None = None
    size: int | None = None
    problem: str | None = None  # already known not to be usable


def _hidden(parts: Iterable[str]) -> bool:
    # .DS_Store, editor backups, macOS "._" copies and "__MACOSX" folders in zip files are
    # never anyone's hand-in.
    return any(part.startswith(".") or part == "__MACOSX" for part in parts)


def _display(path: Path, relative_to: Path | None) -> str:
    if relative_to is not None:
        try:
            return path.relative_to(relative_to).as_posix()
        except ValueError:
            pass
    return str(path)


def _zip_members(path: Path, name: str) -> Iterator[_Candidate]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        detail = getattr(error, "strerror", None) or error
        yield _Candidate(name, path, problem=f"is a zip file that could not be opened ({detail}). "
                                             "Download it again, or unzip it and give the folder.")
        return
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            member = PurePosixPath(info.filename)
            if info.is_dir() or _hidden(member.parts):
                continue
            yield _Candidate(f"{name}/{info.filename}", path, info.filename, info.file_size)


def _candidates(paths: Iterable[str | os.PathLike[str]], relative_to: Path | None,
                exclude: set[Path]) -> list[_Candidate]:
    found: list[_Candidate] = []
    for given in paths:
        root = Path(given).expanduser()
        if root.is_dir():
            files = sorted(p for p in root.rglob("*")
                           if not _hidden(p.relative_to(root).parts) and p.is_file())
        else:
            files = [root]  # a missing file is reported when it is read
        for path in files:
            if path.resolve() in exclude:
                continue
            name = _display(path, relative_to)
            if path.suffix.lower() == ZIP_SUFFIX:
                found.extend(_zip_members(path, name))
            else:
                found.append(_Candidate(name, path))
    return found


def _reason(message: str, name: str) -> str:
    # read_submission's messages start with the file name; Skipped.message puts it back.
    return message[len(name):].lstrip() if message.startswith(name) else message


def _read(candidate: _Candidate) -> HandIn | Skipped:
    name, path = candidate.name, candidate.path
    if candidate.problem:
        return Skipped(path, name, candidate.problem)
    suffix = PurePosixPath(candidate.member or path.name).suffix.lower()
    if suffix == ZIP_SUFFIX:
        return Skipped(path, name, "is a zip file inside a zip file. Unzip the outer one and "
                                   "give the folder.")
    if suffix not in HANDIN_SUFFIXES:
        return Skipped(path, name, "is not a RepairLab hand-in: hand-ins are .html or .json "
                                   "files (or zip files of them).")
    size = candidate.size
    if size is None:
        try:
            size = path.stat().st_size
        except OSError:
            size = 0  # read_submission below says why it cannot be read
    if size > MAX_HANDIN_BYTES:
        return Skipped(path, name, f"is far too big to be a RepairLab hand-in. {_FRESH}")
    try:
        if candidate.member is None:
            submission = read_submission(path, name=name)
        else:
            with zipfile.ZipFile(path) as archive, archive.open(candidate.member) as member:
                data = member.read(MAX_HANDIN_BYTES + 1)  # the size in the zip may lie
            if len(data) > MAX_HANDIN_BYTES:
                return Skipped(path, name, f"is far too big to be a RepairLab hand-in. {_FRESH}")
            submission = read_submission_bytes(data, name)
    except SubmissionError as error:
        return Skipped(path, name, _reason(str(error), name))
    except Exception as error:  # whatever a student uploads, the rest of the class is read
        log.exception("could not read %s", name)
        return Skipped(path, name, f"could not be read ({type(error).__name__}). {_FRESH}")
    return HandIn(name, path, candidate.member, submission)


def collect(
    paths: Iterable[str | os.PathLike[str]],
    *,
    relative_to: str | os.PathLike[str] | None = None,
    exclude: Iterable[str | os.PathLike[str]] = (),
    progress: Callable[[int, int], None] | None = None,
) -> Collected:
    """Read every hand-in in ``paths``: files, folders (with all their sub-folders) and zip
    files of either. Hidden files are passed over; every other file is either a
    :class:`HandIn` or :class:`Skipped` with the reason, in the order of their names.

    ``relative_to`` shortens the names in messages (the dashboard names files within its
    folder); ``exclude`` lists files to pass over (the gradebook's own CSV). ``progress(done,
    total)`` is called after each file, with done = 1 .. total.
    """
    base = Path(relative_to).expanduser() if relative_to is not None else None
    found = _candidates(paths, base, {Path(p).expanduser().resolve() for p in exclude})
    result = Collected()
    for done, candidate in enumerate(found, start=1):
        read = _read(candidate)
        (result.handins if isinstance(read, HandIn) else result.skipped).append(read)
        if progress is not None:
            progress(done, len(found))
    return result


# --------------------------------------------------------------------------------------------
# One hand-in per student


@dataclass
class Choice:
    """The hand-in that counts for each student, and why the others do not.

    ``chosen`` is sorted by student id. ``skipped`` holds hand-ins of other curriculum
    versions; ``notes`` says which hand-ins replaced which, and which were renamed;
    ``conflicts`` names the students whose hand-ins came from different progress files (left
    out of ``chosen``: they may be two students' work).
    """

    version: str | None
    chosen: dict[str, HandIn] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


class RenameError(ValueError):
    """A ``--rename FILE=ID`` that names no hand-in, or more than one."""


def _majority_version(handins: list[HandIn]) -> str | None:
    if not handins:
        return None
    counts = Counter(h.curriculum_version for h in handins)
    top = max(counts.values())
    # On a tie, the version of the newest hand-in: the course is most likely on it now.
    newest_first = sorted(handins, key=lambda h: h.created, reverse=True)
    return next(h.curriculum_version for h in newest_first if counts[h.curriculum_version] == top)


def _other_version(handin: HandIn, version: str) -> Skipped:
    theirs = handin.curriculum_version
    return Skipped(handin.path, handin.name, (
        f"was made for curriculum version {theirs!r}, but these hand-ins are read for version "
        f"{version!r}, so it was left out. Merge it separately with curriculum version "
        f"{theirs!r} (that version's course), or ask the student to open the current course "
        "and download a new hand-in."))


def _newest(handins: list[HandIn]) -> list[HandIn]:
    """Newest first: by when it was downloaded, then the one with more work, then by name."""
    return sorted(handins, key=lambda h: (h.created, len(h.submission.get("attempts") or []),
                                          h.name), reverse=True)


def _store_key(handin: HandIn) -> str:
    # A hand-in from before progress files had ids is treated as its own progress file: two
    # such files of one student id may be two students' work, so they are never merged unasked.
    return handin.store_id or f"file:{handin.path}:{handin.member}"


def _described(handin: HandIn) -> str:
    store = f", progress file {handin.store_id[:8]}" if handin.store_id else ""
    return f"{handin.name} (downloaded {handin.downloaded}{store})"


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _matches(handin: HandIn, given: str) -> bool:
    if given == handin.name:
        return True
    if handin.member is None:
        return Path(given).expanduser().resolve() == handin.path.resolve()
    archive, slash, member = given.rpartition(f"{ZIP_SUFFIX}/")
    return (bool(slash) and member == handin.member
            and Path(archive + ZIP_SUFFIX).expanduser().resolve() == handin.path.resolve())


def _parts(name: str) -> list[str]:
    return [part for part in name.replace("\\", "/").split("/") if part not in ("", ".")]


def _ends_with(name: str, given: str) -> bool:
    tail = _parts(given)
    return bool(tail) and _parts(name)[-len(tail):] == tail


def _find(handins: list[HandIn], given: str) -> HandIn:
    found = [h for h in handins if _matches(h, given)]
    if not found:  # the end of a name as listed (e.g. the bare file name), if only one has it
        found = [h for h in handins if _ends_with(h.name, given)]
    if len(found) == 1:
        return found[0]
    if found:
        raise RenameError(f"--rename {given}=…: {len(found)} hand-ins are called that "
                          f"({_listed([h.name for h in found])}). Give the file as listed here.")
    example = f" (e.g. {handins[0].name})" if handins else ""
    raise RenameError(f"--rename {given}=…: no hand-in that could be read is called that. Give "
                      f"the file as the gradebook lists it{example}.")


def _renamed(handins: list[HandIn], renames: Mapping[str, str],
             notes: list[str]) -> list[HandIn]:
    by_file: dict[int, str] = {}
    for given, student in renames.items():
        handin = _find(handins, given)
        if id(handin) in by_file and by_file[id(handin)] != student:
            raise RenameError(f"--rename: {handin.name} is given two ids, "
                              f"{by_file[id(handin)]!r} and {student!r}.")
        by_file[id(handin)] = student
    renamed = []
    for handin in handins:
        student = by_file.get(id(handin))
        if student is None or student == handin.student:
            renamed.append(handin)
            continue
        notes.append(f"{handin.name} names the student {handin.student!r}; it is counted as "
                     f"{student!r}, as --rename asks (the file itself is not changed).")
        renamed.append(replace(handin, renamed_to=student))
    return renamed


def choose(
    handins: Iterable[HandIn],
    *,
    curriculum_version: str | None = None,
    newest: bool = False,
    renames: Mapping[str, str] | None = None,
) -> Choice:
    """One hand-in per student, of one curriculum version.

    Without ``curriculum_version``, the version most hand-ins were made for (so totals are
    never mixed across versions). ``renames`` maps a file (its name as listed, its path, or
    the end of its name, e.g. the bare file name, if no other file's name ends so) to the
    student id it counts as, for a hand-in with a wrong or missing name; it raises
    :class:`RenameError` for a file it cannot find or cannot tell apart.

    Several hand-ins with one student id:

    * from one progress file (the same ``store_id``) they are the student handing in again:
      the newest counts and each older one is listed in ``notes`` as replaced;
    * from different progress files they may be two students' work (two laptops where
      nobody set a name): they are a conflict, listed in ``conflicts`` naming every file, and
      the student is left out, unless ``newest`` is set; then the newest counts and each file
      it replaced is listed in ``notes``.
    """
    notes: list[str] = []
    handins = _renamed(list(handins), renames or {}, notes)
    version = curriculum_version if curriculum_version is not None else _majority_version(handins)
    choice = Choice(version=version, notes=notes)
    by_student: dict[str, list[HandIn]] = {}
    for handin in handins:
        if handin.curriculum_version != version:
            choice.skipped.append(_other_version(handin, version or ""))
        else:
            by_student.setdefault(handin.student, []).append(handin)
    for student in sorted(by_student):
        keep, *older = _newest(by_student[student])
        stores = {_store_key(h) for h in by_student[student]}
        if len(stores) > 1 and not newest:
            choice.conflicts.append(_conflict(student, [keep, *older]))
            continue
        choice.chosen[student] = keep
        for old in older:
            if _store_key(old) == _store_key(keep):
                choice.notes.append(
                    f"{student} handed in again: {_described(keep)} counts, and replaces the "
                    f"earlier {_described(old)} from the same progress file.")
            else:
                choice.notes.append(
                    f"{student}: {_described(keep)} counts, the newest, as --newest asks; it "
                    f"replaces {_described(old)}, which came from a different progress file.")
    return choice


def _conflict(student: str, handins: list[HandIn]) -> str:
    count = "Two" if len(handins) == 2 else str(len(handins))
    return (
        f"{count} hand-ins name the same student, {student!r}, but come from different progress "
        f"files (different computers, browsers or accounts), so they may be different students' "
        f"work: {_listed([_described(h) for h in handins])}. None of them was counted. If they "
        "are different students, give each file its student's id with --rename FILE=ID (this "
        "does not change the file, so it is not counted as editing it). If they are all this "
        "student's work, pass --newest to count the newest."
    )
