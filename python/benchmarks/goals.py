"""The goals ``make bench`` judges itself by (issue 12), in one table: each goal names the rows it is measured on.

``GOALS`` is the one place: a goal is one line, naming the measured row labels (as ``bench.py`` and
``bench_cells.py`` record them in the ``Measurements`` dict), how they combine, the comparison and the
limit. ``judge`` prints every goal with its measured value and PASS or FAIL; a goal whose row was not
measured prints "not measured → FAIL". ``bench.py`` exits non-zero when any goal fails.

Row labels: ``"H=256 | C# Forward (in .NET)"`` for the RNN table (seconds, median), ``"LSTM H=256 | …"`` for
the gated cells' (seconds), ``"… | paired …"`` for a paired ratio, ``"transfer | …"`` for GB/s, and
``"kernels | <label>"`` for the rows of ``bench_kernels.py`` (paired ratios, µs, GB/s) where that module runs.
A goal may name several sources (``Goal.or_else``): the first whose rows were all measured is used, and the
table says which (``paired``, ``medians``).
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
BRIDGE_STEP_LOOP = "DotNetRNN.step loop (bridge)"
CS_STEP_LOOP = "C# TimeStep loop (in .NET)"
BATCH_SEPARATE = "C# Forward × 32 separate sequences (in .NET)"
BATCH = "C# ForwardBatch, B = 32 (in .NET)"
TRANSFER_IN = "transfer | NumPy → .NET block copy (8 MB)"


def kernels(label: str) -> str:
    """The label of a goal row measured by ``bench_kernels.py`` (paired; its own label, prefixed)."""
    return f"kernels | {label}"


@dataclass(frozen=True)
class Source:
    """One way to measure a goal: the rows it needs and how they combine; ``note`` says which way was used."""

    rows: tuple[str, ...]
    value: Callable[[Measurements], float]
    note: str = ""


@dataclass(frozen=True)
class Goal:
    """One goal: the first of its ``sources`` whose rows were all measured, compared with ``limit`` by
    ``sense`` ("≤" or "≥"), in ``unit``."""

    name: str
    sources: tuple[Source, ...]
    sense: str
    limit: float
    unit: str = "×"

    @property
    def rows(self) -> tuple[str, ...]:
        """Every row any source names."""
        return tuple(row for source in self.sources for row in source.rows)

    def passed(self, measured: float) -> bool:
        return measured <= self.limit if self.sense == "≤" else measured >= self.limit

    def or_else(self, other: Goal) -> Goal:
        """This goal measured by its own sources when they ran, else by ``other``'s."""
        return Goal(self.name, self.sources + other.sources, self.sense, self.limit, self.unit)


def ratio(name: str, numerator: str, denominator: str, sense: str, limit: float, note: str = "") -> Goal:
    """numerator / denominator (two medians) against the limit."""
    return Goal(name, (Source((numerator, denominator), lambda m: m[numerator] / m[denominator], note),), sense, limit)


def value(name: str, row: str, sense: str, limit: float, unit: str, note: str = "") -> Goal:
    """One measured row's value against the limit."""
    return Goal(name, (Source((row,), lambda m: m[row], note),), sense, limit, unit)


def per_step_overhead(name: str, slow: str, fast: str, limit_us: float) -> Goal:
    """(slow − fast) / T in µs: what the bridge adds per step."""
    return Goal(name, (Source((slow, fast, STEPS), lambda m: (m[slow] - m[fast]) / m[STEPS] * 1e6, "medians"),),
                "≤", limit_us, " µs")


# Each goal is one entry. Where bench_kernels.py (the kernels' rows, paired ratios) measured a goal, its row
# is used; otherwise the ratio of this run's medians, when there is one ("not measured → FAIL" when neither ran).
GOALS: list[Goal] = [
    *(value(f"RNN: C# Forward (bit-identical) / NumPy forward, H = {H}",
            kernels(f"exact C# Forward / NumPy forward, H={H}"), "≤", 1.0, "×", "paired")
      .or_else(ratio("", rnn(H, CS_FORWARD), rnn(H, NUMPY_FORWARD), "≤", 1.0, "medians")) for H in (64, 256, 1024)),
    *(value(f"{c}: C# Forward (bit-identical) / NumPy forward, H = 256", cell(c, 256, "paired C# / NumPy"), "≤", 1.0, "×",
            "paired") for c in ("LSTM", "GRU")),
    *(value(f"{c}: NumPy forward / torch.nn.{c} (float64, 1 thread), H = 256", cell(c, 256, "paired NumPy / torch"),
            "≤", 1.2, "×", "paired") for c in ("LSTM", "GRU")),
    *(value(f"RNN: C# opt-in fast kernel / NumPy forward, H = {H}", kernels(f"fast C# Forward / NumPy forward, H={H}"),
            "≤", 0.8, "×", "paired") for H in (256, 1024)),
    ratio("RNN batched, B = 32, H = 256: throughput of ForwardBatch / 32 separate Forward calls",
          rnn(256, BATCH_SEPARATE), rnn(256, BATCH), "≥", 5.0, "medians"),
    *(value(f"bridge: DotNetRNN.step overhead per step beyond the C# work, H = {H}",
            kernels(f"DotNetRNN.step overhead beyond the C# work, H={H}"), "≤", 10.0, " µs", "paired")
      .or_else(per_step_overhead("", rnn(H, BRIDGE_STEP_LOOP), rnn(H, CS_STEP_LOOP), 10.0)) for H in (64, 256, 1024)),
    *(value(f"bridge: DotNet{c}.step overhead per step beyond the C# work, H = 256",
            kernels(f"DotNet{c}.step overhead beyond the C# work, H=256"), "≤", 10.0, " µs", "paired") for c in ("LSTM", "GRU")),
    value("bridge: NumPy → .NET transfer (median)", kernels("transfer NumPy → .NET into a reused matrix (8 MB)"),
          "≥", 5.0, " GB/s", "into a reused matrix").or_else(value("", TRANSFER_IN, "≥", 5.0, " GB/s", "fresh matrix")),
]


def judge(measurements: Measurements, goals: list[Goal] = GOALS) -> bool:
    """Print the goals table (goal, measured, limit, PASS/FAIL); True when every goal passes."""
    print("\n| goal | measured | limit | verdict |\n|---|---|---|---|")
    all_passed = True
    for goal in goals:
        source = next((s for s in goal.sources if all(row in measurements for row in s.rows)), None)
        limit = f"{goal.sense} {goal.limit:g}{goal.unit}"
        if source is None:
            all_passed = False
            missing = "; ".join(row for row in goal.rows if row not in measurements)
            print(f"| {goal.name} | not measured ({missing}) | {limit} | FAIL |")
            continue
        measured = source.value(measurements)
        verdict = "PASS" if goal.passed(measured) else "FAIL"
        all_passed &= verdict == "PASS"
        note = f" ({source.note})" if source.note else ""
        print(f"| {goal.name} | {measured:.2f}{goal.unit}{note} | {limit} | {verdict} |")
    print(f"\n{'every goal PASSES' if all_passed else 'at least one goal FAILS'}")
    return all_passed
