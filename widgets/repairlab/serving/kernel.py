"""Run at the start of every kernel the course server starts (see ``app.KERNEL_ARGS``).

In a Voilà kernel ``sys.stderr`` is the notebook's error stream, and Voilà strips that from
the page: a ``log.exception(...)`` in ``show()`` or a button handler was shown to no one. The
student must not see it, but the instructor needs it, so the ``repairlab`` logger also writes
to the kernel process's own standard error, which is the server's log.
"""

from __future__ import annotations

import logging
import os
import sys

FORMAT = "[RepairLab kernel %(process)d] %(levelname)s | %(name)s: %(message)s"


def route_logs_to_server() -> None:
    logger = logging.getLogger("repairlab")
    if any(getattr(h, "_repairlab_server_log", False) for h in logger.handlers):
        return
    stream = sys.__stderr__
    if stream is None:  # no standard error at all: nothing to route to
        return
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(logging.INFO)
    handler._repairlab_server_log = True
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)


route_logs_to_server()
# The course page (the Voilà template) links the course stylesheet itself: the widgets need
# not bring it along, as they do in JupyterLab (``notebook.course_style``).
os.environ["REPAIRLAB_PAGE_HAS_STYLES"] = "1"
