"""What the cells' batched forward passes share: the (B, T, I) argument, the layout, the non-finite rule.

A batch is B independent sequences of the same length T, ``xs`` of shape (B, T, I). Every cell's
``forward_batch`` runs them together, one matrix-matrix product per step for all B rows (fast mode:
one BLAS call; exact mode: ``kernels.EXACT.matvec_prepared`` on the B rows, each output still summed
k ascending from +0.0), so sequence b's results are, in exact mode, bit for bit those of the cell's own
``forward(xs[b])`` from the same state (docs/exact-mode.md, "Batches"). C# twin: each cell's
``ForwardBatch`` (``dotnet/src/RnnPort/Cells/*.Batch.cs``).

Every sequence starts from the model's current state, and the model's state is left unchanged: a
batch has no one "last state" to keep, and leaving it alone makes ``forward_batch`` free of side effects.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rnnport.numerics.checks import as_float64, check_finite, check_shape
from rnnport.numerics.finite_results import all_finite, refuse_non_finite_steps

OPERATION = "forward_batch"  # the name a non-finite result's message starts with, in both languages


def checked_batch(xs: ArrayLike, input_size: int) -> np.ndarray:
    """xs as a finite C-contiguous float64 (B, T, I) array (B and T may be 0), or TypeError/ValueError naming ``xs``."""
    xs = as_float64(xs, "xs")
    check_shape(xs, (None, None, input_size), "xs", ("B", "T", "I"))
    check_finite(xs, "xs")
    return xs


def start_rows(state: np.ndarray, batch: int) -> np.ndarray:
    """The state (H,) repeated as B rows (B, H): every sequence starts from it."""
    return np.repeat(state[None, :], batch, axis=0)


def projected(kernels: object, W: np.ndarray, xs: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """``W @ x (+ bias)`` for every row x of xs (B, T, I): (B, T, G), the same per-element sums as one
    sequence's projection (row by row, k ascending, in exact mode)."""
    B, T, I = xs.shape
    if B * T == 0:
        out = np.zeros((B, T, W.shape[0]))
    else:
        out = kernels.matvec(W, xs.reshape(B * T, I)).reshape(B, T, W.shape[0])  # type: ignore[attr-defined]
    return out if bias is None else out + bias


def outputs(cell: object, hs: np.ndarray) -> np.ndarray:
    """The cell's output layer on every state of hs (B, T, H): (B, T, O)."""
    B, T, H = hs.shape
    return cell.output(hs.reshape(B * T, H)).reshape(B, T, cell.output_size)  # type: ignore[attr-defined]


def refuse_non_finite_batch(sequences: list[tuple[str, np.ndarray]]) -> None:
    """Raise ``FloatingPointError("forward_batch: sequence b: the {name} at step t is not finite (element j is …)")``
    for the first sequence b holding NaN or ±Inf in one of the (B, T, n) arrays, then, within it, the rule of
    a single sequence (the first step; the arrays in the given order, a state before its output). Call it under
    ``np.errstate(all="ignore")``: its screen may overflow."""
    if all_finite(*(values for _, values in sequences)):
        return
    for b in range(sequences[0][1].shape[0]):
        refuse_non_finite_steps(f"{OPERATION}: sequence {b}", [(name, values[b]) for name, values in sequences])
