"""The ``repairlab`` command. One subcommand per module here; each has ``add_parser`` and ``run``.

Content mistakes end as messages and exit code 1, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .. import __version__

# Subcommand name -> module; imported only when that subcommand runs, so `repairlab check`
# never pays for Voilà and `repairlab serve` never for pydantic before it needs it.
SUBCOMMANDS = {
    "serve": "repairlab.cli.serve",
    "check": "repairlab.cli.check",
    "new-module": "repairlab.cli.new_module",
    "export": "repairlab.cli.export",
    "gradebook": "repairlab.cli.gradebook",
    "dashboard": "repairlab.cli.dashboard",
    "build-site": "repairlab.cli.build_site",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="repairlab",
        description="Practise noticing, surviving and repairing alliance ruptures.")
    parser.add_argument("--version", action="version", version=f"repairlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module in SUBCOMMANDS.items():
        importlib.import_module(module).add_parser(sub, name)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
