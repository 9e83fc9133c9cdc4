"""The one way RepairLab writes a file someone relies on (a hand-in, a gradebook, a submission
the hand-in service received): whole or not at all, and still there after a power cut.

The text goes to a temporary file beside the target (hidden: its name starts with a dot, so
the collector never reads it), is flushed to the disk (``fsync``), and is then renamed over
the target; the folder is flushed too, so that the rename itself survives a crash. A full disk,
an interrupted run or a ``kill -9`` never leaves half a file where the previous one was: at
worst a hidden temporary file is left beside it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_bytes_atomic", "write_text_atomic"]


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows cannot open a folder, and its
    ``os.replace`` is durable enough for a hand-in)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on a folder; the file itself is on disk
    finally:
        os.close(fd)


def write_text_atomic(path: str | os.PathLike[str], text: str, *, newline: str | None = "\n") -> Path:
    """Write ``text`` as UTF-8 to ``path``, replacing it in one step; return the path.

    ``newline`` is passed to :func:`open`: ``"\\n"`` writes the text as it is, ``""`` too but
    is what :mod:`csv` asks for, ``None`` uses the platform's line ending.
    """
    return _write_atomic(path, lambda fd: os.fdopen(fd, "w", encoding="utf-8", newline=newline),
                         text)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path``, replacing it in one step; return the path. The file that was
    there is never changed in place, so a process that has it mapped (the assessor's weights,
    ``feedback/verdict.py``) keeps reading the old contents, never half of the new."""
    return _write_atomic(path, lambda fd: os.fdopen(fd, "wb"), data)


def _write_atomic(path: str | os.PathLike[str], opener, content: str | bytes) -> Path:
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with opener(fd) as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_folder(target.parent)
    return target
