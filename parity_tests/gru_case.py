"""The seeded GRU weights of the GRU parity suites, and the NumPy and C# models built from them."""
from __future__ import annotations

import math

import numpy as np

from rnnport.cells.gru import GRU
from rnnport.dotnet.gru import DotNetGRU


def gru_weights(I: int, H: int, O: int, seed: int, biases: bool = True) -> dict:
    """W_ih (3H, I), W_hh (3H, H), W_hy (O, H) with variance 1/fan_in, h0 (H,) in (−0.9, 0.9), and the three
    biases (None when ``biases`` is False)."""
    rng = np.random.default_rng(seed)
    w = {"W_ih": rng.normal(size=(3 * H, I)) / math.sqrt(I), "W_hh": rng.normal(size=(3 * H, H)) / math.sqrt(H),
         "W_hy": rng.normal(size=(O, H)) / math.sqrt(H), "h0": rng.uniform(-0.9, 0.9, H),
         "b_ih": None, "b_hh": None, "b_y": None}
    if biases:
        w |= {"b_ih": rng.normal(size=3 * H) * 0.3, "b_hh": rng.normal(size=3 * H) * 0.3, "b_y": rng.normal(size=O)}
    return w


def numpy_gru(w: dict, kernel: str) -> GRU:
    """The NumPy GRU on the weights ``w``."""
    return GRU(w["W_ih"], w["W_hh"], w["W_hy"], w["h0"], b_ih=w["b_ih"], b_hh=w["b_hh"], b_y=w["b_y"], kernel=kernel)


def dotnet_gru(w: dict) -> DotNetGRU:
    """The C# GRU on the weights ``w``."""
    return DotNetGRU(w["W_ih"], w["W_hh"], w["W_hy"], w["h0"], b_ih=w["b_ih"], b_hh=w["b_hh"], b_y=w["b_y"])
