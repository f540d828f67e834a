"""``python -m rnnport verify``: run the NumPy and the C# model side by side and report agreement.

The model and inputs come from ``--seed`` and the sizes, or from ``--model FILE.npz`` (the model
file) and ``--inputs FILE.npy`` (float64, shape (T, I)). ``--mode exact`` runs the NumPy model on
its exact kernels and demands bit-identical results (0 ULP); ``--mode fast`` (default) runs it on
BLAS and checks every element against the derived bound of ``rnnport.verify.bounds``.

Prints, for blocks of timesteps, the largest |Δ| and ULP distance of states and outputs, then per
comparison: steps checked, max |Δ|, max ULP, the first step that differs and, free-running, how
fast the difference grows. Exit status: 0 within contract, 1 not, 2 for bad arguments, unreadable
files, mismatched shapes, sizes over the limit (every array at most 2^28 numbers, as in the model
file), unwritable ``--json``/``--plot`` paths or a .NET that cannot be loaded (one line on stderr, no
traceback), all checked before anything runs. ``--json -`` writes the report to standard output and
moves the human-readable text to standard error. Files are written atomically (rnnport.io.atomic).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from rnnport.cells.rnn import RNN
from rnnport.cli import option_rules
from rnnport.io.atomic import atomic_write
from rnnport.io.plot_file import figure_file
from rnnport.verify.cases import make_case
from rnnport.verify.compare import Agreement, compare


class UsageError(Exception):
    """A bad argument or input file: reported in one line, exit status 2."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``verify`` sub-command's options."""
    positive = option_rules.integer_in(1, option_rules.max_elements())
    non_negative = option_rules.integer_in(0, option_rules.max_elements())
    parser.add_argument("--mode", choices=("fast", "exact"), default="fast",
                        help="fast: NumPy on BLAS, within the derived bound; exact: bit-identical (default fast)")
    parser.add_argument("--compare", choices=("teacher-forced", "free-running", "both"), default="both",
                        help="teacher-forced: C# starts each step from NumPy's state; "
                             "free-running: each side carries its own (default both)")
    parser.add_argument("--seed", type=non_negative, default=0, help="seed of the generated case (default 0)")
    parser.add_argument("--input-size", "-I", type=positive, default=8, help="I (default 8)")
    parser.add_argument("--hidden-size", "-H", type=positive, default=64, help="H (default 64)")
    parser.add_argument("--output-size", "-O", type=positive, default=8, help="O (default 8)")
    parser.add_argument("--steps", "-T", type=non_negative, default=1000, help="T (default 1000)")
    parser.add_argument("--activation", choices=("tanh", "relu"), default="tanh")
    parser.add_argument("--nonzero-h0", action="store_true", help="start from a random h0 instead of zeros")
    parser.add_argument("--model", help="an rnnport model file (.npz) instead of generated weights")
    parser.add_argument("--inputs", help="a float64 .npy file of shape (T, I) instead of generated inputs "
                                          "(nothing else: no .npz, no other dtype)")
    parser.add_argument("--rows", type=positive, default=10, help="table rows per comparison (default 10)")
    parser.add_argument("--json", dest="json_path", metavar="PATH",
                        help="write a machine-readable report ('-': to standard output, the text to standard error)")
    parser.add_argument("--plot", metavar="PATH", help="write a PNG of the per-step difference")


def _load_inputs(path: str) -> np.ndarray:
    """A float64 (T, I) array from a .npy file, its header checked against the file's size before
    anything is allocated: no pickles, no .npz, no shape the file's bytes do not hold."""
    try:
        option_rules.input_file(path, "inputs")
    except option_rules.UsageError as error:
        raise UsageError(str(error)) from None
    with open(path, "rb") as stream:
        try:
            version = np.lib.format.read_magic(stream)
            if version == (1, 0):
                shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(stream)
            elif version == (2, 0):
                shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(stream)
            else:
                raise ValueError(f"unsupported .npy version {version}")
        except ValueError as error:
            raise UsageError(f"inputs {path} is not a .npy file: {error}") from None
        if dtype != np.dtype("<f8") or len(shape) != 2:
            raise UsageError(f"inputs {path} must be float64 of shape (T, I), got {dtype} {shape}")
        count = math.prod(shape)
        if count > option_rules.max_elements():
            raise UsageError(f"inputs {path} declares shape {shape}, more than {option_rules.max_elements()} numbers")
        body = Path(path).stat().st_size - stream.tell()
        if body != count * 8:
            raise UsageError(f"inputs {path} declares shape {shape} ({count * 8} bytes) but holds {body} bytes")
        data = stream.read(body)
    xs = np.frombuffer(data, dtype="<f8").reshape(shape, order="F" if fortran_order else "C")
    if not np.isfinite(xs).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(xs))[0])
        raise UsageError(f"inputs {path} must be finite, but element {index} is {xs[index]!r}")
    return np.ascontiguousarray(xs)


def check_arguments(args: argparse.Namespace) -> None:
    """Everything that can be checked before .NET loads or anything runs: sizes, input and output files."""
    try:
        if args.json_path is not None and args.json_path != "-":
            option_rules.output_file(args.json_path, "--json")
        if args.plot is not None:
            from rnnport.io.plot_file import figure_format

            option_rules.output_file(args.plot, "--plot")
            figure_format(args.plot)
        if args.model is not None:
            option_rules.input_file(args.model, "model")
        else:
            I, H, O, T = args.input_size, args.hidden_size, args.output_size, args.steps
            for what, sizes in (("W_xh (H, I)", (H, I)), ("W_hh (H, H)", (H, H)), ("W_hy (O, H)", (O, H)),
                                ("the inputs (T, I)", (T, I)), ("the states (T, H)", (T, H)),
                                ("the outputs (T, O)", (T, O))):
                option_rules.check_product(what, *sizes)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _inputs(args: argparse.Namespace) -> tuple[RNN, np.ndarray, str]:
    """The NumPy model (on the requested kernels), the inputs, and a one-line description."""
    kernel = args.mode
    if args.model:
        from rnnport.io import model_file

        try:
            loaded = model_file.load(args.model)
        except (OSError, ValueError) as error:
            raise UsageError(f"cannot load model {args.model}: {error}") from None
        if loaded.cell != "rnn":  # the model file holds any cell now (docs/model-file.md, D7)
            raise UsageError(f"cannot verify model {args.model}: it holds cell '{loaded.cell}'; --model takes an RNN")
        m = loaded.model
        model = RNN(m.W_xh, m.W_hh, m.W_hy, m.h0, m.activation, b_h=m.b_h, b_y=m.b_y, kernel=kernel)
        source = f"model {args.model}"
    else:
        case = make_case(args.input_size, args.hidden_size, args.output_size, args.steps, args.seed,
                         args.activation, args.nonzero_h0)
        model = RNN(*case.weights(), activation=args.activation, kernel=kernel)
        xs = case.xs
        source = f"generated seed={args.seed}"
    if args.inputs:
        try:
            xs = _load_inputs(args.inputs)
        except OSError as error:
            raise UsageError(f"cannot load inputs {args.inputs}: {error}") from None
        if xs.shape[1] != model.input_size:
            raise UsageError(f"inputs {args.inputs} must be float64 of shape (T, {model.input_size}), "
                             f"got {xs.dtype} {xs.shape}")
    elif args.model:
        xs = np.random.default_rng(args.seed).normal(size=(args.steps, model.input_size))
    for what, sizes in (("the states (T, H)", (xs.shape[0], model.hidden_size)),
                        ("the outputs (T, O)", (xs.shape[0], model.output_size))):
        try:
            option_rules.check_product(what, *sizes)
        except ValueError as error:
            raise UsageError(str(error)) from None
    return model, xs, source


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


def _summary(agreement: Agreement) -> str:
    verdict = "PASS" if agreement.ok else "FAIL"
    first = agreement.first_differing_step
    line = (f"{verdict} {agreement.mode:>14} {agreement.quantity:<6}: {agreement.max_abs.size} steps, "
            f"max|Δ| {agreement.max_abs.max(initial=0.0):.3e}, max {int(agreement.max_ulp.max(initial=0))} ULP, "
            f"first differing step {'none' if first is None else first}")
    if agreement.mode == "free-running":
        rate = agreement.growth_rate()
        line += ", growth " + ("n/a" if rate is None else f"×{rate:.5f} per step")
    if agreement.violation is not None:
        line += f"\n     first violation: {agreement.violation}"
    return line


def _plot(results: list[Agreement], path: str, title: str) -> None:
    """The per-step max |Δ| of every comparison, on a symlog axis."""
    with figure_file(path, (8, 4)) as ax:
        for agreement in results:
            ax.plot(agreement.max_abs, lw=0.8, label=f"{agreement.mode} {agreement.quantity}")
        ax.set_yscale("symlog", linthresh=1e-18)
        ax.set_xlabel("timestep")
        ax.set_ylabel("max |NumPy − C#| over elements")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=8)


def _progress_bar(total: int) -> Any:
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="step", disable=None if total >= 2000 else True, file=sys.stderr)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run the comparisons that ``args`` asks for, printing to ``out`` (default stdout); return the exit status."""
    report_to_stdout = args.json_path == "-"
    out = (sys.stderr if report_to_stdout else sys.stdout) if out is None else out
    from rnnport.dotnet import DotNetRNN, load

    try:
        check_arguments(args)
        load()
        model, xs, source = _inputs(args)
    except (ImportError, UsageError) as error:
        print(f"rnnport verify: {error}", file=sys.stderr)
        return 2
    contract = "identical" if args.mode == "exact" else "bound"
    title = (f"rnnport verify --mode {args.mode}: I={model.input_size} H={model.hidden_size} "
             f"O={model.output_size} T={xs.shape[0]} {model.activation}, {source}")
    print(title, file=out)
    modes = ("teacher-forced", "free-running") if args.compare == "both" else (args.compare,)
    bar = _progress_bar(xs.shape[0] * len(modes))
    results: list[Agreement] = []
    for mode in modes:
        other = DotNetRNN(model.W_xh, model.W_hh, model.W_hy, model.h0, model.activation, b_h=model.b_h, b_y=model.b_y)
        state, output = compare(model, other, xs, mode, contract, bar.update if bar is not None else None)
        results += [state, output]
        print(f"\n{mode} ({'0 ULP required' if contract == 'identical' else 'derived bound'}):", file=out)
        if xs.shape[0]:
            _table(state, output, args.rows, out)
    if bar is not None:
        bar.close()
    print(file=out)
    for agreement in results:
        print(_summary(agreement), file=out)
    passed = all(agreement.ok for agreement in results)
    rule = "bit-identical (0 ULP)" if contract == "identical" else "within the derived bound (rnnport.verify.bounds)"
    print(f"\n{'PASS' if passed else 'FAIL'}: every timestep {'is' if passed else 'is not'} {rule}", file=out)
    if args.json_path:
        report = {"title": title, "mode": args.mode, "contract": contract, "passed": passed,
                  "comparisons": [agreement.as_dict() for agreement in results]}
        if report_to_stdout:
            json.dump(report, sys.stdout, indent=2)
            print(file=sys.stdout)
        else:
            with atomic_write(args.json_path, "w") as stream:
                json.dump(report, stream, indent=2)
    if args.plot:
        _plot(results, args.plot, title)
    return 0 if passed else 1
