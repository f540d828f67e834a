"""σ(a) = 1 / (1 + exp(−a)), the gated cells' (LSTM, GRU) one logistic function, in both modes.

C# twin: the gated cells' ``Sigmoid`` (``1.0 / (1.0 + Math.Exp(-a))``). For a ≲ −709.78 exp(−a)
overflows to +inf and σ is +0.0 exactly, in both modes and both languages.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike


def _exp_c(z: float) -> float:
    # math.exp raises OverflowError where the C library (and .NET's Math.Exp) return +inf.
    try:
        return math.exp(z)
    except OverflowError:
        return math.inf


def _sigmoid_c(z: float) -> float:
    return 1.0 / (1.0 + _exp_c(-z))


def logistic(a: ArrayLike, exact: bool) -> np.ndarray:
    """σ(a) element-wise, any shape: NumPy's exp when fast; exact: the C library's, one element at a time."""
    if exact:
        flat = np.asarray(a, dtype=np.float64).ravel().tolist()
        return np.fromiter(map(_sigmoid_c, flat), dtype=np.float64, count=len(flat)).reshape(np.shape(a))
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-a))
