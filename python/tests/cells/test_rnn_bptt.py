"""The RNN's BPTT: gradient checks, negative controls, truncation, bad sequences."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport import RNN
from rnnport.cells.rnn_bptt import bptt
from rnnport.training.gradient_check import TARGET, gradient_check
from rnnport.verify.cases import make_case


def char_case(activation="tanh", biases=True, seed=3):
    """I = O = 5, H = 7, T = 12, with random integer targets."""
    case = make_case(5, 7, 5, 12, seed=seed, activation=activation, nonzero_h0=True)
    rng = np.random.default_rng(seed)
    extra = {"b_h": rng.normal(size=7) * 0.1, "b_y": rng.normal(size=5) * 0.1} if biases else {}
    model = RNN(*case.weights(), activation=activation, **extra)
    return model, case.xs, rng.integers(0, 5, 12)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("biases", [False, True])
def test_gradients_pass_the_finite_difference_check(activation, biases):
    """Every parameter's and h0's gradient matches central differences to < 1e-6 relative error."""
    model, xs, targets = char_case(activation, biases)
    worst = gradient_check(model, xs, targets, samples=15)
    assert set(worst) == set(model.parameters()) | {"h0"}
    assert max(worst.values()) < TARGET, worst


def test_gradient_check_catches_a_missing_tanh_derivative(monkeypatch):
    """Negative control: BPTT with f′ left out fails the check by orders of magnitude."""
    import rnnport.cells.rnn_bptt as module

    source = open(module.__file__, encoding="utf-8").read()
    assert "(1.0 - h_t * h_t) * dh" in source
    namespace: dict = {}
    exec(compile(source.replace("(1.0 - h_t * h_t) * dh", "dh"), module.__file__, "exec"), namespace)
    monkeypatch.setattr("rnnport.training.gradient_check.bptt", namespace["bptt"])
    model, xs, targets = char_case()
    worst = gradient_check(model, xs, targets, samples=15)
    assert worst["W_hh"] > 1e-3 and worst["W_xh"] > 1e-3, worst


def test_bptt_leaves_model_untouched():
    """Neither the weights nor the state change."""
    model, xs, targets = char_case()
    before = {k: v.copy() for k, v in model.parameters().items()}, model.h.copy()
    bptt(model, xs, targets)
    assert all(np.array_equal(model.parameters()[k], v) for k, v in before[0].items())
    assert np.array_equal(model.h, before[1])


def test_truncated_bptt_carries_state_not_gradient():
    """Chunk 1's final state is forward's; chunk 2's gradients depend on chunk 1 only through it."""
    model, xs, targets = char_case(biases=False)
    first = bptt(model, xs[:6], targets[:6])
    _, hs = model.forward(xs[:6])
    np.testing.assert_array_equal(first.h_last, hs[-1])
    second = bptt(model, xs[6:], targets[6:], first.h_last)
    other_history = bptt(model, xs[6:], targets[6:], first.h_last.copy())
    np.testing.assert_array_equal(second.gradients.W_hh, other_history.gradients.W_hh)
    whole = bptt(model, xs, targets, model.h0)
    assert not np.allclose(whole.gradients.W_hh, first.gradients.W_hh + second.gradients.W_hh)
    assert whole.loss == pytest.approx(first.loss + second.loss, rel=1e-12)


@pytest.mark.parametrize("call, message", [
    (lambda m, xs, t: bptt(m, xs, t[:-1]), r"targets has shape \(11,\), expected \(12,\)"),
    (lambda m, xs, t: bptt(m, xs[:0], t[:0]), "at least one step, got T=0"),
    (lambda m, xs, t: bptt(m, xs, np.full(12, 5)), r"targets\[0\] = 5 is outside the vocabulary \[0, 5\)"),
    (lambda m, xs, t: bptt(m, xs[:, :4], t), r"xs has shape \(12, 4\), expected \(T, 5\)"),
    (lambda m, xs, t: bptt(m, xs, t, np.zeros(3)), r"h_prev has shape \(3,\), expected \(7,\)"),
])
def test_bptt_rejects_bad_sequences(call, message):
    """Mismatched lengths, empty sequences, bad targets and shapes raise ValueError."""
    model, xs, targets = char_case()
    with pytest.raises(ValueError, match=message):
        call(model, xs, targets)
