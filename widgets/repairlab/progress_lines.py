"""The static site's progress store: every answer kept as one JSON line in the browser's drive.

A page of the static site runs in Pyodide, which has no sqlite3. Its kernel sees the
browser's drive (JupyterLite's storage, kept in IndexedDB) as the folder ``/drive``; this
store appends one line per event there, behind the same interface as the SQLite store
(progress.py), and passes the same contract tests (tests/test_progress.py runs them on both).

The file (``progress.jsonl``), one JSON object a line:

* ``{"format": 1, "store_id": "..."}`` first: the file's own random id, as the SQLite file has;
* ``{"attempt": {...}}`` one per answer, ``Attempt.to_dict()`` as the SQLite store would
  return it (JSON-normalised, timestamp filled in);
* ``{"draft": {"student", "item_id", "text", "saved_at"}}``, the text ``""`` when cleared;
* ``{"meta": "student_name", "value": "..."}``, the name the student gave;
* ``{"rating": {"student", "item_id", "attempt_at", "rating", "rated_at"}}``, how hard an
  attempt felt (0-10); a later line for the same attempt replaces it;
* ``{"diary": {"student", "module", "entry": {...}, "saved_at"}}``, the practice diary's
  entry for a module (``repairlab.diary``); a later line for the same module replaces it.

Appending only, never rewriting, keeps every saved line safe from a later failed write. A line
that cannot be read (a write cut off when the tab closed) is skipped with a log message, as
the SQLite store skips an unreadable row; the lines after it still count. Reading is cached
by the file's size and time, so a page opening ten exercises reads the file once.

Two known differences from SQLite, both in docs/deploying.md: the file lives in one browser
(a private window, or a browser that clears site data, loses it: the hand-in file is the
copy that counts), and two tabs of the same page that save in the same instant may lose one
of the two lines (JupyterLite writes a drive file whole).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from repairlab import diary, timestamps
from repairlab.attempts import (
    Attempt,
    DisabledStore,
    StoreHandle,
    _prepared,
    _saving_off,
    _to_json,
    check_rating,
    clean_student_id,
)

log = logging.getLogger("repairlab.progress")

LINES_FILENAME = "progress.jsonl"
FORMAT = 1
# The browser's drive in a JupyterLite kernel. The file sits at its top: a folder made in the
# drive would be looked up on the site first (a 404 in the console on every visit). Its name
# ends in ``.txt`` because JupyterLite's drive stores a ``.json``/``.jsonl`` file as one parsed
# JSON document: from the second line on, the page's JSON.parse threw, the drive never
# answered the kernel's synchronous request, and every save hung the kernel for good.
BROWSER_FILE = "/drive/repairlab-progress.txt"


class NewerFormatError(RuntimeError):
    """The file was written by a newer RepairLab: left exactly as it is."""


def default_lines_path() -> Path:
    """In ``REPAIRLAB_DATA_DIR`` if set (tests), else at the top of the browser's drive."""
    configured = os.environ.get("REPAIRLAB_DATA_DIR", "").strip()
    return Path(configured).expanduser() / LINES_FILENAME if configured else Path(BROWSER_FILE)


class _Events:
    """What the file says, read once per change of the file."""

    def __init__(self) -> None:
        self.attempts: list[Attempt] = []
        self.drafts: dict[tuple[str, str], str] = {}
        self.ratings: dict[str, dict[tuple[str, str], int]] = {}
        self.diary: dict[str, dict[str, dict[str, str]]] = {}
        self.meta: dict[str, str] = {}
        self.ends_with_newline = True


def _read(path: Path) -> _Events:
    events = _Events()
    with open(path, encoding="utf-8", errors="replace") as file:
        text = file.read()
    events.ends_with_newline = not text or text.endswith("\n")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
            if "attempt" in event:
                events.attempts.append(Attempt.from_dict(event["attempt"]))
            elif "draft" in event:
                draft = event["draft"]
                key = (str(draft["student"]), str(draft["item_id"]))
                if draft["text"]:
                    events.drafts[key] = str(draft["text"])
                else:
                    events.drafts.pop(key, None)
            elif "rating" in event:
                rated = event["rating"]
                events.ratings.setdefault(str(rated["student"]), {})[
                    (str(rated["item_id"]), str(rated["attempt_at"]))] = int(rated["rating"])
            elif "diary" in event:
                kept = event["diary"]
                events.diary.setdefault(str(kept["student"]), {})[str(kept["module"])] = {
                    **diary.clean_entry(kept["entry"]), "saved_at": str(kept["saved_at"])}
            elif "meta" in event:
                events.meta[str(event["meta"])] = str(event["value"])
            elif "format" in event:
                if int(event["format"]) > FORMAT:
                    raise NewerFormatError(f"{path} is in format {event['format']}")
                events.meta.setdefault("store_id", str(event["store_id"]))
        except NewerFormatError:
            raise
        except (TypeError, ValueError, KeyError, AttributeError):
            # One unreadable line should not hide all the others from the student.
            log.error("Skipping unreadable line %d of the progress file %s", number, path)
    # As the SQLite store orders them: by time, then in the order they were saved.
    order = {id(a): n for n, a in enumerate(events.attempts)}
    events.attempts.sort(key=lambda a: (a.created_at or "", order[id(a)]))
    return events


class LinesStore:
    """Attempts of every student who uses this file, oldest first: ``ProgressStore``'s
    interface (record, attempts, latest, latest_by_item, students, drafts, store_id, the
    student's name, backup_to, integrity_problems, close), kept as JSON lines.

    Opening creates the file if needed (with mode "w": a JupyterLite drive hangs on an append
    to a file that does not exist yet) and raises on any problem. Afterwards errors raise too,
    unless ``on_error`` is given: then a failing operation logs, switches the store off and
    calls ``on_error(message, exc)``, as ``ProgressStore`` does.
    """

    def __init__(self, path: str | os.PathLike[str], *,
                 on_error: Callable[[str, BaseException], None] | None = None) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._on_error = on_error
        self._disabled = False
        self._closed = False
        self._cache: tuple[tuple[int, int], _Events] | None = None
        if not self.path.exists():
            with open(self.path, "w", encoding="utf-8") as file:
                file.write(json.dumps({"format": FORMAT, "store_id": uuid.uuid4().hex}) + "\n")
        events = self._events()  # raises NewerFormatError, OSError
        if "store_id" not in events.meta:  # a file whose first line was lost
            self._append({"format": FORMAT, "store_id": uuid.uuid4().hex})

    def __repr__(self) -> str:
        state = "disabled" if self._disabled else "closed" if self._closed else "open"
        return f"<LinesStore {str(self.path)!r} {state}>"

    @property
    def disabled(self) -> bool:
        return self._disabled

    # -- plumbing --

    def _events(self) -> _Events:
        stat = os.stat(self.path)
        key = (stat.st_size, stat.st_mtime_ns)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, _read(self.path))
        return self._cache[1]

    def _append(self, event: dict[str, Any]) -> None:
        line = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        lead = "" if self._events().ends_with_newline else "\n"  # after a cut-off line
        with open(self.path, "a", encoding="utf-8") as file:
            file.write(lead + line + "\n")
            file.flush()
            if sys.platform != "emscripten":  # the browser's drive saves on close; no fsync
                os.fsync(file.fileno())
        self._cache = None

    def _run(self, what: str, operation: Callable[[], Any], default: Any) -> Any:
        with self._lock:
            if self._disabled:
                return default
            if self._closed:
                if self._on_error is not None:
                    return default
                raise ValueError("the progress store is closed")
            try:
                return operation()
            except (OSError, NewerFormatError) as exc:
                if self._on_error is None:
                    raise
                log.error("Progress file %s: could not %s; saving is now off", self.path, what,
                          exc_info=exc)
                self._disabled = True
                kind = "full" if getattr(exc, "errno", None) == 28 else (
                    "newer" if isinstance(exc, NewerFormatError) else "io")
                try:
                    self._on_error(_saving_off(kind, retry=kind == "io"), exc)
                except Exception:
                    log.exception("The progress-store error callback failed")
                return default

    # -- writing --

    def record(self, attempt: Attempt) -> Attempt | None:
        """Save one attempt; return it as stored. ``ValueError`` for one that cannot be stored,
        except in ``on_error`` mode (logged, ``None``)."""
        try:
            stored, _ = _prepared(attempt)
        except ValueError:
            if self._on_error is None:
                raise
            log.exception("Not saving an invalid attempt for item %r", attempt.item_id)
            return None

        def write() -> Attempt:
            self._append({"attempt": stored.to_dict()})
            return stored

        return self._run("save an attempt", write, None)

    def save_draft(self, student: str, item_id: str, text: str) -> bool:
        if not isinstance(text, str):
            raise ValueError(f"a draft must be text, got {type(text).__name__}")
        if not text.strip():
            return self.clear_draft(student, item_id)
        kept = json.loads(_to_json(text, "draft"))
        return self._run("save a draft", lambda: self._draft_event(student, item_id, kept), False)

    def clear_draft(self, student: str, item_id: str) -> bool:
        def write() -> bool:
            if (student, item_id) not in self._events().drafts:
                return True  # nothing to clear: no line for it
            return self._draft_event(student, item_id, "")

        return self._run("clear a draft", write, False)

    def _draft_event(self, student: str, item_id: str, text: str) -> bool:
        self._append({"draft": {"student": student, "item_id": item_id, "text": text,
                                "saved_at": timestamps.utc_now()}})
        return True

    def save_rating(self, student: str, attempt: Attempt, rating: int) -> bool:
        """Keep how hard the student found a stored attempt (0-10), replacing an earlier
        rating of it. True when it was written."""
        check_rating(attempt, rating)

        def write() -> bool:
            self._append({"rating": {"student": student, "item_id": attempt.item_id,
                                     "attempt_at": attempt.created_at, "rating": rating,
                                     "rated_at": timestamps.utc_now()}})
            return True

        return self._run("save a difficulty rating", write, False)

    def save_diary(self, student: str, module: str, entry: dict[str, str]) -> bool:
        """Keep the student's diary entry for a module, replacing the one before."""
        kept = diary.clean_entry(entry)

        def write() -> bool:
            self._append({"diary": {"student": student, "module": module, "entry": kept,
                                    "saved_at": timestamps.utc_now()}})
            return True

        return self._run("save the practice diary", write, False)

    def set_student_name(self, name: str) -> str | None:
        cleaned = clean_student_id(name)

        def write() -> str:
            self._append({"meta": "student_name", "value": cleaned})
            return cleaned

        return self._run("save the student's name", write, None)

    # -- reading --

    def attempts(self, student: str, *, item_id: str | None = None,
                 module: str | None = None) -> list[Attempt]:
        def query() -> list[Attempt]:
            return [a for a in self._events().attempts if a.student == student
                    and (item_id is None or a.item_id == item_id)
                    and (module is None or a.module == module)]

        return self._run("read attempts", query, [])

    def latest(self, student: str, item_id: str) -> Attempt | None:
        found = self.attempts(student, item_id=item_id)
        return found[-1] if found else None

    def latest_by_item(self, student: str) -> dict[str, Attempt]:
        return {a.item_id: a for a in self.attempts(student)}

    def students(self) -> list[str]:
        return self._run("list students",
                         lambda: sorted({a.student for a in self._events().attempts}), [])

    def ratings(self, student: str) -> dict[tuple[str, str], int]:
        """The student's ratings, keyed by (item id, the attempt's created_at)."""
        return self._run("read difficulty ratings",
                         lambda: dict(self._events().ratings.get(student, {})), {})

    def diary(self, student: str) -> dict[str, dict[str, str]]:
        """The student's diary: module -> its entry's answers and ``saved_at``."""
        return self._run("read the practice diary",
                         lambda: {module: dict(entry) for module, entry in
                                  sorted(self._events().diary.get(student, {}).items())}, {})

    def draft(self, student: str, item_id: str) -> str | None:
        return self._run("read a draft", lambda: self._events().drafts.get((student, item_id)),
                         None)

    @property
    def store_id(self) -> str | None:
        return self._run("read the progress file's details",
                         lambda: self._events().meta.get("store_id"), None)

    def student_name(self) -> str | None:
        return self._run("read the progress file's details",
                         lambda: self._events().meta.get("student_name"), None)

    def backup_to(self, path: str | os.PathLike[str]) -> Path:
        """Copy the whole file to ``path``; raises on failure."""
        with self._lock:
            if self._disabled or self._closed:
                raise ValueError("the progress store is not open")
            return Path(shutil.copyfile(self.path, path))

    def integrity_problems(self) -> list[str]:
        """Nothing to check beyond what reading does: an unreadable line is skipped (and
        logged), never a reason to set the file aside."""
        return []

    def close(self) -> None:
        with self._lock:
            self._closed = True

    def __enter__(self) -> LinesStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_lines_safely(path: str | os.PathLike[str] | None = None) -> StoreHandle:
    """Open the JSON-lines store for an exercise page, as ``progress.open_store_safely`` does
    the SQLite one. Never raises: a problem turns saving off, with a sentence for the page."""
    target = Path(path) if path is not None else default_lines_path()
    handle = StoreHandle(DisabledStore(), None, path=target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            log.error("Progress file %s is a directory; saving is off", target)
            handle.problem = _saving_off("folder")
            return handle
        handle.store = LinesStore(target, on_error=handle._store_failed)
    except NewerFormatError as exc:
        log.error("Cannot use the progress file %s", target, exc_info=exc)
        handle.problem = _saving_off("newer")
    except Exception as exc:
        log.error("Cannot open the progress file %s", target, exc_info=exc)
        handle.problem = _saving_off("readonly" if isinstance(exc, PermissionError) else "other")
    return handle
