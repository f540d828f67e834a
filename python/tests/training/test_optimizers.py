"""SGD and Adagrad: hand-computed updates, state, and refusals that change nothing."""
from __future__ import annotations

import math

import numpy as np
import pytest

from rnnport import RNN
from rnnport.cells.rnn_bptt import Gradients
from rnnport.training.optimizers import SGD, Adagrad


def tiny():
    """H = I = O = 1 with both biases, and a gradient of 2 everywhere (0.5 for the biases)."""
    model = RNN([[1.0]], [[0.5]], [[-1.0]], b_h=[0.0], b_y=[0.25])
    grads = Gradients(np.array([[2.0]]), np.array([[2.0]]), np.array([[2.0]]), np.array([0.5]),
                      np.array([0.5]), np.array([9.0]))
    return model, grads


def test_sgd_step_by_hand():
    """p − 0.1·g: 1 − 0.2 = 0.8, 0.5 − 0.2 = 0.3, −1 − 0.2 = −1.2, 0 − 0.05, 0.25 − 0.05."""
    model, grads = tiny()
    SGD(0.1).step(model, grads)
    assert [model.W_xh[0, 0], model.W_hh[0, 0], model.W_hy[0, 0], model.b_h[0], model.b_y[0]] == pytest.approx(
        [0.8, 0.3, -1.2, -0.05, 0.2], rel=1e-15)


def test_adagrad_two_steps_by_hand():
    """m = 4 then 8; W_xh = 1 − 0.1·2/√4 − 0.1·2/√8 (eps 1e-8 inside the root)."""
    model, grads = tiny()
    optimizer = Adagrad(0.1)
    optimizer.step(model, grads)
    optimizer.step(model, grads)
    expected = 1.0 - 0.2 / math.sqrt(4 + 1e-8) - 0.2 / math.sqrt(8 + 1e-8)
    assert model.W_xh[0, 0] == pytest.approx(expected, rel=1e-15)
    assert optimizer.memory["W_xh"][0, 0] == 8.0 and optimizer.memory["b_h"][0] == 0.5


@pytest.mark.parametrize("rate, error", [(0.0, ValueError), (-0.1, ValueError), (float("nan"), ValueError),
                                         (float("inf"), ValueError), ("0.1", TypeError), (True, TypeError)])
@pytest.mark.parametrize("kind", [SGD, Adagrad])
def test_rejects_bad_learning_rates(kind, rate, error):
    """Zero, negative, NaN, infinite or non-numeric learning rates are refused at construction."""
    with pytest.raises(error, match="learning_rate"):
        kind(rate)


@pytest.mark.parametrize("kind", [SGD, Adagrad])
def test_mismatched_gradients_change_nothing(kind):
    """Gradients of the wrong shape, or without the model's biases, are refused before any update."""
    model, grads = tiny()
    before = {k: v.copy() for k, v in model.parameters().items()}
    optimizer = kind(0.1)
    wrong_shape = Gradients(grads.W_xh, grads.W_hh, np.zeros((2, 1)), grads.b_h, grads.b_y, grads.h0)
    no_biases = Gradients(grads.W_xh, grads.W_hh, grads.W_hy, None, None, grads.h0)
    for bad in (wrong_shape, no_biases):
        with pytest.raises(ValueError):
            optimizer.step(model, bad)
    assert all(np.array_equal(model.parameters()[k], v) for k, v in before.items())
    assert getattr(optimizer, "memory", {}) == {}


def test_adagrad_used_with_a_model_of_another_shape_refuses_before_writing():
    """Memory (1, 1) against a (2, 1) parameter would broadcast; it is refused and nothing changes."""
    optimizer = Adagrad(0.1)
    model, grads = tiny()
    optimizer.step(model, grads)
    other = RNN([[1.0], [2.0]], [[0.5, 0.0], [0.0, 0.5]], [[1.0, 1.0]])
    before = {name: p.copy() for name, p in other.parameters().items()}
    with pytest.raises(ValueError, match="the Adagrad memory of W_xh has shape \\(1, 1\\) but the parameter \\(2, 1\\)"):
        optimizer.step(other, Gradients(np.ones((2, 1)), np.ones((2, 2)), np.ones((1, 2)), None, None, np.zeros(2)))
    assert all(np.array_equal(before[name], p) for name, p in other.parameters().items())
    assert optimizer.memory["W_xh"].shape == (1, 1)
