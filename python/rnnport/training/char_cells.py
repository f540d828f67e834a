"""The cells the character-model demo trains, one registry entry each. C# twin: ``RnnPort.CharCells``.

Every cell is trained the same way (:func:`rnnport.training.char_model.train`): one-hot inputs, the
softmax loss through the cell's own BPTT, clipping, then SGD or Adagrad through ``apply_update``.
What differs per cell is here: its initial weights (min-char-rnn's N(0, 0.01²), zero biases), its
BPTT, and the state a chunk hands to the next (``h``; an LSTM's ``(h, c)``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from rnnport.cells.gru import GRU
from rnnport.cells.gru_bptt import gru_bptt
from rnnport.cells.lstm import LSTM
from rnnport.cells.lstm_bptt import bptt as lstm_bptt
from rnnport.cells.rnn import RNN
from rnnport.cells.rnn_bptt import bptt as rnn_bptt


@dataclass(frozen=True)
class CharCell:
    """One trainable cell of the demo.

    Attributes
    ----------
    name : str
        ``--cell`` and the model file's ``cell``.
    cls : type
        The model's class.
    gates : int
        Gate blocks of the input weights: (gates·H, V) numbers, checked against the size limit.
    make : callable
        ``make(V, H, rng)`` → the initial model, weights N(0, 0.01²), biases zero.
    bptt : callable
        ``bptt(model, xs (L, V), targets (L,))`` → a result with ``loss``, ``gradients``, ``h_last``
        (and ``c_last``), from the model's current state; changes nothing.
    carry : callable
        ``carry(model, result)``: the model's state becomes the chunk's final state (truncated BPTT).
    """

    name: str
    cls: type
    gates: int
    make: Callable[[int, int, np.random.Generator], Any]
    bptt: Callable[[Any, np.ndarray, np.ndarray], Any]
    carry: Callable[[Any, Any], None]


def _small(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.normal(size=shape) * 0.01


def _make_rnn(V: int, H: int, rng: np.random.Generator) -> RNN:
    return RNN(_small(rng, H, V), _small(rng, H, H), _small(rng, V, H), b_h=np.zeros(H), b_y=np.zeros(V))


def _make_lstm(V: int, H: int, rng: np.random.Generator) -> LSTM:
    return LSTM(_small(rng, 4 * H, V), _small(rng, 4 * H, H), _small(rng, V, H),
                b_ih=np.zeros(4 * H), b_hh=np.zeros(4 * H), b_y=np.zeros(V))


def _make_gru(V: int, H: int, rng: np.random.Generator) -> GRU:
    return GRU(_small(rng, 3 * H, V), _small(rng, 3 * H, H), _small(rng, V, H),
               b_ih=np.zeros(3 * H), b_hh=np.zeros(3 * H), b_y=np.zeros(V))


def _carry_h(model: Any, result: Any) -> None:
    model.h = result.h_last


def _carry_h_c(model: LSTM, result: Any) -> None:
    model.h, model.c = result.h_last, result.c_last


CHAR_CELLS: dict[str, CharCell] = {
    "rnn": CharCell("rnn", RNN, 1, _make_rnn, rnn_bptt, _carry_h),
    "lstm": CharCell("lstm", LSTM, 4, _make_lstm, lstm_bptt, _carry_h_c),
    "gru": CharCell("gru", GRU, 3, _make_gru, gru_bptt, _carry_h),
}
