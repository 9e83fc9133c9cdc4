"""Load the assessor before a student's first check, not during it.

The first ``assess_reply`` in a process compiles the lexicon and reads the verdict model:
about 0.28 s, against 1–2 ms for every later check. Measured on one shared server, that
first check set the p95 of click → feedback. A page showing a rewrite item starts this
warm-up in a background thread as it is built, so by the time the student has read the item
and written a reply, the assessor is ready (and in a pre-heated kernel, before the student
even arrives).
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)

_started = threading.Event()
done = threading.Event()

# Any reply does: the point is the caches it fills, not its verdict.
_SAMPLE_CLIENT = "I don't think you are listening to me."
_SAMPLE_REPLY = "You're right, I rushed past that. I'm sorry. What did I miss?"


def warm_up() -> None:
    """Compile the lexicon and load the models now (what the first check would do), then give
    back the models' pages: the weights stay mapped, one copy in the OS's file cache for every
    kernel, and cost a page no memory of its own until a student checks a reply."""
    try:
        from .assessor import assess_reply
        from .risk_model import default_risk_model
        from .verdict import default_model, release_pages

        assess_reply(_SAMPLE_REPLY, client=_SAMPLE_CLIENT)
        release_pages(default_model().weights)
        release_pages(default_risk_model().weights)
        _return_freed_heap()
    except Exception:  # a broken lexicon shows at the first real check, with its message
        log.warning("could not warm the reply assessor up", exc_info=True)
    finally:
        done.set()


def _return_freed_heap() -> None:
    """Give the OS back the heap the warm-up used and freed (the lexicon's parsed JSON, the
    regex compiler's work): glibc keeps freed memory for the process otherwise, about 1 MB of a
    page's kernel (bench/README.md). Elsewhere than glibc, nothing to do."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (ImportError, OSError, AttributeError):
        pass


def warm_up_in_background() -> None:
    """``warm_up`` in a daemon thread, once per process. Not on the static site: Pyodide
    cannot start threads, and run in the page's one thread the warm-up would only delay the
    exercises below it, so there the first check pays it (bench/site_speed.py measures it)."""
    if _started.is_set():
        return
    _started.set()
    from ..static import static_mode

    if static_mode():
        return
    threading.Thread(target=warm_up, name="repairlab-assessor-warm-up", daemon=True).start()
