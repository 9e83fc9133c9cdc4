"""What every progress store shares, without sqlite3: the attempt record, who the student
is, and the handle an exercise page holds on its store.

Two stores keep attempts behind one interface: the SQLite file of a laptop, Binder or a hub
(progress.py) and the JSON-lines file of the static site, in the browser's own storage
(progress_lines.py). A page of the static site runs in Pyodide, which has no sqlite3, so
nothing here may import it; progress.py re-exports every name for the code that imports them
from there.
"""

from __future__ import annotations

import json
import logging
import math
import os
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from repairlab import timestamps

log = logging.getLogger("repairlab.progress")

DEFAULT_STUDENT = "local-student"


# --------------------------------------------------------------------------------------------
# Where the data lives and whose it is


def default_data_dir() -> Path:
    """The folder holding ``progress.sqlite3``.

    ``REPAIRLAB_DATA_DIR`` wins so a hub admin can put the file on a persistent volume (or a
    test on a temporary folder); otherwise the per-user data folder of the platform.
    """
    configured = os.environ.get("REPAIRLAB_DATA_DIR", "").strip()
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    # appauthor=False: on Windows the folder is ...\repairlab, not ...\repairlab\repairlab.
    return Path(platformdirs.user_data_dir("repairlab", appauthor=False))


STUDENT_ENV = ("REPAIRLAB_STUDENT", "JUPYTERHUB_USER")
MAX_STUDENT_ID = 80


def _student_from_env() -> tuple[str, str] | None:
    """(variable, value) of the first identity variable that is set, if any."""
    for name in STUDENT_ENV:
        value = os.environ.get(name, "").strip()
        if value:
            return name, value
    return None


def current_student() -> str:
    """Whose attempts this kernel records (the key of the rows in the store).

    ``REPAIRLAB_STUDENT`` first (a lab machine shared by several students, or a test), then
    ``JUPYTERHUB_USER`` (set by JupyterHub in every single-user server), else
    :data:`DEFAULT_STUDENT`: a laptop or Binder, whose store holds one student's work. There the
    id a hand-in carries is the name the student gives (:func:`identify`), kept in the store.
    """
    found = _student_from_env()
    return found[1] if found else DEFAULT_STUDENT


def clean_student_id(text: str) -> str:
    """A name or student number as a student typed it, tidied; ``ValueError`` with a sentence
    for the student if it cannot be used."""
    cleaned = " ".join(str(text).split())
    if not cleaned:
        raise ValueError("Type your name or student number first.")
    if len(cleaned) > MAX_STUDENT_ID:
        raise ValueError(f"That is longer than {MAX_STUDENT_ID} characters. Type your name or "
                         "student number as it is on the course roster.")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in cleaned):
        raise ValueError("That contains characters that cannot be part of a name. Type your name "
                         "or student number as it is on the course roster.")
    if cleaned.casefold() == DEFAULT_STUDENT:
        raise ValueError("Use your own name or student number, as it is on the course roster.")
    return cleaned


@dataclass(frozen=True)
class Identity:
    """Who is working. ``key`` is whose attempts the store holds (:func:`current_student`);
    ``student`` is the id a hand-in carries, ``None`` until the student has given one; and
    ``source`` says where it came from: an environment variable, ``"given"`` (typed on the
    landing page and kept in the store) or ``"none"``."""

    key: str
    student: str | None
    source: str

    @property
    def asks_for_name(self) -> bool:
        """A laptop or Binder: the student gives (and may change) the name hand-ins carry."""
        return self.source in ("given", "none")


def identify(store: Any) -> Identity:
    """Who this kernel works for: ``REPAIRLAB_STUDENT``, else ``JUPYTERHUB_USER``, else the
    name the student gave, kept in ``store`` (a laptop or Binder)."""
    found = _student_from_env()
    if found:
        variable, value = found
        return Identity(key=value, student=value, source=variable)
    try:
        given = store.student_name()
    except Exception:
        log.exception("could not read the student's name from the progress file")
        given = None
    return Identity(key=DEFAULT_STUDENT, student=given, source="given" if given else "none")


# --------------------------------------------------------------------------------------------
# The record


def _normalise_timestamp(value: str) -> str:
    """One fixed UTC format, so that ordering by the text column is ordering by time."""
    try:
        return timestamps.normalise(value)
    except ValueError:
        raise ValueError(f"created_at must be an ISO 8601 timestamp, got {value!r}") from None


def _to_json(value: Any, what: str) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be JSON-serialisable: {exc}") from None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A browser can send half of a surrogate pair. Neither SQLite nor the UTF-8 hand-in
        # file can hold one, so it becomes U+FFFD here rather than failing every later step.
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


@dataclass(frozen=True, kw_only=True)
class Attempt:
    """One answer to one exercise item, with the feedback the student was shown.

    ``score`` is a fraction from 0 to 1, or ``None`` for unscored work (reflections).
    ``created_at`` is ISO 8601 UTC; leave it out and the store sets it when recording.
    ``extra`` holds anything a later exercise kind needs to keep (e.g. a simulation path).
    """

    student: str
    item_id: str
    module: str
    kind: str
    response: Any
    feedback: dict[str, Any]
    score: float | None
    status: str
    curriculum_version: str
    created_at: str | None = None
    extra: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Attempt:
        names = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})


def _prepared(attempt: Attempt) -> tuple[Attempt, tuple[Any, ...]]:
    """Check an attempt before touching the database and return it with its row values."""
    for name in ("student", "item_id", "module", "kind", "status", "curriculum_version"):
        value = getattr(attempt, name)
        if not isinstance(value, str) or not value:
            raise ValueError(f"Attempt.{name} must be a non-empty string, got {value!r}")
    if not isinstance(attempt.feedback, dict):
        raise ValueError(f"Attempt.feedback must be a dict, got {type(attempt.feedback).__name__}")
    if attempt.extra is not None and not isinstance(attempt.extra, dict):
        raise ValueError(f"Attempt.extra must be a dict or None, got {type(attempt.extra).__name__}")
    score = attempt.score
    if score is not None:
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
            raise ValueError(f"Attempt.score must be a finite number or None, got {score!r}")
        score = float(score)
    created_at = (
        _normalise_timestamp(attempt.created_at) if attempt.created_at else timestamps.utc_now()
    )
    response = _to_json(attempt.response, "Attempt.response")
    feedback = _to_json(attempt.feedback, "Attempt.feedback")
    extra = None if attempt.extra is None else _to_json(attempt.extra, "Attempt.extra")
    # What the store hands back is what a later read returns: JSON-normalised (tuples become
    # lists) and with the timestamp filled in.
    stored = Attempt(
        student=attempt.student,
        item_id=attempt.item_id,
        module=attempt.module,
        kind=attempt.kind,
        response=json.loads(response),
        feedback=json.loads(feedback),
        score=score,
        status=attempt.status,
        curriculum_version=attempt.curriculum_version,
        created_at=created_at,
        extra=None if extra is None else json.loads(extra),
    )
    row = (
        attempt.student,
        attempt.item_id,
        attempt.module,
        attempt.kind,
        response,
        feedback,
        score,
        attempt.status,
        created_at,
        attempt.curriculum_version,
        extra,
    )
    return stored, row


_SAVING_OFF = "Saving is off: your work on this page will not be kept."

_REASONS = {
    "corrupt": "the progress file could not be read",
    "locked": "the progress file was busy for too long",
    "full": "the disk is full",
    "readonly": "the progress folder cannot be written to",
    "cantopen": "the progress file could not be opened",
    "io": "the disk reported an error while saving",
    "newer": "the progress file was made by a newer version of RepairLab",
    "folder": "there is a folder where the progress file should be",
    "other": "the progress file could not be used",
}


def _saving_off(kind: str, *, retry: bool = False) -> str:
    reason = _REASONS.get(kind, _REASONS["other"])
    if retry:
        return (
            f"{_SAVING_OFF} Reload the page to try again. If this message comes back, tell "
            f"your instructor: {reason}."
        )
    return f"{_SAVING_OFF} Tell your instructor: {reason}."


class DisabledStore:
    """Stands in for :class:`ProgressStore` when saving is off: remembers nothing, never fails."""

    path: Path | None = None
    disabled = True

    def __repr__(self) -> str:
        return "<DisabledStore>"

    def record(self, attempt: Attempt) -> None:
        return None

    def attempts(
        self, student: str, *, item_id: str | None = None, module: str | None = None
    ) -> list[Attempt]:
        return []

    def latest(self, student: str, item_id: str) -> None:
        return None

    def latest_by_item(self, student: str) -> dict[str, Attempt]:
        return {}

    def save_draft(self, student: str, item_id: str, text: str) -> bool:
        return False

    def draft(self, student: str, item_id: str) -> None:
        return None

    def clear_draft(self, student: str, item_id: str) -> bool:
        return False

    def save_rating(self, student: str, attempt: Attempt, rating: int) -> bool:
        return False

    def ratings(self, student: str) -> dict[tuple[str, str], int]:
        return {}

    def save_diary(self, student: str, module: str, entry: dict[str, str]) -> bool:
        return False

    def diary(self, student: str) -> dict[str, dict[str, str]]:
        return {}

    def students(self) -> list[str]:
        return []

    store_id = None

    def student_name(self) -> None:
        return None

    def set_student_name(self, name: str) -> None:
        clean_student_id(name)
        return None

    def integrity_problems(self) -> list[str]:
        return []

    def close(self) -> None:
        return None

    def __enter__(self) -> DisabledStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None


class StoreHandle:
    """What an exercise page holds: the store to use and, if any, a problem to show.

    ``store`` is a :class:`ProgressStore` while saving works and becomes a
    :class:`DisabledStore` if it stops working; ``problem`` is ``None`` or one plain-English
    paragraph for the student. ``backup`` is where a damaged file was moved, if it was.
    Call :meth:`subscribe` to hear about a problem that appears mid-session.
    """

    def __init__(
        self,
        store: Any,
        problem: str | None = None,
        *,
        path: Path | None = None,
        backup: Path | None = None,
    ) -> None:
        self.store: Any = store
        self.problem = problem
        self.path = path
        self.backup = backup
        self._listeners: list[Callable[[str], None]] = []

    def __repr__(self) -> str:
        return f"<StoreHandle store={self.store!r} problem={self.problem!r}>"

    @property
    def saving(self) -> bool:
        return not self.store.disabled

    def subscribe(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(problem)`` when saving stops during the session."""
        self._listeners.append(listener)

    def _store_failed(self, message: str, exc: BaseException) -> None:
        self.store = DisabledStore()
        self.problem = message
        for listener in list(self._listeners):
            try:
                listener(message)
            except Exception:
                log.exception("A progress-problem listener failed")

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> StoreHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def check_rating(attempt: Attempt, rating: Any) -> None:
    """A difficulty rating is a whole number 0-10 of an attempt already stored (its
    ``created_at`` keys it): ``ValueError`` otherwise. One rule for every store."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 0 <= rating <= 10:
        raise ValueError(f"a difficulty rating is a whole number from 0 to 10, got {rating!r}")
    if not attempt.created_at:
        raise ValueError("only a stored attempt (one with created_at) can be rated")
