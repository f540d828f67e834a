"""``python -m rnnport verify``: run the NumPy and the C# model side by side and report agreement.

Prints, for blocks of timesteps, the largest |Δ| and ULP distance of states and outputs, then one
PASS/FAIL line per comparison. Exit status: 0 when every element is within the bound of
``rnnport.bounds``, 1 when one is not, 2 for bad arguments or a .NET that cannot be loaded.
"""
from __future__ import annotations

import argparse
import sys
from typing import Sequence, TextIO

import numpy as np

from rnnport.cases import make_case
from rnnport.compare import Agreement, compare


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``verify`` sub-command's options."""
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated case (default 0)")
    parser.add_argument("--input-size", "-I", type=_positive, default=8, help="I (default 8)")
    parser.add_argument("--hidden-size", "-H", type=_positive, default=64, help="H (default 64)")
    parser.add_argument("--output-size", "-O", type=_positive, default=8, help="O (default 8)")
    parser.add_argument("--steps", "-T", type=_non_negative, default=1000, help="T (default 1000)")
    parser.add_argument("--activation", choices=("tanh", "relu"), default="tanh")
    parser.add_argument("--nonzero-h0", action="store_true", help="start from a random h0 instead of zeros")
    parser.add_argument("--compare", choices=("teacher-forced", "free-running", "both"), default="both",
                        help="teacher-forced: both sides start each step from NumPy's state; "
                             "free-running: each carries its own (default both)")
    parser.add_argument("--rows", type=_positive, default=10, help="table rows per comparison (default 10)")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer ≥ 1, got {text}")
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer ≥ 0, got {text}")
    return value


def _table(state: Agreement, output: Agreement, rows: int, out: TextIO) -> None:
    T = state.max_abs.shape[0]
    print(f"{'steps':>13} | {'state max|Δ|':>12} {'max ULP':>8} | {'output max|Δ|':>13} {'max ULP':>8} "
          f"| {'worst |Δ|/bound':>15}", file=out)
    edges = np.unique(np.linspace(0, T, min(rows, T) + 1).astype(int))
    for lo, hi in zip(edges[:-1], edges[1:]):
        block = slice(lo, hi)
        ratio = max(state.worst_ratio[block].max(), output.worst_ratio[block].max())
        print(f"{lo:>6}–{hi - 1:<6} | {state.max_abs[block].max():>12.3e} {int(state.max_ulp[block].max()):>8} | "
              f"{output.max_abs[block].max():>13.3e} {int(output.max_ulp[block].max()):>8} | {ratio:>15.2e}",
              file=out)


def run(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """Run the comparisons that ``args`` asks for; return the exit status."""
    from rnnport.dotnet import DotNetRNN, load

    try:
        load()
    except ImportError as error:
        print(f"rnnport verify: {error}", file=sys.stderr)
        return 2
    case = make_case(args.input_size, args.hidden_size, args.output_size, args.steps, args.seed,
                     args.activation, args.nonzero_h0)
    print(f"rnnport verify: NumPy RNN vs C# RnnPort.RNN, I={args.input_size} H={args.hidden_size} "
          f"O={args.output_size} T={args.steps} {args.activation} h0={'random' if args.nonzero_h0 else 'zeros'} "
          f"seed={args.seed}", file=out)
    modes = ("teacher-forced", "free-running") if args.compare == "both" else (args.compare,)
    passed = True
    for mode in modes:
        state, output = compare(case.numpy_model(), DotNetRNN(*case.weights(), activation=args.activation),
                                case.xs, mode)
        print(f"\n{mode}:", file=out)
        if args.steps:
            _table(state, output, args.rows, out)
        for agreement in (state, output):
            verdict = "PASS" if agreement.ok else "FAIL"
            print(f"{verdict} {agreement.describe()}", file=out)
            passed &= agreement.ok
    print(f"\n{'PASS' if passed else 'FAIL'}: every timestep {'is' if passed else 'is not'} within the "
          "derived bound (rnnport.bounds)", file=out)
    return 0 if passed else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m rnnport verify``."""
    parser = argparse.ArgumentParser(prog="rnnport verify", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))
