"""``verify --reference torch``: a stack run by NumPy, by C# and by torch over the same inputs, compared pairwise.

Every side runs the whole sequence from the stack's ``h0`` (and ``c0``), free-running. For every layer
and direction, the per-step states of each pair (NumPy–C#, NumPy–torch, C#–torch) are compared element
by element: NumPy–C# bit for bit in exact mode (0 ULP), against the cell's derived bound otherwise
(``rnnport.verify.stack_bounds``); torch is never bit-identical (its BLAS and its exp/tanh are its
own), so the pairs with torch are always judged by the bound. Then the stack's outputs y and the final
states ``h_n`` (``c_n``) are compared the same way.

The LSTM's bound needs each side's per-step cell state, which a stack does not return: each side's
one-layer, one-direction stacks, stepped over that layer's inputs, give it (torch: its one-layer
module stepped; ``rnnport.torch.reference``). The compared states themselves are each side's
``layer_outputs``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from rnnport.verify.compare import Agreement, Contract, _agreement
from rnnport.verify.stack_bounds import direction_bounds
from rnnport.verify.gru_bounds import gru_output_bound

SIDES = ("NumPy", "C#", "torch")
PAIRS = (("NumPy", "C#"), ("NumPy", "torch"), ("C#", "torch"))
DIRECTIONS = ("forward", "reverse")


@dataclass
class SideRun:
    """One side's results, rows in time order: ``layers[k]`` (T, D·H), ``cells[k]`` (T, D·H) for the LSTM,
    ``ys`` (T, O), ``h_n`` and ``c_n`` (L·D, H)."""

    layers: list[np.ndarray]
    cells: list[np.ndarray] | None
    ys: np.ndarray
    h_n: np.ndarray
    c_n: np.ndarray | None


@dataclass
class Quantity:
    """One compared quantity ("layer 0 forward", "output y", "h_n" …) and its three pairwise agreements."""

    name: str
    agreements: dict[str, Agreement] = field(default_factory=dict)  # by pair label "NumPy–C#"

    @property
    def ok(self) -> bool:
        return all(a.ok for a in self.agreements.values())


@dataclass
class ThreeWayReport:
    """The whole comparison: quantities in order (layers bottom up, forward then reverse; y; h_n; c_n)."""

    cell: str
    mode: str
    quantities: list[Quantity]
    directions: int = 1  # D: the rows of h_n and c_n are layer·D + direction

    @property
    def passed(self) -> bool:
        return all(q.ok for q in self.quantities)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary: per quantity and pair, the steps, max |Δ|, max ULP, worst |Δ|/bound, verdict."""
        return {"cell": self.cell, "mode": self.mode, "passed": self.passed,
                "quantities": [{"quantity": q.name, "ok": q.ok,
                                "pairs": {label: a.as_dict() for label, a in q.agreements.items()}}
                               for q in self.quantities]}


def pair_label(pair: tuple[str, str]) -> str:
    return f"{pair[0]}–{pair[1]}"


def _stepped_cells(make: Callable[..., Any], stack: Any, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """Per layer, the LSTM's cell state after every step (T, D·H), from one-layer one-direction stacks
    made by ``make(parameters, h0, c0)`` and stepped over that layer's inputs (``inputs[k]``, time order)."""
    parameters = stack.parameters()
    D, H = (2 if stack.bidirectional else 1), stack.hidden_size
    h0, c0 = np.asarray(stack.h0), np.asarray(stack.c0)
    out = []
    for k, xs in enumerate(inputs):
        blocks = []
        for d, suffix in enumerate(("", "_reverse")[:D]):
            weights = {f"{stem}_l0": parameters[f"{stem}_l{k}{suffix}"]
                       for stem in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
                       if f"{stem}_l{k}{suffix}" in parameters}
            one = make(weights, h0[k * D + d][None, :], c0[k * D + d][None, :])
            cs = np.empty((xs.shape[0], H))
            order = range(xs.shape[0]) if d == 0 else range(xs.shape[0] - 1, -1, -1)
            for t in order:
                one.step(xs[t])
                cs[t] = np.asarray(one.c)[0]
            blocks.append(cs)
        out.append(np.hstack(blocks) if blocks else np.zeros((xs.shape[0], 0)))
    return out


def run_side(stack: Any, xs: np.ndarray, make_one_layer: Callable[..., Any]) -> SideRun:
    """Run a NumPy or C# stack over xs (T, I) from its initial state; it is left reset.

    ``make_one_layer(parameters, h0, c0)`` builds that side's one-layer, unidirectional stack (for the
    LSTM's per-step cell states)."""
    stack.reset()
    layers = [np.asarray(v) for v in stack.layer_outputs(xs)]
    ys, h_n, c_n = stack.forward(xs)
    stack.reset()
    cells = None
    if stack.cell == "lstm" and hasattr(stack, "run"):  # NumPy: the forward pass's own cell states
        runs = stack.run(np.ascontiguousarray(xs, dtype=np.float64), np.asarray(stack.h0), np.asarray(stack.c0))[1]
        cells = [np.hstack([direction.cs for direction in layer]) for layer in runs]
    elif stack.cell == "lstm":
        cells = _stepped_cells(make_one_layer, stack, [xs] + layers[:-1])
    return SideRun(layers, cells, np.asarray(ys), np.asarray(h_n), None if c_n is None else np.asarray(c_n))


def _direction_weights(parameters: dict[str, np.ndarray], k: int, suffix: str) -> dict[str, np.ndarray | None]:
    return {"W_ih": parameters[f"weight_ih_l{k}{suffix}"], "W_hh": parameters[f"weight_hh_l{k}{suffix}"],
            "b_ih": parameters.get(f"bias_ih_l{k}{suffix}"), "b_hh": parameters.get(f"bias_hh_l{k}{suffix}")}


def compare_runs(stack: Any, xs: np.ndarray, runs: dict[str, SideRun], mode: str) -> ThreeWayReport:
    """Pairwise agreements of three runs of ``stack`` over xs (T, I); ``mode`` "exact" makes NumPy–C# 0 ULP."""
    cell, L, H = stack.cell, stack.num_layers, stack.hidden_size
    D = 2 if stack.bidirectional else 1
    parameters = {k: np.asarray(v) for k, v in stack.parameters().items()}
    h0 = np.asarray(stack.h0)
    c0 = np.asarray(stack.c0) if cell == "lstm" else None
    T = xs.shape[0]
    quantities: list[Quantity] = []
    top_bounds: dict[str, list[np.ndarray]] = {pair_label(p): [] for p in PAIRS}
    final_bounds: dict[str, dict[str, np.ndarray]] = {pair_label(p): {"h": np.zeros((L * D, H)),
                                                                      "c": np.zeros((L * D, H))} for p in PAIRS}

    def contract_of(pair: tuple[str, str]) -> Contract:
        return "identical" if mode == "exact" and pair == ("NumPy", "C#") else "bound"

    for k in range(L):
        for d in range(D):
            block = slice(d * H, (d + 1) * H)
            order = slice(None) if d == 0 else slice(None, None, -1)  # processing order
            quantity = Quantity(f"layer {k} {DIRECTIONS[d]}")
            for pair in PAIRS:
                a, b = runs[pair[0]], runs[pair[1]]
                x_a = xs if k == 0 else a.layers[k - 1]
                x_b = xs if k == 0 else b.layers[k - 1]
                side_a = {"h": a.layers[k][order, block]}
                side_b = {"h": b.layers[k][order, block]}
                if cell == "lstm":
                    side_a["c"], side_b["c"] = a.cells[k][order, block], b.cells[k][order, block]
                bounds = direction_bounds(cell, stack.nonlinearity, _direction_weights(parameters, k, ("", "_reverse")[d]),
                                          x_a[order], np.abs(x_a - x_b)[order], h0[k * D + d],
                                          None if c0 is None else c0[k * D + d], side_a, side_b)
                bound_h = bounds["h"][order]  # back to time order
                label = pair_label(pair)
                quantity.agreements[label] = _agreement(quantity.name, "free-running", contract_of(pair),
                                                        a.layers[k][:, block], b.layers[k][:, block], bound_h)
                last = T - 1 if d == 0 else 0
                if T:
                    final_bounds[label]["h"][k * D + d] = bound_h[last]
                    if cell == "lstm":
                        final_bounds[label]["c"][k * D + d] = bounds["c"][order][last]
                if k == L - 1:
                    top_bounds[label].append(bound_h)
            quantities.append(quantity)

    output = Quantity("output y")
    for pair in PAIRS:
        a, b, label = runs[pair[0]], runs[pair[1]], pair_label(pair)
        if stack.W_hy is not None:
            bound = gru_output_bound(np.asarray(stack.W_hy), None if stack.b_y is None else np.asarray(stack.b_y),
                                     a.layers[-1], b.layers[-1])
        else:
            bound = np.hstack(top_bounds[label]) if T else np.zeros((0, D * H))
        output.agreements[label] = _agreement(output.name, "free-running", contract_of(pair), a.ys, b.ys, bound)
    quantities.append(output)
    finals = [("h_n", "h")] + ([("c_n", "c")] if cell == "lstm" else [])
    for name, key in finals:
        quantity = Quantity(name)
        for pair in PAIRS:
            a, b, label = runs[pair[0]], runs[pair[1]], pair_label(pair)
            va, vb = getattr(a, name), getattr(b, name)
            quantity.agreements[label] = _agreement(name, "free-running", contract_of(pair), va, vb,
                                                    final_bounds[label][key])
        quantities.append(quantity)
    return ThreeWayReport(cell, mode, quantities, D)


def verify_against_torch(stack: Any, xs: np.ndarray, mode: str = "fast") -> ThreeWayReport:
    """The Python API of ``verify --reference torch``: NumPy (``mode``), C# and torch over xs (T, I).

    Parameters
    ----------
    stack : rnnport.RecurrentStack
        The model; its kernel is replaced by ``mode`` for the NumPy side (a copy is made).
    xs : (T, I) float64
    mode : {"fast", "exact"}
        "exact": NumPy–C# must be bit-identical; every other pair is judged by the bound.

    Returns
    -------
    ThreeWayReport
        ``passed`` tells the verdict; ``quantities`` hold per-step agreements.
    """
    from rnnport.cells.stack import RecurrentStack
    from rnnport.dotnet.stack import DotNetRecurrentStack
    from rnnport.torch.reference import run_reference

    arguments = stack_arguments(stack)
    numpy_stack = RecurrentStack(**arguments, kernel=mode)
    dotnet_stack = DotNetRecurrentStack(**arguments)

    def one_layer(factory: Callable[..., Any], **kernel: str) -> Callable[..., Any]:
        def make(weights: dict[str, np.ndarray], h0: np.ndarray, c0: np.ndarray) -> Any:
            return factory(stack.cell, weights, num_layers=1, bidirectional=False, nonlinearity=stack.nonlinearity,
                           h0=h0, c0=c0, **kernel)
        return make

    runs = {"NumPy": run_side(numpy_stack, xs, one_layer(RecurrentStack, kernel=mode)),
            "C#": run_side(dotnet_stack, xs, one_layer(DotNetRecurrentStack))}
    runs["torch"] = run_reference(numpy_stack, xs)
    return compare_runs(numpy_stack, xs, runs, mode)


def stack_arguments(stack: Any) -> dict[str, Any]:
    """The keyword arguments that rebuild ``stack`` (without its kernel)."""
    layers = {k: v for k, v in stack.parameters().items() if k not in ("W_hy", "b_y")}
    return dict(cell=stack.cell, parameters=layers, num_layers=stack.num_layers,
                bidirectional=stack.bidirectional, nonlinearity=stack.nonlinearity, W_hy=stack.W_hy, b_y=stack.b_y,
                h0=stack.h0, c0=stack.c0 if stack.cell == "lstm" else None)
