"""Hand-ins received by the hand-in service (``repairlab.serving.service``), kept on disk.

The service receives the same checksummed record as the hand-in file (:mod:`.format`) and keeps
**every version** a student sends, one JSON file each, in a folder per student::

    <inbox>/<student>/0001-20261206T003012.123456Z.json
    <inbox>/<student>/0002-20261206T004501.000001Z.json   <- the newest counts

The folder is an ordinary folder of hand-ins: the dashboard and the gradebook read it with
:mod:`repairlab.collect` exactly as they read an LMS download (every version of a student comes
from the same progress file, so the newest counts and the older ones are listed as replaced).

A version is written with :func:`repairlab.atomic.write_text_atomic` (temporary file, fsync,
rename, fsync of the folder) before the student gets a receipt: a receipt means the work is on
disk, and a crash or ``kill -9`` mid-write leaves at most a hidden temporary file, which the
collector never reads. Versions are numbered by one process (the service writes from its event
loop, one at a time), so two hand-ins never take the same number.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from repairlab import timestamps
from repairlab.atomic import write_text_atomic

from .format import SubmissionError, read_submission, read_submission_bytes

__all__ = ["Inbox", "NotYourWork", "Receipt"]

_VERSION_FILE = re.compile(r"^(\d{4,})-(\d{8}T\d{6}\.\d{6}Z)\.json$")


class NotYourWork(PermissionError):
    """A hand-in that names another student than the one who sent it."""


@dataclass(frozen=True)
class Receipt:
    """What the student is told (and the service answers) once a version is on disk."""

    student: str
    version: int
    received_at: str  # ISO 8601, UTC
    created_at: str  # when the student's page built the record
    attempts: int
    exercises: int  # distinct exercises attempted
    checksum: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _folder_name(student: str) -> str:
    """A student id as one safe folder name (``/`` and the like %-escaped, never hidden)."""
    name = quote(student, safe="")
    return "%2E" + name[1:] if name.startswith(".") else name


def _compact(moment: str) -> str:
    return timestamps.parse(moment).strftime("%Y%m%dT%H%M%S.%fZ")


def _from_compact(text: str) -> str:
    from datetime import datetime, timezone

    moment = datetime.strptime(text, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=timezone.utc)
    return moment.isoformat(timespec="microseconds")


def _receipt(student: str, version: int, received_at: str, submission: dict) -> Receipt:
    attempts = submission.get("attempts") or []
    return Receipt(student=student, version=version, received_at=received_at,
                   created_at=str(submission.get("created_at", "")), attempts=len(attempts),
                   exercises=len({a.get("item_id") for a in attempts}),
                   checksum=str(submission.get("checksum", "")))


class Inbox:
    """The received hand-ins under ``folder`` (created if missing)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def folder_of(self, student: str) -> Path:
        return self.folder / _folder_name(student)

    def _numbered(self, student: str) -> list[tuple[int, str, Path]]:
        folder = self.folder_of(student)
        if not folder.is_dir():
            return []
        found = []
        for path in folder.iterdir():
            match = _VERSION_FILE.match(path.name)
            if match:
                found.append((int(match.group(1)), _from_compact(match.group(2)), path))
        return sorted(found)

    def receive(self, data: bytes, student: str) -> Receipt:
        """Verify ``data`` (a hand-in record, JSON) as ``student``'s work and keep it as their
        next version; the receipt is returned only once it is on disk.

        Raises :class:`SubmissionError` for a record that is not a hand-in or was changed
        (checksum), :class:`NotYourWork` for another student's record.
        """
        submission = read_submission_bytes(data, "the hand-in")
        if submission["student"] != student or any(
                a.get("student") != student for a in submission["attempts"]):
            raise NotYourWork(f"This hand-in is {submission['student']}'s work, and you are "
                              f"signed in as {student}: you may hand in only your own work.")
        numbered = self._numbered(student)
        version = numbered[-1][0] + 1 if numbered else 1
        received_at = timestamps.utc_now()
        folder = self.folder_of(student)
        folder.mkdir(exist_ok=True)
        text = json.dumps(submission, ensure_ascii=False, indent=2) + "\n"
        write_text_atomic(folder / f"{version:04d}-{_compact(received_at)}.json", text)
        return _receipt(student, version, received_at, submission)

    def versions(self, student: str) -> list[Receipt]:
        """Every version ``student`` handed in, oldest first (the last one counts). A file
        that no longer verifies is left out (it is not one the service wrote)."""
        receipts = []
        for version, received_at, path in self._numbered(student):
            try:
                submission = read_submission(path)
            except SubmissionError:
                continue
            receipts.append(_receipt(student, version, received_at, submission))
        return receipts

    def students(self) -> list[str]:
        """Everyone who has handed in at least once."""
        return sorted(unquote(p.name) for p in self.folder.iterdir()
                      if p.is_dir() and self._numbered(unquote(p.name)))
