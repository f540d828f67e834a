"""Gradient clipping, element-wise and by global norm."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport import RNN
from rnnport.cells.rnn_bptt import Gradients, bptt
from rnnport.training.clipping import clip_elementwise, clip_global_norm
from rnnport.verify.cases import make_case


def char_case():
    """I = O = 5, H = 7, T = 12, biases on, random integer targets."""
    case = make_case(5, 7, 5, 12, seed=3, nonzero_h0=True)
    rng = np.random.default_rng(3)
    model = RNN(*case.weights(), b_h=rng.normal(size=7) * 0.1, b_y=rng.normal(size=5) * 0.1)
    return model, case.xs, rng.integers(0, 5, 12)


def test_clipping_elementwise_and_by_global_norm():
    """Element-wise clipping bounds every entry; global-norm clipping rescales to max_norm."""
    model, xs, targets = char_case()
    g = bptt(model, xs, targets).gradients
    for array in (*g.parameters().values(), g.h0):
        array *= 100.0
    norm = clip_global_norm(g, 1.0)
    assert norm > 1.0
    after = np.sqrt(sum(np.sum(a * a) for a in g.parameters().values()))
    assert after == pytest.approx(1.0, rel=1e-14)
    clip_elementwise(g, 0.01)
    assert all(np.abs(a).max() <= 0.01 for a in (*g.parameters().values(), g.h0))


def test_clip_rejects_non_positive_limits():
    """A limit of 0 or below is an error, not a silent zeroing."""
    g = Gradients(np.ones((1, 1)), np.ones((1, 1)), np.ones((1, 1)), None, None, np.ones(1))
    with pytest.raises(ValueError):
        clip_elementwise(g, 0.0)
    with pytest.raises(ValueError):
        clip_global_norm(g, -1.0)
