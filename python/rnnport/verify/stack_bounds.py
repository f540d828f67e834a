"""Per-element bounds on how far two correct implementations of one stack direction can differ.

A stack (docs/stacks.md) is layers of single-layer cells, so each direction of each layer is bounded
by its cell's one-step bound (``rnnport.verify.bounds`` for the RNN, ``rnnport.cells.lstm_bounds``,
``rnnport.verify.gru_bounds``), free-running: step t starts from each side's own previous state. Two
things are new:

- the layer's input differs between the sides above layer 0 (it is the layer below's output), so
  the input difference Δx enters the pre-activations through |W_ih|·Δx, and the size terms use
  |x| + Δx;
- the stack's RNN layer has torch's two biases: ``a = (W_ih x + b_ih) + (W_hh h + b_hh)`` is a sum of
  n = I + H + 2 products (a bias is b·1), within γ_n·S of the real value in any order (Higham,
  Thm 3.1), as the LSTM's pre-activation.

Arrays here are in the direction's processing order: a reverse direction's trajectory is flipped in
time before it is bounded (its step t starts from its state at t + 1).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from rnnport.verify.bounds import ETA, SAFETY, TANH_ULPS, gamma


def _shifted(states: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The previous state of every step, (T, H): ``first`` then states[:-1]."""
    return np.vstack([first[None, :], states[:-1]]) if len(states) else states


def rnn_layer_bound(W_ih: np.ndarray, W_hh: np.ndarray, b_ih: np.ndarray | None, b_hh: np.ndarray | None,
                    nonlinearity: str, x: np.ndarray, dx: np.ndarray, h_prev: tuple[np.ndarray, np.ndarray],
                    h: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Bound on |h_a − h_b| for T steps of the stack's RNN layer, (T, H).

    Parameters
    ----------
    W_ih : (H, I)
    W_hh : (H, H)
    b_ih, b_hh : (H,) or None
    nonlinearity : {"tanh", "relu"}
    x, dx : (T, I)
        Side a's inputs and |x_a − x_b|.
    h_prev, h : pairs of (T, H)
        The states each side started each step from, and those it computed.
    """
    H, I = W_ih.shape
    n = I + H + 2
    A_ih, A_hh = np.abs(W_ih), np.abs(W_hh)
    biases = sum(np.abs(b) for b in (b_ih, b_hh) if b is not None)
    S = (np.abs(x) + dx) @ A_ih.T + np.maximum(np.abs(h_prev[0]), np.abs(h_prev[1])) @ A_hh.T + biases
    d_a = 2.0 * gamma(n) * S + np.abs(h_prev[0] - h_prev[1]) @ A_hh.T + dx @ A_ih.T + 2.0 * (n + 2) * ETA
    # tanh and relu are 1-Lipschitz; tanh adds both sides' rounding, relu none (it selects).
    rounding = TANH_ULPS * np.spacing(np.maximum(np.abs(h[0]), np.abs(h[1]))) if nonlinearity == "tanh" else 0.0
    return SAFETY * (d_a + rounding)


def direction_bounds(cell: str, nonlinearity: str, weights: Mapping[str, np.ndarray | None],
                     x: np.ndarray, dx: np.ndarray, h0: np.ndarray, c0: np.ndarray | None,
                     a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Bounds on every step of one direction of one layer, in its processing order.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    nonlinearity : the RNN's; ignored otherwise
    weights : W_ih (G·H, I), W_hh (G·H, H), b_ih, b_hh (G·H,) or None
    x, dx : (T, I)
        Side a's layer inputs and |x_a − x_b|, in processing order.
    h0, c0 : (H,)
        The direction's initial state (and cell state), the same on both sides.
    a, b : mappings with "h" (T, H) and, for the LSTM, "c" (T, H)
        Each side's trajectory, in processing order.

    Returns
    -------
    {"h": (T, H)} and, for the LSTM, {"c": (T, H)}: absolute bounds.
    """
    h_prev = (_shifted(a["h"], h0), _shifted(b["h"], h0))
    if cell == "rnn":
        return {"h": rnn_layer_bound(weights["W_ih"], weights["W_hh"], weights.get("b_ih"), weights.get("b_hh"),
                                     nonlinearity, x, dx, h_prev, (a["h"], b["h"]))}
    if cell == "lstm":
        from rnnport.cells.lstm_bounds import step_bounds

        assert c0 is not None
        c_prev = (_shifted(a["c"], c0), _shifted(b["c"], c0))
        d_h, d_c, _ = step_bounds(weights, x, h_prev, c_prev, (a["h"], b["h"]), (a["c"], b["c"]), dx=dx)
        return {"h": d_h, "c": d_c}
    if cell == "gru":
        from rnnport.verify.gru_bounds import gru_state_bound

        return {"h": gru_state_bound(weights["W_ih"], weights["W_hh"], weights.get("b_ih"), weights.get("b_hh"),
                                     x, h_prev[0], h_prev[1], dx=dx)}
    raise ValueError(f"unknown cell {cell!r}")
