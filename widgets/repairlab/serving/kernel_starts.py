"""Kernel start-up that holds when a whole class opens its pages at once.

Both the laptop server (``app.RepairLabVoila``) and a hub student's server (``hub.py``) use
this. What it fixes was measured on one shared server: 60 students opening a page together
froze it for 12+ minutes, and at 100 none of the pages rendered, because

* **kernels raced for TCP ports.** jupyter_client picks five free ports per kernel and closes
  them before the kernel binds them; with dozens starting at once two kernels got the same
  port ("Address already in use"), the kernel died, its restarter failed and the page hung.
  ``use_ipc_transport`` gives every kernel Unix sockets named after its own kernel id instead:
  there is nothing to race for.
* **every page prepared at once.** 100 kernels starting and running their notebooks on two
  cores leave the server's own process a sliver of the CPU: even a small image waited 7 s,
  then timed out. ``PageSlots`` lets only as many pages be prepared at once as the machine has
  cores; a student whose page waits for a slot sees "Your page is being prepared…" at once
  (``WAITING_HTML``, announced by screen readers) and gets the page when its turn comes,
  never an error.
* **kernels took the server's CPU.** A kernel starting or running its notebook competes with
  the server process that answers every request. Kernels run at a lower priority
  (``KERNEL_NICENESS``): the server answers first, and kernels get all the CPU left over.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile

# How many pages are prepared (kernel started, notebook run) at the same time. Each takes
# about 1.6 s of CPU, nearly all of it in its kernel: more at once than cores only makes every
# page, and the server, slower. REPAIRLAB_PAGE_SLOTS overrides it (a big machine, a test).
SLOTS_ENV = "REPAIRLAB_PAGE_SLOTS"
# While a page waits for its slot, a blank line is sent this often, so that no proxy or
# browser gives up on a response that has not started.
KEEPALIVE_SECONDS = 10.0
# An AF_UNIX socket path has at most 107 bytes; a kernel's is the connection folder plus
# "/kernel-<36-character id>-ipc-<port>" (about 55).
MAX_IPC_DIR_LENGTH = 107 - 60


# Kernels' scheduling priority relative to the server (POSIX nice increment).
KERNEL_NICENESS = 10


def _lower_priority() -> None:
    os.nice(KERNEL_NICENESS)


def kernel_launch_options() -> dict:
    """Extra keyword arguments for ``start_kernel``, passed on by jupyter_client to the
    ``subprocess.Popen`` that starts the kernel: a lower priority than the server's."""
    return {"preexec_fn": _lower_priority} if hasattr(os, "nice") else {}


def default_slots() -> int:
    try:
        return max(1, int(os.environ[SLOTS_ENV]))
    except (KeyError, ValueError):
        return max(2, os.cpu_count() or 2)


def use_ipc_transport(kernel_manager) -> bool:
    """Start every kernel of ``kernel_manager`` (a jupyter_client MultiKernelManager) on Unix
    domain sockets instead of TCP ports. Returns False, and changes nothing, where there are no
    Unix sockets (Windows).

    A kernel's sockets are files next to its connection file, ``kernel-<id>-ipc-<n>``: unique
    to the kernel, so two kernels starting together cannot clash, unlike TCP ports, which
    jupyter_client frees again before the kernel binds them.
    """
    if os.name != "posix":
        return False
    connection_dir = str(kernel_manager.connection_dir or "")
    if not connection_dir or len(connection_dir) > MAX_IPC_DIR_LENGTH:
        # A long home folder (typical on a hub) would make socket paths too long: a private
        # folder of this server's, removed when it exits.
        connection_dir = tempfile.mkdtemp(prefix="repairlab-kernels-")
        atexit.register(shutil.rmtree, connection_dir, ignore_errors=True)
        kernel_manager.connection_dir = connection_dir
    factory = kernel_manager.kernel_manager_factory

    def ipc_kernel_manager(*args, **kwargs):
        kwargs.setdefault("transport", "ipc")
        return factory(*args, **kwargs)

    kernel_manager.kernel_manager_factory = ipc_kernel_manager
    return True


class PageSlots:
    """At most ``size`` pages prepared at once; the others wait in arrival order.

    ``asyncio.Semaphore`` wakes its waiters first come, first served, so the student who asked
    first is served first.
    """

    def __init__(self, size: int | None = None):
        self.size = size or default_slots()
        self._semaphore: asyncio.Semaphore | None = None
        self.waiting = 0

    @property
    def semaphore(self) -> asyncio.Semaphore:
        # Made on first use, inside the server's event loop.
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.size)
        return self._semaphore

    def must_wait(self) -> bool:
        return self.semaphore.locked()


# The start of the page a waiting student sees: a complete, styled document head and a status
# message. The course page itself follows in the same response when its turn comes; its
# template removes this message (and this title) as soon as it arrives.
WAITING_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="color-scheme" content="light dark">
<title>Your page is being prepared… · RepairLab</title>
<style>
#rl-waiting, #rl-page-failed { font: 1.125rem/1.5 system-ui, sans-serif; max-width: 40rem;
  margin: 3rem auto; padding: 1.5rem; border: 1px solid #5f6b7a; border-radius: 6px;
  color: #1b1f24; background: #fff; }
#rl-page-failed h1 { font-size: 1.5rem; margin: 0 0 0.75rem; }
#rl-page-failed a { color: #0b57d0; }
#rl-page-failed a:focus { outline: 3px solid currentColor; outline-offset: 2px; }
@media (prefers-color-scheme: dark) {
  #rl-waiting, #rl-page-failed { color: #e6e9ee; background: #1b1f24; border-color: #9aa4b1; }
  #rl-page-failed a { color: #8ab4f8; } }
</style>
</head>
<body>
<div id="rl-waiting">
<p role="status" aria-live="polite"><strong id="rl-waiting-status"></strong></p>
<p>Many students are opening pages right now. It will appear here by itself in a moment;
there is no need to reload.</p>
</div>
<script>
// Written a moment after load: a live region announces changes, not what it held at first.
setTimeout(function () {
  var status = document.getElementById("rl-waiting-status");
  if (status) { status.textContent = "Your page is being prepared\u2026"; }
}, 150);
</script>
"""


def page_failed_html(retry_url: str) -> str:
    """What follows whatever was already sent when a page cannot be prepared after all (its
    kernel would not start, say): a plain message and a link to try again, in place of the
    waiting message, which would otherwise stay on the screen for ever. No detail of the
    error: that goes to the server log."""
    from html import escape

    return f"""
<div id="rl-page-failed" role="alert">
<h1>This page could not be prepared</h1>
<p>Something went wrong on the server while preparing it. Your saved work is not affected.</p>
<p><a href="{escape(retry_url, quote=True)}">Try again</a>. If it happens again, please tell
your instructor.</p>
</div>
<script>
(function () {{
  var waiting = document.getElementById("rl-waiting");
  if (waiting) {{ waiting.remove(); }}
  document.title = "This page could not be prepared \u00b7 RepairLab";
}})();
</script>
</body>
</html>
"""
