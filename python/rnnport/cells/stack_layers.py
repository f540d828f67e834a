"""One direction of one layer of a ``RecurrentStack``, run over a whole sequence (docs/stacks.md, "Semantics").

The per-step arithmetic is the cells': :func:`rnnport.cells.lstm.lstm_cell`, :func:`rnnport.cells.gru.gru_cell`,
and for the RNN :func:`rnn_cell`, which keeps torch's two biases
(``a = (W_ih x (+ b_ih)) + (W_hh h (+ b_hh))``; without biases the single ``RNN``'s ``W_hh h + W_xh x``,
the same bits). C# twin: ``RnnPort.RecurrentStack``'s layer loop.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from rnnport.cells.gru import gru_cell
from rnnport.cells.lstm import lstm_cell
from rnnport.cells.rnn import _relu

#: Gate blocks per cell, the factor of H in the weights' rows: RNN 1, LSTM 4 (i, f, g, o), GRU 3 (r, z, n).
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


@dataclass
class DirectionWeights:
    """One direction of one layer: torch's ``weight_ih_l{k}{s}`` (G·H, I_k), ``weight_hh_l{k}{s}`` (G·H, H),
    ``bias_ih_l{k}{s}``, ``bias_hh_l{k}{s}`` (G·H,) or None."""

    W_ih: np.ndarray
    W_hh: np.ndarray
    b_ih: np.ndarray | None
    b_hh: np.ndarray | None


@dataclass
class DirectionRun:
    """What one direction computed over a sequence, indexed by time t (not by processing order).

    hs (T, H): the state after consuming x_t (the direction's output row t); cs (T, H) and gates (T, 4H)
    for the LSTM; tape (r, z, n, gh_n) per t for the GRU. h_last/c_last: the state after the last step
    (t = T−1 forward, t = 0 reverse), the start state when T = 0.
    """

    hs: np.ndarray
    cs: np.ndarray | None
    gates: np.ndarray | None
    tape: list | None
    h_last: np.ndarray
    c_last: np.ndarray | None


def activation(nonlinearity: str, k: Any) -> Callable[[np.ndarray], np.ndarray]:
    """The RNN's f: the kernels' tanh, or ``a > 0 ? a : +0.0``."""
    return k.tanh if nonlinearity == "tanh" else _relu


def rnn_cell(k: Any, f: Callable[[np.ndarray], np.ndarray], gi: np.ndarray, W_hh_prepared: np.ndarray,
             b_hh: np.ndarray | None, h: np.ndarray) -> np.ndarray:
    """One RNN step with torch's two biases: ``f(gi + (W_hh h (+ b_hh)))``, gi = W_ih x (+ b_ih) (H,)."""
    gh = k.matvec_prepared(W_hh_prepared, h)
    if b_hh is not None:
        gh = gh + b_hh
    return f(gi + gh)


def input_projection(k: Any, w: DirectionWeights, xs: np.ndarray) -> np.ndarray:
    """``W_ih x_t (+ b_ih)`` for every row of xs (T, I_k) at once: (T, G·H), the same bits as per step."""
    if xs.shape[0] == 0:
        return np.zeros((0, w.W_ih.shape[0]))
    gi = k.matvec(w.W_ih, xs)
    return gi if w.b_ih is None else gi + w.b_ih


def run_direction(cell: str, k: Any, f: Callable[[np.ndarray], np.ndarray] | None, w: DirectionWeights,
                  xs: np.ndarray, h: np.ndarray, c: np.ndarray | None, reverse: bool) -> DirectionRun:
    """Run one direction over xs (T, I_k) from h (and c) (H,): t = 0 … T−1, or T−1 … 0 when ``reverse``.

    No checks, nothing written but the returned arrays.
    """
    T, H = xs.shape[0], w.W_hh.shape[1]
    gis = input_projection(k, w, xs)
    W_hh = k.prepare(w.W_hh)  # once per sequence
    hs = np.empty((T, H))
    cs = np.empty((T, H)) if cell == "lstm" else None
    gates = np.empty((T, 4 * H)) if cell == "lstm" else None
    tape: list | None = [] if cell == "gru" else None
    order = range(T - 1, -1, -1) if reverse else range(T)
    for t in order:
        if cell == "lstm":
            h, c, gates[t] = lstm_cell(k, gis[t], W_hh, w.b_hh, h, c)  # type: ignore[index]
            cs[t] = c  # type: ignore[index]
        elif cell == "gru":
            h = gru_cell(k, gis[t], h, k.matvec_prepared(W_hh, h), w.b_hh, tape)
        else:
            h = rnn_cell(k, f, gis[t], W_hh, w.b_hh, h)  # type: ignore[arg-type]
        hs[t] = h
    if tape is not None and reverse:
        tape.reverse()  # indexed by t
    return DirectionRun(hs, cs, gates, tape, np.array(h, dtype=np.float64),
                        None if c is None else np.array(c, dtype=np.float64))
