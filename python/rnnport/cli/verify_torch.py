"""``python -m rnnport verify --reference torch``: NumPy, C# and torch over the same inputs, a three-way table.

The model is a ``RecurrentStack`` (docs/stacks.md): from ``--model`` (a version 3 file, as
``import-torch`` writes; a single-layer cell's file becomes the one-layer stack with the same weights,
the RNN's ``b_h`` as ``bias_ih`` with ``bias_hh`` zeros), or generated from ``--seed`` with ``--cell``,
``--num-layers``, ``--bidirectional`` and the sizes (torch's initialisation, uniform in ±1/√H, and an
output layer W_hy (O, D·H) with b_y). Inputs: ``--inputs`` FILE.npy, float64, (T, I) one sequence or a
batch in torch's layout, (T, B, I) or with ``--batch-first`` (B, T, I); generated (T, I) otherwise.

Prints, per layer and direction and for the stack's output y and final states, per block of steps:
max |Δ| and |Δ|/bound (or max ULP where 0 ULP is required) for NumPy–C#, NumPy–torch and C#–torch
(``rnnport.verify.three_way``); over a batch, each block shows the worst sequence. Exit status as
``verify``: 0 within contract, 1 not, 2 for bad arguments, unreadable files, a .NET or torch that
cannot be loaded (one line on stderr).
"""
from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

import numpy as np

from rnnport.verify.cases import stack_parameters
from rnnport.verify.compare import Agreement
from rnnport.verify.three_way import DIRECTIONS, PAIRS, ThreeWayReport, pair_label, verify_against_torch

class UsageError(Exception):
    """A bad argument or input file: one line, exit status 2."""


def generated_stack(cell: str, num_layers: int, bidirectional: bool, nonlinearity: str, I: int, H: int, O: int,
                    seed: int, nonzero_state: bool) -> Any:
    """A seeded stack with torch's initialisation (uniform ±1/√H, both biases) and an output layer (O, D·H)."""
    from rnnport.cells.stack import RecurrentStack

    rng = np.random.default_rng(seed)
    D = 2 if bidirectional else 1
    parameters = stack_parameters(cell, num_layers, bidirectional, I, H, rng)
    states = {}
    if nonzero_state:
        states["h0"] = rng.uniform(-0.9, 0.9, (num_layers * D, H))
        if cell == "lstm":
            states["c0"] = rng.uniform(-0.9, 0.9, (num_layers * D, H))
    return RecurrentStack(cell, parameters, num_layers=num_layers, bidirectional=bidirectional,
                          nonlinearity=nonlinearity, W_hy=rng.normal(size=(O, D * H)) / np.sqrt(D * H),
                          b_y=rng.normal(size=O) * 0.5, **states)


def stack_of_model(model: Any) -> Any:
    """A model file's model as a stack: a stack itself, or the one-layer stack of a single cell."""
    from rnnport.cells.rnn import RNN
    from rnnport.cells.stack import RecurrentStack

    if isinstance(model, RecurrentStack):
        return model
    if isinstance(model, RNN):
        parameters = {"weight_ih_l0": model.W_xh, "weight_hh_l0": model.W_hh}
        if model.b_h is not None:  # the single RNN's one bias: bias_ih, with bias_hh zeros (adding +0.0 is exact)
            parameters.update(bias_ih_l0=model.b_h, bias_hh_l0=np.zeros_like(model.b_h))
        cell, nonlinearity = "rnn", model.activation
    else:
        cell, nonlinearity = ("lstm" if hasattr(model, "c0") else "gru"), "tanh"
        parameters = {"weight_ih_l0": model.W_ih, "weight_hh_l0": model.W_hh}
        if model.b_ih is not None or model.b_hh is not None:
            zeros = np.zeros(model.W_hh.shape[0])
            parameters.update(bias_ih_l0=zeros if model.b_ih is None else model.b_ih,
                              bias_hh_l0=zeros if model.b_hh is None else model.b_hh)
    states = {"h0": np.asarray(model.h0)[None, :]}
    if cell == "lstm":
        states["c0"] = np.asarray(model.c0)[None, :]
    return RecurrentStack(cell, parameters, num_layers=1, nonlinearity=nonlinearity, W_hy=model.W_hy,
                          b_y=model.b_y, **states)


def sequences(xs: np.ndarray, batch_first: bool) -> list[np.ndarray]:
    """The (T, I) sequences of inputs given as (T, I), or in torch's layout (T, B, I) / (B, T, I)."""
    if xs.ndim == 2:
        return [xs]
    batch = xs if batch_first else np.swapaxes(xs, 0, 1)
    return [np.ascontiguousarray(batch[b]) for b in range(batch.shape[0])]


def merge(reports: list[ThreeWayReport]) -> ThreeWayReport:
    """One report for a batch: per step, the worst sequence; the first violation in batch order."""
    first = reports[0]
    for q, quantity in enumerate(first.quantities):
        for label, agreement in quantity.agreements.items():
            others = [r.quantities[q].agreements[label] for r in reports]
            violation = next((a.violation for a in others if a.violation is not None), None)
            quantity.agreements[label] = Agreement(
                agreement.quantity, agreement.mode, agreement.contract,
                np.max([a.max_abs for a in others], axis=0), np.max([a.max_ulp for a in others], axis=0),
                np.max([a.max_bound_ulp for a in others], axis=0), np.max([a.worst_ratio for a in others], axis=0),
                violation)
    return first


def print_table(report: ThreeWayReport, rows: int, out: TextIO) -> None:
    """Per quantity, per block of steps: max |Δ| and |Δ|/bound (max ULP where 0 ULP is required) per pair."""
    for quantity in report.quantities:
        agreements = [quantity.agreements[pair_label(p)] for p in PAIRS]
        T = agreements[0].max_abs.shape[0]
        print(f"\n{quantity.name}:", file=out)
        first = "layer, dir." if quantity.name in ("h_n", "c_n") else "steps"
        header = " | ".join(f"{pair_label(p) + ' max|Δ|':>17} {'max ULP' if a.contract == 'identical' else '|Δ|/bound':>9}"
                            for p, a in zip(PAIRS, agreements))
        print(f"{first:>13} | {header}", file=out)
        final = quantity.name in ("h_n", "c_n")  # rows are k·D + d, one per layer and direction
        if final:
            edges = np.arange(T + 1)
        else:
            edges = np.unique(np.linspace(0, T, min(rows, T) + 1).astype(int)) if T else np.array([0])
        for lo, hi in zip(edges[:-1], edges[1:]):
            block = slice(lo, hi)
            cells = " | ".join(
                f"{a.max_abs[block].max():>17.3e} "
                + (f"{int(a.max_ulp[block].max()):>9}" if a.contract == "identical" else f"{a.worst_ratio[block].max():>9.2e}")
                for a in agreements)
            steps = f"{lo:>6}–{hi - 1:<6}" if not final else f"{f'l{lo // report.directions} {DIRECTIONS[lo % report.directions]}':>13}"
            print(f"{steps} | {cells}", file=out)


def summary_lines(report: ThreeWayReport) -> list[str]:
    """One line per pair: the verdict, its contract, the worst value over every quantity and the first violation."""
    lines = []
    for pair in PAIRS:
        label = pair_label(pair)
        agreements = [q.agreements[label] for q in report.quantities]
        ok = all(a.ok for a in agreements)
        contract = agreements[0].contract
        worst = (f"max {max(int(a.max_ulp.max(initial=0)) for a in agreements)} ULP" if contract == "identical"
                 else f"worst |Δ|/bound {max(float(a.worst_ratio.max(initial=0.0)) for a in agreements):.2e}")
        rule = "0 ULP required" if contract == "identical" else "within the derived bound"
        line = f"{'PASS' if ok else 'FAIL'} {label:<12} ({rule}): {worst}"
        violation = next((a.violation for a in agreements if a.violation is not None), None)
        if violation is not None:
            line += f"\n     first violation: {violation}"
        lines.append(line)
    return lines


def plot(report: ThreeWayReport, path: str, title: str) -> None:
    """Per step, each pair's worst |Δ|/bound over every layer, direction and the output, against the 1.0 line;
    a pair held to 0 ULP is drawn as its ULP count in its own panel, or said to be 0 at every step."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rnnport.io.plot_file import save_figure

    exact = [p for p in PAIRS if report.quantities[0].agreements[pair_label(p)].contract == "identical"]
    figure, axes = plt.subplots(2 if exact else 1, 1, figsize=(8, 5.5 if exact else 4), dpi=100, squeeze=False)
    try:
        ax = axes[0][0]
        series = [q for q in report.quantities if q.name not in ("h_n", "c_n")]
        for pair in PAIRS:
            if pair in exact:
                continue
            label = pair_label(pair)
            ratio = np.max([q.agreements[label].worst_ratio for q in series], axis=0)
            ax.plot(np.maximum(ratio, 1e-12), lw=0.8, label=label)
        ax.axhline(1.0, color="red", lw=1.0, ls="--", label="bound (|Δ| = bound)")
        ax.set_yscale("log")
        ax.set_xlabel("timestep")
        ax.set_ylabel("max |Δ| / bound over elements")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=8)
        if exact:
            ax2 = axes[1][0]
            label = pair_label(exact[0])
            ulps = np.max([q.agreements[label].max_ulp for q in series], axis=0)
            if not ulps.any():
                ax2.text(0.5, 0.5, f"{label}: 0 ULP at every step (bit-identical)", ha="center", va="center",
                         transform=ax2.transAxes, fontsize=11)
                ax2.set_xticks([])
                ax2.set_yticks([])
            else:
                ax2.plot(ulps, lw=0.8, color="C3", label=f"{label} max ULP (0 required)")
                ax2.set_xlabel("timestep")
                ax2.set_ylabel("ULP")
                ax2.legend(fontsize=8)
        figure.tight_layout()
        save_figure(figure, path)
    finally:
        plt.close(figure)


def run(args: argparse.Namespace, xs: np.ndarray | None, model: Any | None, out: TextIO) -> int:
    """The three-way comparison for parsed ``args``; ``xs`` and ``model`` as loaded by ``verify`` (or None)."""
    try:
        import torch  # noqa: F401  (checked before anything runs)
    except ImportError:
        print("rnnport verify: --reference torch needs torch (Debian: python3-torch)", file=sys.stderr)
        return 2
    try:
        stack = stack_of_model(model) if model is not None else generated_stack(
            args.cell or "rnn", args.num_layers, args.bidirectional, args.activation or "tanh",
            args.input_size, args.hidden_size, args.output_size, args.seed, args.nonzero_h0)
    except (TypeError, ValueError) as error:
        print(f"rnnport verify: {error}", file=sys.stderr)
        return 2
    if xs is None:
        xs = np.random.default_rng(args.seed).normal(size=(args.steps, stack.input_size))
    if xs.shape[-1] != stack.input_size:
        print(f"rnnport verify: inputs must have I = {stack.input_size} in their last axis, got shape {xs.shape}",
              file=sys.stderr)
        return 2
    batch = sequences(xs, args.batch_first)
    D = 2 if stack.bidirectional else 1
    title = (f"rnnport verify --reference torch --mode {args.mode}: {stack.cell}, {stack.num_layers} layer(s), "
             f"{'bidirectional' if D == 2 else 'unidirectional'}, I={stack.input_size} H={stack.hidden_size} "
             f"O={stack.output_size} T={batch[0].shape[0]}" + (f" B={len(batch)}" if len(batch) > 1 else ""))
    print(title, file=out)
    report = merge([verify_against_torch(stack, seq, args.mode) for seq in batch])
    print_table(report, args.rows, out)
    print(file=out)
    for line in summary_lines(report):
        print(line, file=out)
    print(f"\n{'PASS' if report.passed else 'FAIL'}: NumPy, C# and torch "
          f"{'agree' if report.passed else 'do not agree'} within contract", file=out)
    if args.json_path:
        from rnnport.cli.verify import write_json

        write_json(args.json_path, {"title": title, "reference": "torch", **report.as_dict()})
    if args.plot:
        plot(report, args.plot, title)
    return 0 if report.passed else 1
