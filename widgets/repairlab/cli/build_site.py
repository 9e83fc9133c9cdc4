"""repairlab build-site OUTDIR: the whole course as a static site that runs in the browser."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..content.course import find_course_root
from ..content.errors import ContentError


def add_parser(sub, name: str) -> None:
    parser = sub.add_parser(
        name, help="build the course as a static site (no server: Python runs in the browser)",
        description=__doc__ + "\n\nNeeds the `site` extra (pip install -e '.[site]') and npm.")
    parser.add_argument("outdir", type=Path, help="the folder to write the site into")
    parser.add_argument("--course", type=Path, default=None,
                        help="the course folder (default: found from the current folder)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="where downloads and build steps are kept between builds "
                             "(default: build/site-cache in the course folder)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..serving.site import SiteBuildError, build_site

    try:
        root = find_course_root(args.course)
    except ContentError as error:
        for problem in error.problems:
            print(problem.format(), file=sys.stderr)
        return 1
    try:
        build_site(root, args.outdir, args.cache)
    except SiteBuildError as error:
        print(f"build-site: {error}", file=sys.stderr)
        return 1
    return 0
