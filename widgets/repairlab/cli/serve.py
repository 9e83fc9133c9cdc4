"""repairlab serve: the curriculum in Voilà, for students (the main job)."""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys
import time
import webbrowser
from pathlib import Path


def add_parser(sub, name: str) -> None:
    parser = sub.add_parser(name, help="serve the course in Voilà (students see no code)",
                            description=__doc__)
    parser.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    parser.add_argument(
        "--listen-all", action="store_true",
        help="listen on every network interface instead of 127.0.0.1. Anyone who can reach "
             "this machine can then open the course and start kernels on it: use it only on a "
             "trusted network or behind an authenticating proxy such as JupyterHub.")
    parser.add_argument(
        "--no-preheat", action="store_true",
        help="do not keep pre-heated kernels for the landing and practice pages (saves about "
             "60 MB of memory per page, at the cost of a slower first paint)")
    parser.add_argument("path", nargs="?", type=Path, default=None,
                        help="the course folder (default: found from the current folder)")
    parser.set_defaults(run=run)


def _wait_for_port(port: int, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


def run_server(command: list[str], env: dict[str, str], *, port: int, url: str,
               open_browser: bool) -> int:
    """Run a Voilà server until it exits or we are stopped; open ``url`` once it answers.

    Shared by `serve` and `dashboard`: however the command is stopped (Ctrl+C, terminal
    closed, service manager), the server and its kernels stop with it.
    """
    process = subprocess.Popen(command, env=env)

    def stop_server(signum, frame):
        process.terminate()

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop_server)
    try:
        if open_browser and _wait_for_port(port):
            webbrowser.open(url)
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        process.wait(timeout=15)
        return 0


def run(args: argparse.Namespace) -> int:
    from ..content.course import find_course_root
    from ..content.errors import ContentError
    from ..serving.config import landing_url, serve_env, voila_command

    try:
        root = find_course_root(args.path)
    except ContentError as error:
        print(error, file=sys.stderr)
        return 1
    ip = "0.0.0.0" if args.listen_all else "127.0.0.1"
    env = serve_env(root)
    url = landing_url(args.port)
    print(f"RepairLab: serving {root / 'curriculum'}\n  open {url}\n  stop with Ctrl+C")
    if args.listen_all:
        print("  warning: listening on all interfaces; anyone on the network can use it.")
    return run_server(voila_command(root, port=args.port, ip=ip, preheat=not args.no_preheat),
                      env, port=args.port, url=url, open_browser=not args.no_browser)
