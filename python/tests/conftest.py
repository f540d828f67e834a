"""Fixtures for the NumPy-only tests: these never load .NET."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport import RNN


def random_rnn(I: int, H: int, O: int, seed: int, activation: str = "tanh",
               nonzero_h0: bool = False) -> RNN:
    """A seeded RNN with weights uniform in [-0.5, 0.5)."""
    rng = np.random.default_rng(seed)
    W_xh, W_hh, W_hy = (rng.uniform(-0.5, 0.5, shape) for shape in ((H, I), (H, H), (O, H)))
    h0 = rng.uniform(-0.5, 0.5, H) if nonzero_h0 else None
    return RNN(W_xh, W_hh, W_hy, h0, activation)


@pytest.fixture
def rnn() -> RNN:
    """I=3, H=4, O=2, seeded, after three steps so that its state is not h0."""
    model = random_rnn(3, 4, 2, seed=0)
    model.forward(np.random.default_rng(1).normal(size=(3, 3)))
    return model
