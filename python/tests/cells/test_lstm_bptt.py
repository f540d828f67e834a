"""LSTM BPTT in NumPy: finite differences, chunking with carried (h, c), clipping and the optimisers."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport.cells.lstm import LSTM
from rnnport.cells.lstm_bptt import bptt, clip_elementwise, clip_global_norm, gradient_check
from rnnport.training.optimizers import SGD, Adagrad
from test_lstm import make_lstm_case

TARGET = 1e-6


def targets_for(T: int, O: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, O, T)


@pytest.mark.parametrize("kernel", ["fast", "exact"])
@pytest.mark.parametrize("I,H,O,biases", [(1, 1, 2, True), (3, 4, 5, True), (2, 3, 1, False), (4, 2, 3, False)])
def test_gradients_match_finite_differences(I, H, O, biases, kernel):
    args, xs = make_lstm_case(I, H, O, 10, seed=I + H + O, biases=biases)
    # floor 1e-3: the central difference's cancellation error is ~ulp(L)/ε ≈ 2e-10 here (measured; L ≈ 20),
    # so an element under 1e-3 is judged by its absolute error (< 1e-9 passes) rather than a relative one.
    worst = gradient_check(LSTM(**args, kernel=kernel), xs, targets_for(10, O, 1), samples=12, floor=1e-3)
    expected = {"W_ih", "W_hh", "W_hy", "h0", "c0"} | ({"b_ih", "b_hh", "b_y"} if biases else set())
    assert set(worst) == expected
    assert max(worst.values()) < TARGET, worst


def test_gradient_check_catches_a_wrong_gradient():
    """Negative control: gradients of a model with the i and f gates swapped score far above the target."""
    args, xs = make_lstm_case(3, 4, 5, 10, seed=2)
    targets = targets_for(10, 5, 2)
    swapped = dict(args)
    for n in ("W_ih", "W_hh", "b_ih", "b_hh"):
        i, f, g, o = np.split(args[n], 4)
        swapped[n] = np.concatenate([f, i, g, o])
    right = bptt(LSTM(**args), xs, targets).gradients
    wrong = bptt(LSTM(**swapped), xs, targets).gradients
    rel = np.abs(right.W_hy - wrong.W_hy).max() / np.abs(right.W_hy).max()
    assert rel > 1e-3


def test_bptt_changes_nothing_and_carries_h_and_c():
    """Two chunks with carried (h, c) give the states of one forward pass; the model is left as it was."""
    args, xs = make_lstm_case(3, 4, 5, 20, seed=3)
    targets = targets_for(20, 5, 3)
    model = LSTM(**args, kernel="exact")
    h, c, W = model.h, model.c, model.W_hh.copy()
    first = bptt(model, xs[:8], targets[:8])
    second = bptt(model, xs[8:], targets[8:], first.h_last, first.c_last)
    assert model.h.tobytes() == h.tobytes() and model.c.tobytes() == c.tobytes()
    assert model.W_hh.tobytes() == W.tobytes()
    _, hs, cs = LSTM(**args, kernel="exact").forward(xs)
    assert second.h_last.tobytes() == hs[-1].tobytes() and second.c_last.tobytes() == cs[-1].tobytes()
    whole = bptt(model, xs, targets)
    assert abs(first.loss + second.loss - whole.loss) < 1e-12 * whole.loss
    # Truncation: no gradient crosses the boundary, so the chunked W_hh gradient differs from the whole one.
    assert not np.allclose(first.gradients.W_hh + second.gradients.W_hh, whole.gradients.W_hh, rtol=1e-9, atol=0)


def test_bad_arguments_are_refused():
    args, xs = make_lstm_case(3, 4, 5, 6, seed=4)
    model = LSTM(**args)
    with pytest.raises(ValueError, match=r"c_prev has shape \(3,\), expected \(4,\)"):
        bptt(model, xs, targets_for(6, 5, 0), c_prev=np.zeros(3))
    with pytest.raises(ValueError, match=r"h_prev must be finite"):
        bptt(model, xs, targets_for(6, 5, 0), h_prev=[0.0, np.nan, 0.0, 0.0])
    with pytest.raises(ValueError, match=r"targets\[0\] = 5 is outside the vocabulary \[0, 5\)"):
        bptt(model, xs, np.full(6, 5))
    with pytest.raises(ValueError, match="at least one step"):
        bptt(model, xs[:0], targets_for(0, 5, 0))


def test_clipping_covers_c0_and_the_norm_covers_parameters_only():
    args, xs = make_lstm_case(3, 4, 5, 30, seed=5)
    args["W_hh"] = args["W_hh"] * 4
    g = bptt(LSTM(**args), xs, targets_for(30, 5, 5)).gradients
    g.c0[0], g.h0[0] = 100.0, -100.0
    clip_elementwise(g, 0.01)
    for value in (*g.parameters().values(), g.h0, g.c0):
        assert np.abs(value).max() <= 0.01
    g = bptt(LSTM(**args), xs, targets_for(30, 5, 5)).gradients
    norm = clip_global_norm(g, 1e-3)
    assert norm > 1e-3
    assert abs(np.sqrt(sum((v * v).sum() for v in g.parameters().values())) - 1e-3) < 1e-15


@pytest.mark.parametrize("optimiser", [SGD(0.05), Adagrad(0.1)], ids=["sgd", "adagrad"])
def test_training_lowers_the_loss(optimiser):
    """The RNN's optimisers update an LSTM through the same contract (parameters() of model and gradients)."""
    args, xs = make_lstm_case(4, 8, 4, 25, seed=6)
    targets = np.roll(np.argmax(xs, axis=1), 1)  # a learnable rule: yesterday's largest input
    model = LSTM(**args)
    first = bptt(model, xs, targets).loss
    for _ in range(60):
        result = bptt(model, xs, targets)
        clip_elementwise(result.gradients, 5.0)
        optimiser.step(model, result.gradients)
    assert bptt(model, xs, targets).loss < 0.7 * first
