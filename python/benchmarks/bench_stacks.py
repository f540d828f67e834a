"""The stacks' rows of ``make bench``: stacked and bidirectional models against torch float64.

    dotnet/pyhost python/benchmarks/bench_stacks.py [--hidden 64 256] [--steps 1000] [--repeat 5]

For the LSTM and the GRU with 2 layers, both directions and torch's biases, at I = 64 (no output layer:
the outputs are the top layer's, D·H wide, as torch's): NumPy ``RecurrentStack.forward``; torch's module
(float64, one thread, the same weights through ``rnnport.torch.to_torch``); C# ``RecurrentStack.Forward``
timed in .NET (one bridge crossing per run, the result left in .NET) and through the bridge
(``DotNetRecurrentStack.forward``, NumPy in and out). Medians of ``--repeat`` runs after one warm-up;
the last column is each path's time over torch's, from the same run. There is no goal here: the rows
show where a stack stands against the torch module it was ported from (docs/benchmarks.md).
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from bench_cells import median_seconds  # one timing rule for every table of make bench

I, LAYERS = 64, 2
CELLS = ("lstm", "gru")


def bench_stack(cell: str, H: int, T: int, repeat: int) -> list[tuple[str, float]]:
    """(path, median seconds) rows for one stack; the first is torch's, the ratios' base."""
    import torch

    from rnnport.cells.stack import RecurrentStack
    from rnnport.verify.cases import stack_parameters
    from rnnport.dotnet import to_net
    from rnnport.dotnet.stack import DotNetRecurrentStack
    from rnnport.torch import to_torch

    parameters = stack_parameters(cell, LAYERS, True, I, H, np.random.default_rng(H))  # torch's initialisation
    xs = np.random.default_rng(0).normal(size=(T, I))
    numpy_stack = RecurrentStack(cell, parameters, num_layers=LAYERS, bidirectional=True)
    net_stack = DotNetRecurrentStack(cell, parameters, num_layers=LAYERS, bidirectional=True)
    torch.set_num_threads(1)
    module = to_torch(numpy_stack)
    inputs_torch = torch.from_numpy(xs[:, None, :].copy())  # (T, batch=1, I)
    inputs_net = to_net(xs)  # kept alive while .NET holds it

    def torch_forward():
        with torch.no_grad():
            return module(inputs_torch)[0][:, 0, :]

    def numpy_forward():
        numpy_stack.reset()
        return numpy_stack.forward(xs)[0]

    def in_net():
        net_stack._net.Reset()
        return net_stack._net.Forward(inputs_net)

    def bridge():
        net_stack.reset()
        return net_stack.forward(xs)[0]

    reference = torch_forward().numpy()
    for label, ys in (("NumPy", numpy_forward()), ("C#", bridge())):
        assert np.allclose(ys, reference, rtol=1e-9, atol=1e-12), f"{cell}: {label} and torch disagree"
    name = cell.upper()
    return [(f"torch.nn.{name} {torch.__version__} (1 thread)", median_seconds(torch_forward, repeat)),
            (f"NumPy RecurrentStack.forward", median_seconds(numpy_forward, repeat)),
            (f"C# RecurrentStack.Forward (in .NET)", median_seconds(in_net, repeat)),
            (f"DotNetRecurrentStack.forward (bridge)", median_seconds(bridge, repeat))]


def print_stacks(hidden: list[int], T: int, repeat: int) -> list[tuple[str, int, str, float]]:
    """The table: every cell at every H, 2 layers, bidirectional; returns (cell, H, path, seconds) rows."""
    print(f"\nStacks: {LAYERS} layers, bidirectional, I = {I}, T = {T}, float64, both biases, no output layer")
    print("\n| cell | H | path | median ms | per step µs | ratio to torch |")
    print("|---|---|---|---|---|---|")
    measured = []
    for cell in CELLS:
        for H in hidden:
            rows = bench_stack(cell, H, T, repeat)
            base = rows[0][1]
            for label, seconds in rows:
                print(f"| {cell.upper()} | {H} | {label} | {seconds * 1e3:.2f} | {seconds / T * 1e6:.1f} | {seconds / base:.2f} |")
                measured.append((cell, H, label, seconds))
    return measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print_stacks(args.hidden, args.steps, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
