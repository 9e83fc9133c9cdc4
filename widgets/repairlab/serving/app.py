"""Voilà for students: ``python -m repairlab.serving.app CURRICULUM [voila options]``.

Plain Voilà 0.5 with these changes, each fixing something a student would otherwise meet:

* **Kernels are shut down when a tab closes.** Voilà's page sends its shutdown request with
  the ``_xsrf`` cookie, but never sets that cookie, so the request is refused and the kernel
  keeps running (voila issue 1458). The page handler here sets it on every page.
* **Pre-rendered pages are never out of date, and a saved answer restarts no kernel.** A
  pre-heated kernel runs its notebook before anyone asks for it, so it shows the student's
  progress, and the course, as they were then. After an answer is saved (the progress file
  changes), a pooled kernel made before it draws its views again from the store when it is
  handed to a page, before the page's widgets can start (``repairlab/redraw.py``,
  ``redraw_kernel``); no kernel is started or stopped. After an instructor edits the course
  (a manifest, a notebook, an exercise file; a module added), the pooled kernels made before
  the edit are replaced, and a page asked for meanwhile is rendered fresh (see PoolRefresher).
* **The first page is not kept waiting.** Pools are filled one page at a time, landing page
  first, instead of a dozen kernels starting at once.
* **Only the course is reachable.** The file-browser pages and their contents API are not
  for students (they list instructor notes and manifests); they redirect to the landing page.
  Template assets answer 404, not 500, to paths they cannot parse.
* **The course's log messages reach the server log.** Each kernel imports ``kernel.py``
  first; without it, what ``show()`` logs would go to the notebook's error stream, which Voilà
  strips from the page (so no one would see it).
* **A whole class opening pages at once is served, slower, not frozen.** Kernels talk over
  Unix sockets (no race for TCP ports), and only as many pages are prepared at once as the
  machine has cores; a student whose page waits is told so at once (``kernel_starts.py``).
* **Kernels stop with the server**, instead of being left to notice that their parent died.

Everything else is configuration, in ``config.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
from pathlib import Path

import tornado.ioloop
import tornado.web
from jupyter_client.session import Session
from jupyter_core.utils import ensure_async, run_sync
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import url_path_join
from traitlets import Unicode
from voila.app import Voila
from voila.static_file_handler import TemplateStaticFileHandler
from voila.tornado.contentshandler import VoilaContentsHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler

from .config import LANDING_PAGE
from .kernel_starts import (
    KEEPALIVE_SECONDS,
    WAITING_HTML,
    PageSlots,
    kernel_launch_options,
    page_failed_html,
    use_ipc_transport,
)

log = logging.getLogger("repairlab.serving")

# How often the progress file and the course are looked at (a stat and one PRAGMA; the course's
# file signature), and how long the course must stay unchanged before pooled kernels are
# replaced (an instructor saving several files in a row causes one refresh, not one per file).
POLL_SECONDS = 0.5
QUIET_SECONDS = 2.0
# Pages a student opened in this window are refreshed ahead of their next visit; any other
# stale page is refreshed when it is next asked for (and rendered fresh that time).
RECENT_SECONDS = 30 * 60
# A pooled kernel waiting longer than this draws its views again when handed out, saved answer
# or not: what a page shows can depend on the time (practice mode serves a review that waits
# for a later visit, practice.VISIT_GAP, an hour; a kernel heated during the last visit would
# otherwise show the student what it chose then).
REDRAW_AFTER_SECONDS = 15 * 60


def _progress_file() -> Path | None:
    try:
        from ..progress import default_store_path

        return default_store_path()
    except Exception:
        log.exception("cannot locate the progress file; pre-rendered pages will not refresh")
        return None


def _course_root() -> Path | None:
    try:
        from ..content.layout import find_course_root

        return find_course_root()  # REPAIRLAB_COURSE_DIR, set by serve_env
    except Exception:
        log.warning("cannot find the course; pre-rendered pages will not follow its edits")
        return None


class PoolRefresher:
    """Keeps what pre-heated kernels show newer than the student's last saved answer and the
    instructor's last edit of the course.

    Every pooled kernel started before the course last changed is *stale*: it is never handed
    to a page (the page is rendered fresh instead), and is replaced in the background: at
    once for the landing page and the pages opened recently, otherwise when the page is next
    asked for. Every pooled kernel started before the progress file last changed is *behind*:
    it is handed out as usual, and draws its views again from the store first
    (``take_behind``, ``redraw_kernel``). Saving an answer, the frequent change, so costs no
    kernel start; editing the course, the rare one, still does.
    """

    def __init__(self, kernel_manager, progress_file: Path | None = None,
                 course_root: Path | None = None):
        self.km = kernel_manager
        self.file = progress_file or _progress_file()
        self.course_root = course_root or _course_root()
        self._conn: sqlite3.Connection | None = None
        self._inode: int | None = None
        self._signature = self._read_signature()
        self._course = self._read_course()
        self._stale: set[asyncio.Task] = set()
        self._behind: set[asyncio.Task] = set()
        self._first_seen: dict[asyncio.Task, float] = {}  # when each pooled kernel was first seen
        self._refresh_due: float | None = None
        self._recent: dict[str, float] = {}
        self._refreshing: set[str] = set()
        self._tasks: set[asyncio.Future] = set()
        self._callback: tornado.ioloop.PeriodicCallback | None = None

    def start(self) -> None:
        if (self.file is None and self.course_root is None) or not hasattr(self.km, "_pools"):
            return
        self._callback = tornado.ioloop.PeriodicCallback(self.poll, POLL_SECONDS * 1000)
        self._callback.start()

    def stop(self) -> None:
        if self._callback is not None:
            self._callback.stop()
        self._close()

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = self._inode = None

    def _read_signature(self) -> tuple | None:
        """Changes exactly when another connection commits to the progress file.

        SQLite's data_version, not the file's size or time: kernels opening and closing the
        file create and remove its WAL file without any answer being saved.
        """
        try:
            inode = self.file.stat().st_ino
        except (OSError, AttributeError):
            self._close()
            return None
        try:
            if self._conn is None or inode != self._inode:  # new, or replaced after damage
                self._close()
                # Read-write only so that SQLite may create the WAL index; nothing is written.
                self._conn = sqlite3.connect(str(self.file), timeout=0.1, isolation_level=None)
                self._inode = inode
            return inode, self._conn.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            self._close()
            return inode, "unreadable"

    def _read_course(self) -> str | None:
        """Changes when a manifest, notebook or exercise file of the course changes."""
        if self.course_root is None:
            return None
        try:
            from ..content.layout import course_signature

            return course_signature(self.course_root)
        except Exception:
            log.exception("cannot read the course's files")
            return None

    def _pools(self) -> dict[str, list[asyncio.Task]]:
        return getattr(self.km, "_pools", {})

    def poll(self) -> None:
        self.note_pooled()
        signature, course = self._read_signature(), self._read_course()
        if signature != self._signature:
            self._signature = signature
            self.mark_all_behind()
        if course != self._course:
            self._course = course
            self.mark_all_stale()
            self._refresh_due = time.monotonic() + QUIET_SECONDS
        if self._refresh_due is not None and time.monotonic() >= self._refresh_due:
            self._refresh_due = None
            now = time.monotonic()
            pages = {LANDING_PAGE} | {p for p, t in self._recent.items()
                                      if now - t < RECENT_SECONDS}
            for page in pages:
                if self.is_stale(page):
                    self.schedule_refresh(page)

    def _pooled_now(self) -> set[asyncio.Task]:
        return {task for pool in self._pools().values() for task in pool}

    def mark_all_stale(self) -> None:
        current = self._pooled_now()
        # Tasks Voilà has taken out of a pool since are forgotten here.
        self._stale = (self._stale & current) | current

    def mark_all_behind(self) -> None:
        # A kernel still running its notebook counts too: cells it ran before the save read
        # the store as it was.
        current = self._pooled_now()
        self._behind = (self._behind & current) | current

    def note_pooled(self, now: float | None = None) -> None:
        """Remember when each pooled kernel was first seen (forgetting those handed out)."""
        now = time.monotonic() if now is None else now
        current = self._pooled_now()
        self._first_seen = {task: self._first_seen.get(task, now) for task in current}

    def take_behind(self, page: str, now: float | None = None) -> asyncio.Task | None:
        """The pooled kernel Voilà hands out next for ``page`` (the first of its pool), if it
        is behind the store or has waited longer than REDRAW_AFTER_SECONDS; it is forgotten
        here, since it is about to leave the pool."""
        now = time.monotonic() if now is None else now
        pool = self._pools().get(page) or []
        if not pool:
            return None
        first = pool[0]
        waited = now - self._first_seen.get(first, now)
        if first in self._behind or waited >= REDRAW_AFTER_SECONDS:
            self._behind.discard(first)
            self._first_seen.pop(first, None)
            return first
        return None

    def visited(self, page: str) -> None:
        self._recent[page] = time.monotonic()

    def is_stale(self, page: str) -> bool:
        pool = self._pools().get(page) or []
        return any(task in self._stale for task in pool)

    def schedule_refresh(self, page: str) -> None:
        task = asyncio.ensure_future(self.refresh(page))
        self._tasks.add(task)  # a reference, so the task is not garbage-collected mid-way
        task.add_done_callback(self._tasks.discard)

    async def refresh(self, page: str) -> None:
        """Replace the page's stale pooled kernels with fresh ones."""
        if page in self._refreshing:
            return
        self._refreshing.add(page)
        try:
            pool = self._pools().get(page, [])
            stale = [task for task in pool if task in self._stale]
            for task in stale:
                pool.remove(task)
                self._stale.discard(task)
                self._behind.discard(task)
            # Start the replacements first, so a fresh kernel is on its way at once.
            self.km.fill_if_needed(delay=0, notebook_name=page)
            for task in stale:
                try:
                    kernel_id = (await task)["kernel_id"]
                    await ensure_async(self.km.shutdown_kernel(kernel_id))
                except Exception:
                    self.km.log.warning("could not shut down a stale pre-heated kernel of %s", page,
                                exc_info=True)
            self.km.log.info("refreshed %d pre-heated kernel(s) of %s after a change of "
                             "progress or course", len(stale), page)
        finally:
            self._refreshing.discard(page)


# What a pooled kernel runs when it is handed to a page after an answer was saved.
REDRAW_CODE = "import repairlab.redraw\nrepairlab.redraw.redraw()"
# How long a page's end (the script that starts its widgets) waits for that redraw. Longer
# only delays the page: the redraw request is ahead of the page's own in the kernel's queue
# either way, so the widgets still come from the redrawn views.
PAGE_WAITS_FOR_REDRAW_SECONDS = 10.0
# How long the server listens for the redraw's reply at all (to log how it went).
REDRAW_REPLY_SECONDS = 120.0
# In the page template, where the page's end begins: the script that starts the widgets.
PAGE_END = "<!-- rl-page-end -->"


async def redraw_kernel(km, kernel_id: str, timeout: float = REDRAW_REPLY_SECONDS) -> bool:
    """Have a pooled kernel draw its views again from the progress store (repairlab/redraw.py).

    Sent on the kernel's shell channel by a client of the server's own, and answered on it:
    the reply cannot be missed the way a status message on the broadcast channel can be (a
    client that subscribes late never sees it, and whoever waits for it waits for ever).
    Shell requests are handled in order, so anything the page asks later (its widgets' state)
    is answered from the redrawn views. Returns whether the kernel said it was done; never
    raises, never waits beyond ``timeout``.

    The client has a session of its own. A kernel manager's clients share its session, whose
    id is their shell socket's identity at the kernel; a kernel handed out while Voilà's own
    client for it was still connecting (the pool refilled a moment before) then refused that
    client as a duplicate, and the page waited 300 s for a kernel that never answered it
    (seen with `bench/hub_load.py --one-server` under load).
    """
    loop = asyncio.get_running_loop()
    client = None
    try:
        kernel = km.get_kernel(kernel_id)
        session = Session(key=kernel.session.key,
                          signature_scheme=kernel.session.signature_scheme)
        client = kernel.client(session=session)
        client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        msg_id = client.execute(REDRAW_CODE, silent=True, store_history=False,
                                allow_stdin=False, stop_on_error=False)
        deadline = loop.time() + timeout
        while True:
            reply = await client.get_shell_msg(timeout=max(0.0, deadline - loop.time()))
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                status = reply.get("content", {}).get("status")
                if status != "ok":
                    log.warning("pre-heated kernel %s could not draw its page again: %s",
                                kernel_id, reply.get("content", {}).get("evalue", status))
                return status == "ok"
    except Exception:  # a kernel that died, or no reply in time: the page goes out regardless
        log.warning("no answer from pre-heated kernel %s to the redraw", kernel_id,
                    exc_info=True)
        return False
    finally:
        if client is not None:
            with contextlib.suppress(Exception):
                client.stop_channels()


# Extra kernel command-line arguments: run kernel.py before anything else in the kernel.
KERNEL_ARGS = ["--IPKernelApp.exec_lines=import repairlab.serving.kernel"]


class RepairLabKernelManager(AsyncMappingKernelManager):
    """Voilà's kernel manager (pre-heating is added on top by Voilà), with KERNEL_ARGS, and
    kernels at a lower priority than the server (kernel_starts.py)."""

    async def start_kernel(self, *args, **kwargs):
        kwargs["extra_arguments"] = [*kwargs.get("extra_arguments", []), *KERNEL_ARGS]
        return await super().start_kernel(*args, **{**kernel_launch_options(), **kwargs})


class PageHandler(TornadoVoilaHandler):
    """Voilà's page handler, plus the _xsrf cookie and fresh pre-rendered pages."""

    async def prepare(self, *args, **kwargs):
        await super().prepare(*args, **kwargs)
        if not self._finished:
            # Reading the token sets the _xsrf cookie; the page's shutdown request sends it
            # back, and without it the request is refused and the kernel keeps running.
            self.xsrf_token  # noqa: B018

    async def get_generator(self, path=None):
        self._page = path
        refresher: PoolRefresher | None = self.settings.get("repairlab_refresher")
        if refresher is not None and path:
            refresher.visited(path)
        streamed = False  # once anything is sent, an error can no longer be an error page
        try:
            # Closed as soon as this is (the student left): its slot is given back at once.
            async with contextlib.aclosing(self._page_in_turn(path)) as page:
                async for html in page:
                    streamed = True
                    yield html
        except Exception:
            if not streamed:
                raise  # the usual error page, with its status
            # The waiting message (or part of the page) is on the student's screen already:
            # replace it with a plain message and a way to try again.
            self.log.exception("page %s could not be prepared after its first bytes were sent",
                               path)
            yield page_failed_html(self.request.uri)

    async def _page_in_turn(self, path):
        """The page, prepared when a slot is free; the waiting message first if none is."""
        slots: PageSlots = self.settings.setdefault("repairlab_page_slots", PageSlots())
        semaphore = slots.semaphore
        if slots.must_wait() and path and await ensure_async(
                self.contents_manager.file_exists(path)):
            # Every slot is taken: tell the student now, then wait for a turn (see
            # kernel_starts.py). Only for a page that exists: a 404 cannot follow a 200.
            self.set_header("Content-Type", "text/html")
            self.set_header("Cache-Control", "no-cache, no-store, must-revalidate")
            yield WAITING_HTML
            turn = asyncio.ensure_future(semaphore.acquire())
            slots.waiting += 1
            try:
                while not (await asyncio.wait({turn}, timeout=KEEPALIVE_SECONDS))[0]:
                    yield "\n"
            except BaseException:  # the student left (or the server stops) while waiting
                if turn.done() and not turn.cancelled() and turn.exception() is None:
                    semaphore.release()
                else:
                    turn.cancel()
                raise
            finally:
                slots.waiting -= 1
        else:
            await semaphore.acquire()
        try:
            stream = getattr(self.request.connection, "stream", None)
            if stream is not None and stream.closed():
                return  # the student left while waiting: start no kernel for nobody
            self._behind_kernel = None  # set by should_use_rendered_notebook
            page = super().get_generator(path=path)
            async for html in self._redrawn_first(page):
                yield html
        finally:
            semaphore.release()

    async def _redrawn_first(self, page):
        """The page; if it comes from a pooled kernel that is behind the store, that kernel
        draws its views again meanwhile, and the page's end (the script that starts its
        widgets) waits for it, at most PAGE_WAITS_FOR_REDRAW_SECONDS."""
        redrawn: asyncio.Future | None = None
        held = True
        async for html in page:
            pool_task = self._behind_kernel
            if pool_task is not None and redrawn is None and pool_task.done():
                # Voilà has taken this kernel from the pool: it is this page's now.
                kernel_id = pool_task.result()["kernel_id"]
                redrawn = asyncio.ensure_future(redraw_kernel(self.kernel_manager, kernel_id))
                self.log.info("pre-heated kernel %s of %s is behind the progress store: "
                              "drawing its views again", kernel_id, self._page)
            if redrawn is not None and held and (at := html.rfind(PAGE_END)) >= 0:
                held = False
                if at:
                    yield html[:at]
                try:
                    await asyncio.wait_for(asyncio.shield(redrawn),
                                           PAGE_WAITS_FOR_REDRAW_SECONDS)
                except asyncio.TimeoutError:
                    self.log.warning("sent %s before its kernel had drawn it again", self._page)
                html = html[at:]
            yield html

    def should_use_rendered_notebook(self, notebook_data, pool_size, template_name, theme,
                                     request_args) -> bool:
        usable = super().should_use_rendered_notebook(notebook_data, pool_size, template_name,
                                                      theme, request_args)
        if not usable and pool_size > 0 and not notebook_data and template_name is None \
                and theme is None:
            # The pool's first kernel is still starting (Voilà knows nothing of the page until
            # it has): wait for it rather than start a second kernel that competes with it.
            usable = True
        refresher: PoolRefresher | None = self.settings.get("repairlab_refresher")
        page = getattr(self, "_page", None)
        if usable and refresher is not None and page:
            refresher.poll()  # a change a moment ago counts, not only the last poll's
            if refresher.is_stale(page):
                # Rendered before the instructor's last edit: render this visit fresh, and
                # replace the stale kernel for the next one.
                refresher.schedule_refresh(page)
                return False
            # Rendered before the student's last answer: Voilà hands out the pool's first
            # kernel right after this returns (no await in between), and it redraws.
            self._behind_kernel = refresher.take_behind(page)
        return usable


class TemplateStaticHandler(TemplateStaticFileHandler):
    """Voilà's template assets handler, answering 404 (not 500) to paths it cannot parse."""

    def parse_url_path(self, path):
        parts = path.split("/")
        if len(parts) < 3 or parts[1] != "static" or any(
                part in ("", "..") or part.startswith(".") for part in parts):
            raise tornado.web.HTTPError(404)
        return super().parse_url_path(path)


class RepairLabVoila(Voila):
    name = "repairlab-voila"

    preheat_pools = Unicode(
        "", config=True,
        help="VoilaKernelManager.kernel_pools_config as JSON. The pools are filled one page "
             "at a time in this order (landing page first) instead of all at once.")

    def init_settings(self):
        self.voila_configuration.multi_kernel_manager_class = RepairLabKernelManager
        settings = super().init_settings()
        # Kernels on Unix sockets, not TCP ports they could race for (kernel_starts.py).
        use_ipc_transport(self.kernel_manager)
        if self.voila_configuration.preheat_kernel and self.preheat_pools:
            pools = json.loads(self.preheat_pools)
            self.kernel_manager.kernel_pools_config = pools
            pages = [page for page, conf in pools.items()
                     if page != "default" and conf.get("pool_size", 0) > 0]
            # Kept as an attribute: a task nobody references may be garbage-collected.
            self._pool_filling = tornado.ioloop.IOLoop.current().add_callback(
                self._fill_pools_in_turn, pages)
        return settings

    async def _fill_pools_in_turn(self, pages: list[str]) -> None:
        """Start each page's pre-heated kernels after the previous page's are ready.

        All at once, a dozen kernels starting together keep a small machine busy for half a
        minute and the first page a student opens waits behind them. A page asked for before
        its pool is ready is simply rendered the ordinary way.
        """
        for page in pages:
            self.kernel_manager.fill_if_needed(delay=0, notebook_name=page)
            for pool_task in list(self.kernel_manager._pools.get(page, [])):
                try:
                    # The pool task ends once the kernel has started; its "task" is the
                    # notebook running in it, the part that takes the time.
                    await (await pool_task)["task"]
                except Exception:
                    self.log.warning("a pre-heated kernel of %s failed to start", page,
                                     exc_info=True)

    def init_handlers(self):
        landing = url_path_join(self.base_url, "voila", "render", LANDING_PAGE)
        handlers = []
        for pattern, handler, *rest in super().init_handlers():
            if handler is TornadoVoilaHandler:
                handlers.append((pattern, PageHandler, *rest))
            elif handler is TornadoVoilaTreeHandler:
                handlers.append((pattern, tornado.web.RedirectHandler, {"url": landing}))
            elif handler is VoilaContentsHandler:
                continue  # only the file browser uses it
            elif handler is TemplateStaticFileHandler:
                handlers.append((pattern, TemplateStaticHandler, *rest))
            else:
                handlers.append((pattern, handler, *rest))
        refresher = PoolRefresher(self.kernel_manager)
        refresher.start()
        self.app.settings["repairlab_refresher"] = refresher
        return handlers

    def stop(self):
        app = getattr(self, "app", None)
        refresher = app.settings.get("repairlab_refresher") if app else None
        if refresher is not None:
            refresher.stop()
        try:
            run_sync(self.kernel_manager.shutdown_all)()
        except Exception:
            self.log.warning("could not shut down every kernel", exc_info=True)
        super().stop()


main = RepairLabVoila.launch_instance

if __name__ == "__main__":
    main()
