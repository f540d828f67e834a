"""Seeded cells for the batch tests, with both biases, b_y and a start state that is not h0."""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnport.cells import GRU, LSTM, RNN

CELLS = ("RNN", "LSTM", "GRU")


def make_cell(name: str, kernel: str, I: int, H: int, O: int, seed: int) -> Any:
    """The cell with random weights (scale 1/sqrt(H)), all biases, and h (and c) moved away from h0."""
    rng = np.random.default_rng(seed)
    s = 1.0 / np.sqrt(H)
    G = {"RNN": 1, "LSTM": 4, "GRU": 3}[name] * H
    W_ih, W_hh, W_hy = rng.uniform(-s, s, (G, I)), rng.uniform(-2 * s, 2 * s, (G, H)), rng.uniform(-s, s, (O, H))
    b_ih, b_hh, b_y = rng.uniform(-s, s, G), rng.uniform(-s, s, G), rng.uniform(-s, s, O)
    if name == "RNN":
        model = RNN(W_ih, W_hh, W_hy, b_h=b_ih, b_y=b_y, kernel=kernel)
    elif name == "LSTM":
        model = LSTM(W_ih, W_hh, W_hy, b_ih=b_ih, b_hh=b_hh, b_y=b_y, kernel=kernel)
        model.c = rng.uniform(-1, 1, H)
    else:
        model = GRU(W_ih, W_hh, W_hy, b_ih=b_ih, b_hh=b_hh, b_y=b_y, kernel=kernel)
    model.h = rng.uniform(-1, 1, H)
    return model


def state(model: Any) -> tuple[np.ndarray, ...]:
    """The model's current state: (h,) or (h, c)."""
    return (model.h, model.c) if hasattr(model, "c") else (model.h,)  # an LSTM or its bridge twin


def set_state(model: Any, values: tuple[np.ndarray, ...]) -> None:
    model.h = values[0]
    if len(values) > 1:
        model.c = values[1]


def single(model: Any, xs: np.ndarray) -> tuple[np.ndarray, ...]:
    """``forward(xs)`` (T, I) from the model's current state, which is restored afterwards."""
    before = state(model)
    try:
        return model.forward(xs)
    finally:
        set_state(model, before)


def bits(a: np.ndarray) -> np.ndarray:
    """The raw 64-bit patterns (−0.0 is not +0.0)."""
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)
