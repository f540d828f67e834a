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

from rnnport.bptt import BpttResult, bptt
from rnnport.rnn import RNN

TARGET = 1e-6  # the relative error a correct gradient stays under


def gradient_check(model: RNN, xs: np.ndarray, targets: np.ndarray, h_prev: np.ndarray | None = None,
                   eps: float = 1e-5, samples: int = 20, seed: int = 0, floor: float = 1e-8,
                   backprop: Callable[..., BpttResult] | None = None) -> dict[str, float]:
    """The largest relative error per parameter (and ``h0``) over ``samples`` random elements each.

    The model's weights are perturbed in place and restored exactly; its state is untouched.
    ``backprop`` is the BPTT of the model's cell, ``bptt(model, xs, targets, h_prev)`` by default (the
    RNN's); any model with ``parameters()`` and ``h`` and a BPTT of that signature can be checked.
    """
    bptt = backprop or globals()["bptt"]  # looked up per call: a test may replace the module's bptt
    h_prev = model.h.copy() if h_prev is None else np.asarray(h_prev, dtype=np.float64)
    analytic = bptt(model, xs, targets, h_prev).gradients
    rng = np.random.default_rng(seed)
    worst: dict[str, float] = {}
    params = dict(model.parameters(), h0=h_prev)
    grads = dict(analytic.parameters(), h0=analytic.h0)
    for name, param in params.items():
        errors = []
        for _ in range(samples):
            i = tuple(int(k) for k in rng.integers(0, param.shape))
            old = param[i]
            try:  # restored even when a perturbed loss is refused (FloatingPointError), as in C#
                param[i] = old + eps
                plus = bptt(model, xs, targets, h_prev).loss
                param[i] = old - eps
                minus = bptt(model, xs, targets, h_prev).loss
            finally:
                param[i] = old
            numeric = (plus - minus) / (2 * eps)
            a = grads[name][i]
            errors.append(abs(a - numeric) / max(abs(a) + abs(numeric), floor))
        worst[name] = max(errors)
    return worst
