"""What the two training tools share: which files they learn from, how they read them, and how
they split and store what they learn.

tools/train_assessor.py (the reply assessor's verdict) and tools/train_risk.py (the risk-inquiry
signal) used to load their items each in its own way; both now call this module, so a reply is
read, grouped by client statement and credited to its writer the same way in both.

- **Files.** Developer and training files under tests/data/, plus the blind sets in bench/blind/
  that bench/blind/sets.yaml marks as read. A blind set not yet read is never opened here.
- **Items.** A reply is kept when its text is a string and its label (``defensive`` or
  ``asks_about_risk``) is a boolean; each keeps the file it came from (``source``), whether it
  was written without sight of the rules (``fresh``) and who wrote it (``writer``).
- **Groups.** Replies to the same client statement share a group, so no statement is on both
  sides of a split; a reply with no statement is a group of its own.
- **Writers.** A writer is one helper: a read blind set ("replies-d"), a risk training set, or
  the two parts of a reply training set ("withdrawal-3.yaml" and "withdrawal-4.yaml" are one
  helper's parts 1 and 2).
  Leaving one writer out is the nearest thing to the next, unseen writer.
"""

from __future__ import annotations

import re
from array import array
from pathlib import Path

import numpy as np
import yaml
from scipy.sparse import csr_matrix

ROOT = Path(__file__).resolve().parent.parent
BLIND = ROOT / "bench" / "blind"
REPLIES = ROOT / "tests" / "data" / "replies"
RISK = ROOT / "tests" / "data" / "risk"

_PART = re.compile(r"^(?P<stem>.+)-(?P<part>\d+)$")


def read_blind_sets(kind: str) -> list[Path]:
    """The blind sets of ``kind`` ("replies" or "risk") whose figures have been read."""
    registry = BLIND / "sets.yaml"
    if not registry.exists():
        return []
    entries = yaml.safe_load(registry.read_text(encoding="utf-8"))["sets"]
    return [BLIND / e["file"] for e in entries if e.get("kind") == kind and e.get("read")]


def writer_of(path: Path) -> str:
    """Who wrote a file. Each helper of the reply training sets (tests/data/replies/train/) wrote
    two parts, numbered 1-2, 3-4, ... (see each file's first line); any other file (a read blind
    set, a risk training set, a developer file) is one writer's."""
    m = _PART.match(path.stem)
    if path.parent != REPLIES / "train" or not m:
        return path.stem
    return f"{m['stem']}-{(int(m['part']) + 1) // 2}"


def load_items(files: list[Path], label: str, *, rule_tuned: tuple[Path, ...] = ()) -> list[dict]:
    """Every item with a string ``text`` and a boolean ``label``. ``fresh`` is False for the files
    in ``rule_tuned`` (written by the rules' or detector's author, or tuned on by them)."""
    items = []
    for path in files:
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]:
            if isinstance(item.get("text"), str) and isinstance(item.get(label), bool):
                items.append(dict(item, source=path.name, writer=writer_of(path),
                                  fresh=path not in rule_tuned))
    return items


def groups(items: list[dict], statement: str) -> np.ndarray:
    """One group number per item: replies to the same client statement (``item[statement]``,
    compared without case or spacing) share one; an item with no statement is its own."""
    keys = [" ".join(str(i.get(statement) or f"{i['source']}#{n}").lower().split())
            for n, i in enumerate(items)]
    index = {k: n for n, k in enumerate(dict.fromkeys(keys))}
    return np.array([index[k] for k in keys])


def matrix(rows: list[set[int]], buckets: int) -> csr_matrix:
    """Hashed feature sets as a 0/1 sparse matrix, one row per reply."""
    indptr, indices = [0], []
    for row in rows:
        indices.extend(sorted(row))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return csr_matrix((data, np.array(indices, dtype=np.int64), np.array(indptr)),
                      shape=(len(rows), buckets))


def quantise(weights: np.ndarray) -> tuple[array, float]:
    """Weights as signed 16-bit integers (little-endian) and the scale that restores them."""
    scale = float(np.abs(weights).max() / 32767) or 1.0
    q = np.clip(np.round(weights / scale), -32767, 32767).astype("<i2")
    return array("h", q.tobytes()), scale
