"""The learned verdict: a linear model over ``features.py``, shipped as data and read with the
standard library (``json``, and ``mmap`` or ``array``), so a student's kernel imports nothing new.

``verdict.json`` says what the model was trained on and where its "not sure" band lies;
``verdict.weights`` holds one signed 16-bit weight per feature bucket and output. Both are
written by tools/train_assessor.py and checked against each other when loaded.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import BinaryIO

from .features import BUCKETS, FEATURE_VERSION, hashed

_HERE = Path(__file__).resolve().parent


class VerdictModelError(RuntimeError):
    """The shipped model files are missing or do not fit this code (re-run the training tool)."""


@dataclass(frozen=True)
class VerdictModel:
    outputs: tuple[str, ...]
    biases: tuple[float, ...]
    scales: tuple[float, ...]
    weights: Sequence[int]  # int16: mapped from the file, or read (_int16s)
    not_sure_low: float
    not_sure_high: float
    # A move counts from its threshold on; a move the rules quote needs only the floor.
    move_thresholds: dict = field(default_factory=dict)
    rule_move_floor: float = 0.5

    def move_threshold(self, move: str) -> float:
        return self.move_thresholds.get(move, 0.5)

    def margins(self, buckets: Iterable[int]) -> dict[str, float]:
        """Each output's log-odds for a reply's hashed features."""
        present = list(buckets)
        w = self.weights
        out = {}
        for k, name in enumerate(self.outputs):
            base = k * BUCKETS
            total = sum(w[base + b] for b in present)
            out[name] = self.biases[k] + self.scales[k] * total
        return out

    def probabilities(self, features: Iterable[str]) -> dict[str, float]:
        return {name: _sigmoid(m) for name, m in self.margins(hashed(features)).items()}

    def verdict(self, p_defensive: float) -> bool | None:
        """True (defensive), False (not), or None: inside the band the evidence is too weak."""
        if p_defensive >= self.not_sure_high:
            return True
        if p_defensive <= self.not_sure_low:
            return False
        return None


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def read_weights(folder: Path, stem: str, feature_version: int, buckets: int,
                 error: type[Exception], tool: str) -> tuple[dict, Sequence[int]]:
    """``<stem>.json`` and ``<stem>.weights`` (int16, little-endian) as trained by ``tool``:
    the manifest and the weights, or ``error`` saying what does not match and what to run."""
    try:
        manifest = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
        with (folder / f"{stem}.weights").open("rb") as file:
            digest = hashlib.sha256()
            while chunk := file.read(1 << 16):
                digest.update(chunk)
            weights = _int16s(file)  # the very file hashed, even if it is replaced meanwhile
    except OSError as exc:
        raise error(f"the {stem} model's files are missing ({exc})") from exc
    if manifest.get("feature_version") != feature_version or manifest.get("buckets") != buckets:
        raise error(f"{stem}.json was trained on other features: run {tool}")
    if digest.hexdigest() != manifest.get("weights_sha256"):
        raise error(f"{stem}.weights does not match {stem}.json: run {tool}")
    return manifest, weights


def _int16s(file: BinaryIO) -> Sequence[int]:
    """The file's little-endian int16 values, mapped rather than read where the platform allows:
    the pages then stay in the OS's file cache, one copy for every kernel on the machine, and
    count in a kernel's own memory only while it has touched them (``release_pages``)."""
    if sys.byteorder == "little" and sys.platform != "emscripten":  # Pyodide: read it
        try:
            import mmap

            return memoryview(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)).cast("h")
        except (ImportError, OSError, ValueError, TypeError):  # empty, odd-sized or unmappable
            pass
    file.seek(0)
    payload = file.read()
    weights = array("h")
    weights.frombytes(payload[: len(payload) // 2 * 2])  # an odd byte fails the size check
    if sys.byteorder == "big":
        weights.byteswap()  # the file is little-endian
    return weights


def release_pages(weights: Sequence[int]) -> None:
    """Give back the pages of mapped weights that this process has touched (they stay in the
    OS's file cache, and a later check maps them again in microseconds). Read weights stay."""
    try:
        import mmap

        mapped = getattr(weights, "obj", None)
        if isinstance(mapped, mmap.mmap):
            mapped.madvise(mmap.MADV_DONTNEED)
    except (ImportError, AttributeError, OSError):  # no madvise here: the pages just stay
        pass


def load_model(folder: Path = _HERE) -> VerdictModel:
    manifest, weights = read_weights(folder, "verdict", FEATURE_VERSION, BUCKETS,
                                     VerdictModelError, "tools/train_assessor.py")
    outputs = tuple(manifest["outputs"])
    if len(weights) != len(outputs) * BUCKETS:
        raise VerdictModelError("verdict.weights has the wrong size: run tools/train_assessor.py")
    band = manifest["not_sure"]
    moves = manifest.get("moves", {})
    return VerdictModel(outputs, tuple(manifest["biases"]), tuple(manifest["scales"]), weights,
                        float(band["low"]), float(band["high"]),
                        {m: float(t) for m, t in moves.get("thresholds", {}).items()},
                        float(moves.get("rule_floor", 0.5)))


@cache
def default_model() -> VerdictModel:
    return load_model()
