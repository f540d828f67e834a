"""Gradient clipping, element-wise and by global norm, for any cell's gradients. C# twins:
``Bptt.ClipElementwise`` and ``Bptt.ClipGlobalNorm``.

A cell's gradients offer ``parameters()`` (the gradients an optimiser applies, by name, in the
cell's parameter order) and ``arrays()`` (those and the initial state's): see
:class:`rnnport.cells.rnn_bptt.Gradients`.
"""
from __future__ import annotations

import math
from typing import Protocol

import numpy as np

from rnnport.numerics.checks import as_real_scalar
from rnnport.numerics.kernels import FAST, Kernels


class CellGradients(Protocol):
    """What clipping needs of a cell's gradients (live arrays, written in place)."""

    def parameters(self) -> dict[str, np.ndarray]: ...
    def arrays(self) -> list[np.ndarray]: ...


def clip_elementwise(gradients: CellGradients, limit: float) -> None:
    """Clip every gradient element, h0's included, to [−limit, limit] in place (min-char-rnn's 5)."""
    limit = as_real_scalar(limit, "limit")  # TypeError for "5", True, None
    if not limit > 0:
        raise ValueError(f"clip limit must be > 0, got {limit}")
    for g in gradients.arrays():
        np.clip(g, -limit, limit, out=g)


def clip_global_norm(gradients: CellGradients, max_norm: float, kernels: Kernels = FAST) -> float:
    """Scale the parameter gradients in place so that their joint 2-norm is ≤ max_norm.

    The norm is ``sqrt(Σ_p Σ_i g²)`` over the parameters in the order W_xh, W_hh, W_hy, b_h, b_y,
    each summed in C (row-major) order (pairwise with FAST, left to right with EXACT), and the
    per-parameter sums added in that order. h0's gradient is left alone: it is not a parameter.

    Returns
    -------
    The norm before clipping.

    Raises
    ------
    FloatingPointError
        The norm is not finite (some g² overflows); the gradients are left as they were.
    """
    max_norm = as_real_scalar(max_norm, "max_norm")
    if not max_norm > 0:
        raise ValueError(f"max_norm must be > 0, got {max_norm}")
    total = 0.0
    with np.errstate(all="ignore"):  # an overflow is refused below, not warned about
        for g in gradients.parameters().values():
            total += kernels.sum(g * g)  # one sum per parameter, then their running total (as C# does)
    norm = math.sqrt(total)
    if not math.isfinite(norm):  # max_norm / inf would zero every gradient without a word
        raise FloatingPointError(f"clip: the gradient norm is not finite ({norm!r})")
    if norm > max_norm:
        scale = max_norm / norm
        for g in gradients.parameters().values():
            g *= scale
    return norm
