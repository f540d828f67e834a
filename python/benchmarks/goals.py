"""The goals ``make bench`` judges itself by (issue 12), in one table: each goal names the rows it is measured on.

``GOALS`` is the one place: a goal is one line, naming the measured row labels (as ``bench.py`` and
``bench_cells.py`` record them in the ``Measurements`` dict), how they combine, the comparison and the
limit. ``judge`` prints every goal with its measured value and PASS or FAIL; a goal whose row was not
measured prints "not measured → FAIL". ``bench.py`` exits non-zero when any goal fails.

Row labels: ``"H=256 | C# Forward (in .NET)"`` for the RNN table (seconds, median), ``"LSTM H=256 | …"`` for
the gated cells' (seconds), ``"… | paired …"`` for a paired ratio, ``"transfer | …"`` for GB/s.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

Measurements = dict[str, float]

STEPS = "T"  # the label under which bench.py records the timed sequences' length T


def rnn(H: int, path: str) -> str:
    """The label of a row of the RNN table."""
    return f"H={H} | {path}"


def cell(name: str, H: int, path: str) -> str:
    """The label of a row of the gated cells' table."""
    return f"{name} H={H} | {path}"


# The rows' path names, shared with bench.py and bench_cells.py (which record them under these labels).
NUMPY_FORWARD = "NumPy forward"
CS_FORWARD = "C# Forward (in .NET)"
CS_FAST_FORWARD = "C# Forward, opt-in fast kernel (in .NET)"  # recorded by the opt-in kernel's rows (issue 12)
BRIDGE_STEP_LOOP = "DotNetRNN.step loop (bridge)"
CS_STEP_LOOP = "C# TimeStep loop (in .NET)"
BATCH_SEPARATE = "C# Forward × 32 separate sequences (in .NET)"
BATCH = "C# ForwardBatch, B = 32 (in .NET)"
TRANSFER_IN = "transfer | NumPy → .NET block copy (8 MB)"


@dataclass(frozen=True)
class Goal:
    """One goal: ``value(measurements)`` compared with ``limit`` by ``sense`` ("≤" or "≥"), in ``unit``."""

    name: str
    rows: tuple[str, ...]                       # the measured rows it needs, for "not measured"
    value: Callable[[Measurements], float]
    sense: str
    limit: float
    unit: str = "×"

    def passed(self, measured: float) -> bool:
        return measured <= self.limit if self.sense == "≤" else measured >= self.limit


def ratio(name: str, numerator: str, denominator: str, sense: str, limit: float) -> Goal:
    """numerator / denominator (two medians) against the limit."""
    return Goal(name, (numerator, denominator), lambda m: m[numerator] / m[denominator], sense, limit)


def value(name: str, row: str, sense: str, limit: float, unit: str) -> Goal:
    """One measured row's value against the limit."""
    return Goal(name, (row,), lambda m: m[row], sense, limit, unit)


def per_step_overhead(name: str, slow: str, fast: str, limit_us: float) -> Goal:
    """(slow − fast) / T in µs: what the bridge adds per step."""
    return Goal(name, (slow, fast, STEPS), lambda m: (m[slow] - m[fast]) / m[STEPS] * 1e6, "≤", limit_us, " µs")


GOALS: list[Goal] = [
    *(ratio(f"RNN: C# Forward (bit-identical) / NumPy forward, H = {H}", rnn(H, CS_FORWARD), rnn(H, NUMPY_FORWARD), "≤", 1.0)
      for H in (64, 256, 1024)),
    *(value(f"{c}: C# Forward (bit-identical) / NumPy forward, H = 256 (paired)", cell(c, 256, "paired C# / NumPy"), "≤", 1.0, "×")
      for c in ("LSTM", "GRU")),
    *(value(f"{c}: NumPy forward / torch.nn.{c} (float64, 1 thread), H = 256 (paired)", cell(c, 256, "paired NumPy / torch"),
            "≤", 1.2, "×") for c in ("LSTM", "GRU")),
    *(ratio(f"RNN: C# opt-in fast kernel / NumPy forward, H = {H}", rnn(H, CS_FAST_FORWARD), rnn(H, NUMPY_FORWARD), "≤", 0.8)
      for H in (256, 1024)),
    ratio("RNN batched, B = 32, H = 256: throughput of ForwardBatch / 32 separate Forward calls",
          rnn(256, BATCH_SEPARATE), rnn(256, BATCH), "≥", 5.0),
    *(per_step_overhead(f"bridge: DotNetRNN.step overhead per step beyond the C# work, H = {H}",
                        rnn(H, BRIDGE_STEP_LOOP), rnn(H, CS_STEP_LOOP), 10.0) for H in (64, 256, 1024)),
    value("bridge: NumPy → .NET transfer (median)", TRANSFER_IN, "≥", 5.0, " GB/s"),
]


def judge(measurements: Measurements, goals: list[Goal] = GOALS) -> bool:
    """Print the goals table (goal, measured, limit, PASS/FAIL); True when every goal passes."""
    print("\n| goal | measured | limit | verdict |\n|---|---|---|---|")
    all_passed = True
    for goal in goals:
        missing = [row for row in goal.rows if row not in measurements]
        if missing:
            all_passed = False
            print(f"| {goal.name} | not measured ({'; '.join(missing)}) | {goal.sense} {goal.limit:g}{goal.unit} | FAIL |")
            continue
        measured = goal.value(measurements)
        verdict = "PASS" if goal.passed(measured) else "FAIL"
        all_passed &= verdict == "PASS"
        print(f"| {goal.name} | {measured:.2f}{goal.unit} | {goal.sense} {goal.limit:g}{goal.unit} | {verdict} |")
    print(f"\n{'every goal PASSES' if all_passed else 'at least one goal FAILS'}")
    return all_passed
