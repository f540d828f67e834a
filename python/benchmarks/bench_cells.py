"""The gated cells' rows of ``make bench``: NumPy ``forward`` against torch and against C#, per cell.

    dotnet/pyhost python/benchmarks/bench_cells.py [--hidden 256] [--steps 1000] [--repeat 7]

For each cell of ``CELLS`` (LSTM, GRU) at I = O = 64, float64, both biases on, as torch has them:
NumPy ``forward``; ``torch.nn.LSTM``/``GRU`` (float64, one thread, the same weights); C# ``Forward``
timed in .NET (one bridge crossing per run, the result left in .NET) and through the bridge
(``DotNetLSTM.forward``, NumPy arrays in and out). Every time is the median of ``--repeat`` runs after
one warm-up; ratios are taken within the run. The goals are ``goals.GOALS``'s (one table, judged by
``bench.py``). The last column's ratio is paired (``paired_ratio``): the two paths timed in alternation, fastest of each,
median over rounds, so that load from other processes falls on both alike.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from dataclasses import dataclass
from typing import Callable

import numpy as np

from bench_kernels import SETTLE_S  # C# after NumPy: OpenBLAS's spinning workers settle first

I = O = 64


@dataclass(frozen=True)
class Cell:
    """Where one cell lives in each language; ``gates`` row blocks of H in W_ih (4 for the LSTM, 3 for the GRU)."""

    name: str
    numpy: str   # "module:Class" of the NumPy model
    bridge: str  # "module:Class" of the bridge twin
    gates: int


CELLS = [
    Cell("LSTM", "rnnport.cells.lstm:LSTM", "rnnport.dotnet.lstm:DotNetLSTM", 4),
    Cell("GRU", "rnnport.cells.gru:GRU", "rnnport.dotnet.gru:DotNetGRU", 3),
]


def _class(path: str):
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls, after one warm-up call."""
    import statistics
    import time

    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_ratio(a: Callable[[], object], b: Callable[[], object], rounds: int, pairs: int = 5,
                 settle: float = 0.0) -> float:
    """Median over ``rounds`` of (fastest time of ``a``) / (fastest of ``b``), the two timed in alternation;
    the fastest, because on a busy machine noise only ever adds time. Each call starts after ``settle``
    seconds of sleep (``SETTLE_S`` when one side is NumPy on OpenBLAS, as in bench_kernels.py)."""
    from bench_kernels import paired

    return paired(a, b, rounds, pairs, settle)[0]


def weights(cell: Cell, H: int, T: int, seed: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The cell's keyword arguments (both biases and b_y on) at scale 1/sqrt(H), and xs (T, I)."""
    rng = np.random.default_rng(seed)
    G = cell.gates * H
    scale = 1 / np.sqrt(H)
    args = {"W_ih": rng.uniform(-scale, scale, (G, I)), "W_hh": rng.uniform(-scale, scale, (G, H)),
            "W_hy": rng.uniform(-scale, scale, (O, H)), "b_ih": rng.uniform(-scale, scale, G),
            "b_hh": rng.uniform(-scale, scale, G), "b_y": rng.uniform(-scale, scale, O)}
    return args, rng.normal(size=(T, I))


def torch_forward(cell: Cell, args: dict[str, np.ndarray], xs: np.ndarray) -> tuple[Callable[[], object], str]:
    """torch.nn.LSTM/GRU (float64, one thread) with the same weights: torch's layout is NumPy's."""
    import torch

    torch.set_num_threads(1)
    H = args["W_hh"].shape[1]
    rnn = getattr(torch.nn, cell.name)(I, H).double()
    out = torch.nn.Linear(H, O).double()
    with torch.no_grad():
        for name, key in (("weight_ih_l0", "W_ih"), ("weight_hh_l0", "W_hh"), ("bias_ih_l0", "b_ih"),
                          ("bias_hh_l0", "b_hh")):
            getattr(rnn, name).copy_(torch.from_numpy(args[key]))
        out.weight.copy_(torch.from_numpy(args["W_hy"]))
        out.bias.copy_(torch.from_numpy(args["b_y"]))
    inputs = torch.from_numpy(xs[:, None, :])  # (T, batch=1, I)

    def run():
        with torch.no_grad():
            hs, _ = rnn(inputs)
            return out(hs[:, 0, :])
    return run, f"torch.nn.{cell.name} {torch.__version__} ({torch.get_num_threads()} thread)"


def bench_cell(cell: Cell, H: int, T: int, repeat: int) -> list[tuple[str, float, float | None]]:
    """(path, median seconds, paired ratio for the goal or None) rows for one cell; the first is NumPy
    ``forward``, the ratios' base. The paired ratio is NumPy / torch for torch, path / NumPy for C#."""
    from rnnport.dotnet import to_net

    args, xs = weights(cell, H, T, seed=H)
    numpy_model, net_model = _class(cell.numpy)(**args), _class(cell.bridge)(**args)
    inputs = to_net(xs)  # kept alive while .NET holds it

    def numpy_forward():
        numpy_model.reset()
        return numpy_model.forward(xs)

    def in_net():
        net_model._net.Reset()
        return net_model._net.Forward(inputs)

    def bridge():
        net_model.reset()
        return net_model.forward(xs)

    ys, net_ys = numpy_forward()[0], bridge()[0]
    assert np.allclose(ys, net_ys, rtol=1e-9, atol=1e-12), f"{cell.name}: C# and NumPy disagree"
    rows = [(f"NumPy {cell.name}.forward", median_seconds(numpy_forward, repeat), None)]
    try:
        run, label = torch_forward(cell, args, xs)
        assert np.allclose(run().numpy(), ys, rtol=1e-9, atol=1e-12), f"{cell.name}: torch and NumPy disagree"
        rows.append((label, median_seconds(run, repeat), paired_ratio(numpy_forward, run, repeat)))
    except ImportError as error:
        print(f"note: torch not available ({error}); install Debian's python3-torch for the reference row")
    for label, fn in ((f"C# {cell.name}.Forward (in .NET)", in_net), (f"DotNet{cell.name}.forward (bridge)", bridge)):
        rows.append((label, median_seconds(fn, repeat), paired_ratio(fn, numpy_forward, repeat, settle=SETTLE_S)))
    return rows


def available() -> list[Cell]:
    """The cells whose NumPy and bridge modules this tree has."""
    found = []
    for cell in CELLS:
        try:
            _class(cell.numpy), _class(cell.bridge)
            found.append(cell)
        except ModuleNotFoundError as error:
            print(f"note: no {cell.name} in this tree ({error})")
    return found


def print_cells(hidden: list[int], T: int, repeat: int) -> dict[str, float]:
    """The table of every available cell at every H, NumPy forward being 1; returns the measurements for
    ``goals.judge``: each row's median seconds under ``goals.cell(name, H, path)``, and the paired ratios under
    the paths "paired NumPy / torch" and "paired C# / NumPy" (the C# row in .NET)."""
    from goals import cell as label

    measured: dict[str, float] = {}
    print(f"\n| cell | H | path | median ms | per step µs | ratio of medians to NumPy forward | paired ratio |")
    print("|---|---|---|---|---|---|---|")
    for cell in available():
        for H in hidden:
            rows = bench_cell(cell, H, T, repeat)
            base = rows[0][1]
            for name, seconds, paired in rows:
                measured[label(cell.name, H, name)] = seconds
                if paired is not None and name.startswith("torch"):
                    measured[label(cell.name, H, "paired NumPy / torch")] = paired
                elif paired is not None and "(in .NET)" in name:
                    measured[label(cell.name, H, "paired C# / NumPy")] = paired
                ratio = seconds / base
                if paired is None:
                    goal = "—"
                elif name.startswith("torch"):
                    goal = f"NumPy / torch = {paired:.2f}"
                else:
                    goal = f"{paired:.2f}"
                print(f"| {cell.name} | {H} | {name} | {seconds * 1e3:.2f} | {seconds / T * 1e6:.1f} | {ratio:.2f} | {goal} |")
    return measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, nargs="+", default=[256])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    print_cells(args.hidden, args.steps, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
