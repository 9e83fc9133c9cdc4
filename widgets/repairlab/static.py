"""Static mode: the course as a static site, each page's Python running in the student's
browser (Pyodide, through Voici and JupyterLite; docs/deploying.md, "A static site").

Chosen at run time, never at build time, so the exercises have one code path in both modes.
In static mode a page:

* reads the course only from the compiled course shipped with the site (no pydantic, which
  has no pure-Python wheel; content/page.py);
* keeps progress as JSON lines in the browser's drive (progress_lines.py: Pyodide has no
  sqlite3), which JupyterLite persists in the browser's storage;
* links to the other pages as ``.html`` files, which is what Voici builds.
"""

from __future__ import annotations

import logging
import os
import sys

STATIC_ENV = "REPAIRLAB_STATIC"


def static_mode() -> bool:
    """True in the browser (Pyodide reports ``emscripten``), or where ``REPAIRLAB_STATIC=1``
    says so (the tests run the static code path outside a browser that way)."""
    forced = os.environ.get(STATIC_ENV, "").strip().lower()
    if forced in ("1", "true", "yes"):
        return True
    if forced in ("0", "false", "no"):
        return False
    return sys.platform == "emscripten"


def page_href(href: str) -> str:
    """A link to another page of the course as this mode serves it: ``reading.ipynb`` on a
    Voilà server, ``reading.html`` on the static site. Anything else is left as it is."""
    if static_mode():
        path, hash_, fragment = href.partition("#")
        if path.endswith(".ipynb"):
            return path[: -len(".ipynb")] + ".html" + hash_ + fragment
    return href


class _BrowserConsole(logging.Handler):
    """Sends the course's log messages to the browser's console (what the server log is for a
    Voilà page): without a handler, logging writes to stderr, which Voici shows on the page."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            import js  # Pyodide's bridge to the page's JavaScript

            js.console.warn(self.format(record))
        except Exception:  # outside a browser (the tests): nowhere to show it, never the page
            pass


def route_logs_to_console() -> None:
    """In static mode, once per kernel: the course's log goes to the console, never the page."""
    logger = logging.getLogger("repairlab")
    if not any(isinstance(h, _BrowserConsole) for h in logger.handlers):
        handler = _BrowserConsole()
        handler.setFormatter(logging.Formatter("repairlab %(levelname)s: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
