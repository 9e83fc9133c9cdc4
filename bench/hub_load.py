"""A class on a real JupyterHub: N simulated students log in, open a practice page and answer.

    .venv/bin/python bench/hub_load.py --students 10            # after `make test-hub`'s installs
    .venv/bin/python bench/hub_load.py --students 30 --answering 120 --json out.json

Starts the hub the hub tests start (deploy/jupyterhub_config.py with the test-only overrides of
tests/browser/hub_helpers.py: a test login, the local spawner, all on this machine) on a copy
of the real course. Each student is a load generator speaking what a browser speaks, not a
browser: HTTP for the pages and the Jupyter kernel protocol over the kernel's websocket for the
widgets. Each student, starting at an even spread over the first minute (``--spread``):

1. logs in through the hub's login form and waits for their server: **spawn** is the time
   from the login to the complete landing page (the page the server sends them to), then
   closes that tab as a browser does (the page's shutdown request stops its kernel);
2. opens module 4's practice page (the page issue 15's figures used): **page** is the time
   from the request to the complete HTML; then connects to the page's kernel and fetches its
   widgets, as Voilà's page does (ipywidgets' ``request_states``);
3. answers for ``--answering`` seconds, one exercise at a time, every 1-3 s: types a reply
   (or picks a choice) and presses the exercise's button; **click to feedback** is the time
   from the button's message to the kernel's end of handling it (its ``idle`` status for that
   message, by which time the feedback's update has been sent).

A student the hub refuses for its ``concurrent_spawn_limit`` (429, "try again in N seconds")
waits as told and presses "Launch"; one whose spawn failed presses "Relaunch server".

``--one-server`` runs the same class against one ``repairlab serve`` instead (the laptop
server's configuration, pools of pre-heated kernels full before the first student comes, as
with ``--listen-all``: every student is the same student, with no login): **spawn** is then
the landing page alone. It also counts the server's kernel starts and stops (its log) against
the pages the students opened: each page opened starts one kernel (its own, or its pool's
next), so any start beyond that is a kernel the server started for something else (issue 15
measured 48 for 30 students, every pool restarted after saved answers).

Also: every request or answer left unanswered for more than 5 s; PSS (proportional set size)
of each student's server plus kernel while they answer, and its CPU share over 30 s of
answering; CPU seconds of the server plus kernels when the landing page has come (what a
spawn costs); the machine's load average before, during and after. Prints a summary, and all
figures as JSON with ``--json``. Method and figures: bench/README.md, "A class on the hub".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

from hub_helpers import (  # noqa: E402
    PASSWORD,
    Hub,
    copy_of_course,
    hub_available,
    pss_mb,
    start_hub,
)

LANDING = "voila/render/index.ipynb"
PRACTICE = "voila/render/04-non-defensive-responding/practice.ipynb"
ANSWER_BUTTONS = {"Get feedback", "Check answer", "Save reflection"}
UNANSWERED_SECONDS = 5.0
# What the simulated students type: a repairing reply and a defensive one, in turn (the
# assessor's work differs with the reply).
REPLIES = [
    "You're right, I did cut you off just now, and I'm sorry. What was it like for you when I "
    "did that?",
    "I was only trying to help you see the pattern; you did ask me for that last week.",
]


@dataclass
class Student:
    name: str
    spawn: float | None = None
    page: float | None = None
    widgets: float | None = None
    clicks: list[float] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)  # every HTTP request, as it was answered
    unanswered: int = 0  # answers with no feedback within UNANSWERED_SECONDS
    told_to_retry: int = 0  # 429s from the hub (its concurrent_spawn_limit reached)
    relaunches: int = 0  # failed spawns relaunched (as the hub's "Relaunch server" button)
    retry_after: float = 0.0  # the last response's Retry-After
    pss_mb: float | None = None
    spawn_cpu: float | None = None  # CPU seconds of server + kernels once the landing page came
    answering_cpu: float | None = None  # CPU share (cores) of server + kernel while answering
    pages_opened: int = 0  # page requests that got a page (each one costs a kernel start)
    error: str | None = None


class OneServer:
    """``repairlab serve`` (serve_speed.Server, pools full and idle) seen as the students' one
    shared server: what one_student needs of a hub."""

    def __init__(self, root: Path, work: Path):
        from serve_speed import Server

        self.server = Server(root, work / "data", preheat=True, log=work / "serve.log",
                             baseline=False)
        self.base = f"http://127.0.0.1:{self.server.port}"
        self.log_path = work / "serve.log"
        self.pooled = self.server.pooled

    def user_url(self, name: str, path: str = "") -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def student_processes(self, name: str) -> list:
        return []  # one server for everyone: no figure per student

    def stop(self, timeout: float = 30.0) -> list[str]:
        self.server.stop()
        return []


def kernel_counts(log: str) -> dict[str, int]:
    """What the server's log says it did with kernels (jupyter_server's and Voilà's lines,
    and RepairLab's: serving/app.py)."""
    return {
        "kernel_starts": log.count("Kernel started:"),
        "kernel_stops": log.count("Kernel shutdown:"),
        "pages_from_a_pool": log.count("Using pre-heated kernel:"),
        "pooled_kernels_redrawn_after_a_save": log.count("is behind the progress store"),
        "pooled_kernels_replaced": sum(int(n) for n in re.findall(
            r"refreshed (\d+) pre-heated kernel", log)),
    }


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def timed_get(http, url: str, student: Student) -> tuple[int, str, str]:
    started = time.monotonic()
    async with http.get(url) as response:
        body = await response.text()
        student.retry_after = float(response.headers.get("Retry-After", 0) or 0)
    student.waits.append(time.monotonic() - started)
    return response.status, body, str(response.url)


def message(msg_type: str, content: dict, session: str, metadata: dict | None = None) -> dict:
    return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "",
                       "session": session, "date": "", "version": "5.3"},
            "parent_header": {}, "metadata": metadata or {}, "content": content,
            "channel": "shell", "buffers": []}


class KernelSocket:
    """A page's kernel websocket, read by one task; waiters by parent message id."""

    def __init__(self, socket):
        self.socket = socket
        self.session = uuid.uuid4().hex
        self.idle: dict[str, asyncio.Future] = {}
        self.states: asyncio.Future = asyncio.get_running_loop().create_future()
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for frame in self.socket:
            if frame.type != 1:  # aiohttp.WSMsgType.TEXT
                continue
            msg = json.loads(frame.data)
            parent = msg.get("parent_header", {}).get("msg_id")
            content = msg.get("content", {})
            if msg["msg_type"] == "status" and content.get("execution_state") == "idle" \
                    and parent in self.idle and not self.idle[parent].done():
                self.idle[parent].set_result(time.monotonic())
            elif msg["msg_type"] == "comm_msg" and \
                    content.get("data", {}).get("method") == "update_states" and \
                    not self.states.done():
                self.states.set_result(content["data"]["states"])

    async def send(self, msg_type: str, content: dict, metadata: dict | None = None) -> str:
        msg = message(msg_type, content, self.session, metadata)
        self.idle[msg["header"]["msg_id"]] = asyncio.get_running_loop().create_future()
        await self.socket.send_str(json.dumps(msg))
        return msg["header"]["msg_id"]

    async def comm(self, comm_id: str, data: dict) -> str:
        return await self.send("comm_msg", {"comm_id": comm_id, "data": data})

    async def widget_states(self) -> dict:
        control = uuid.uuid4().hex
        # ipywidgets' control comm, as Voilà's page opens it (its protocol version is required).
        await self.send("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control",
                                      "data": {}}, metadata={"version": "1.0.0"})
        await self.comm(control, {"method": "request_states"})
        return await asyncio.wait_for(self.states, 120)

    async def close(self) -> None:
        self.reader.cancel()
        await self.socket.close()


def exercises(states: dict) -> list[dict]:
    """Each answerable exercise on the page: its input (a text box or a set of choices), its
    button and its feedback area, found from the widgets' states as the page would show them."""
    found = []
    for model in states.values():
        state = model["state"]
        if "repairlab-exercise" not in state.get("_dom_classes", []):
            continue
        children = [c.removeprefix("IPY_MODEL_") for c in state.get("children", [])]
        parts: dict = {}
        for child in children:
            child_state = states.get(child, {}).get("state", {})
            name = states.get(child, {}).get("model_name", "")
            if name == "TextareaModel":
                parts["text"] = child
            elif name == "RadioButtonsModel":
                parts["choices"] = (child, len(child_state.get("_options_labels", [])))
            elif name == "ButtonModel" and child_state.get("description") in ANSWER_BUTTONS:
                parts.setdefault("button", child)
        if "button" in parts and ("text" in parts or "choices" in parts):
            found.append(parts)
    return found


async def answer(kernel: KernelSocket, exercise: dict, count: int, student: Student) -> None:
    if "text" in exercise:
        reply = f"{REPLIES[count % len(REPLIES)]} ({count})"
        await kernel.comm(exercise["text"], {"method": "update", "state": {"value": reply},
                                             "buffer_paths": []})
    else:
        choices, options = exercise["choices"]
        await kernel.comm(choices, {"method": "update",
                                    "state": {"index": count % max(1, options)},
                                    "buffer_paths": []})
    clicked = time.monotonic()
    click = await kernel.comm(exercise["button"], {"method": "custom",
                                                   "content": {"event": "click"}})
    try:
        done = await asyncio.wait_for(asyncio.shield(kernel.idle[click]), UNANSWERED_SECONDS)
    except asyncio.TimeoutError:
        student.unanswered += 1
        done = await asyncio.wait_for(kernel.idle[click], 120)
    student.clicks.append(done - clicked)


async def one_student(hub: Hub, student: Student, delay: float, answering: float,
                      active: asyncio.Event, measured: asyncio.Event) -> None:
    import aiohttp

    await asyncio.sleep(delay)
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(cookie_jar=jar, timeout=timeout) as http:
        try:
            started = time.monotonic()
            if isinstance(hub, OneServer):
                _, body, _ = await timed_get(http, hub.user_url(student.name, LANDING), student)
                student.spawn = time.monotonic() - started
                await close_tab(http, hub, student, body)
            else:
                body = await log_in_and_spawn(http, hub, student, started)
                student.spawn_cpu = await asyncio.to_thread(student_cpu_seconds, hub,
                                                            student.name)
                await close_tab(http, hub, student, body)
            student.pages_opened += 1

            started = time.monotonic()
            status, body, _ = await timed_get(http, hub.user_url(student.name, PRACTICE), student)
            student.pages_opened += 1
            student.page = time.monotonic() - started
            kernel_id = re.search(r'"kernelId":\s*"([\w-]+)"', body)
            if status != 200 or not kernel_id:
                raise RuntimeError(f"practice page: HTTP {status}, kernel {bool(kernel_id)}")
            socket = await http.ws_connect(
                hub.user_url(student.name, f"api/kernels/{kernel_id.group(1)}/channels")
                .replace("http://", "ws://") + f"?session_id={uuid.uuid4().hex}")
            kernel = KernelSocket(socket)
            try:
                states = await kernel.widget_states()
                student.widgets = time.monotonic() - started
                found = exercises(states)
                if not found:
                    raise RuntimeError("no answerable exercise among the page's widgets")
                active.set()
                count = 0
                stop = time.monotonic() + answering
                while time.monotonic() < stop and not measured.is_set():
                    await answer(kernel, random.choice(found), count, student)
                    count += 1
                    await asyncio.sleep(random.uniform(1.0, 3.0))
            finally:
                await kernel.close()
        except Exception as error:  # one student's failure is a figure, not the end of the run
            student.error = f"{type(error).__name__}: {error}"
        finally:
            active.set()  # answering, or never will: the memory sample waits for no one else


async def log_in_and_spawn(http, hub: Hub, student: Student, started: float) -> str:
    """Log in through the hub's form and wait for the server; the landing page's HTML."""
    _, login_form, _ = await timed_get(http, f"{hub.base}/hub/login", student)
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', login_form)
    form = {"username": student.name, "password": PASSWORD}
    if xsrf:
        form["_xsrf"] = xsrf.group(1)
    async with http.post(f"{hub.base}/hub/login", data=form) as response:
        await response.read()
    landing = hub.user_url(student.name, LANDING)
    while True:  # until the server runs and sends the landing page
        status, body, url = await timed_get(http, landing, student)
        if status == 200 and url.startswith(landing) and '"kernelId"' in body:
            break
        if status in (424, 429):
            # 429: "Too many users trying to log in right now. Try again in N seconds"
            # (the hub's concurrent_spawn_limit); 424: "your server is not running",
            # after such a refusal. The student waits as told, then presses "Launch".
            student.told_to_retry += status == 429
            await asyncio.sleep(student.retry_after)
            launched, _, _ = await timed_get(http, f"{hub.base}/hub/spawn/{student.name}",
                                             student)
            if launched == 429:
                student.told_to_retry += 1
                await asyncio.sleep(student.retry_after)
        elif status >= 500 and "/hub/spawn-pending/" in url:
            # The spawn failed ("Spawn failed", with a "Relaunch server" button): the
            # student presses it.
            student.relaunches += 1
            await timed_get(http, f"{hub.base}/hub/spawn/{student.name}", student)
        if time.monotonic() - started > 420:
            raise RuntimeError(f"no landing page after 420 s ({status} {url})")
        await asyncio.sleep(0.5)
    student.spawn = time.monotonic() - started
    return body


async def close_tab(http, hub: Hub, student: Student, page: str) -> None:
    """What the landing page's tab does as the student moves on: ask to stop its kernel."""
    from yarl import URL

    kernel_id = re.search(r'"kernelId":\s*"([\w-]+)"', page)
    if not kernel_id:
        return
    url = hub.user_url(student.name, f"voila/api/shutdown/{kernel_id.group(1)}")
    # The server's own _xsrf cookie (path /user/<name>/), not the hub's.
    xsrf = http.cookie_jar.filter_cookies(URL(url)).get("_xsrf")
    started = time.monotonic()
    async with http.post(url, headers={"X-XSRFToken": xsrf.value if xsrf else ""}) as response:
        await response.read()
    student.waits.append(time.monotonic() - started)


def student_cpu_seconds(hub: Hub, name: str) -> float | None:
    """CPU time (user + system) of the student's server and its kernels, living ones only."""
    import psutil

    processes = hub.student_processes(name)
    if not processes:
        return None
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            continue
    return total


def student_pss_mb(hub: Hub, name: str) -> float | None:
    processes = hub.student_processes(name)
    return pss_mb(processes) if processes else None


async def class_session(hub: Hub, count: int, spread: float, answering: float) -> dict:
    students = [Student(f"student{i + 1:03d}") for i in range(count)]
    active = [asyncio.Event() for _ in students]
    measured = asyncio.Event()
    loads = [os.getloadavg()[0]]

    async def sample_load() -> None:
        while not measured.is_set():
            await asyncio.sleep(5)
            loads.append(os.getloadavg()[0])

    sampler = asyncio.ensure_future(sample_load())
    runs = [asyncio.ensure_future(one_student(hub, s, i * spread / max(1, count), answering,
                                              active[i], measured))
            for i, s in enumerate(students)]
    # Memory once every student who got that far is answering (a while into it).
    everyone = asyncio.gather(*(a.wait() for a in active))
    finished = asyncio.gather(*runs)
    await asyncio.wait({everyone, finished}, return_when=asyncio.FIRST_COMPLETED)
    if not finished.done():
        # Memory and CPU once every student who got that far is answering: PSS a while into
        # it, CPU over the next WINDOW seconds (everyone still answering throughout).
        await asyncio.sleep(min(15.0, answering / 4))
        answering_now = [s for s in students if s.widgets is not None and s.error is None]
        cpu_before = {}
        window_started = time.monotonic()
        for student in answering_now:
            student.pss_mb = await asyncio.to_thread(student_pss_mb, hub, student.name)
            cpu_before[student.name] = await asyncio.to_thread(student_cpu_seconds, hub,
                                                               student.name)
        await asyncio.sleep(min(30.0, answering / 3))
        window = time.monotonic() - window_started
        for student in answering_now:
            after = await asyncio.to_thread(student_cpu_seconds, hub, student.name)
            if after is not None and cpu_before.get(student.name) is not None:
                student.answering_cpu = (after - cpu_before[student.name]) / window
    await finished
    everyone.cancel()
    await asyncio.gather(everyone, return_exceptions=True)
    measured.set()
    await sampler
    loads.append(os.getloadavg()[0])
    return {"students": [asdict(s) for s in students], "load": loads}


def summary(count: int, result: dict) -> dict:
    students = result["students"]

    def figures(values: list[float]) -> dict:
        return {"n": len(values), "p50": percentile(values, 0.5), "p95": percentile(values, 0.95),
                "max": max(values) if values else None}

    clicks = [c for s in students for c in s["clicks"]]
    waits = [w for s in students for w in s["waits"]]
    pss = [s["pss_mb"] for s in students if s["pss_mb"] is not None]
    return {
        "students": count,
        "spawn_s": figures([s["spawn"] for s in students if s["spawn"] is not None]),
        "page_s": figures([s["page"] for s in students if s["page"] is not None]),
        "page_to_widgets_s": figures([s["widgets"] for s in students if s["widgets"]]),
        "click_to_feedback_ms": {k: (v * 1000 if isinstance(v, float) else v)
                                 for k, v in figures(clicks).items()},
        "answers_unanswered_over_5s": sum(s["unanswered"] for s in students),
        "requests_over_5s": sum(w > UNANSWERED_SECONDS for w in waits),
        "pss_per_active_student_mb": {"n": len(pss),
                                      "median": statistics.median(pss) if pss else None,
                                      "max": max(pss) if pss else None},
        "spawn_cpu_s": figures([s["spawn_cpu"] for s in students
                                if s["spawn_cpu"] is not None]),
        "answering_cpu_cores_per_student": figures([s["answering_cpu"] for s in students
                                                    if s["answering_cpu"] is not None]),
        "longest_request_s": max(waits) if waits else None,
        "spawn_429s": sum(s["told_to_retry"] for s in students),
        "spawns_failed_and_relaunched": sum(s["relaunches"] for s in students),
        "errors": [f"{s['name']}: {s['error']}" for s in students if s["error"]],
        "pages_opened": sum(s["pages_opened"] for s in students),
        **({"kernels": {**result["kernels"], "starts_beyond_one_per_page_opened":
                        result["kernels"]["kernel_starts"]
                        - sum(s["pages_opened"] for s in students)}}
           if "kernels" in result else {}),
        "load_average": {"before": result["load"][0], "max": max(result["load"]),
                         "median": statistics.median(result["load"]),
                         "after": result["load"][-1]},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--spread", type=float, default=60.0,
                        help="seconds over which the students start (default 60)")
    parser.add_argument("--answering", type=float, default=90.0,
                        help="seconds each student answers for (default 90)")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--one-server", action="store_true",
                        help="one `repairlab serve` with its pools, instead of a hub")
    args = parser.parse_args(argv)
    reason = None if args.one_server else hub_available()
    if reason:
        print(reason, file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="repairlab-hub-load-"))
    root = copy_of_course(work)
    if args.one_server:
        hub = OneServer(root, work)
        log_name = "serve.log"
    else:
        hub = start_hub(root, work, work / "hub.log")
        log_name = "hub.log"
    before_class = len(hub.log())  # the pools filled at start-up are not the class's doing
    try:
        result = asyncio.run(class_session(hub, args.students, args.spread, args.answering))
        hub_tail = hub.log()[-4000:]
        if args.one_server:
            result["kernels"] = kernel_counts(hub.log()[before_class:])
            result["kernels"]["pooled_pages"] = hub.pooled
    finally:
        left = hub.stop(timeout=60)
        kept = Path(tempfile.gettempdir()) / f"hub-load-{args.students}-{log_name}"
        shutil.copy(work / log_name, kept)
        shutil.rmtree(work, ignore_errors=True)
    report = summary(args.students, result)
    print(json.dumps(report, indent=2))
    if report["errors"]:
        print(f"hub log (kept in {kept}), its end:\n{hub_tail}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps({"summary": report, **result}, indent=1),
                             encoding="utf-8")
    if left:
        print(f"processes left after the hub stopped: {left}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
