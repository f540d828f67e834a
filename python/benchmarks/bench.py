"""Benchmarks of the NumPy model, exact mode, the .NET bridge and torch.nn.RNN, in one run.

    dotnet/pyhost python/benchmarks/bench.py [--hidden 64 256 1024] [--steps 1000] [--repeat 7]

Then batched sequences (B = 32, H = 256), the cost of the non-finite check, and the gated cells (LSTM,
GRU) at H = 256 alone, from ``bench_cells.py``. Last, the goals of ``goals.GOALS`` with their measured
values and PASS or FAIL; the exit status is 1 when one fails.

Every row is the median of ``--repeat`` runs on the same inputs (I = O = 64, float64); ratios are
taken within this one run. torch is used only as an outside reference and is skipped, with a note,
where ``import torch`` fails (Debian's python3-torch). Must run inside the .NET host (or with
pythonnet from PyPI) for the bridge rows.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from typing import Callable

import numpy as np

import goals
from bench_cells import print_cells
from rnnport import RNN
from rnnport.verify.cases import make_case

I = O = 64


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def torch_rnn(case, H: int):
    """torch.nn.RNN (tanh, no bias, float64) with the case's weights, and its forward function."""
    import torch

    rnn = torch.nn.RNN(I, H, nonlinearity="tanh", bias=False).double()
    out = torch.nn.Linear(H, O, bias=False).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(case.W_xh))  # (H, I): PyTorch uses NumPy's layout
        rnn.weight_hh_l0.copy_(torch.from_numpy(case.W_hh))
        out.weight.copy_(torch.from_numpy(case.W_hy))
    xs = torch.from_numpy(case.xs[:, None, :])  # (T, batch=1, I)

    def forward():
        with torch.no_grad():
            hs, _ = rnn(xs)
            return out(hs[:, 0, :])
    return forward, torch.__version__, torch.get_num_threads()


def bench_models(H: int, T: int, repeat: int, rows: list[tuple]) -> None:
    from rnnport.dotnet import DotNetRNN, load, to_net

    case = make_case(I, H, O, T, seed=H)
    numpy_model, exact_model = case.numpy_model(), RNN(*case.weights(), kernel="exact")
    net_model = DotNetRNN(*case.weights())
    xs = case.xs

    def step_loop(model):
        def run():
            model.reset()
            for x in xs:
                model.step(x)
        return run

    def forward(model):
        def run():
            model.reset()
            return model.forward(xs)
        return run

    timings = {
        "NumPy step loop (article)": median_seconds(step_loop(numpy_model), repeat),
        "NumPy forward": median_seconds(forward(numpy_model), repeat),
        "NumPy exact forward": median_seconds(forward(exact_model), max(1, repeat // 2)),
        "DotNetRNN.step loop (bridge)": median_seconds(step_loop(net_model), repeat),
        "DotNetRNN.forward (bridge)": median_seconds(forward(net_model), repeat),
    }
    net = load()
    inputs = to_net(xs)  # keeps the NumPy block alive while .NET copies it
    timings["C# TimeStep loop (in .NET)"] = median_seconds(
        lambda: net.StepTiming.TimeStepLoop(net_model._net, inputs), repeat)
    timings["C# Forward (in .NET)"] = median_seconds(lambda: net.StepTiming.Forward(net_model._net, inputs), repeat)
    try:
        torch_forward, version, threads = torch_rnn(case, H)
        timings[f"torch.nn.RNN {version} ({threads} threads)"] = median_seconds(torch_forward, repeat)
    except ImportError as error:
        print(f"note: torch not available ({error}); install Debian's python3-torch for the reference row")
    for name, seconds in timings.items():
        rows.append((H, name, seconds))


def paired_ratio(checked: Callable[[], object], unchecked: Callable[[], object], rounds: int, pairs: int = 7) -> float:
    """Median over ``rounds`` of (fastest time with the check) / (fastest without), the two timed in
    alternation within each round, so that load from other processes falls on both alike; the fastest
    of each, because on a busy machine noise only ever adds time."""
    checked(), unchecked()  # warm up both
    ratios = []
    for _ in range(rounds):
        on, off = [], []
        for _ in range(pairs):
            for fn, times in ((checked, on), (unchecked, off)):
                start = time.perf_counter()
                fn()
                times.append(time.perf_counter() - start)
        ratios.append(min(on) / min(off))
    return statistics.median(ratios)


def bench_check_cost(H: int, T: int, rounds: int) -> list[tuple[int, str, float]]:
    """What refusing non-finite results costs ``forward`` (docs/bad-input.md): with/without the check,
    NumPy fast and exact, and C# in .NET, the check switched off through the internal flag only here."""
    from rnnport.dotnet import DotNetRNN, load, to_net
    from System.Reflection import BindingFlags

    case = make_case(I, H, O, T, seed=H)
    rows = []
    for kernel, T_run in (("fast", T), ("exact", max(1, T // 10))):
        model = RNN(*case.weights(), kernel=kernel)
        xs = case.xs[:T_run]

        def run(check: bool, model=model, xs=xs):
            def go():
                model._check_results = check
                model.reset()
                return model.forward(xs)
            return go
        rows.append((H, f"NumPy {kernel} forward (T={T_run})", paired_ratio(run(True), run(False), rounds)))
    net_model = DotNetRNN(*case.weights())
    flag = net_model._net.GetType().GetProperty("CheckResults", BindingFlags.NonPublic | BindingFlags.Instance)
    inputs, timing = to_net(case.xs), load().StepTiming

    def net_run(check: bool):
        def go():
            flag.SetValue(net_model._net, check)
            return timing.Forward(net_model._net, inputs)
        return go
    rows.append((H, f"C# Forward in .NET (T={T})", paired_ratio(net_run(True), net_run(False), rounds)))
    return rows


def print_check_cost(hidden: list[int], T: int, rounds: int) -> None:
    print(f"\n| H | forward | with / without the non-finite check (median of {rounds} paired rounds) | goal |")
    print("|---|---|---|---|")
    for H in hidden:
        for h, name, ratio in bench_check_cost(H, T, rounds):
            print(f"| {h} | {name} | {ratio:.3f} | ≤ 1.03 |")


def bench_transfer(repeat: int) -> list[tuple[str, float]]:
    """GB/s of moving 8 MB (10⁶ float64) each way, and pythonnet's default conversion for contrast."""
    import System

    from rnnport.dotnet import from_net, to_net

    array = np.random.default_rng(0).normal(size=(1000, 1000))
    matrix = to_net(array)
    size = array.nbytes
    small = array.ravel()[:100_000]  # the default conversion is too slow for 8 MB in a benchmark loop
    default = median_seconds(lambda: System.Array[System.Double](small), max(1, repeat // 3))
    return [
        ("NumPy → .NET block copy (8 MB)", size / median_seconds(lambda: to_net(array), repeat) / 1e9),
        (".NET → NumPy block copy (8 MB)", size / median_seconds(lambda: from_net(matrix), repeat) / 1e9),
        ("pythonnet default conversion (0.8 MB)", small.nbytes / default / 1e9),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, nargs="+", default=[64, 256, 1024])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--check-cost-only", action="store_true",
                        help="only the table of what the non-finite check costs forward")
    parser.add_argument("--batch-only", action="store_true",
                        help="only the batched table (B = 32, H = 256) and its goal")
    args = parser.parse_args(argv)
    if args.check_cost_only:
        print_check_cost(args.hidden, args.steps, args.repeat)
        return 0
    if args.batch_only:
        measured: goals.Measurements = {}
        print_batch(256, 32, args.steps, args.repeat, measured)
        batch_goals = [goal for goal in goals.GOALS if all(row in measured for row in goal.rows)]
        return 0 if goals.judge(measured, batch_goals) else 1
    print(f"# rnnport benchmarks: I = O = {I}, T = {args.steps}, float64, median of {args.repeat}")
    print(f"# {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, NumPy {np.__version__}")
    blas = sorted({line.split()[-1] for line in open("/proc/self/maps", encoding="ascii") if "blas" in line})
    print(f"# BLAS loaded by NumPy: {', '.join(blas) or 'none'}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}")
    rows: list[tuple] = []
    for H in args.hidden:
        bench_models(H, args.steps, args.repeat, rows)
    measured: goals.Measurements = {goals.rnn(H, name): seconds for H, name, seconds in rows}
    measured[goals.STEPS] = args.steps
    print(f"\n| H | path | median ms | per step µs | ratio to NumPy forward |")
    print("|---|---|---|---|---|")
    for H in args.hidden:
        base = next(s for h, n, s in rows if h == H and n == "NumPy forward")
        for h, name, seconds in (r for r in rows if r[0] == H):
            print(f"| {H} | {name} | {seconds * 1e3:.2f} | {seconds / args.steps * 1e6:.1f} | {seconds / base:.2f} |")
    transfers = bench_transfer(max(21, 3 * args.repeat))  # cheap: medians over many runs
    print("\n| transfer | GB/s |\n|---|---|")
    for name, rate in transfers:
        print(f"| {name} | {rate:.3f} |")
    measured.update((f"transfer | {name}", rate) for name, rate in transfers)
    print_batch(256, 32, args.steps, args.repeat, measured)
    print_check_cost(args.hidden, args.steps, args.repeat)
    measured.update(print_cells([256], args.steps, args.repeat))
    from bench_stacks import print_stacks  # issue 11: stacked, bidirectional models against torch (no goal)

    print_stacks([64, 256], args.steps, max(3, args.repeat // 2))
    try:  # the kernels' and the bridge's paired goal rows, where this tree has them
        from bench_kernels import print_kernel_goals
    except ImportError:
        print("note: no bench_kernels.py in this tree; its goals are judged from the medians above, or not measured")
    else:
        measured.update((goals.kernels(goal.label), goal.value) for goal in print_kernel_goals(args.hidden, args.steps, args.repeat))
    return 0 if goals.judge(measured) else 1


def bench_batch(H: int, B: int, T: int, repeat: int) -> list[tuple[str, float]]:
    """Batched sequences (issue 12): B sequences of T steps at H, each path's median seconds for all B.

    C# in .NET: B separate ``Forward`` calls (each after ``Reset``) against one ``ForwardBatch``; the bridge's
    ``forward_batch`` (NumPy (B, T, I) in and out); NumPy fast ``forward`` B times against ``forward_batch``.
    The batched results are checked against the separate ones before anything is timed.
    """
    from rnnport.dotnet import DotNetRNN, to_net
    from rnnport.dotnet.transfer import batch_to_net

    case = make_case(I, H, O, T, seed=H)
    xs = np.random.default_rng(H).normal(size=(B, T, I))
    numpy_model, net_model = case.numpy_model(), DotNetRNN(*case.weights())
    net = net_model._net
    sequences = [to_net(x) for x in xs]  # kept alive while .NET holds them
    batch = batch_to_net(xs, "xs")

    def separate_net():
        for inputs in sequences:
            net.Reset()
            net.Forward(inputs)

    def separate_numpy():
        for x in xs:
            numpy_model.reset()
            numpy_model.forward(x)

    ys = net_model.forward_batch(xs)[0]
    for b in (0, B - 1):
        net_model.reset()
        assert np.array_equal(ys[b], net_model.forward(xs[b])[0]), "C# ForwardBatch differs from Forward"
    fewer = max(3, repeat // 2)  # each run is B sequences
    return [
        (goals.BATCH_SEPARATE, median_seconds(separate_net, fewer)),
        (goals.BATCH, median_seconds(lambda: net.ForwardBatch(batch), fewer)),
        (f"DotNetRNN.forward_batch, B = {B} (bridge)", median_seconds(lambda: net_model.forward_batch(xs), fewer)),
        (f"NumPy forward × {B} separate sequences", median_seconds(separate_numpy, fewer)),
        (f"NumPy forward_batch, B = {B}", median_seconds(lambda: numpy_model.forward_batch(xs), fewer)),
    ]


def print_batch(H: int, B: int, T: int, repeat: int, measured: goals.Measurements) -> None:
    """The batched table: per path, the time for all B sequences and the throughput against B separate C# calls."""
    rows = bench_batch(H, B, T, repeat)
    print(f"\n| H | B | path (B sequences of T = {T}) | median ms | sequences per second | throughput / C# separate |")
    print("|---|---|---|---|---|---|")
    base = rows[0][1]
    for name, seconds in rows:
        measured[goals.rnn(H, name)] = seconds
        print(f"| {H} | {B} | {name} | {seconds * 1e3:.1f} | {B / seconds:.0f} | {base / seconds:.2f} |")
    print_batch_ceiling(H, B, T, base)


def print_batch_ceiling(H: int, B: int, T: int, separate_seconds: float) -> None:
    """What this machine allows a bit-identical batch, measured now: the products at the fastest rate the
    machine reaches (OpenBLAS's dgemm on both cores, 512³, which uses FMA and so is faster than any separate
    multiply-and-add could be) and B·T·H ``Math.Tanh`` at their measured cost, split over two cores; the
    throughput ratio over the separate calls cannot exceed ``separate_seconds`` / (products + tanh)."""
    from rnnport.dotnet import load, to_net

    a, b = np.random.default_rng(0).normal(size=(2, 512, 512))
    a @ b
    flops = 2 * 512 ** 3 / min(median_seconds(lambda: a @ b, 3) for _ in range(3))
    values = np.random.default_rng(1).normal(size=(1000, 1000))
    matrix, tanh_loop = to_net(values), load().StepTiming.TanhLoop
    tanh_ns = median_seconds(lambda: tanh_loop(matrix), 5) / values.size * 1e9
    products = 2 * B * T * (H * H + I * H + H * O) / flops
    tanh = B * T * H * tanh_ns * 1e-9 / 2
    ceiling = separate_seconds / (products + tanh)
    print(f"\nCeiling on this machine for the bit-identical batch: the products at {flops / 1e9:.0f} GFLOP/s (OpenBLAS dgemm, "
          f"both cores) {products * 1e3:.0f} ms + {B * T * H:,} Math.Tanh at {tanh_ns:.1f} ns on two cores {tanh * 1e3:.0f} ms "
          f"= {(products + tanh) * 1e3:.0f} ms against {separate_seconds * 1e3:.0f} ms for {B} separate calls: "
          f"throughput at most {ceiling:.1f}× (goal ≥ 5×)")


if __name__ == "__main__":
    sys.exit(main())
