"""Bench for the reply assessor: accuracy, per-move F1 and latency on the labelled replies.

    python bench/assess_replies.py            # all sets; exit 1 if a gated set misses a target
    python bench/assess_replies.py --errors   # also list the dev-side sets' misclassified replies

Sets (tests/data/replies/ unless said otherwise):
  dev.yaml          tuning set (rules were written against it)
  probes*.yaml      dev-side probe sets, written fresh and labelled before the assessor saw them;
                    rules were then tuned on them too, so they are NOT evidence of generalisation
                    (each one's first, untuned score is recorded in bench/README.md)
  shared examples   /work/shared/replies-dev.yaml or $REPAIRLAB_SHARED_REPLIES, when present
  heldout.yaml      the gate; never tuned on (totals only)
  blind.yaml        written by someone else without seeing the assessor; never opened while
                    tuning; the gate too when present (totals only: its replies are never printed)
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
# Overridable so the bench's handling of the blind set can be tried on a stand-in file.
BLIND = Path(os.environ.get("REPAIRLAB_BLIND_REPLIES", str(DATA / "blind.yaml")))

TARGETS = {"defensive_accuracy": 0.92, "macro_f1": 0.85, "median_ms": 2.0}
REPEATS = 5  # timing repeats per reply; the median of these smooths scheduler noise


def load(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["items"]


def load_quietly(path: Path) -> tuple[list[dict], str | None]:
    """Load a set whose content must not be shown: on any problem, say what kind, not where.

    A YAML error message quotes the offending line, so only the exception's type is reported.
    Items without a text or a defensive label are skipped and counted.
    """
    try:
        items = yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
        if not isinstance(items, list):
            raise TypeError("items is not a list")
    except Exception as exc:  # the set may be half-written: report, never crash or quote it
        return [], f"could not be read ({type(exc).__name__}); no figures"
    usable = [
        i
        for i in items
        if isinstance(i, dict) and isinstance(i.get("text"), str) and isinstance(i.get("defensive"), bool)
    ]
    skipped = len(items) - len(usable)
    return usable, (f"{skipped} item(s) without a text or a defensive label skipped" if skipped else None)


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
    missed = false_alarms = 0
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
        missed += bool(item["defensive"]) and not result.defensive
        false_alarms += result.defensive and not item["defensive"]
        for m in MOVES:
            tp_fp_fn = counts[m]
            tp_fp_fn[0] += m in got and m in want
            tp_fp_fn[1] += m in got and m not in want
            tp_fp_fn[2] += m in want and m not in got
        if not ok_def or want != got:
            errors.append((item, result))
    per_move = {m: prf(*counts[m]) for m in MOVES}
    latencies.sort()
    n = max(len(items), 1)
    return {
        "n": len(items),
        "defensive_accuracy": correct / n,
        "missed_defensive": missed,
        "false_defensive": false_alarms,
        "per_move": per_move,
        "macro_f1": sum(f for _, _, f in per_move.values()) / len(MOVES),
        "median_ms": statistics.median(latencies) if latencies else 0.0,
        "p95_ms": latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] if latencies else 0.0,
        "errors": errors,
    }


def report(name: str, res: dict, *, tag: str = "") -> None:
    title = f"{name} ({res['n']} replies)" + (f"  <- {tag}" if tag else "")
    print(title)
    print("-" * len(title))
    print(
        f"  defensive accuracy  {res['defensive_accuracy']:.3f}"
        f"  (defensive missed {res['missed_defensive']}, non-defensive flagged {res['false_defensive']})"
    )
    print(f"  {'move':<12} {'precision':>9} {'recall':>7} {'F1':>6}")
    for m, (p, r, f) in res["per_move"].items():
        print(f"  {m:<12} {p:9.3f} {r:7.3f} {f:6.3f}")
    print(f"  macro-F1 (5 moves)  {res['macro_f1']:.3f}")
    print(f"  latency per reply   median {res['median_ms']:.3f} ms, p95 {res['p95_ms']:.3f} ms")
    print()


def print_errors(name: str, res: dict) -> None:
    print(f"{name}: replies the assessor gets wrong ({len(res['errors'])}):")
    for item, result in res["errors"]:
        want = sorted(item.get("moves") or [])
        print(f"- {item['id']}: {item['text']}")
        print(f"    want defensive={item['defensive']} moves={want}")
        print(f"    got  defensive={result.defensive} moves={sorted(result.moves)}")
        for mk in result.markers:
            print(f"    marker {mk.kind}: {mk.span.text!r}")
    print()


def misses(name: str, res: dict) -> list[str]:
    out = []
    if res["defensive_accuracy"] < TARGETS["defensive_accuracy"]:
        out.append(
            f"{name} defensive accuracy {res['defensive_accuracy']:.3f} < {TARGETS['defensive_accuracy']}"
        )
    if res["macro_f1"] < TARGETS["macro_f1"]:
        out.append(f"{name} macro-F1 {res['macro_f1']:.3f} < {TARGETS['macro_f1']}")
    if res["median_ms"] >= TARGETS["median_ms"]:
        out.append(f"{name} median latency {res['median_ms']:.3f} ms >= {TARGETS['median_ms']} ms")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--errors",
        action="store_true",
        help="list the dev-side sets' misclassified replies (never held-out/blind)",
    )
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    assess_reply("first call")
    print(f"first call (loads and compiles the lexicon): {(time.perf_counter() - t0) * 1000:.0f} ms\n")

    dev_side: list[tuple[str, dict]] = []
    dev = evaluate(load(DATA / "dev.yaml"))
    report("dev set", dev, tag="DEV: tuned on")
    dev_side.append(("dev set", dev))
    for path in sorted(DATA.glob("probes*.yaml")):
        res = evaluate(load(path))
        report(f"probe set {path.name}", res, tag="DEV-SIDE PROBES: tuned on after their first run")
        dev_side.append((path.name, res))
    if SHARED.is_file():
        report(f"shared examples ({SHARED.name})", evaluate(load(SHARED)), tag="tuned on")

    gated: list[tuple[str, dict]] = []
    missed: list[str] = []
    held = evaluate(load(DATA / "heldout.yaml"))
    report("held-out set", held, tag="HELD-OUT: a gate, never tuned on")
    gated.append(("held-out", held))
    if BLIND.is_file():
        items, problem = load_quietly(BLIND)
        if problem:
            print(f"blind set: {problem}")
        if items:
            blind = evaluate(items)
            # Totals only: report() prints no reply, and the errors are dropped here.
            blind["errors"] = []
            report("blind set", blind, tag="BLIND: a gate, written by someone else, never seen or tuned on")
            gated.append(("blind", blind))
        else:
            # A gate that silently goes away is worse than a failing one.
            print("blind set: present but with no usable replies\n")
            missed.append("blind set present but unusable")
    else:
        print(f"blind set: {BLIND.name} is not there, so it is not gated\n")
    if args.errors:
        for name, res in dev_side:
            print_errors(name, res)

    missed += [m for name, res in gated for m in misses(name, res)]
    names = " and ".join(name for name, _ in gated)
    if missed:
        print("GATED TARGETS MISSED: " + "; ".join(missed))
        return 1
    print(f"Targets met on {names}: defensive accuracy >= 0.92, macro-F1 >= 0.85, median < 2 ms.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
