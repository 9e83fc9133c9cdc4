"""Pre-heated pages drawn again from the progress store, in the same kernel.

``repairlab serve`` keeps kernels that have already run their page's notebook (Voilà's
pools, ``serving/app.py``), so what they show of the student's work is as it was when they
ran it. Restarting them after every saved answer cost a class dozens of kernel starts. So in
a pre-heated kernel each view that reads progress (an exercise, the landing page, practice
mode, the diary) is displayed inside a *holder*, with the function that built it; when the
server hands such a kernel to a page after an answer was saved, it runs ``redraw()`` first,
which builds each view again, exactly as a fresh kernel would, and puts it in its holder.

The page's HTML names only the holders, and the browser asks the kernel for the widgets'
state after the server has sent the page, so the student never sees the old state. The old
views' widgets are closed: the browser fetches every open widget, and stale ones would
slow the page down. Outside a pre-heated kernel (JupyterLab, a page rendered on request, a
hub, the static site) ``holding`` returns the view itself and nothing is kept.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("repairlab")

# Set by Voilà in the environment of the kernels it starts for its pools (never for a kernel
# started on request, where it is "False").
PREHEAT_VARIABLE = "VOILA_PREHEAT"


def pre_heated() -> bool:
    return os.environ.get(PREHEAT_VARIABLE) == "True"


@dataclass
class Held:
    holder: object  # an ipywidgets Box with one child, the view
    build: Callable[[], object]
    made: set[str]  # model ids of the widgets the last build created (closed when replaced)


_held: list[Held] = []


def _built(build: Callable[[], object]) -> tuple[object, set[str]]:
    from ipywidgets.widgets.widget import _instances

    before = set(_instances)
    view = build()
    return view, set(_instances) - before


def holding(build: Callable[[], object]):
    """What to display for the view ``build()`` makes: the view itself, or, in a pre-heated
    kernel, a holder that ``redraw()`` can give a new view. ``build`` must not raise (it
    returns a notice instead); None from it (nothing to show) is returned."""
    if not pre_heated():
        return build()
    import ipywidgets as widgets

    from .views.base import shared_layout

    view, made = _built(build)
    if view is None:  # nothing to show, now or later
        return None
    # display: contents: the holder draws no box of its own, so the page looks as without it.
    holder = widgets.Box([view], layout=shared_layout(display="contents"))
    _held.append(Held(holder, build, made))
    return holder


def redraw() -> int:
    """Build every held view again from the store as it is now; returns how many."""
    from ipywidgets.widgets.widget import _instances

    from .views.base import _shared

    started = time.perf_counter()
    redrawn = 0
    for held in _held:
        try:
            view, made = _built(held.build)
        except Exception:  # build() shows notices itself; this is a last resort
            log.exception("could not draw a pre-heated view again; it shows the earlier state")
            continue
        held.holder.children = (view,) if view is not None else ()
        shared = {widget.comm.comm_id for widget in _shared.values() if widget.comm}
        for model_id in held.made - shared:
            widget = _instances.get(model_id)
            if widget is not None:
                widget.close()
        held.made = made
        redrawn += 1
    log.info("drew %d pre-heated view(s) again from the progress store in %.0f ms",
             redrawn, (time.perf_counter() - started) * 1000)
    return redrawn
