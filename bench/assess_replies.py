"""Bench for the reply assessor: accuracy, per-move F1 and latency on the labelled replies.

    python bench/assess_replies.py            # all sets; exit 1 if held-out misses a target
    python bench/assess_replies.py --errors   # also list the dev set's misclassified replies

Sets: tests/data/replies/dev.yaml (tuning), tests/data/replies/heldout.yaml (the gate; never
tuned on), and /work/shared/replies-dev.yaml or $REPAIRLAB_SHARED_REPLIES when present.
Latency is wall time per call (time.perf_counter) on one core, after one warm-up call that
compiles the lexicon.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import yaml

from repairlab.feedback import MOVES, assess_reply

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "replies"
SHARED = Path(os.environ.get("REPAIRLAB_SHARED_REPLIES", "/work/shared/replies-dev.yaml"))

TARGETS = {"defensive_accuracy": 0.92, "macro_f1": 0.85, "median_ms": 2.0}
REPEATS = 5  # timing repeats per reply; the median of these smooths scheduler noise


def load(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["items"]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    # An empty class (nothing predicted and nothing expected) counts as perfect.
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate(items: list[dict]) -> dict:
    assess_reply("warm-up")
    counts = {m: [0, 0, 0] for m in MOVES}
    correct = 0
    latencies: list[float] = []
    errors: list[tuple[dict, object]] = []
    for item in items:
        times = []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            result = assess_reply(item["text"], context=item.get("context"))
            times.append((time.perf_counter() - t0) * 1000)
        latencies.append(statistics.median(times))
        want = set(item.get("moves") or [])
        got = set(result.moves)
        ok_def = result.defensive == bool(item["defensive"])
        correct += ok_def
        for m in MOVES:
            tp_fp_fn = counts[m]
            tp_fp_fn[0] += m in got and m in want
            tp_fp_fn[1] += m in got and m not in want
            tp_fp_fn[2] += m in want and m not in got
        if not ok_def or want != got:
            errors.append((item, result))
    per_move = {m: prf(*counts[m]) for m in MOVES}
    latencies.sort()
    return {
        "n": len(items),
        "defensive_accuracy": correct / len(items),
        "per_move": per_move,
        "macro_f1": sum(f for _, _, f in per_move.values()) / len(MOVES),
        "median_ms": statistics.median(latencies),
        "p95_ms": latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))],
        "errors": errors,
    }


def report(name: str, res: dict, *, gate: bool = False) -> None:
    title = f"{name} ({res['n']} replies)" + ("  <- HELD-OUT: the gate, never tuned on" if gate else "")
    print(title)
    print("-" * len(title))
    print(f"  defensive accuracy  {res['defensive_accuracy']:.3f}")
    print(f"  {'move':<12} {'precision':>9} {'recall':>7} {'F1':>6}")
    for m, (p, r, f) in res["per_move"].items():
        print(f"  {m:<12} {p:9.3f} {r:7.3f} {f:6.3f}")
    print(f"  macro-F1 (5 moves)  {res['macro_f1']:.3f}")
    print(f"  latency per reply   median {res['median_ms']:.3f} ms, p95 {res['p95_ms']:.3f} ms")
    print()


def print_errors(res: dict) -> None:
    print(f"Dev-set replies the assessor gets wrong ({len(res['errors'])}):")
    for item, result in res["errors"]:
        want = sorted(item.get("moves") or [])
        print(f"- {item['id']}: {item['text']}")
        print(f"    want defensive={item['defensive']} moves={want}")
        print(f"    got  defensive={result.defensive} moves={sorted(result.moves)}")
        for mk in result.markers:
            print(f"    marker {mk.kind}: {mk.span.text!r}")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list the dev set's misclassified replies")
    args = parser.parse_args(argv)

    dev = evaluate(load(DATA / "dev.yaml"))
    report("dev set", dev)
    if SHARED.is_file():
        report(f"shared examples ({SHARED.name})", evaluate(load(SHARED)))
    held = evaluate(load(DATA / "heldout.yaml"))
    report("held-out set", held, gate=True)
    if args.errors:
        print_errors(dev)

    misses = []
    if held["defensive_accuracy"] < TARGETS["defensive_accuracy"]:
        misses.append(
            f"defensive accuracy {held['defensive_accuracy']:.3f} < {TARGETS['defensive_accuracy']}"
        )
    if held["macro_f1"] < TARGETS["macro_f1"]:
        misses.append(f"macro-F1 {held['macro_f1']:.3f} < {TARGETS['macro_f1']}")
    if held["median_ms"] >= TARGETS["median_ms"]:
        misses.append(f"median latency {held['median_ms']:.3f} ms >= {TARGETS['median_ms']} ms")
    if misses:
        print("HELD-OUT TARGETS MISSED: " + "; ".join(misses))
        return 1
    print("Held-out targets met: defensive accuracy >= 0.92, macro-F1 >= 0.85, median < 2 ms.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
