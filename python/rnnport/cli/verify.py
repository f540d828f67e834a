"""``python -m rnnport verify``: run the NumPy and the C# model side by side and report agreement.

``--cell {rnn,lstm,gru}`` picks the cell (``rnnport.verify.cell_registry``; default rnn). The model
and inputs come from ``--seed`` and the sizes, or from ``--model FILE.npz`` (the model
file) and ``--inputs FILE.npy`` (float64, shape (T, I)). ``--mode exact`` runs the NumPy model on
its exact kernels and demands bit-identical results (0 ULP); ``--mode fast`` (default) runs it on
BLAS and checks every element against the cell's derived bound (``rnnport.verify.bounds``,
``rnnport.cells.lstm_bounds``, ``rnnport.verify.gru_bounds``).

Prints, for blocks of timesteps, the largest |Δ| and ULP distance of states (and the LSTM's cell
states) and outputs, then per
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

from rnnport.cli import option_rules
from rnnport.io.atomic import atomic_write
from rnnport.io.plot_file import figure_file
from rnnport.verify.cell_registry import CELLS, CellSpec, spec_of
from rnnport.verify.compare import Agreement, compare_cell


class UsageError(Exception):
    """A bad argument or input file: reported in one line, exit status 2."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``verify`` sub-command's options."""
    positive = option_rules.integer_in(1, option_rules.max_elements())
    non_negative = option_rules.integer_in(0, option_rules.max_elements())
    parser.add_argument("--cell", choices=tuple(CELLS), default=None,
                        help="the cell to compare (default rnn, or the model file's cell)")
    parser.add_argument("--mode", choices=("fast", "exact"), default="fast",
                        help="fast: NumPy on BLAS, within the derived bound; exact: bit-identical (default %(default)s)")
    parser.add_argument("--compare", choices=("teacher-forced", "free-running", "both"), default="both",
                        help="teacher-forced: C# starts each step from NumPy's state; "
                             "free-running: each side carries its own (default %(default)s)")
    parser.add_argument("--seed", type=non_negative, default=0, help="seed of the generated case (default %(default)s)")
    parser.add_argument("--input-size", "-I", type=positive, default=8, help="I (default %(default)s)")
    parser.add_argument("--hidden-size", "-H", type=positive, default=64, help="H (default %(default)s)")
    parser.add_argument("--output-size", "-O", type=positive, default=8, help="O (default %(default)s)")
    parser.add_argument("--steps", "-T", type=non_negative, default=1000, help="T (default %(default)s)")
    parser.add_argument("--activation", choices=("tanh", "relu"), default=None, help="the RNN's (default tanh)")
    parser.add_argument("--nonzero-h0", action="store_true",
                        help="start from a random h0 (and c0) instead of zeros")
    parser.add_argument("--model", help="an rnnport model file (.npz) instead of generated weights")
    parser.add_argument("--inputs", help="a float64 .npy file of shape (T, I) instead of generated inputs "
                                          "(nothing else: no .npz, no other dtype)")
    parser.add_argument("--rows", type=positive, default=10, help="table rows per comparison (default %(default)s)")
    parser.add_argument("--json", dest="json_path", metavar="PATH",
                        help="write a machine-readable report ('-': to standard output, the text to standard error)")
    parser.add_argument("--plot", metavar="PATH",
                        help="draw the contract per step: |Δ|/bound against 1.0 and the ULP distance (PNG, SVG, PDF…)")
    parser.add_argument("--reference", choices=("csharp", "torch"), default="csharp",
                        help="csharp: NumPy against C#; torch: NumPy, C# and torch (float64, one thread) three ways, "
                             "per layer and direction of a stack (default csharp)")
    parser.add_argument("--num-layers", type=option_rules.integer_in(1, 64), default=1,
                        help="with --reference torch: layers of the generated stack (default 1)")
    parser.add_argument("--bidirectional", action="store_true",
                        help="with --reference torch: a bidirectional generated stack")
    parser.add_argument("--batch-first", action="store_true",
                        help="with --reference torch: 3-D --inputs are (B, T, I), as torch's batch_first=True "
                             "(without it, (T, B, I))")


def write_json(path: str, report: dict[str, Any]) -> None:
    """The JSON report to ``path`` (atomically) or, for ``-``, to standard output."""
    if path == "-":
        json.dump(report, sys.stdout, indent=2)
        print(file=sys.stdout)
    else:
        with atomic_write(path, "w") as stream:
            json.dump(report, stream, indent=2)


def _load_inputs(path: str, dimensions: tuple[int, ...] = (2,)) -> np.ndarray:
    """A float64 (T, I) array (or, with ``dimensions`` (2, 3), a batch in torch's layout) from a .npy file,
    its header checked against the file's size before anything is allocated: no pickles, no .npz, no
    shape the file's bytes do not hold."""
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
        if dtype != np.dtype("<f8") or len(shape) not in dimensions:
            layouts = "(T, I)" if dimensions == (2,) else "(T, I), (T, B, I) or (B, T, I)"
            raise UsageError(f"inputs {path} must be float64 of shape {layouts}, got {dtype} {shape}")
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
        if args.reference != "torch":
            for option, given in (("--num-layers", args.num_layers != 1), ("--bidirectional", args.bidirectional),
                                  ("--batch-first", args.batch_first)):
                if given:
                    raise ValueError(f"{option} needs --reference torch")
        elif args.compare != "both":
            raise ValueError("--compare is for --reference csharp; --reference torch runs each side free")
        if args.activation is not None and args.cell not in (None, "rnn"):
            raise ValueError(f"--activation is the RNN's; the {args.cell.upper()} has none")
        if args.model is not None:
            option_rules.input_file(args.model, "model")
        else:
            I, H, O, T = args.input_size, args.hidden_size, args.output_size, args.steps
            g = CELLS[args.cell or "rnn"].gates
            W_in, G = ("W_xh", "") if g == 1 else ("W_ih", f"{g}")
            for what, sizes in ((f"{W_in} ({G}H, I)", (g * H, I)), (f"W_hh ({G}H, H)", (g * H, H)),
                                ("W_hy (O, H)", (O, H)),
                                ("the inputs (T, I)", (T, I)), ("the states (T, H)", (T, H)),
                                ("the outputs (T, O)", (T, O))):
                option_rules.check_product(what, *sizes)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _inputs(args: argparse.Namespace) -> tuple[CellSpec, dict[str, Any], Any, np.ndarray, str]:
    """The cell, the model's arguments, the NumPy model (on the requested kernels), the inputs, and a
    one-line description."""
    kernel = args.mode
    if args.model:
        from rnnport.io import model_file

        try:
            loaded = model_file.load(args.model)
        except (OSError, ValueError) as error:
            raise UsageError(f"cannot load model {args.model}: {error}") from None
        try:
            spec = spec_of(loaded.model)
        except TypeError as error:
            raise UsageError(f"model {args.model}: {error}") from None
        if args.cell is not None and args.cell != spec.name:
            raise UsageError(f"model {args.model} holds an {spec.name.upper()}, not the --cell {args.cell}")
        arguments = spec.arguments(loaded.model)
        source = f"model {args.model}"
    else:
        spec = CELLS[args.cell or "rnn"]
        extra = {"activation": args.activation or "tanh"} if spec.name == "rnn" else {}
        arguments, xs = spec.case(args.input_size, args.hidden_size, args.output_size, args.steps, args.seed,
                                  args.nonzero_h0, **extra)
        source = f"generated seed={args.seed}"
    model = spec.numpy_model(arguments, kernel)
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
    return spec, arguments, model, xs, source


def _table(agreements: list[Agreement], rows: int, out: TextIO) -> None:
    """Per block of steps: max |Δ| and max ULP of every quantity, and the worst |Δ|/bound over all of them."""
    T = agreements[0].max_abs.shape[0]
    print(f"{'steps':>13} | " + " | ".join(f"{a.quantity + ' max|Δ|':>13} {'max ULP':>8}" for a in agreements)
          + f" | {'worst |Δ|/bound':>15}", file=out)
    edges = np.unique(np.linspace(0, T, min(rows, T) + 1).astype(int))
    for lo, hi in zip(edges[:-1], edges[1:]):
        block = slice(lo, hi)
        ratio = max(a.worst_ratio[block].max() for a in agreements)
        cells = " | ".join(f"{a.max_abs[block].max():>13.3e} {int(a.max_ulp[block].max()):>8}" for a in agreements)
        print(f"{lo:>6}–{hi - 1:<6} | {cells} | {ratio:>15.2e}", file=out)


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
    """The contract, per step: |Δ|/bound against the 1.0 line (fast mode) and the ULP distance, each in
    its own panel; in exact mode the ULP panel alone, saying "0 ULP at every step" when that holds."""
    
    exact = results[0].contract == "identical"
    with figure_file(path, (8, 3.2 if exact else 5.6), rows=1 if exact else 2) as axes:
        ulp_axis = axes if exact else axes[1]
        if not exact:
            ratio_axis = axes[0]
            for agreement in results:
                ratio_axis.plot(agreement.worst_ratio, lw=0.8, label=f"{agreement.mode} {agreement.quantity}")
            worst_ratio = max(a.worst_ratio.max(initial=0.0) for a in results)
            ratio_axis.axhline(1.0, color="crimson", lw=1.2, label=f"the bound; worst step: {worst_ratio:.1%} of it")
            ratio_axis.set_yscale("log")  # the margin below the bound spans decades; a zero (bit-identical) step is not drawn
            smallest = min((a.worst_ratio[a.worst_ratio > 0].min() for a in results if (a.worst_ratio > 0).any()),
                           default=1e-3)
            ratio_axis.set_ylim(max(smallest / 2, 1e-6), max(100.0, 100 * worst_ratio))  # room above for the legend
            ratio_axis.set_ylabel("max |Δ| / bound")
            ratio_axis.set_title(title, fontsize=9)
            ratio_axis.legend(fontsize=7, ncol=3, loc="upper left")
        worst = max(int(a.max_ulp.max(initial=0)) for a in results)
        steps = max(a.max_ulp.size for a in results)
        if exact and worst == 0:
            ulp_axis.text(0.5, 0.5, f"0 ULP at every step\n(all {steps} steps bit-identical, every quantity)",
                          ha="center", va="center", fontsize=14, transform=ulp_axis.transAxes)
            ulp_axis.set_xlim(0, max(steps - 1, 1))
            ulp_axis.set_yticks([])
        else:
            for agreement in results:
                ulp_axis.plot(agreement.max_ulp, lw=0.8, label=f"{agreement.mode} {agreement.quantity}")
            ulp_axis.set_yscale("symlog", linthresh=1.0)  # 0 ULP (identical) stays on the axis; spikes span decades
            ulp_axis.set_ylim(0, 200 * max(worst, 1))  # room above for the legend
            ulp_axis.set_ylabel("max ULP distance")
            ulp_axis.legend(fontsize=7, ncol=4, loc="upper left")
        if exact:
            ulp_axis.set_title(title, fontsize=9)
        ulp_axis.set_xlabel("timestep")


def _progress_bar(total: int) -> Any:
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    # leave=False: the finished bar is erased, so the title above and the tables below stay apart
    return tqdm(total=total, unit="step", disable=None if total >= 2000 else True, file=sys.stderr, leave=False)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run the comparisons that ``args`` asks for, printing to ``out`` (default stdout); return the exit status."""
    report_to_stdout = args.json_path == "-"
    out = (sys.stderr if report_to_stdout else sys.stdout) if out is None else out
    from rnnport.dotnet import load

    try:
        check_arguments(args)
        load()
        if args.reference == "torch":
            return _run_torch(args, out)
        spec, arguments, model, xs, source = _inputs(args)
    except (ImportError, UsageError) as error:
        print(f"rnnport verify: {error}", file=sys.stderr)
        return 2
    contract = "identical" if args.mode == "exact" else "bound"
    activation = f" {model.activation}" if spec.name == "rnn" else ""
    title = (f"rnnport verify --cell {spec.name} --mode {args.mode}: I={model.input_size} H={model.hidden_size} "
             f"O={model.output_size} T={xs.shape[0]}{activation}, {source}")
    print(title, file=out)
    modes = ("teacher-forced", "free-running") if args.compare == "both" else (args.compare,)
    bar = _progress_bar(xs.shape[0] * len(modes))
    by_mode: list[list[Agreement]] = []
    for mode in modes:
        other = spec.dotnet_model(arguments)
        by_mode.append(compare_cell(spec, arguments, model, other, xs, mode, contract,
                                    bar.update if bar is not None else None))
    if bar is not None:
        bar.close()  # before any table: the bar's line is gone when the text starts
    results = [agreement for agreements in by_mode for agreement in agreements]
    for mode, agreements in zip(modes, by_mode):
        print(f"\n{mode} ({'0 ULP required' if contract == 'identical' else 'derived bound'}):", file=out)
        if xs.shape[0]:
            _table(agreements, args.rows, out)
    print(file=out)
    for agreement in results:
        print(_summary(agreement), file=out)
    passed = all(agreement.ok for agreement in results)
    rule = "bit-identical (0 ULP)" if contract == "identical" else f"within the {spec.name.upper()}'s derived bound"
    print(f"\n{'PASS' if passed else 'FAIL'}: every timestep {'is' if passed else 'is not'} {rule}", file=out)
    if args.json_path:
        write_json(args.json_path, {"title": title, "cell": spec.name, "mode": args.mode, "contract": contract,
                                    "passed": passed, "comparisons": [agreement.as_dict() for agreement in results]})
    if args.plot:
        _plot(results, args.plot, title)
    return 0 if passed else 1


def _run_torch(args: argparse.Namespace, out: TextIO) -> int:
    """``--reference torch``: the model and inputs loaded here (usage errors raise UsageError), the rest in
    ``rnnport.cli.verify_torch``."""
    from rnnport.cli import verify_torch

    model = None
    if args.model:
        from rnnport.io import model_file

        try:
            model = model_file.load(args.model).model
        except (OSError, ValueError) as error:
            raise UsageError(f"cannot load model {args.model}: {error}") from None
        if args.cell is not None and getattr(model, "cell", None) not in (None, args.cell):
            raise UsageError(f"model {args.model} holds an {model.cell.upper()}, not the --cell {args.cell}")
    xs = None
    if args.inputs:
        try:
            xs = _load_inputs(args.inputs, (2, 3))
        except OSError as error:
            raise UsageError(f"cannot load inputs {args.inputs}: {error}") from None
    return verify_torch.run(args, xs, model, out)
