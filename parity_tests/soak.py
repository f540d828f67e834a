"""Soak: many calls from Python into the C# model, watching process and managed memory.

    dotnet/pyhost parity_tests/soak.py --calls 1000000 --max-seconds 900     # the long run
    (parity_tests/test_soak.py runs 10,000 calls of the same mix in every `make test`)

The mix cycles through ``step``, ``forward`` over 10 steps, a call that raises (a wrong-shape
input, so the .NET exception path and its translation to ``ValueError`` are exercised), and a
BPTT chunk. pythonnet has a history of leaks on repeated calls and on exceptions (its issues #1476
and #1734); a leak shows up here as growth of the resident set (RSS, from /proc/self/statm) or of
.NET's managed heap (``GC.GetTotalMemory(true)``, after a full collection) between the end of the
warm-up (the first 10% of calls) and the end. Exit status 1 when either grows by 10 MB or more.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import time

import numpy as np

LIMIT_MB = 10.0


def rss_mb() -> float:
    """Resident set size of this process, in MB (10⁶ bytes)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def managed_mb() -> float:
    """.NET's managed heap after a full collection, in MB."""
    import System

    return System.GC.GetTotalMemory(True) / 1e6


def soak(calls: int, max_seconds: float, samples: int = 20) -> dict:
    """Make up to ``calls`` calls (stopping early after ``max_seconds``); return the memory report."""
    from rnnport import dotnet
    from rnnport.cases import make_case

    case = make_case(8, 16, 8, 10, seed=1)
    model = dotnet.DotNetRNN(*case.weights())
    targets = np.arange(10) % 8
    bad = np.zeros(3)
    warmup = max(1, calls // 10)
    checkpoints = set(np.linspace(warmup, calls, samples, dtype=int).tolist())
    trace, errors, start = [], 0, time.monotonic()
    done = 0
    for i in range(1, calls + 1):
        kind = i % 4
        if kind == 0:
            model.step(case.xs[i % 10])
        elif kind == 1:
            model.forward(case.xs)
        elif kind == 2:
            try:
                model.step(bad)
            except ValueError:
                errors += 1
        else:
            dotnet.bptt(model, case.xs, targets)
        done = i
        if i in checkpoints:
            gc.collect()
            trace.append((i, rss_mb(), managed_mb()))
        if time.monotonic() - start > max_seconds:
            gc.collect()
            trace.append((i, rss_mb(), managed_mb()))
            break
    first, last = trace[0], trace[-1]
    return {"calls": done, "errors_raised": errors, "seconds": time.monotonic() - start,
            "rss_growth_mb": last[1] - first[1], "managed_growth_mb": last[2] - first[2],
            "rss_mb": [round(t[1], 2) for t in trace], "managed_mb": [round(t[2], 3) for t in trace]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--max-seconds", type=float, default=900.0)
    args = parser.parse_args(argv)
    report = soak(args.calls, args.max_seconds)
    print(f"{report['calls']} calls ({report['errors_raised']} raised) in {report['seconds']:.1f} s")
    print(f"RSS after warm-up → end: {report['rss_mb'][0]:.1f} → {report['rss_mb'][-1]:.1f} MB "
          f"(growth {report['rss_growth_mb']:+.2f} MB)")
    print(f"managed heap: {report['managed_mb'][0]:.2f} → {report['managed_mb'][-1]:.2f} MB "
          f"(growth {report['managed_growth_mb']:+.3f} MB)")
    ok = report["rss_growth_mb"] < LIMIT_MB and report["managed_growth_mb"] < LIMIT_MB
    print(f"{'PASS' if ok else 'FAIL'}: growth after warm-up under {LIMIT_MB:.0f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
