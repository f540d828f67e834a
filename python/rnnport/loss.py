"""Softmax cross-entropy over a sequence, computed stably. C# twin: ``RnnPort.Loss``."""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rnnport._checks import as_float64, check_shape


def softmax(y: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Probabilities ``exp(z − max z) / Σ exp(z − max z)`` with ``z = y / temperature``.

    Subtracting the maximum keeps every exponent ≤ 0, so nothing overflows.

    Parameters
    ----------
    y : (O,) or (T, O)
        Scores; the softmax runs over the last axis.
    temperature : float
        > 0; lower is greedier.
    """
    z = y / temperature if temperature != 1.0 else y
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def check_targets(targets: ArrayLike, steps: int, classes: int) -> np.ndarray:
    """Return targets as an int64 (T,) array, or raise.

    Raises
    ------
    TypeError
        targets are not integers.
    ValueError
        T = 0, the length is not ``steps``, or a target is outside [0, classes).
    """
    array = np.asarray(targets)
    if array.dtype.kind not in "iu":
        raise TypeError(f"targets must be integers, got dtype {array.dtype}")
    check_shape(array, (steps,), "targets")
    if steps == 0:
        raise ValueError("the loss needs a sequence of at least one step, got T=0")
    bad = (array < 0) | (array >= classes)
    if bad.any():
        t = int(np.flatnonzero(bad)[0])
        raise ValueError(f"targets[{t}] = {int(array[t])} is outside the vocabulary [0, {classes})")
    return array.astype(np.int64)


def cross_entropy(ys: ArrayLike, targets: ArrayLike) -> float:
    """Summed softmax cross-entropy ``Σ_t −log softmax(ys[t])[targets[t]]``, as min-char-rnn sums it.

    Each term is computed as ``log Σ exp(y − m) − (y[target] − m)`` with ``m = max y``: it never
    takes the log of an underflowed probability.

    Parameters
    ----------
    ys : (T, O)
    targets : (T,) integers in [0, O)
    """
    ys = as_float64(ys, "ys")
    check_shape(ys, (None, None), "ys", ("T", "O"))
    targets = check_targets(targets, ys.shape[0], ys.shape[1])
    m = ys.max(axis=1)
    log_sum = np.log(np.exp(ys - m[:, None]).sum(axis=1))
    return float(np.sum(log_sum - (ys[np.arange(ys.shape[0]), targets] - m)))
