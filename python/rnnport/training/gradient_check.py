"""Finite-difference gradient check of ``bptt``. C# twin: ``RnnPort.GradientCheck``.

For each checked element, the central difference ``(L(p + ε) − L(p − ε)) / 2ε`` is compared with
the analytic gradient by the relative error ``|a − n| / max(|a| + |n|, floor)``. With ε = 1e-5 in
float64 the truncation error is O(ε²) ≈ 1e-10 and the cancellation error ≈ 1e-16·L/ε ≈ 1e-11·L, so
a correct gradient scores well under the target of 1e-6, and a wrong one (a missing tanh
derivative, a transposed product) scores near 1.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from rnnport.cells.rnn import RNN
from rnnport.cells.rnn_bptt import BpttResult, bptt

TARGET = 1e-6  # the relative error a correct gradient stays under


def gradient_check(model: RNN, xs: np.ndarray, targets: np.ndarray, h_prev: np.ndarray | None = None,
                   eps: float = 1e-5, samples: int = 20, seed: int = 0, floor: float = 1e-8,
                   backprop: Callable[..., BpttResult] | None = None) -> dict[str, float]:
    """The largest relative error per parameter (and ``h0``) over ``samples`` random elements each.

    Each perturbation goes through ``model.apply_update``, and every parameter is restored exactly
    afterwards, even when a perturbed loss is refused (FloatingPointError), as in C#; the model's state
    is untouched. ``h0`` is the state the sequence starts from (default ``model.h``). ``backprop`` is the
    BPTT of the model's cell, ``bptt(model, xs, targets, h_prev)`` (the RNN's) by default: any cell with
    ``parameters()``, ``apply_update()`` and a BPTT of that signature can be checked.
    """
    bptt = backprop or globals()["bptt"]  # looked up per call: a test may replace the module's bptt
    h_prev = model.h if h_prev is None else np.array(h_prev, dtype=np.float64)  # model.h is a copy
    analytic = bptt(model, xs, targets, h_prev).gradients
    grads = dict(analytic.parameters(), h0=analytic.h0)
    originals = {name: value.copy() for name, value in model.parameters().items()}
    originals["h0"] = h_prev

    def loss(name: str, i: tuple[int, ...], value: float) -> float:
        """The loss with element i of ``name`` (a parameter, or h0) set to value."""
        perturbed = originals[name].copy()
        perturbed[i] = value
        if name == "h0":
            return bptt(model, xs, targets, perturbed).loss
        model.apply_update({name: perturbed})
        return bptt(model, xs, targets, h_prev).loss

    rng = np.random.default_rng(seed)
    worst: dict[str, float] = {}
    for name, original in originals.items():
        errors = []
        for _ in range(samples):
            i = tuple(int(k) for k in rng.integers(0, original.shape))
            try:
                plus, minus = loss(name, i, original[i] + eps), loss(name, i, original[i] - eps)
            finally:
                if name != "h0":
                    model.apply_update({name: original})
            numeric = (plus - minus) / (2 * eps)
            a = grads[name][i]
            errors.append(abs(a - numeric) / max(abs(a) + abs(numeric), floor))
        worst[name] = max(errors)
    return worst
