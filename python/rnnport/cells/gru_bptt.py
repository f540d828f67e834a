"""Backpropagation through time for ``rnnport.cells.gru.GRU``. C# twin: ``RnnPort.GruBptt``.

Column convention, per step t from T−1 down to 0, with the forward pass's r, z, n, gh_n = W_hn h_{t−1} + b_hn
and h_{t−1} (the chunk's initial state for t = 0); docs/exact-mode.md ("GRU backward") fixes the order
of every operation, which the C# twin follows bit for bit in exact mode::

    dy    = softmax(y_t) − onehot(target_t)
    dW_hy += outer(dy, h_t);   db_y += dy
    dh    = W_hyᵀ dy + dh_next
    da_n  = (dh ⊙ (1 − z)) ⊙ (1 − n ⊙ n)         # through h' = (1 − z) n + z h, then tanh
    da_z  = (dh ⊙ (h_{t−1} − n)) ⊙ (z ⊙ (1 − z))
    da_r  = (da_n ⊙ gh_n) ⊙ (r ⊙ (1 − r))        # r multiplies gh_n, so gh_n is r's input
    dgi   = [da_r; da_z; da_n]                    dW_ih += outer(dgi, x_t);      db_ih += dgi
    dgh   = [da_r; da_z; da_n ⊙ r]                dW_hh += outer(dgh, h_{t−1});  db_hh += dgh
    dh_next = W_hhᵀ dgh + dh ⊙ z

Truncated BPTT is chunking, as for the RNN: the caller carries ``h_last`` on, no gradient crosses.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from rnnport.cells.gradients import GradientArrays, StepGradients
from rnnport.cells.gru import GRU
from rnnport.cells.rnn_bptt import BpttResult
from rnnport.cells.state import checked_sequence, checked_vector
from rnnport.numerics.finite_results import all_finite, refuse_non_finite_steps
from rnnport.numerics.loss import check_targets, cross_entropy, softmax


@dataclass
class GruGradients(GradientArrays):
    """Gradients of the summed loss, each the shape of its GRU parameter; biases None when off.

    ``h0`` is the gradient with respect to the chunk's initial state: reported, never applied.
    """

    W_ih: np.ndarray
    W_hh: np.ndarray
    W_hy: np.ndarray
    b_ih: np.ndarray | None
    b_hh: np.ndarray | None
    b_y: np.ndarray | None
    h0: np.ndarray



def gru_backward_step(k: Any, dh: np.ndarray, r: np.ndarray, z: np.ndarray, n: np.ndarray, gh_n: np.ndarray,
                      x_t: np.ndarray, h_prev: np.ndarray, W_hh_T: np.ndarray, grads: StepGradients
                      ) -> tuple[np.ndarray, np.ndarray]:
    """One GRU backward step (the table above) given dh (H,) and the forward step's (r, z, n, gh_n): adds to
    ``grads`` and returns (dgi (3H,), dh_next = W_hhᵀ dgh + dh·z), ``W_hh_T = k.prepare(W_hh.T)``. The one
    backward step of ``GRU`` and of a GRU layer of ``RecurrentStack``."""
    da_n = (dh * (1.0 - z)) * (1.0 - n * n)
    da_z = (dh * (h_prev - n)) * (z * (1.0 - z))
    da_r = (da_n * gh_n) * (r * (1.0 - r))
    dgi = np.concatenate([da_r, da_z, da_n])
    dgh = np.concatenate([da_r, da_z, da_n * r])
    grads.add(dgi, dgh, x_t, h_prev)
    return dgi, k.matvec_prepared(W_hh_T, dgh) + dh * z


def gru_bptt(model: GRU, xs: ArrayLike, targets: ArrayLike, h_prev: ArrayLike | None = None) -> BpttResult:
    """Loss, gradients (``GruGradients``) and final state of one chunk from ``h_prev`` (default ``model.h``).

    Changes neither the model's weights nor its state.

    Parameters
    ----------
    model : GRU
    xs : (T, I), T ≥ 1
    targets : (T,) integers in [0, O)
    h_prev : (H,), optional

    Raises
    ------
    TypeError, ValueError
        As ``GRU.forward`` for xs and h_prev; T = 0, a length mismatch, a target out of range.
    FloatingPointError
        A state or output, the loss, or a gradient (order W_ih, W_hh, W_hy, b_ih, b_hh, b_y, h0) is not finite.
    """
    xs = checked_sequence(xs, model.input_size)
    targets = check_targets(targets, xs.shape[0], model.output_size)
    h_prev = checked_vector(model.h if h_prev is None else h_prev, model.hidden_size, "h_prev")

    k = model.kernels
    tape: list = []
    with np.errstate(all="ignore"):
        hs = model.states(xs, h_prev, tape)  # (T, H), and (r, z, n, gh_n) per step
        ys = model.output(hs)                # (T, O)
        finite = all_finite(hs, ys)
    if not finite:
        refuse_non_finite_steps("forward", (("state", hs), ("output", ys)))  # forward's message, as RNN's bptt gives it
    loss = cross_entropy(ys, targets, k)
    ps = softmax(ys, kernels=k)
    prev = np.vstack([h_prev[None, :], hs[:-1]])  # (T, H): h_{t−1}
    W_hy_T, W_hh_T = k.prepare(model.W_hy.T), k.prepare(model.W_hh.T)  # (H, O) and (H, 3H), prepared once

    with np.errstate(all="ignore"):  # refused below, not warned about
        grads = {name: np.zeros_like(p) for name, p in model.parameters().items()}
        dh_next = np.zeros(model.hidden_size)
        step = StepGradients(grads["W_ih"], grads["W_hh"], grads.get("b_ih"), grads.get("b_hh"))
        for t in reversed(range(xs.shape[0])):
            r, z, n, gh_n = tape[t]
            dy = ps[t].copy()
            dy[targets[t]] -= 1.0
            grads["W_hy"] += np.outer(dy, hs[t])
            if "b_y" in grads:
                grads["b_y"] += dy
            dh = k.matvec_prepared(W_hy_T, dy) + dh_next
            _, dh_next = gru_backward_step(k, dh, r, z, n, gh_n, xs[t], prev[t], W_hh_T, step)
    gradients = GruGradients(grads["W_ih"], grads["W_hh"], grads["W_hy"], grads.get("b_ih"), grads.get("b_hh"),
                             grads.get("b_y"), dh_next)
    gradients.refuse_non_finite()
    return BpttResult(loss, gradients, hs[-1].copy())
