"""Softmax cross-entropy over a sequence, computed stably. C# twin: ``RnnPort.Loss``."""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rnnport._checks import as_float64, as_int_array, check_shape
from rnnport.kernels import FAST, FastKernels, ExactKernels

Kernels = FastKernels | ExactKernels


def softmax(y: np.ndarray, temperature: float = 1.0, kernels: Kernels = FAST) -> np.ndarray:
    """Probabilities ``exp(z − max z) / Σ exp(z − max z)`` with ``z = y / temperature``.

    Subtracting the maximum keeps every exponent ≤ 0, so nothing overflows.

    Parameters
    ----------
    y : (O,) or (T, O)
        Scores; the softmax runs over the last axis.
    temperature : float
        > 0; lower is greedier.
    kernels : rnnport.kernels.FAST or EXACT
        exp and the row sums of EXACT follow the C# side bit for bit.
    """
    z = y / temperature if temperature != 1.0 else y
    e = kernels.exp(z - z.max(axis=-1, keepdims=True))
    return e / _row_sums(e, kernels)[..., None]


def _row_sums(e: np.ndarray, kernels: Kernels) -> np.ndarray:
    """Σ over the last axis: NumPy's pairwise sum (fast) or k = 0, 1, … from +0.0 (exact)."""
    if kernels is FAST:
        return e.sum(axis=-1)
    acc = np.zeros(e.shape[:-1])
    for k in range(e.shape[-1]):
        acc = acc + e[..., k]
    return acc


def check_targets(targets: ArrayLike, steps: int, classes: int) -> np.ndarray:
    """Return targets as an int64 (T,) array, or raise.

    Raises
    ------
    TypeError
        targets are not integers.
    ValueError
        T = 0, the length is not ``steps``, or a target is outside [0, classes).
    """
    array = as_int_array(targets, "targets")
    check_shape(array, (steps,), "targets")
    if steps == 0:
        raise ValueError("the loss needs a sequence of at least one step, got T=0")
    bad = (array < 0) | (array >= classes)
    if bad.any():
        t = int(np.flatnonzero(bad)[0])
        raise ValueError(f"targets[{t}] = {int(array[t])} is outside the vocabulary [0, {classes})")
    return array.astype(np.int64)


def cross_entropy(ys: ArrayLike, targets: ArrayLike, kernels: Kernels = FAST) -> float:
    """Summed softmax cross-entropy ``Σ_t −log softmax(ys[t])[targets[t]]``, as min-char-rnn sums it.

    Each term is computed as ``log Σ exp(y − m) − (y[target] − m)`` with ``m = max y``: it never
    takes the log of an underflowed probability.

    Parameters
    ----------
    ys : (T, O)
    targets : (T,) integers in [0, O)
    kernels : rnnport.kernels.FAST or EXACT
    """
    ys = as_float64(ys, "ys")
    check_shape(ys, (None, None), "ys", ("T", "O"))
    targets = check_targets(targets, ys.shape[0], ys.shape[1])
    m = ys.max(axis=1)
    log_sum = kernels.log(_row_sums(kernels.exp(ys - m[:, None]), kernels))
    return kernels.sum(log_sum - (ys[np.arange(ys.shape[0]), targets] - m))
