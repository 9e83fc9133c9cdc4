"""Bench for the reply assessor and the risk-inquiry signal, on blind sets nobody here has read.

    python bench/assess_replies.py                # figures; exit 1 when a gated target is missed
    python bench/assess_replies.py --set FILE     # one set (e.g. a stand-in), gated like a blind set
    python bench/assess_replies.py --read-only    # only sets already read; never opens an unread one

The sets are listed in bench/blind/sets.yaml. A set whose `read` is empty has never been read:
it is the gate, and only its totals are printed (never a reply). A set already read is
development data (the model trains on it); its figures are printed for the record, not gated.
Cross-validated figures on the training data are in widgets/repairlab/feedback/verdict.json.

Figures (issue 12): defensive accuracy with "not sure" counted wrong; the "not sure" rate; the
precision of the verdicts it commits to; macro-F1 over the five moves; the same accuracy on
withdrawal and on confrontation replies; median and p95 latency per reply (one core, after a
warm-up call, the median of REPEATS timings per reply); and the memory that loading the
assessor adds to a page's kernel (in a subprocess: RSS after the first assessment minus RSS
after importing what a practice page imports). Risk sets: recall and precision of ``asks_about_risk``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

from repairlab.feedback import MOVES, assess_reply, find_risk_inquiry

ROOT = Path(__file__).resolve().parent.parent
BLIND = ROOT / "bench" / "blind"

TARGETS = {
    "defensive_accuracy": 0.93,  # at least
    "precision": 0.95,  # at least
    "not_sure": 0.15,  # at most
    "macro_f1": 0.90,  # at least
    "rupture_gap": 0.03,  # at most
    "median_ms": 5.0,  # at most
    "p95_ms": 20.0,  # at most
    "memory_mb": 10.0,  # at most
    "risk_recall": 0.95,  # at least: a risk question must count as asking
    "risk_precision": 0.90,  # at least
}
REPEATS = 3

# A practice page's kernel has imported ipywidgets and RepairLab's views before a student first
# checks a reply; what the assessor adds on top of that is the figure.
_MEMORY_PROBE = """
import json, repairlab, ipywidgets, repairlab.notebook, repairlab.views.rewrite
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
before = rss()
from repairlab.feedback import assess_reply
assess_reply("I'm sorry I was late. That must have been frustrating.", client="You were late again.")
print(json.dumps({"before": before, "after": rss()}))
"""


def load(path: Path) -> list[dict]:
    """The usable items of a set; on any problem, say what kind of problem, never quote it."""
    try:
        items = yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
        if not isinstance(items, list):
            raise TypeError("items is not a list")
    except Exception as exc:
        raise SystemExit(f"{path.name} could not be read ({type(exc).__name__})") from None
    return [i for i in items if isinstance(i, dict) and isinstance(i.get("text"), str)]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate_replies(items: list[dict]) -> dict:
    assess_reply("warm-up", client="warm-up")
    counts = {m: [0, 0, 0] for m in MOVES}
    right = unsure = committed = committed_right = 0
    by_rupture: dict[str, list[int]] = {}
    latencies = []
    for item in items:
        times = []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            result = assess_reply(item["text"], client=item.get("context"))
            times.append((time.perf_counter() - t0) * 1000)
        latencies.append(statistics.median(times))
        want_def = bool(item["defensive"])
        ok = result.defensive is want_def
        right += ok
        if result.defensive is None:
            unsure += 1
        else:
            committed += 1
            committed_right += ok
        tally = by_rupture.setdefault(str(item.get("rupture") or "unknown"), [0, 0])
        tally[0] += ok
        tally[1] += 1
        want, got = set(item.get("moves") or []), set(result.moves)
        for m in MOVES:
            counts[m][0] += m in got and m in want
            counts[m][1] += m in got and m not in want
            counts[m][2] += m in want and m not in got
    n = max(len(items), 1)
    per_move = {m: prf(*counts[m]) for m in MOVES}
    latencies.sort()
    rupture_acc = {k: v[0] / v[1] for k, v in by_rupture.items()}
    gap = (abs(rupture_acc["withdrawal"] - rupture_acc["confrontation"])
           if {"withdrawal", "confrontation"} <= rupture_acc.keys() else None)
    return {
        "n": len(items),
        "defensive_accuracy": right / n,
        "not_sure": unsure / n,
        "precision": committed_right / committed if committed else 0.0,
        "per_move": per_move,
        "macro_f1": sum(f for _, _, f in per_move.values()) / len(MOVES),
        "rupture_accuracy": rupture_acc,
        "rupture_gap": gap,
        "median_ms": statistics.median(latencies) if latencies else 0.0,
        "p95_ms": latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] if latencies else 0.0,
    }


def evaluate_risk(items: list[dict]) -> dict:
    tp = fp = fn = tn = 0
    for item in items:
        asked = find_risk_inquiry(item["text"], item.get("client")) is not None
        want = bool(item.get("asks_about_risk"))
        tp += asked and want
        fp += asked and not want
        fn += want and not asked
        tn += not want and not asked
    p, r, _ = prf(tp, fp, fn)
    return {"n": len(items), "risk_recall": r, "risk_precision": p, "counts": (tp, fn, fp, tn)}


def memory_added_mb() -> float:
    out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE], capture_output=True, text=True, check=True)
    figures = json.loads(out.stdout)
    return figures["after"] - figures["before"]


def report_replies(name: str, res: dict, tag: str) -> None:
    print(f"{name} ({res['n']} replies)  <- {tag}")
    print(f"  defensive accuracy {res['defensive_accuracy']:.3f} (not sure counted wrong); "
          f"not sure {res['not_sure']:.1%}; precision of committed verdicts {res['precision']:.3f}")
    print("  by rupture: " + ", ".join(f"{k} {v:.3f}" for k, v in sorted(res["rupture_accuracy"].items())))
    print("  moves (P/R/F1): " + ", ".join(f"{m} {p:.2f}/{r:.2f}/{f:.2f}"
                                          for m, (p, r, f) in res["per_move"].items()))
    print(f"  macro-F1 {res['macro_f1']:.3f}; latency median {res['median_ms']:.2f} ms, "
          f"p95 {res['p95_ms']:.2f} ms\n")


def report_risk(name: str, res: dict, tag: str) -> None:
    tp, fn, fp, tn = res["counts"]
    print(f"{name} ({res['n']} replies)  <- {tag}")
    print(f"  asks about risk: recall {res['risk_recall']:.3f}, precision {res['risk_precision']:.3f} "
          f"(found {tp}, missed {fn}, false alarms {fp}, rightly quiet {tn})\n")


def misses(name: str, res: dict) -> list[str]:
    out = []
    for key in ("defensive_accuracy", "precision", "macro_f1", "risk_recall", "risk_precision"):
        if key in res and res[key] < TARGETS[key]:
            out.append(f"{name}: {key} {res[key]:.3f} < {TARGETS[key]}")
    for key in ("not_sure", "rupture_gap", "median_ms", "p95_ms"):
        if res.get(key) is not None and res[key] > TARGETS[key]:
            out.append(f"{name}: {key} {res[key]:.3f} > {TARGETS[key]}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, help="bench one set file as if it were an unread blind set")
    parser.add_argument("--read-only", action="store_true",
                        help="skip every unread blind set (never opened): development figures, "
                             "latency and memory only, so a set can be kept for its one reading")
    args = parser.parse_args(argv)

    missed: list[str] = []
    mb = memory_added_mb()
    print(f"kernel memory added by loading the assessor: {mb:.1f} MB (target <= {TARGETS['memory_mb']})\n")
    if mb > TARGETS["memory_mb"]:
        missed.append(f"memory {mb:.1f} MB > {TARGETS['memory_mb']} MB")

    if args.set:
        kind = "risk" if "risk" in args.set.name else "replies"
        entries = [{"file": str(args.set.resolve()), "kind": kind}]
    else:
        entries = yaml.safe_load((BLIND / "sets.yaml").read_text(encoding="utf-8"))["sets"]
        if args.read_only:
            entries = [e for e in entries if e.get("read")]
    gated = 0
    for entry in entries:
        path = BLIND / entry["file"]
        unread = not entry.get("read")
        tag = ("BLIND, unread: the gate (totals only)" if unread
               else "read before: development data, not gated")
        items = load(path)
        if entry.get("kind") == "risk":
            res = evaluate_risk(items)
            report_risk(path.name, res, tag)
        else:
            res = evaluate_replies(items)
            report_replies(path.name, res, tag)
        if unread:
            gated += 1
            missed += misses(path.name, res)
    if not gated:
        print("No unread blind set: nothing gated. Commission a fresh one (bench/README.md).")
    if missed:
        print("TARGETS MISSED: " + "; ".join(missed))
        return 1
    print("Every target met on the unread blind sets." if gated else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
