"""GRU BPTT and training, C# against NumPy: exact mode bit for bit, fast mode close.

Gradients of every parameter and of h0, the loss and the final state; then SGD/Adagrad/clipping steps
through the optimisers' shared contract. The negative control: a backward pass with one operation
reordered (the tanh derivative's product association) is not bit-identical any more.
"""
from __future__ import annotations

import numpy as np
import pytest

from gru_case import dotnet_gru, gru_weights as weights, numpy_gru
from rnnport import dotnet
from rnnport.cells.gru_bptt import gru_bptt
from rnnport.dotnet.gru_bptt import gru_bptt as net_gru_bptt
from rnnport.training.clipping import clip_elementwise, clip_global_norm
from rnnport.training.optimizers import SGD, Adagrad
from rnnport.verify.ulp import bit_identical


def both(w, kernel="exact"):
    return numpy_gru(w, kernel), dotnet_gru(w)


def same_result(a, b):
    ga, gb = a.gradients, b.gradients
    return (a.loss == b.loss and bit_identical(a.h_last, b.h_last) and bit_identical(ga.h0, gb.h0)
            and ga.parameters().keys() == gb.parameters().keys()
            and all(bit_identical(g, gb.parameters()[n]) for n, g in ga.parameters().items()))


@pytest.mark.parametrize("biases", [True, False])
@pytest.mark.parametrize("I, H, O, T", [(1, 1, 1, 1), (4, 3, 4, 9), (5, 8, 5, 30), (2, 5, 7, 1)])
def test_exact_gradients_are_bit_identical(I, H, O, T, biases):
    """Loss, every parameter's gradient, h0's gradient and the final state: 0 ULP, raw bits."""
    w = weights(I, H, O, seed=I + 10 * H + 100 * T, biases=biases)
    rng = np.random.default_rng(T)
    xs, targets = rng.normal(size=(T, I)), rng.integers(0, O, T)
    numpy_model, net_model = both(w)
    h_prev = rng.uniform(-0.5, 0.5, H)
    assert same_result(gru_bptt(numpy_model, xs, targets, h_prev), net_gru_bptt(net_model, xs, targets, h_prev))
    assert same_result(gru_bptt(numpy_model, xs, targets), net_gru_bptt(net_model, xs, targets))


def test_reordered_backward_is_caught(monkeypatch):
    """Negative control: (1 − n²) computed as (1 − n)(1 + n) is the same real number, other bits."""
    import rnnport.cells.gru_bptt as module

    source = open(module.__file__, encoding="utf-8").read()
    assert "(1.0 - n * n)" in source
    namespace: dict = {}
    exec(compile(source.replace("(1.0 - n * n)", "((1.0 - n) * (1.0 + n))"), module.__file__, "exec"), namespace)
    w = weights(4, 6, 4, seed=1)
    rng = np.random.default_rng(0)
    xs, targets = rng.normal(size=(20, 4)), rng.integers(0, 4, 20)
    numpy_model, net_model = both(w)
    assert not same_result(namespace["gru_bptt"](numpy_model, xs, targets), net_gru_bptt(net_model, xs, targets))


def test_fast_gradients_are_close():
    w = weights(5, 8, 5, seed=2)
    rng = np.random.default_rng(1)
    xs, targets = rng.normal(size=(40, 5)), rng.integers(0, 5, 40)
    fast, net_model = both(w, "fast")
    a, b = gru_bptt(fast, xs, targets), net_gru_bptt(net_model, xs, targets)
    assert a.loss == pytest.approx(b.loss, rel=1e-13)
    for name, g in a.gradients.parameters().items():
        np.testing.assert_allclose(g, b.gradients.parameters()[name], rtol=1e-9, atol=1e-13)


def test_truncated_training_is_bit_identical():
    """Chunks carry the state; every chunk clips, then an optimiser steps: SGD, then Adagrad, 0 ULP throughout."""
    w = weights(4, 6, 4, seed=5)
    rng = np.random.default_rng(3)
    xs, targets = rng.normal(size=(48, 4)), rng.integers(0, 4, 48)
    numpy_model, net_model = both(w)
    for numpy_opt, net_opt in ((SGD(0.1), dotnet.SGD(0.1)), (Adagrad(0.1), dotnet.Adagrad(0.1))):
        h_np, h_net = numpy_model.h0.copy(), numpy_model.h0.copy()
        for start in range(0, 48, 12):
            chunk, chunk_targets = xs[start:start + 12], targets[start:start + 12]
            a = gru_bptt(numpy_model, chunk, chunk_targets, h_np)
            b = net_gru_bptt(net_model, chunk, chunk_targets, h_net)
            assert same_result(a, b)
            clip_elementwise(a.gradients, 0.5)
            dotnet.clip_elementwise(b.gradients, 0.5)
            assert clip_global_norm(a.gradients, 1.0, numpy_model.kernels) == dotnet.clip_global_norm(b.gradients, 1.0)
            numpy_opt.step(numpy_model, a.gradients)
            net_opt.step(net_model, b.gradients)
            h_np, h_net = a.h_last, b.h_last
        for name, p in numpy_model.parameters().items():
            assert bit_identical(p, net_model.parameters()[name]), name


@pytest.mark.parametrize("xs, targets, h_prev, error, message", [
    (np.zeros((3, 4)), [0, 1, 9], None, ValueError, "targets[2] = 9 is outside the vocabulary [0, 4)"),
    (np.zeros((0, 4)), np.zeros(0, dtype=int), None, ValueError,
     "the loss needs a sequence of at least one step, got T=0"),
    (np.zeros((2, 3)), [0, 1], None, ValueError, "xs has shape (2, 3), expected (T, 4)"),
    (np.zeros((2, 4)), [0, 1], np.zeros(5), ValueError, "h_prev has shape (5,), expected (6,)"),
    (np.zeros((2, 4)), [0, 1], [0, np.nan, 0, 0, 0, 0], ValueError, "h_prev must be finite, but element (1,) is nan"),
    (np.zeros((2, 4)), [0.5, 1], None, TypeError, "targets must be integers"),
])
def test_bptt_refuses_bad_arguments_alike(xs, targets, h_prev, error, message):
    """The same refusal, with NumPy's message, from both BPTTs; neither model changes."""
    w = weights(4, 6, 4, seed=9)
    numpy_model, net_model = both(w)
    for model, backprop in ((numpy_model, gru_bptt), (net_model, net_gru_bptt)):
        before = model.h
        with pytest.raises(error) as info:
            backprop(model, xs, targets, h_prev)
        assert str(info.value).startswith(message), str(info.value)
        assert bit_identical(model.h, before)


def test_bridge_hands_back_numpy_layout():
    """DotNetGRU's getters and gradients come back as the NumPy arrays they were made from, bit for bit."""
    w = weights(3, 5, 2, seed=4)  # I, H, O and 3H all different: a missing transpose cannot hide
    numpy_model, net_model = both(w)
    for name, value in numpy_model.parameters().items():
        assert bit_identical(net_model.parameters()[name], value), name
    assert bit_identical(net_model.h0, w["h0"])


def test_bptt_refuses_a_non_finite_forward_pass_alike():
    """z = 1 keeps h = (1, 1), and W_hy = 1e308 overflows the output: forward's message from both BPTTs."""
    H = 2
    W_ih = np.zeros((3 * H, 2))
    W_ih[H:2 * H] = 1000.0
    w = dict(W_ih=W_ih, W_hh=np.zeros((3 * H, H)), W_hy=np.full((2, H), 1e308), h0=np.ones(H),
             b_ih=None, b_hh=None, b_y=None)
    for model, backprop in zip(both(w), (gru_bptt, net_gru_bptt)):
        message = r"^forward: the output at step 0 is not finite \(element 0 is inf\)"
        with pytest.raises(FloatingPointError, match=message):
            backprop(model, np.ones((3, 2)), [0, 1, 0])
