"""LSTM BPTT and training, NumPy exact mode against C#: the loss, every gradient and K clipped optimiser steps
bit for bit (raw 64-bit patterns), over a shape grid; a wrong gate order on one side is caught."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport import dotnet
from rnnport.cells import lstm_bptt as numpy_bptt
from rnnport.cells.lstm import LSTM
from rnnport.dotnet import lstm as net_bptt
from rnnport.dotnet.lstm import DotNetLSTM
from rnnport.training.optimizers import SGD, Adagrad
from test_lstm_parity import bits, swap_i_f
from test_torch_lstm import lstm_case

NAMES = ("W_ih", "W_hh", "W_hy", "b_ih", "b_hh", "b_y", "h0", "c0")
GRID = [(1, 1, 2, 1), (1, 1, 2, 15), (3, 1, 2, 10), (1, 4, 3, 10), (5, 3, 7, 25), (8, 16, 8, 40)]


def targets_for(T: int, O: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, O, T)


def assert_same_gradients(a, b) -> None:
    for name in NAMES:
        u, v = getattr(a, name), getattr(b, name)
        assert (u is None) == (v is None), name
        if u is not None:
            assert bits(u) == bits(v), f"gradient of {name} differs: max |Δ| = {np.abs(u - v).max():.3e}"


@pytest.mark.parametrize("biases", [True, False], ids=["biases", "no-biases"])
@pytest.mark.parametrize("I,H,O,T", GRID, ids=[f"I{i}-H{h}-O{o}-T{t}" for i, h, o, t in GRID])
def test_loss_and_gradients_are_bit_identical(I, H, O, T, biases):
    args, xs = lstm_case(I, H, O, T, seed=7 * I + H + O, biases=biases)
    targets = targets_for(T, O, T)
    a = numpy_bptt.bptt(LSTM(**args, kernel="exact"), xs, targets)
    b = net_bptt.bptt(DotNetLSTM(**args), xs, targets)
    assert bits(np.array([a.loss])) == bits(np.array([b.loss]))
    assert_same_gradients(a.gradients, b.gradients)
    assert bits(a.h_last) == bits(b.h_last) and bits(a.c_last) == bits(b.c_last)


def test_a_10000_step_chunk_is_bit_identical():
    args, xs = lstm_case(3, 5, 4, 10_000, seed=3)
    targets = targets_for(10_000, 4, 3)
    a = numpy_bptt.bptt(LSTM(**args, kernel="exact"), xs, targets)
    b = net_bptt.bptt(DotNetLSTM(**args), xs, targets)
    assert bits(np.array([a.loss])) == bits(np.array([b.loss]))
    assert_same_gradients(a.gradients, b.gradients)


def test_swapped_gates_change_the_gradients():
    """Negative control: the same comparison fails when one side has the i and f blocks swapped."""
    args, xs = lstm_case(5, 3, 7, 10, seed=4)
    targets = targets_for(10, 7, 4)
    a = numpy_bptt.bptt(LSTM(**swap_i_f(args), kernel="exact"), xs, targets)
    b = net_bptt.bptt(DotNetLSTM(**args), xs, targets)
    with pytest.raises(AssertionError, match="gradient of W_ih differs"):
        assert_same_gradients(a.gradients, b.gradients)


@pytest.mark.parametrize("optimiser", ["sgd", "adagrad"])
@pytest.mark.parametrize("clip", ["elementwise", "global-norm"])
@pytest.mark.parametrize("biases", [True, False], ids=["biases", "no-biases"])
def test_k_training_steps_are_bit_identical(optimiser, clip, biases):
    """K = 8 chunks of truncated BPTT with carried (h, c), clipping and an optimiser step each."""
    args, xs = lstm_case(4, 6, 4, 80, seed=5, biases=biases)
    targets = targets_for(80, 4, 5)
    a, b = LSTM(**args, kernel="exact"), DotNetLSTM(**args)
    opt_a = SGD(0.1) if optimiser == "sgd" else Adagrad(0.1)
    opt_b = dotnet.SGD(0.1) if optimiser == "sgd" else dotnet.Adagrad(0.1)
    state_a = state_b = (args["h0"], args["c0"])
    for chunk in range(8):
        s = slice(10 * chunk, 10 * chunk + 10)
        ra = numpy_bptt.bptt(a, xs[s], targets[s], *state_a)
        rb = net_bptt.bptt(b, xs[s], targets[s], *state_b)
        if clip == "elementwise":
            numpy_bptt.clip_elementwise(ra.gradients, 0.05)
            net_bptt.clip_elementwise(rb.gradients, 0.05)
        else:
            na = numpy_bptt.clip_global_norm(ra.gradients, 0.5, a.kernels)
            nb = net_bptt.clip_global_norm(rb.gradients, 0.5)
            assert bits(np.array([na])) == bits(np.array([nb]))
        assert_same_gradients(ra.gradients, rb.gradients)
        opt_a.step(a, ra.gradients)
        opt_b.step(b, rb.gradients)
        state_a, state_b = (ra.h_last, ra.c_last), (rb.h_last, rb.c_last)
        for name, value in a.parameters().items():
            assert bits(value) == bits(getattr(b, name)), f"{name} after step {chunk}"
    # The trained models still agree on a forward pass.
    assert bits(a.forward(xs)[0]) == bits(b.forward(xs)[0])


def test_optimiser_refuses_gradients_of_another_model():
    args, xs = lstm_case(3, 2, 2, 5, seed=6)
    other, _ = lstm_case(3, 2, 2, 5, seed=6, biases=False)
    g = net_bptt.bptt(DotNetLSTM(**other), xs, targets_for(5, 2, 6)).gradients
    with pytest.raises(ValueError, match="gradients are for"):
        dotnet.SGD(0.1).step(DotNetLSTM(**args), g)
