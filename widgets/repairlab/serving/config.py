"""The Voilà command line for serving the course, kept in one function so that
``repairlab serve``, the browser tests and the benchmarks all run the same configuration.
"""

from __future__ import annotations

import sys
from pathlib import Path

LANDING_PAGE = "index.ipynb"


def voila_command(root: Path, *, port: int, ip: str = "127.0.0.1") -> list[str]:
    curriculum = root / "curriculum"
    return [
        sys.executable, "-m", "voila", str(curriculum),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={ip}",
        # Students never see code, nor a traceback: Voilà shows a friendly error instead
        # and the detail goes to the server log.
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        # Only images next to the notebooks are served as files; never YAML, data or hidden files.
        r"--VoilaConfiguration.file_allowlist=['.*\.(png|jpg|jpeg|gif|svg|webp)']",
        # A backstop for kernels whose tab closed without shutting them down.
        "--MappingKernelManager.cull_idle_timeout=900",
        "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_connected=False",
    ]


def landing_url(port: int, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{port}/voila/render/{LANDING_PAGE}"
