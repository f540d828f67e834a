"""Softmax cross-entropy over a sequence, computed stably. C# twin: ``RnnPort.Loss``."""
from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from rnnport.numerics.checks import as_float64, as_int_array, check_shape
from rnnport.numerics.finite_results import first_non_finite, refuse_non_finite
from rnnport.numerics.kernels import FAST, Kernels


def softmax(y: np.ndarray, temperature: float = 1.0, kernels: Kernels = FAST,
            what: str = "softmax: scores / temperature") -> np.ndarray:
    """Probabilities ``exp(z − max z) / Σ exp(z − max z)`` with ``z = y / temperature``.

    Subtracting the maximum keeps every exponent ≤ 0, so nothing overflows. A temperature so small
    that some ``z`` overflows (``1 / 5e-324``) is refused: with every ``z`` finite the largest term is
    exp(0) = 1, so the denominator lies in [1, O] and the result is well defined; with one infinite it
    is not (inf − inf). The rule reads only ``y / temperature``, one IEEE division, so both languages
    give the same verdict for the same scores.

    Parameters
    ----------
    y : (O,) or (T, O)
        Scores; the softmax runs over the last axis.
    temperature : float
        > 0; lower is greedier.
    kernels : rnnport.numerics.kernels.FAST or EXACT
        exp and the row sums of EXACT follow the C# side bit for bit.
    what : str
        How the refusal names ``z`` (sampling names its draw).

    Raises
    ------
    FloatingPointError
        Some ``z`` is not finite; the message names the first, in C order.
    """
    with np.errstate(all="ignore"):  # refused below, not warned about; z − max may underflow to −inf
        z = y / temperature if temperature != 1.0 else y
        refuse_non_finite(z, what)
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
    kernels : rnnport.numerics.kernels.FAST or EXACT

    Raises
    ------
    FloatingPointError
        The loss is not finite (finite scores 2e308 apart make a term overflow); the message names the
        first step whose term is not finite, or says that the sum of finite terms overflowed.
    """
    ys = as_float64(ys, "ys")
    check_shape(ys, (None, None), "ys", ("T", "O"))
    targets = check_targets(targets, ys.shape[0], ys.shape[1])
    with np.errstate(all="ignore"):  # an overflow is refused below, not warned about
        m = ys.max(axis=1)
        log_sum = kernels.log(_row_sums(kernels.exp(ys - m[:, None]), kernels))
        terms = log_sum - (ys[np.arange(ys.shape[0]), targets] - m)  # (T,)
        total = kernels.sum(terms)
    if not math.isfinite(total):
        bad = first_non_finite(terms)
        if bad is not None:
            raise FloatingPointError(f"loss: the term at step {bad[0]} is not finite ({float(terms[bad])!r})")
        raise FloatingPointError(f"loss: the sum over steps is not finite ({total!r})")
    return total
