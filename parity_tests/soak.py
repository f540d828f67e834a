"""Soak: many calls from Python into the C# model, watching process and managed memory.

    dotnet/pyhost parity_tests/soak.py --calls 1000000 --max-seconds 900     # the long run (make soak)
    dotnet/pyhost parity_tests/soak.py --per-kind --calls 100000             # growth per call, kind by kind
    (parity_tests/test_soak.py runs 10,000 calls of the same mix in every `make test`)

The mix cycles through every kind of call the bridge makes, accepted and rejected (``KINDS``):
``step``, ``forward`` over 10 steps and a BPTT chunk that succeed; and, rejected, a wrong-shape step,
sequence and BPTT, a model constructor with NaN weights and one with mismatched shapes (the stack's too), SGD and
Adagrad with bad rates, sampling at temperature 0, loading a missing and a garbage file, saving with
a repeated vocabulary character and into a missing directory. Every rejection must arrive as its
Python error (``EXPECTED``). pythonnet has a history of leaks on repeated calls and on exceptions
(its issues #1476 and #2089; a .NET constructor that throws into Python leaked about 3.5 KB per call
here until the bridge built its objects through ``RnnPort.Bridge.Construct``). A leak shows up as
growth of the resident set (RSS, from /proc/self/statm) or of .NET's managed heap
(``GC.GetTotalMemory(true)``, after a full collection) between the end of the warm-up (the first 10%
of calls) and the end. Exit status 1 when either grows by 10 MB or more.
"""
from __future__ import annotations

import argparse
import ctypes
import gc
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np

from rnnport.io.atomic import AtomicWriteError
from rnnport.io.model_file import ModelFileError

LIMIT_MB = 10.0

# Each rejected kind and the Python error it must raise.
EXPECTED: dict[str, type[Exception]] = {
    "reject-step": ValueError, "reject-forward": ValueError, "reject-bptt": ValueError,
    "reject-rnn-nan": ValueError, "reject-rnn-shape": ValueError, "reject-sgd": ValueError,
    "reject-adagrad": ValueError, "reject-sample": ValueError, "reject-load-missing": ModelFileError,
    "reject-load-garbage": ModelFileError, "reject-save-vocabulary": ValueError, "reject-save-directory": AtomicWriteError,
    "reject-lstm-nan": ValueError, "reject-lstm-step": ValueError, "reject-gru-shape": ValueError,
    "reject-gru-bptt": ValueError, "reject-stack-shape": ValueError, "reject-stack-step": ValueError,
}
KINDS = ("step", "forward", "bptt", "lstm-forward", "gru-bptt", "stack-forward", "stack-bptt", *EXPECTED)


def rss_mb() -> float:
    """Resident set size of this process, in MB (10⁶ bytes)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def managed_mb() -> float:
    """.NET's managed heap after a full collection, in MB."""
    import System

    return System.GC.GetTotalMemory(True) / 1e6


def calls_by_kind(scratch: Path) -> dict[str, Callable[[], object]]:
    """One zero-argument call per kind in ``KINDS``, on a small model (I = O = 8, H = 16, T = 10)."""
    from rnnport import dotnet
    from rnnport.dotnet.lstm import DotNetLSTM
    from rnnport.dotnet.stack import DotNetRecurrentStack, stack_bptt
    from rnnport.training.vocabulary import Vocabulary
    from rnnport.verify.cases import make_case

    case = make_case(8, 16, 8, 10, seed=1)
    W_xh, W_hh, W_hy = case.W_xh, case.W_hh, case.W_hy
    model = dotnet.DotNetRNN(W_xh, W_hh, W_hy)
    targets = np.arange(10) % 8
    garbage = scratch / "garbage.npz"
    garbage.write_bytes(b"PK\x03\x04 not a model file")
    nan_weights = np.full_like(W_hy, np.nan)
    # The gated cells cross the same boundary (their twins build through Construct.Lstm/Gru too).
    rng = np.random.default_rng(2)
    gated = {gates: (rng.normal(size=(gates * 16, 8)) / 4, rng.normal(size=(gates * 16, 16)) / 8, W_hy)
             for gates in (3, 4)}
    lstm, gru = DotNetLSTM(*gated[4]), dotnet.DotNetGRU(*gated[3])
    # A 2-layer bidirectional LSTM stack (RnnPort.RecurrentStack, built through Construct.Stack).
    weights = {f"weight_{kind}_l{k}{s}": rng.normal(size=(64, 8 if kind == "ih" and k == 0 else 32 if kind == "ih" else 16)) / 8
               for k in range(2) for s in ("", "_reverse") for kind in ("ih", "hh")}
    stack = DotNetRecurrentStack("lstm", weights, num_layers=2, bidirectional=True, W_hy=rng.normal(size=(8, 32)) / 4)
    return {
        "step": lambda: model.step(case.xs[3]),
        "forward": lambda: model.forward(case.xs),
        "bptt": lambda: dotnet.bptt(model, case.xs, targets),
        "reject-step": lambda: model.step(np.zeros(3)),
        "reject-forward": lambda: model.forward(np.zeros((10, 3))),
        "reject-bptt": lambda: dotnet.bptt(model, case.xs, targets + 8),
        "reject-rnn-nan": lambda: dotnet.DotNetRNN(W_xh, W_hh, nan_weights),
        "reject-rnn-shape": lambda: dotnet.DotNetRNN(W_xh[:, :3].T, W_hh, W_hy),
        "reject-sgd": lambda: dotnet.SGD(-0.1),
        "reject-adagrad": lambda: dotnet.Adagrad(float("nan")),
        "reject-sample": lambda: dotnet.sample(model, 0, [0.5], 0.0),
        "reject-load-missing": lambda: dotnet.load_model(scratch / "missing.npz"),
        "reject-load-garbage": lambda: dotnet.load_model(garbage),
        "reject-save-vocabulary": lambda: dotnet.save(scratch / "never.npz", model, Vocabulary("aabcdefg")),
        "reject-save-directory": lambda: dotnet.save(scratch / "missing" / "model.npz", model),
        "lstm-forward": lambda: lstm.forward(case.xs),
        "gru-bptt": lambda: dotnet.gru_bptt(gru, case.xs, targets),
        "reject-lstm-nan": lambda: DotNetLSTM(gated[4][0], gated[4][1], nan_weights),
        "reject-lstm-step": lambda: lstm.step(np.zeros(3)),
        "reject-gru-shape": lambda: dotnet.DotNetGRU(gated[4][0], gated[3][1], W_hy),
        "reject-gru-bptt": lambda: dotnet.gru_bptt(gru, case.xs, targets + 8),
        "stack-forward": lambda: stack.forward(case.xs),
        "stack-bptt": lambda: stack_bptt(stack, case.xs, targets),
        "reject-stack-shape": lambda: DotNetRecurrentStack("lstm", {**weights, "weight_ih_l1": gated[4][0]}, num_layers=2,
                                                           bidirectional=True),
        "reject-stack-step": lambda: stack.step(case.xs[0]),
    }


def _call(kind: str, call: Callable[[], object]) -> bool:
    """Make one call; True when it raised the expected error (False when it returned)."""
    if kind not in EXPECTED:
        call()
        return False
    try:
        call()
    except EXPECTED[kind]:
        return True
    raise AssertionError(f"{kind} was accepted")


def soak(calls: int, max_seconds: float, samples: int = 20) -> dict:
    """Make up to ``calls`` calls cycling through ``KINDS`` (stopping early after ``max_seconds``);
    return the memory report."""
    with tempfile.TemporaryDirectory() as scratch:
        by_kind = calls_by_kind(Path(scratch))
        cycle = [(kind, by_kind[kind]) for kind in KINDS]
        warmup = max(1, calls // 10)
        checkpoints = set(np.linspace(warmup, calls, samples, dtype=int).tolist())
        trace, errors, start = [], 0, time.monotonic()
        done = 0
        for i in range(1, calls + 1):
            errors += _call(*cycle[i % len(cycle)])
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


def growth_per_call(call: Callable[[], object], calls: int, expected: type[BaseException] | None) -> float:
    """RSS growth in bytes per call over ``calls`` calls of one kind, after a warm-up of calls/10."""
    def run(n: int) -> None:
        for _ in range(n):
            try:
                call()
            except BaseException as error:  # noqa: BLE001 - checked against the expected type below
                if expected is None or not isinstance(error, expected):
                    raise
    run(max(1, calls // 10))
    settle()
    before = rss_mb()
    run(calls)
    settle()
    return (rss_mb() - before) * 1e6 / calls


def settle() -> None:
    """Collect Python's garbage and hand malloc's free pages back to the system (glibc's malloc_trim),
    so that RSS counts what is still allocated: memory an earlier test freed would otherwise absorb a
    leak unseen, and memory this kind freed would look like growth."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: RSS is then only an upper bound of what is allocated
        pass


def per_kind(calls: int) -> dict[str, float]:
    """Growth per call (bytes) of every kind in ``KINDS``, each over ``calls`` calls."""
    with tempfile.TemporaryDirectory() as scratch:
        by_kind = calls_by_kind(Path(scratch))
        for kind in KINDS:  # warm every kind up first: the managed heap settles at its working size
            growth_per_call(by_kind[kind], max(1, calls // 10), EXPECTED.get(kind))
        return {kind: growth_per_call(by_kind[kind], calls, EXPECTED.get(kind)) for kind in KINDS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--max-seconds", type=float, default=900.0)
    parser.add_argument("--per-kind", action="store_true", help="measure growth per call, kind by kind")
    args = parser.parse_args(argv)
    if args.per_kind:
        growth = per_kind(args.calls)
        for kind, per_call in growth.items():
            print(f"{kind:24s} {per_call:8.1f} B/call  ({per_call * args.calls / 1e6:+.2f} MB over {args.calls} calls)")
        ok = all(per_call * args.calls / 1e6 < LIMIT_MB for per_call in growth.values())
        print(f"{'PASS' if ok else 'FAIL'}: every kind grows RSS by under {LIMIT_MB:.0f} MB over {args.calls} calls")
        return 0 if ok else 1
    report = soak(args.calls, args.max_seconds)
    print(f"{report['calls']} calls of {len(KINDS)} kinds ({report['errors_raised']} raised) in {report['seconds']:.1f} s")
    print(f"RSS after warm-up → end: {report['rss_mb'][0]:.1f} → {report['rss_mb'][-1]:.1f} MB "
          f"(growth {report['rss_growth_mb']:+.2f} MB)")
    print(f"managed heap: {report['managed_mb'][0]:.2f} → {report['managed_mb'][-1]:.2f} MB "
          f"(growth {report['managed_growth_mb']:+.3f} MB)")
    ok = report["rss_growth_mb"] < LIMIT_MB and report["managed_growth_mb"] < LIMIT_MB
    print(f"{'PASS' if ok else 'FAIL'}: growth after warm-up under {LIMIT_MB:.0f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
