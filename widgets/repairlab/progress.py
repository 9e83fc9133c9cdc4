"""The progress store: every answer a student gives, kept in one SQLite file per user.

A Voilà page starts a new kernel on every visit, so work is written down the moment it is
checked, one row per attempt, and read back when the page opens again.

How the file is kept safe
-------------------------
* **WAL journal.** Two open tabs are two kernels (two processes) of the same student. In WAL
  mode readers never wait for the writer, and SQLite queues the writers, so both tabs can save
  at once and neither loses a row.
* **Busy timeout** (5 s by default). A writer that finds the file locked waits instead of failing
  at once. Each save is a single ``INSERT``, so a writer holds the lock for milliseconds and the
  wait is normally unnoticeable.
* **``synchronous=FULL``.** In WAL mode ``NORMAL`` already keeps the file *consistent* after a
  crash, but the last few commits can be lost if the machine (not only the kernel) goes down.
  A student saves a few times a minute, so the extra fsync per save costs nothing anyone
  notices, and with ``FULL`` an answer the page says was saved really is on disk.
* **Atomic commits.** A kernel killed in the middle of a save leaves the database as it was
  before that save: SQLite rolls the unfinished transaction back the next time the file opens.

When something goes wrong
-------------------------
An exercise page must never crash because of its progress file. :func:`open_store_safely`
returns a :class:`StoreHandle` whose ``store`` is either a working :class:`ProgressStore` or a
:class:`DisabledStore` (same methods, does nothing), and whose ``problem`` is a plain-English
sentence for the student page. A damaged file is moved aside to
``progress.sqlite3.corrupt-YYYYmmddTHHMMSS`` (UTC) and a fresh file is started; the backup is
never deleted. A store handed out by :func:`open_store_safely` that fails later (file locked
for too long, disk full, I/O error) logs the details, switches itself off and reports through
the handle instead of raising. Details always go to the ``logging`` module (the server log).

Schema versions
---------------
``PRAGMA user_version`` holds the schema version. :data:`MIGRATIONS` is an ordered list; opening
a file applies, in one transaction, every migration newer than the file's version, so a course
can upgrade RepairLab mid-term without losing attempts. Never edit a published migration:
append a new one.
"""

from __future__ import annotations

import json
import logging
import os
import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from repairlab import diary, timestamps
from repairlab.attempts import (  # noqa: F401  (re-exported: callers import them from here)
    _REASONS,
    _SAVING_OFF,
    DEFAULT_STUDENT,
    MAX_STUDENT_ID,
    STUDENT_ENV,
    Attempt,
    DisabledStore,
    Identity,
    StoreHandle,
    _normalise_timestamp,
    _prepared,
    _saving_off,
    _student_from_env,
    _to_json,
    check_rating,
    clean_student_id,
    current_student,
    default_data_dir,
    identify,
)

__all__ = [
    "DB_FILENAME",
    "DEFAULT_STUDENT",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Attempt",
    "DisabledStore",
    "Identity",
    "Migration",
    "NewerSchemaError",
    "ProgressStore",
    "StoreHandle",
    "clean_student_id",
    "current_student",
    "default_data_dir",
    "default_store_path",
    "identify",
    "open_default_store",
    "open_store_safely",
]

log = logging.getLogger(__name__)

DB_FILENAME = "progress.sqlite3"
DEFAULT_BUSY_TIMEOUT = 5.0

T = TypeVar("T")


# --------------------------------------------------------------------------------------------
# Rows


def default_store_path() -> Path:
    return default_data_dir() / DB_FILENAME


_COLUMNS = (
    "student, item_id, module, kind, response, feedback, score, status, created_at, curriculum_version, extra"
)


def _row_to_attempt(row: tuple[Any, ...]) -> Attempt | None:
    try:
        return Attempt(
            student=row[0],
            item_id=row[1],
            module=row[2],
            kind=row[3],
            response=json.loads(row[4]),
            feedback=json.loads(row[5]),
            score=row[6],
            status=row[7],
            created_at=row[8],
            curriculum_version=row[9],
            extra=None if row[10] is None else json.loads(row[10]),
        )
    except (TypeError, ValueError):
        # One unreadable row should not hide all the others from the student.
        log.error("Skipping an unreadable progress row: %r", row, exc_info=True)
        return None


# --------------------------------------------------------------------------------------------
# Schema migrations


@dataclass(frozen=True)
class Migration:
    """Brings a database from ``version - 1`` to ``version``.

    Each step is an SQL statement or a function of the connection (for data changes). Steps
    run one by one inside the caller's transaction; ``executescript`` would commit half-way.
    """

    version: int
    description: str
    steps: tuple[str | Callable[[sqlite3.Connection], None], ...]


def _make_meta(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    # The file's own random id, written into every hand-in: two hand-ins with one student id
    # from different files may be two students' work (two laptops that never set a name).
    conn.execute("INSERT INTO meta (key, value) VALUES ('store_id', ?)", (uuid.uuid4().hex,))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "attempts table",
        (
            """
            CREATE TABLE attempts (
                id INTEGER PRIMARY KEY,
                student TEXT NOT NULL,
                item_id TEXT NOT NULL,
                module TEXT NOT NULL,
                kind TEXT NOT NULL,
                response TEXT NOT NULL,
                feedback TEXT NOT NULL,
                score REAL,
                status TEXT NOT NULL,
                created_at TEXT NOT NULL,
                curriculum_version TEXT NOT NULL
            )
            """,
            "CREATE INDEX attempts_by_student_item ON attempts (student, item_id, created_at)",
        ),
    ),
    Migration(
        2,
        "extra JSON column (e.g. a simulation path); index for per-module pages",
        (
            "ALTER TABLE attempts ADD COLUMN extra TEXT",
            "CREATE INDEX attempts_by_student_module ON attempts (student, module, created_at)",
        ),
    ),
    Migration(
        3,
        "meta table: the file's own random id (store_id) and the name the student gave",
        (_make_meta,),
    ),
    Migration(
        4,
        "drafts table: text typed but not yet submitted, one row per student and item",
        (
            """
            CREATE TABLE drafts (
                student TEXT NOT NULL,
                item_id TEXT NOT NULL,
                text TEXT NOT NULL,
                saved_at TEXT NOT NULL,
                PRIMARY KEY (student, item_id)
            )
            """,
        ),
    ),
    Migration(
        5,
        "ratings table: how hard an attempt felt (0-10), kept beside the attempt, not in it",
        (
            # Keyed by the attempt's item and moment (its created_at, to the microsecond):
            # the attempt row itself is never rewritten; rating again replaces the rating.
            """
            CREATE TABLE ratings (
                student TEXT NOT NULL,
                item_id TEXT NOT NULL,
                attempt_at TEXT NOT NULL,
                rating INTEGER NOT NULL CHECK (rating BETWEEN 0 AND 10),
                rated_at TEXT NOT NULL,
                PRIMARY KEY (student, item_id, attempt_at)
            )
            """,
        ),
    ),
    Migration(
        6,
        "diary table: the practice diary, one entry per student and module (repairlab.diary)",
        (
            # The entry is the three answers as JSON (diary.QUESTIONS): a question added later
            # needs no migration. Saving again replaces it, as a draft is replaced.
            """
            CREATE TABLE diary (
                student TEXT NOT NULL,
                module TEXT NOT NULL,
                entry TEXT NOT NULL,
                saved_at TEXT NOT NULL,
                PRIMARY KEY (student, module)
            )
            """,
        ),
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1].version


class NewerSchemaError(RuntimeError):
    """The file was written by a newer RepairLab; this one must not guess at its columns."""


def _user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = _user_version(conn)
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise NewerSchemaError(
            f"{path} has schema version {version}; this RepairLab knows up to {SCHEMA_VERSION}"
        )
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another kernel may have migrated while this one waited for the write lock.
        version = _user_version(conn)
        if version > SCHEMA_VERSION:
            raise NewerSchemaError(
                f"{path} has schema version {version}; this RepairLab knows up to {SCHEMA_VERSION}"
            )
        for migration in MIGRATIONS:
            if migration.version <= version:
                continue
            for step in migration.steps:
                if callable(step):
                    step(conn)
                else:
                    conn.execute(step)
            conn.execute(f"PRAGMA user_version = {int(migration.version)}")
            log.info(
                "Progress file %s: migrated to schema %d (%s)",
                path,
                migration.version,
                migration.description,
            )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


# --------------------------------------------------------------------------------------------
# Telling faults apart, and saying them in plain English


class CorruptDatabaseError(sqlite3.DatabaseError):
    """``PRAGMA quick_check`` found damage that did not stop the file from opening."""


def _classify(exc: BaseException, path: Path | None = None) -> str:
    if isinstance(exc, NewerSchemaError):
        return "newer"
    if isinstance(exc, CorruptDatabaseError):
        return "corrupt"
    name = getattr(exc, "sqlite_errorname", "") or ""  # Python >= 3.11
    message = str(exc).lower()
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or any(
        marker in message for marker in ("file is not a database", "malformed", "corrupt")
    ):
        return "corrupt"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "is locked" in message:
        return "locked"
    if name.startswith("SQLITE_FULL") or "disk is full" in message:
        return "full"
    if isinstance(exc, OSError) and exc.errno == 28:  # ENOSPC
        return "full"
    if name.startswith("SQLITE_READONLY") or "readonly" in message or "read-only" in message:
        return "readonly"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in message:
        if path is not None and not os.access(path.parent, os.W_OK):
            return "readonly"
        return "cantopen"
    if name.startswith("SQLITE_IOERR") or "i/o error" in message:
        return "io"
    if isinstance(exc, PermissionError):
        return "readonly"
    return "other"


def _retry_while_locked(operation: Callable[[], T], timeout: float, path: Path) -> T:
    """Run ``operation``, again and again while SQLite says the file is locked, for up to
    ``timeout`` seconds; then let the last error through.

    SQLite's busy handler waits for most locks, but not for all: switching a new file to WAL
    while another connection has it open, or a read that would have to become a write
    (deadlock avoidance), fail at once with "database is locked". Each try is a whole step that
    leaves no transaction open when it fails (``_migrate`` rolls back), so trying again is safe.
    """
    deadline = time.monotonic() + max(timeout, 0.0)
    delay = 0.002
    tries = 0
    while True:
        try:
            return operation()
        except sqlite3.OperationalError as exc:
            tries += 1
            left = deadline - time.monotonic()
            if _classify(exc) != "locked" or left <= 0:
                raise
            log.debug("Progress file %s: locked while opening (try %d); trying again", path, tries)
        # Jitter, so that kernels started together do not keep colliding in step.
        time.sleep(min(left, delay * (0.5 + random.random())))
        delay = min(delay * 2, 0.05)


# --------------------------------------------------------------------------------------------
# The stores


class ProgressStore:
    """Attempts of every student who uses this file, oldest first.

    Opening creates the file if needed and brings its schema up to date; errors while opening
    always raise. Afterwards, by default, errors raise too (``sqlite3.Error``/``OSError``),
    which is what instructor tools and tests want. With ``on_error``, a failing operation
    instead logs, closes the connection, switches the store off (``disabled`` becomes true;
    reads return empty, ``record`` returns ``None``) and calls ``on_error(message, exc)`` with
    a sentence for the student page. :func:`open_store_safely` uses that mode.

    One instance may be used from several threads (widget callbacks); a lock serialises them.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        on_error: Callable[[str, BaseException], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._on_error = on_error
        self._disabled = False
        self._closed = False
        self._store_id: str | None = None
        # isolation_level=None: no hidden BEGIN from the sqlite3 module, so every INSERT is its
        # own short transaction and the migration transaction is exactly what _migrate says.
        # `timeout` installs SQLite's busy handler (the busy timeout).
        conn = sqlite3.connect(
            str(self.path),
            timeout=busy_timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            # SQLite refuses some of these at once, without waiting out the busy timeout, while
            # another connection is opening the same new file (the WAL switch, the first schema
            # write): kernels that start together must not lose their store to that.
            mode = _retry_while_locked(
                lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone()[0], busy_timeout, path
            )
            if str(mode).lower() != "wal":
                # E.g. a file system without shared memory: still correct, only less concurrent.
                log.warning("Progress file %s: WAL not available, journal mode is %s", path, mode)
            conn.execute("PRAGMA synchronous = FULL")
            _retry_while_locked(lambda: _migrate(conn, self.path), busy_timeout, path)
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def __repr__(self) -> str:
        state = "disabled" if self._disabled else "closed" if self._closed else "open"
        return f"<ProgressStore {str(self.path)!r} {state}>"

    @property
    def disabled(self) -> bool:
        return self._disabled

    # -- plumbing --

    def _run(self, what: str, operation: Callable[[sqlite3.Connection], T], default: T) -> T:
        with self._lock:
            if self._disabled:
                return default
            if self._closed:
                if self._on_error is not None:
                    return default
                raise sqlite3.ProgrammingError("the progress store is closed")
            try:
                return operation(self._conn)
            except (sqlite3.Error, OSError) as exc:
                if self._on_error is None:
                    raise
                self._fail(what, exc)
                return default

    def _fail(self, what: str, exc: BaseException) -> None:
        kind = _classify(exc, self.path)
        log.error("Progress file %s: could not %s; saving is now off", self.path, what, exc_info=exc)
        self._disabled = True
        try:
            self._conn.close()
        except sqlite3.Error:
            log.debug("Closing the failed connection also failed", exc_info=True)
        message = _saving_off(kind, retry=kind in {"locked", "io"})
        if self._on_error is not None:
            try:
                self._on_error(message, exc)
            except Exception:
                log.exception("The progress-store error callback failed")

    # -- writing --

    def record(self, attempt: Attempt) -> Attempt | None:
        """Save one attempt; return it as stored (timestamp filled in, JSON-normalised).

        Raises ``ValueError`` for an attempt that cannot be stored (a programming error),
        except in ``on_error`` mode, where it is logged and ``None`` is returned.
        """
        try:
            stored, row = _prepared(attempt)
        except ValueError:
            if self._on_error is None:
                raise
            log.exception("Not saving an invalid attempt for item %r", attempt.item_id)
            return None

        def insert(conn: sqlite3.Connection) -> Attempt:
            conn.execute(
                f"INSERT INTO attempts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return stored

        return self._run("save an attempt", insert, None)

    # -- drafts: typed, not yet submitted (never an attempt, never graded) --

    def save_draft(self, student: str, item_id: str, text: str) -> bool:
        """Keep the text a student has typed but not submitted, replacing their last draft of
        that item; an empty text clears it. True when it was written."""
        if not isinstance(text, str):
            raise ValueError(f"a draft must be text, got {type(text).__name__}")
        if not text.strip():
            return self.clear_draft(student, item_id)
        # JSON-safe text: a lone surrogate from the browser becomes U+FFFD, as in attempts.
        kept = json.loads(_to_json(text, "draft"))

        def write(conn: sqlite3.Connection) -> bool:
            conn.execute("INSERT OR REPLACE INTO drafts (student, item_id, text, saved_at) "
                         "VALUES (?, ?, ?, ?)", (student, item_id, kept, timestamps.utc_now()))
            return True

        return self._run("save a draft", write, False)

    def draft(self, student: str, item_id: str) -> str | None:
        """The student's unsubmitted text for an item, if any."""
        def query(conn: sqlite3.Connection) -> str | None:
            row = conn.execute("SELECT text FROM drafts WHERE student = ? AND item_id = ?",
                               (student, item_id)).fetchone()
            return None if row is None else str(row[0])

        return self._run("read a draft", query, None)

    def clear_draft(self, student: str, item_id: str) -> bool:
        """Forget a draft (it was submitted, or emptied)."""
        def write(conn: sqlite3.Connection) -> bool:
            conn.execute("DELETE FROM drafts WHERE student = ? AND item_id = ?",
                         (student, item_id))
            return True

        return self._run("clear a draft", write, False)

    # -- difficulty ratings (schema 5): 0-10, how hard an attempt felt; optional --

    def save_rating(self, student: str, attempt: Attempt, rating: int) -> bool:
        """Keep how hard the student found a stored attempt (0-10), replacing an earlier
        rating of it. True when it was written."""
        check_rating(attempt, rating)

        def write(conn: sqlite3.Connection) -> bool:
            conn.execute("INSERT OR REPLACE INTO ratings "
                         "(student, item_id, attempt_at, rating, rated_at) VALUES (?, ?, ?, ?, ?)",
                         (student, attempt.item_id, attempt.created_at, rating,
                          timestamps.utc_now()))
            return True

        return self._run("save a difficulty rating", write, False)

    def ratings(self, student: str) -> dict[tuple[str, str], int]:
        """The student's ratings, keyed by (item id, the attempt's created_at)."""
        def query(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
            rows = conn.execute("SELECT item_id, attempt_at, rating FROM ratings "
                                "WHERE student = ?", (student,)).fetchall()
            return {(str(item), str(at)): int(rating) for item, at, rating in rows}

        return self._run("read difficulty ratings", query, {})

    # -- the practice diary (schema 6): one entry per module, replaced when saved again --

    def save_diary(self, student: str, module: str, entry: dict[str, str]) -> bool:
        """Keep the student's diary entry for a module (``diary.QUESTIONS``' answers),
        replacing the one before. ``ValueError`` for an entry that is not text. True when
        it was written."""
        kept = diary.clean_entry(entry)

        def write(conn: sqlite3.Connection) -> bool:
            conn.execute("INSERT OR REPLACE INTO diary (student, module, entry, saved_at) "
                         "VALUES (?, ?, ?, ?)",
                         (student, module, diary.to_json(kept), timestamps.utc_now()))
            return True

        return self._run("save the practice diary", write, False)

    def diary(self, student: str) -> dict[str, dict[str, str]]:
        """The student's diary: module -> its entry's answers and ``saved_at``."""
        def query(conn: sqlite3.Connection) -> dict[str, dict[str, str]]:
            found = {}
            for module, entry, saved_at in conn.execute(
                    "SELECT module, entry, saved_at FROM diary WHERE student = ? "
                    "ORDER BY module", (student,)):
                try:
                    found[str(module)] = {**diary.clean_entry(json.loads(entry)),
                                          "saved_at": str(saved_at)}
                except (TypeError, ValueError):
                    log.error("Skipping an unreadable diary row of %s", module, exc_info=True)
            return found

        return self._run("read the practice diary", query, {})

    # -- reading --

    def attempts(
        self, student: str, *, item_id: str | None = None, module: str | None = None
    ) -> list[Attempt]:
        """The student's attempts, oldest first, optionally for one item or one module."""
        sql = f"SELECT {_COLUMNS} FROM attempts WHERE student = ?"
        params: list[Any] = [student]
        if item_id is not None:
            sql += " AND item_id = ?"
            params.append(item_id)
        if module is not None:
            sql += " AND module = ?"
            params.append(module)
        sql += " ORDER BY created_at, id"

        def query(conn: sqlite3.Connection) -> list[Attempt]:
            rows = conn.execute(sql, params).fetchall()
            return [a for a in map(_row_to_attempt, rows) if a is not None]

        return self._run("read attempts", query, [])

    def latest(self, student: str, item_id: str) -> Attempt | None:
        def query(conn: sqlite3.Connection) -> Attempt | None:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM attempts WHERE student = ? AND item_id = ? "
                "ORDER BY created_at DESC, id DESC",
                (student, item_id),
            )
            for row in rows:
                attempt = _row_to_attempt(row)
                if attempt is not None:
                    return attempt
            return None

        return self._run("read the latest attempt", query, None)

    def latest_by_item(self, student: str) -> dict[str, Attempt]:
        """The newest attempt at each item the student has tried."""
        latest: dict[str, Attempt] = {}
        for attempt in self.attempts(student):
            latest[attempt.item_id] = attempt  # oldest first, so the newest wins
        return latest

    def students(self) -> list[str]:
        def query(conn: sqlite3.Connection) -> list[str]:
            return [r[0] for r in conn.execute("SELECT DISTINCT student FROM attempts ORDER BY 1")]

        return self._run("list students", query, [])

    # -- what the file says about itself --

    def _meta(self, key: str) -> str | None:
        def query(conn: sqlite3.Connection) -> str | None:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            return None if row is None else str(row[0])

        return self._run("read the progress file's details", query, None)

    @property
    def store_id(self) -> str | None:
        """This file's own random id (made when the file was), written into every hand-in."""
        if self._store_id is None:
            self._store_id = self._meta("store_id")
        return self._store_id

    def student_name(self) -> str | None:
        """The name or student number the student gave on the landing page, if any."""
        return self._meta("student_name")

    def set_student_name(self, name: str) -> str | None:
        """Keep the name the student gave (tidied by :func:`clean_student_id`, which raises
        ``ValueError`` for one that cannot be used); return it as kept, or ``None`` if saving
        failed (``on_error`` mode)."""
        cleaned = clean_student_id(name)

        def write(conn: sqlite3.Connection) -> str:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('student_name', ?)",
                         (cleaned,))
            return cleaned

        return self._run("save the student's name", write, None)

    def backup_to(self, path: str | os.PathLike[str]) -> Path:
        """Copy the whole database to ``path`` while kernels keep using it; raises on failure.

        Uses SQLite's online backup, so the copy is consistent and includes what is still in
        the WAL file (copying ``progress.sqlite3`` alone with ``cp`` may miss recent work).
        """
        target = Path(path)
        with self._lock:
            if self._disabled or self._closed:
                raise sqlite3.ProgrammingError("the progress store is not open")
            destination = sqlite3.connect(str(target))
            try:
                self._conn.backup(destination)
            finally:
                destination.close()
        return target

    def integrity_problems(self) -> list[str]:
        """What ``PRAGMA quick_check`` reports; empty when the file is sound."""

        def query(conn: sqlite3.Connection) -> list[str]:
            found = [str(r[0]) for r in conn.execute("PRAGMA quick_check")]
            return [] if found == ["ok"] else found

        return self._run("check the file", query, [])

    # -- lifetime --

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if not self._disabled:
                self._conn.close()

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_default_store(*, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> ProgressStore:
    """The store at the default location (creating the folder); raises on any problem."""
    path = default_store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return ProgressStore(path, busy_timeout=busy_timeout)


# --------------------------------------------------------------------------------------------
# The fault-tolerant entry point for exercise pages


def _backup_name(path: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    candidate = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 2
    while candidate.exists():  # two damaged files in one second: keep both
        candidate = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    return candidate


def _move_aside(path: Path) -> Path:
    """Rename the damaged file (and its WAL files) next to itself; never delete anything."""
    backup = _backup_name(path)
    os.rename(path, backup)
    # A stale WAL next to a fresh database would be replayed into it, so it goes with its file,
    # under the name SQLite expects, so the backup can still be opened as it was.
    for suffix in ("-wal", "-shm"):
        sidecar = path.with_name(path.name + suffix)
        if sidecar.exists():
            os.rename(sidecar, backup.with_name(backup.name + suffix))
    log.warning("Progress file %s was damaged; moved it to %s and started a new one", path, backup)
    return backup


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _open_checked(path: Path, busy_timeout: float, handle: StoreHandle) -> ProgressStore:
    store = ProgressStore(path, busy_timeout=busy_timeout)
    try:
        problems = _retry_while_locked(store.integrity_problems, busy_timeout, path)
    except BaseException:
        store.close()
        raise
    if problems:
        store.close()
        raise CorruptDatabaseError("; ".join(problems[:5]))
    # Only after the checks: while opening, failures must raise so the caller can react.
    store._on_error = handle._store_failed
    return store


def open_store_safely(
    path: str | os.PathLike[str] | None = None,
    *,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
) -> StoreHandle:
    """Open the progress store for an exercise page. Never raises.

    ``path`` defaults to :func:`default_store_path`. See the module docstring for what happens
    with damaged, unreadable or unwritable files.
    """
    try:
        return _open_store_safely(path, busy_timeout)
    except Exception:
        log.exception("Unexpected failure opening the progress file %s", path)
        return StoreHandle(DisabledStore(), _saving_off("other"))


def _open_store_safely(path: str | os.PathLike[str] | None, busy_timeout: float) -> StoreHandle:
    target = Path(path) if path is not None else default_store_path()
    handle = StoreHandle(DisabledStore(), None, path=target)

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.error("Cannot create the progress folder %s", target.parent, exc_info=exc)
        handle.problem = _saving_off(_classify(exc, target))
        return handle
    if target.is_dir():
        log.error("Progress file %s is a directory; saving is off", target)
        handle.problem = _saving_off("folder")
        return handle

    found = _identity(target)
    try:
        handle.store = _open_checked(target, busy_timeout, handle)
        return handle
    except (sqlite3.Error, OSError, NewerSchemaError) as exc:
        kind = _classify(exc, target)
        log.error("Cannot open the progress file %s (%s)", target, kind, exc_info=exc)
        if kind != "corrupt":
            # Locked, unwritable, newer: the file may be fine, so it is left exactly as it is.
            handle.problem = _saving_off(kind, retry=kind == "locked")
            return handle

    # Damaged. If another kernel replaced it in the meantime, the new file is not ours to move.
    if found is not None and _identity(target) == found:
        try:
            handle.backup = _move_aside(target)
        except OSError as exc:
            log.error("Cannot move the damaged progress file %s aside", target, exc_info=exc)
            handle.problem = _saving_off("corrupt")
            return handle
    try:
        handle.store = _open_checked(target, busy_timeout, handle)
    except (sqlite3.Error, OSError, NewerSchemaError) as exc:
        log.error("Cannot start a new progress file %s", target, exc_info=exc)
        handle.problem = _saving_off(_classify(exc, target))
        return handle
    kept = f" The damaged file was kept as {handle.backup.name}." if handle.backup else ""
    handle.problem = (
        "Your earlier progress could not be read, so a new progress file was started. Saving "
        f"is on again from now. Tell your instructor that the progress file was damaged.{kept}"
    )
    return handle
