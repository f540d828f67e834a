"""Backpropagation through time, as min-char-rnn does it, for ``rnnport.RNN``. C# twin: ``RnnPort.Bptt``.

The article describes BPTT in words: unroll the network, compute each step's error, sum the
gradients over all steps because the steps share their weights. In the column convention,
with ``a_t = W_hh h_{t−1} + W_xh x_t (+ b_h)``, ``h_t = f(a_t)``, ``y_t = W_hy h_t (+ b_y)``:

    dy_t  = softmax(y_t) − onehot(target_t)          # (O,) softmax cross-entropy
    dh_t  = W_hyᵀ dy_t + dh_next                     # (H,) from the output and from step t+1
    da_t  = f′(a_t) ⊙ dh_t                           # tanh: 1 − h_t²; relu: [h_t > 0]
    dW_hy += dy_t h_tᵀ,  dW_xh += da_t x_tᵀ,  dW_hh += da_t h_{t−1}ᵀ
    dh_next = W_hhᵀ da_t

``dh_next`` after step 0 is the gradient with respect to the chunk's initial state. Truncated BPTT
is chunking: the caller carries the returned final state into the next chunk, but no gradient
crosses the boundary (each call starts from ``dh_next = 0``). Clipping and the optimisers, which
serve every cell, are in :mod:`rnnport.training`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from rnnport.cells.gradients import GradientArrays, StepGradients
from rnnport.cells.rnn import PARAMETERS, RNN
from rnnport.cells.state import checked_sequence, checked_vector
from rnnport.numerics.loss import check_targets, cross_entropy, softmax


@dataclass
class Gradients(GradientArrays):
    """Gradients of the summed loss, each the shape of its parameter (NumPy layout).

    ``b_h``/``b_y`` are None when the model has no biases. ``h0`` is the gradient with respect to
    the state the sequence started from; it is reported, never applied by an optimiser.
    """

    W_xh: np.ndarray
    W_hh: np.ndarray
    W_hy: np.ndarray
    b_h: np.ndarray | None
    b_y: np.ndarray | None
    h0: np.ndarray



def rnn_backward_step(k: Any, activation: str, dh: np.ndarray, h_t: np.ndarray, x_t: np.ndarray, h_prev: np.ndarray,
                      W_hh_T: np.ndarray, grads: StepGradients) -> tuple[np.ndarray, np.ndarray]:
    """One RNN backward step given dh (H,) at the state h_t: adds to ``grads`` and returns (da, dh_next).

    ``da = (1 − h_t·h_t)·dh`` (tanh) or ``h_t > 0 ? dh : +0.0`` (relu; h_t > 0 exactly where a_t > 0);
    ``dh_next = W_hhᵀ da`` with ``W_hh_T = k.prepare(W_hh.T)``. The one backward step of ``RNN`` and of an RNN
    layer of ``RecurrentStack`` (whose two biases both receive da).
    """
    if activation == "tanh":
        da = (1.0 - h_t * h_t) * dh                                   # backprop through tanh
    else:
        da = np.where(h_t > 0.0, dh, 0.0)                             # backprop through relu
    grads.add(da, da, x_t, h_prev)
    return da, k.matvec_prepared(W_hh_T, da)


@dataclass
class BpttResult:
    """What one chunk of BPTT gives: summed loss, gradients, and the state to carry on from."""

    loss: float
    gradients: Gradients
    h_last: np.ndarray  # (H,) state after the last step


def bptt(model: RNN, xs: ArrayLike, targets: ArrayLike, h_prev: ArrayLike | None = None) -> BpttResult:
    """Loss and gradients of one sequence, starting from ``h_prev`` (default: ``model.h``).

    Does not change the model: neither its weights nor its state.

    Parameters
    ----------
    model : RNN
    xs : (T, I) inputs, T ≥ 1
    targets : (T,) integer classes in [0, O)
    h_prev : (H,), optional

    Raises
    ------
    TypeError, ValueError
        As ``RNN.forward`` for xs and h_prev; for T = 0, a length mismatch or a target out of range.
    FloatingPointError
        A result is not finite: a state or output (``RNN.forward``), the loss (``cross_entropy``), or a
        gradient, checked in the order W_xh, W_hh, W_hy, b_h, b_y, h0; the message names the first.
    """
    xs = checked_sequence(xs, model.input_size)
    targets = check_targets(targets, xs.shape[0], model.output_size)
    h_prev = checked_vector(model.h if h_prev is None else h_prev, model.hidden_size, "h_prev")

    ys, hs = model.forward_from(h_prev, xs)  # (T, O), (T, H); the model's own state is left alone
    T = xs.shape[0]
    k = model.kernels
    ps = softmax(ys, kernels=k)
    loss = cross_entropy(ys, targets, k)
    prev = np.vstack([h_prev[None, :], hs[:-1]])  # (T, H): h_{t−1}

    with np.errstate(all="ignore"):  # an overflow is refused below, not warned about
        grads = {name: np.zeros_like(p) for name, p in model.parameters().items()}
        dh_next = np.zeros(model.hidden_size)
        W_hh_T = k.prepare(model.W_hh.T)  # once per chunk
        step = StepGradients(grads["W_xh"], grads["W_hh"], grads.get("b_h"), None)  # one bias: b_h += da
        for t in reversed(range(T)):
            dy = ps[t].copy()
            dy[targets[t]] -= 1.0                                     # backprop into y
            grads["W_hy"] += np.outer(dy, hs[t])
            if "b_y" in grads:
                grads["b_y"] += dy
            dh = k.matvec(model.W_hy.T, dy) + dh_next                 # backprop into h
            _, dh_next = rnn_backward_step(k, model.activation, dh, hs[t], xs[t], prev[t], W_hh_T, step)
    gradients = Gradients(**{name: grads.get(name) for name in PARAMETERS}, h0=dh_next)
    gradients.refuse_non_finite()
    return BpttResult(loss, gradients, hs[-1].copy())
