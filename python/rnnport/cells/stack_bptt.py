"""Backpropagation through time for ``RecurrentStack`` (docs/stacks.md, "BPTT"). C# twin: ``RnnPort.StackBptt``.

Softmax cross-entropy of each y_t, summed, as the cells'. The order, which exact mode follows bit for bit:

1. the output layer, t = T−1 … 0: ``dy_t = softmax(y_t) − onehot``; ``dW_hy += dy_t out_tᵀ``, ``db_y += dy_t``;
   ``dout_t = W_hyᵀ dy_t`` (or ``dy_t`` without ``W_hy``);
2. layers k = L−1 … 0, the forward direction first, then the reverse, each running its cell's backward step
   (``rnn_backward_step``, ``lstm_backward_step``, ``gru_backward_step``) in the reverse of its forward order,
   with ``dh = dout_t[d·H:(d+1)·H] + dh_next``;
3. layer k−1's ``dout_t`` = the forward direction's ``W_ihᵀ dgi_t`` (+ the reverse direction's);
4. each direction's last ``dh_next`` (``dc_next``) is the gradient of its row of h0 (c0).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from rnnport.cells.gradients import StepGradients
from rnnport.cells.gru_bptt import gru_backward_step
from rnnport.cells.lstm_bptt import lstm_backward_step
from rnnport.cells.rnn_bptt import rnn_backward_step
from rnnport.cells.stack import RecurrentStack
from rnnport.cells.stack_layers import DirectionRun
from rnnport.cells.state import checked_sequence
from rnnport.numerics.finite_results import refuse_non_finite
from rnnport.numerics.loss import check_targets, cross_entropy, softmax


class StackGradients:
    """The gradients of a stack's summed loss: by parameter name (``parameters()`` order), then h0 (and c0).

    The optimisers and clipping read it as any cell's gradients: ``parameters()`` (live arrays) and ``arrays()``.
    """

    def __init__(self, parameters: dict[str, np.ndarray], h0: np.ndarray, c0: np.ndarray | None) -> None:
        self._parameters, self.h0, self.c0 = parameters, h0, c0
        self.START_STATES = ("h0",) if c0 is None else ("h0", "c0")

    def parameters(self) -> dict[str, np.ndarray]:
        """The parameters' gradients by name, in the stack's ``parameters()`` order (live arrays)."""
        return dict(self._parameters)

    def __getitem__(self, name: str) -> np.ndarray:
        return self._parameters[name]

    def arrays(self) -> list[np.ndarray]:
        """Every gradient: the parameters' in order, then h0's (and c0's)."""
        return [*self._parameters.values(), *(getattr(self, name) for name in self.START_STATES)]

    def refuse_non_finite(self) -> None:
        """FloatingPointError ``bptt: the gradient of NAME is not finite (…)`` for the first non-finite one."""
        for name, value in (*self._parameters.items(), *((n, getattr(self, n)) for n in self.START_STATES)):
            refuse_non_finite(value, f"bptt: the gradient of {name}")


@dataclass
class StackBpttResult:
    """One chunk: summed loss, gradients, and the final states (L·D, H) to carry on from."""

    loss: float
    gradients: StackGradients
    h_n: np.ndarray
    c_n: np.ndarray | None


def _start_states(stack: RecurrentStack, h0: ArrayLike | None, c0: ArrayLike | None
                  ) -> tuple[np.ndarray, np.ndarray | None]:
    h = stack.h if h0 is None else stack._checked_states(h0, "h0")
    if stack.cell != "lstm":
        if c0 is not None:
            raise ValueError(f"c0: only the lstm has a cell state, not the {stack.cell}")
        return h, None
    return h, stack.c if c0 is None else stack._checked_states(c0, "c0")


def bptt(stack: RecurrentStack, xs: ArrayLike, targets: ArrayLike, h0: ArrayLike | None = None,
         c0: ArrayLike | None = None) -> StackBpttResult:
    """Loss and gradients of one sequence from (h0, c0) (default: the stack's current state); changes nothing.

    Parameters
    ----------
    stack : RecurrentStack
    xs : array_like, shape (T, I), T ≥ 1
    targets : array_like, shape (T,)
        Integers in [0, O).
    h0, c0 : array_like, shape (L·D, H), optional
        c0 for the LSTM only.

    Returns
    -------
    StackBpttResult
        ``gradients[name]`` the shape of the parameter, ``gradients.h0``/``c0`` (L·D, H), ``h_n``/``c_n`` (L·D, H).

    Raises
    ------
    TypeError, ValueError
        Bad xs, targets, h0 or c0 (in that order).
    FloatingPointError
        A state or output (as ``forward``), the loss, or a gradient (``parameters()`` order, then h0, c0)
        is not finite.
    """
    xs = checked_sequence(xs, stack.input_size)
    targets = check_targets(targets, xs.shape[0], stack.output_size)
    h_start, c_start = _start_states(stack, h0, c0)
    k = stack.kernels
    ys, outputs, runs = stack._forward_from(xs, h_start, c_start, "forward")
    loss = cross_entropy(ys, targets, k)
    ps = softmax(ys, kernels=k)
    grads = {name: np.zeros_like(p) for name, p in stack.parameters().items()}
    dh0 = np.zeros_like(h_start)
    dc0 = None if c_start is None else np.zeros_like(c_start)

    with np.errstate(all="ignore"):  # refused below, not warned about
        dout = _output_layer(stack, k, ps, targets, outputs[-1], grads)
        for layer in range(stack.num_layers - 1, -1, -1):
            inputs = xs if layer == 0 else outputs[layer - 1]
            below = None
            for d in range(stack.num_directions):
                row = layer * stack.num_directions + d
                dgis = _direction(stack, k, layer, d, runs[layer][d], inputs, dout, h_start[row],
                                  None if c_start is None else c_start[row], grads, dh0, dc0)
                if layer > 0:  # the gradient that goes down: W_ihᵀ dgi_t, forward first, then + reverse
                    dx = k.matvec(stack.direction_weights(layer, d).W_ih.T, dgis)
                    below = dx if below is None else below + dx
            dout = below  # type: ignore[assignment]
    gradients = StackGradients(grads, dh0, dc0)
    gradients.refuse_non_finite()
    h_n, c_n = stack._final_states(runs)
    return StackBpttResult(loss, gradients, h_n, c_n)


def _output_layer(stack: RecurrentStack, k: Any, ps: np.ndarray, targets: np.ndarray, top: np.ndarray,
                  grads: dict[str, np.ndarray]) -> np.ndarray:
    """Step 1: dy_t for t = T−1 … 0 into dW_hy, db_y; returns dout (T, D·H)."""
    dys = ps.copy()
    T = dys.shape[0]
    dys[np.arange(T), targets] -= 1.0
    if "W_hy" not in grads:
        return dys
    for t in range(T - 1, -1, -1):
        grads["W_hy"] += np.outer(dys[t], top[t])
        if "b_y" in grads:
            grads["b_y"] += dys[t]
    return k.matvec(stack.parameters()["W_hy"].T, dys)  # (T, D·H), each element over o from +0.0


def _direction(stack: RecurrentStack, k: Any, layer: int, d: int, run: DirectionRun, inputs: np.ndarray,
               dout: np.ndarray, h_start: np.ndarray, c_start: np.ndarray | None, grads: dict[str, np.ndarray],
               dh0: np.ndarray, dc0: np.ndarray | None) -> np.ndarray:
    """Step 2 for one direction: its backward steps into ``grads``, its h0 (c0) row into dh0 (dc0);
    returns dgi (T, G·H), the gate pre-activation gradients per t."""
    T, H = inputs.shape[0], stack.hidden_size
    s = f"_l{layer}{'_reverse' if d else ''}"
    w = stack.direction_weights(layer, d)
    acc = StepGradients(grads["weight_ih" + s], grads["weight_hh" + s], grads.get("bias_ih" + s), grads.get("bias_hh" + s))
    W_hh_T = k.prepare(w.W_hh.T)
    taus = k.tanh(run.cs) if run.cs is not None else None  # the same function on the same values as forward
    dh_next, dc_next = np.zeros(H), np.zeros(H)
    dgis = np.empty((T, w.W_ih.shape[0]))
    order = range(T) if d else range(T - 1, -1, -1)  # the reverse of the forward order
    for t in order:
        p = t + 1 if d else t - 1  # the step before t in the direction's own order
        h_prev = run.hs[p] if 0 <= p < T else h_start
        dh = dout[t, d * H:(d + 1) * H] + dh_next
        if stack.cell == "lstm":
            c_prev = run.cs[p] if 0 <= p < T else c_start  # type: ignore[index]
            dgis[t], dh_next, dc_next = lstm_backward_step(k, dh, dc_next, run.gates[t], taus[t],  # type: ignore[index]
                                                           c_prev, inputs[t], h_prev, W_hh_T, acc)
        elif stack.cell == "gru":
            r, z, n, gh_n = run.tape[t]  # type: ignore[index]
            dgis[t], dh_next = gru_backward_step(k, dh, r, z, n, gh_n, inputs[t], h_prev, W_hh_T, acc)
        else:
            dgis[t], dh_next = rnn_backward_step(k, stack.nonlinearity, dh, run.hs[t], inputs[t], h_prev, W_hh_T, acc)
    row = layer * stack.num_directions + d
    dh0[row] = dh_next
    if dc0 is not None:
        dc0[row] = dc_next
    return dgis
