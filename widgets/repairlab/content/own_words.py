"""Find runs of words that our curriculum shares with the seed articles.

The curriculum is written in our own words: no run of ``RUN_LENGTH`` or more words may be
copied from a source article. Words are compared case-folded, with punctuation and
typographic quotes removed, so a copied sentence cannot hide behind a changed comma.

Run it directly while writing::

    python -m repairlab.content.own_words curriculum exercises --seeds ../shared/seeds
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

RUN_LENGTH = 10
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_TEXT_SUFFIXES = {".md", ".yaml", ".yml", ".ipynb", ".txt", ".svg"}


def words(text: str) -> list[str]:
    """Lower-cased words with apostrophes kept inside words (don't, client's)."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return _WORD.findall(text)


def _runs(tokens: list[str], n: int) -> Iterator[tuple[str, ...]]:
    for i in range(len(tokens) - n + 1):
        yield tuple(tokens[i : i + n])


@dataclass(frozen=True)
class SharedRun:
    path: Path
    seed: Path
    words: str


def seed_index(seed_paths: Iterable[Path], n: int = RUN_LENGTH) -> dict[tuple[str, ...], Path]:
    index: dict[tuple[str, ...], Path] = {}
    for seed in seed_paths:
        for run in _runs(words(seed.read_text(encoding="utf-8")), n):
            index.setdefault(run, seed)
    return index


def prose_of(path: Path) -> str:
    """The human-readable text of a content file (a notebook's cell sources, not its JSON)."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        cells = json.loads(raw).get("cells", [])
        return "\n\n".join("".join(cell.get("source", "")) for cell in cells)
    return raw


def content_files(roots: Iterable[Path]) -> Iterator[Path]:
    for root in roots:
        if root.is_file():
            yield root
            continue
        for path in sorted(root.rglob("*")):
            hidden = any(part.startswith(".") for part in path.relative_to(root).parts)
            if path.is_file() and path.suffix in _TEXT_SUFFIXES and not hidden:
                yield path


def shared_runs(
    roots: Iterable[Path], seeds: Iterable[Path], n: int = RUN_LENGTH
) -> list[SharedRun]:
    """Every maximal run of at least ``n`` words that a content file shares with a seed."""
    index = seed_index(seeds, n)
    found: list[SharedRun] = []
    for path in content_files(roots):
        tokens = words(prose_of(path))
        i = 0
        while i <= len(tokens) - n:
            seed = index.get(tuple(tokens[i : i + n]))
            if seed is None:
                i += 1
                continue
            end = i + n  # extend to the whole shared run so it is reported once
            while end < len(tokens) and tuple(tokens[end - n + 1 : end + 1]) in index:
                end += 1
            found.append(SharedRun(path, seed, " ".join(tokens[i:end])))
            i = end
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, help="content files or folders")
    parser.add_argument("--seeds", type=Path, required=True, help="folder of seed articles")
    parser.add_argument("-n", type=int, default=RUN_LENGTH, help="run length in words")
    args = parser.parse_args(argv)
    runs = shared_runs(args.paths, sorted(args.seeds.glob("*.txt")), args.n)
    for run in runs:
        print(f"{run.path}: shares {len(run.words.split())} words with {run.seed.name}: "
              f"\"{run.words}\"")
    print(f"{len(runs)} shared run(s) of {args.n}+ words")
    return 1 if runs else 0


if __name__ == "__main__":
    sys.exit(main())
