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
