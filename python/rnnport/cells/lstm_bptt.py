"""Backpropagation through time for ``rnnport.cells.lstm.LSTM``. C# twin: ``RnnPort.LstmBptt``.

Softmax cross-entropy on y_t, as ``rnnport.bptt`` for the RNN. With τ_t = tanh(c_t) and the gates
[i | f | g | o] after their nonlinearities, per step t descending (docs/exact-mode.md, "LSTM backward"):

    dy   = softmax(y_t) − onehot(target_t)
    dW_hy += dy h_tᵀ;  db_y += dy
    dh   = W_hyᵀ dy + dh_next
    do   = dh·τ;   dc = ((dh·o)·(1 − τ·τ)) + dc_next
    di   = dc·g;   dg = dc·i;   df = dc·c_{t−1};   dc_next = dc·f
    da   = [(di·i)·(1 − i) | (df·f)·(1 − f) | dg·(1 − g·g) | (do·o)·(1 − o)]      (4H,)
    db_ih += da;  db_hh += da;  dW_ih += da x_tᵀ;  dW_hh += da h_{t−1}ᵀ
    dh_next = W_hhᵀ da

After step 0, dh_next and dc_next are the gradients with respect to h0 and c0 (the chunk's start).
Truncated BPTT is chunking, as for the RNN: the caller carries (h_last, c_last) into the next chunk; no
gradient crosses the boundary.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from rnnport.cells.gradients import GradientArrays, StepGradients
from rnnport.cells.lstm import LSTM, _refuse_sequence
from rnnport.cells.state import checked_sequence, checked_vector
from rnnport.numerics.finite_results import all_finite
from rnnport.numerics.loss import check_targets, cross_entropy, softmax
from rnnport.training.clipping import clip_elementwise, clip_global_norm  # noqa: F401  (any cell's gradients)


@dataclass
class LstmGradients(GradientArrays):
    """Gradients of the summed loss, each the shape of its parameter; biases None when the model has none.

    ``h0`` and ``c0`` are the gradients with respect to the chunk's start state; reported, never applied.
    """

    W_ih: np.ndarray
    W_hh: np.ndarray
    W_hy: np.ndarray
    b_ih: np.ndarray | None
    b_hh: np.ndarray | None
    b_y: np.ndarray | None
    h0: np.ndarray
    c0: np.ndarray

    START_STATES = ("h0", "c0")


def lstm_backward_step(k: Any, dh: np.ndarray, dc_next: np.ndarray, gates: np.ndarray, tau: np.ndarray,
                       c_prev: np.ndarray, x_t: np.ndarray, h_prev: np.ndarray, W_hh_T: np.ndarray,
                       grads: StepGradients) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One LSTM backward step (the table above) given dh (H,) and dc_next: adds to ``grads`` and returns
    (da (4H,), dh_next = W_hhᵀ da, dc_next = dc·f), with ``gates`` (4H,) [i | f | g | o] and τ = tanh(c_t) of
    the forward step and ``W_hh_T = k.prepare(W_hh.T)``. The one backward step of ``LSTM`` and of an LSTM
    layer of ``RecurrentStack``."""
    H = dh.shape[0]
    i, f, g, o = gates[:H], gates[H:2 * H], gates[2 * H:3 * H], gates[3 * H:]
    do = dh * tau
    dc = ((dh * o) * (1.0 - tau * tau)) + dc_next
    di, dg, df = dc * g, dc * i, dc * c_prev
    da = np.empty(4 * H)
    da[:H] = (di * i) * (1.0 - i)
    da[H:2 * H] = (df * f) * (1.0 - f)
    da[2 * H:3 * H] = dg * (1.0 - g * g)
    da[3 * H:] = (do * o) * (1.0 - o)
    grads.add(da, da, x_t, h_prev)
    return da, k.matvec_prepared(W_hh_T, da), dc * f


@dataclass
class LstmBpttResult:
    """One chunk: summed loss, gradients, and the (h, c) to carry on from."""

    loss: float
    gradients: LstmGradients
    h_last: np.ndarray  # (H,)
    c_last: np.ndarray  # (H,)


def bptt(model: LSTM, xs: ArrayLike, targets: ArrayLike, h_prev: ArrayLike | None = None,
         c_prev: ArrayLike | None = None) -> LstmBpttResult:
    """Loss and gradients of one sequence from (h_prev, c_prev) (default: the model's h, c); changes nothing.

    Parameters
    ----------
    model : LSTM
    xs : (T, I), T ≥ 1
    targets : (T,) integers in [0, O)
    h_prev, c_prev : (H,), optional

    Raises
    ------
    TypeError, ValueError
        Bad xs, targets, h_prev or c_prev (checked in that order).
    FloatingPointError
        A state, cell state or output, the loss, or a gradient (order W_ih, W_hh, W_hy, b_ih, b_hh, b_y,
        h0, c0) is not finite.
    """
    xs = checked_sequence(xs, model.input_size)
    targets = check_targets(targets, xs.shape[0], model.output_size)
    h_prev, c_prev = (np.array(checked_vector(current if value is None else value, model.hidden_size, name), dtype=np.float64)
                      for value, name, current in ((h_prev, "h_prev", model.h), (c_prev, "c_prev", model.c)))

    k, H, T = model.kernels, model.hidden_size, xs.shape[0]
    with np.errstate(all="ignore"):
        ys, hs, cs, gates = model.forward_from(xs, h_prev, c_prev)
        if not all_finite(hs, cs, ys):
            _refuse_sequence(hs, cs, ys)
    loss = cross_entropy(ys, targets, k)
    ps = softmax(ys, kernels=k)
    prev_h = np.vstack([h_prev[None, :], hs[:-1]])  # (T, H): h_{t−1}
    prev_c = np.vstack([c_prev[None, :], cs[:-1]])  # (T, H): c_{t−1}
    W_hy_T, W_hh_T = k.prepare(model.W_hy.T), k.prepare(model.W_hh.T)  # once per chunk

    with np.errstate(all="ignore"):  # an overflow is refused below, not warned about
        taus = k.tanh(cs)  # (T, H): the same function on the same values as the forward pass
        grads = {name: np.zeros_like(p) for name, p in model.parameters().items()}
        dh_next, dc_next = np.zeros(H), np.zeros(H)
        step = StepGradients(grads["W_ih"], grads["W_hh"], grads.get("b_ih"), grads.get("b_hh"))
        for t in reversed(range(T)):
            dy = ps[t].copy()
            dy[targets[t]] -= 1.0
            grads["W_hy"] += np.outer(dy, hs[t])
            if "b_y" in grads:
                grads["b_y"] += dy
            dh = k.matvec_prepared(W_hy_T, dy) + dh_next
            _, dh_next, dc_next = lstm_backward_step(k, dh, dc_next, gates[t], taus[t], prev_c[t], xs[t], prev_h[t],
                                                     W_hh_T, step)
    gradients = LstmGradients(grads["W_ih"], grads["W_hh"], grads["W_hy"], grads.get("b_ih"), grads.get("b_hh"),
                              grads.get("b_y"), dh_next, dc_next)
    gradients.refuse_non_finite()
    return LstmBpttResult(loss, gradients, hs[-1].copy(), cs[-1].copy())


def gradient_check(model: LSTM, xs: np.ndarray, targets: np.ndarray, eps: float = 1e-5, samples: int = 20,
                   seed: int = 0, floor: float = 1e-8) -> dict[str, float]:
    """The largest relative error ``|a − n| / max(|a| + |n|, floor)`` of central differences per parameter,
    h0 and c0, over ``samples`` random elements each; weights are perturbed through ``apply_update`` and
    restored exactly."""
    h_prev, c_prev = model.h, model.c
    analytic = bptt(model, xs, targets, h_prev, c_prev).gradients
    rng = np.random.default_rng(seed)
    states = {"h0": h_prev, "c0": c_prev}
    grads = dict(analytic.parameters(), h0=analytic.h0, c0=analytic.c0)
    worst: dict[str, float] = {}
    for name, param in (*model.parameters().items(), *states.items()):
        errors = []
        for _ in range(samples):
            index = tuple(int(i) for i in rng.integers(0, param.shape))

            def loss(value: float) -> float:
                changed = param.copy()
                changed[index] = value
                if name in states:
                    start = dict(states, **{name: changed})
                    return bptt(model, xs, targets, start["h0"], start["c0"]).loss
                original = param.copy()
                model.apply_update({name: changed})
                try:
                    return bptt(model, xs, targets, h_prev, c_prev).loss
                finally:  # restored even when a perturbed loss is refused (FloatingPointError)
                    model.apply_update({name: original})

            old = float(param[index])
            numeric = (loss(old + eps) - loss(old - eps)) / (2 * eps)
            a = grads[name][index]
            errors.append(abs(a - numeric) / max(abs(a) + abs(numeric), floor))
        worst[name] = max(errors)
    return worst
