"""GRU BPTT: finite differences, negative controls, truncation, and the optimisers' contract."""
from __future__ import annotations

import math

import numpy as np
import pytest

from rnnport.cells.gru import GRU
from rnnport.cells.gru_bptt import gru_bptt
from rnnport.training.clipping import clip_elementwise, clip_global_norm
from rnnport.training.gradient_check import TARGET, gradient_check
from rnnport.training.optimizers import SGD, Adagrad


def char_case(biases=True, kernel="fast", seed=3, I=5, H=6, O=5, T=12):
    rng = np.random.default_rng(seed)
    extra = {"b_ih": rng.normal(size=3 * H) * 0.3, "b_hh": rng.normal(size=3 * H) * 0.3,
             "b_y": rng.normal(size=O) * 0.3} if biases else {}
    model = GRU(rng.normal(size=(3 * H, I)) / math.sqrt(I), rng.normal(size=(3 * H, H)) / math.sqrt(H),
                rng.normal(size=(O, H)) / math.sqrt(H), rng.uniform(-0.9, 0.9, H), kernel=kernel, **extra)
    return model, rng.normal(size=(T, I)), rng.integers(0, O, T)


@pytest.mark.parametrize("kernel", ["fast", "exact"])
@pytest.mark.parametrize("biases", [False, True])
def test_gradients_pass_the_finite_difference_check(biases, kernel):
    """Every parameter's and h0's gradient matches central differences to < 1e-6 relative error."""
    model, xs, targets = char_case(biases, kernel)
    worst = gradient_check(model, xs, targets, samples=12, backprop=gru_bptt)
    assert set(worst) == set(model.parameters()) | {"h0"}
    assert max(worst.values()) < TARGET, worst


@pytest.mark.parametrize("wrong, victims", [
    ("(1.0 - n * n)", ("W_ih", "W_hh")),             # the tanh derivative left out
    ("xs[t], prev[t], W_hh_T", ("W_ih", "W_hh")),   # the step given h_t, not h_{t−1}
    ("(da_n * gh_n)", ("W_ih", "W_hh")),             # the reset gate's input
    ("dh * z", ("h0",)),                             # the direct path into h_{t−1}
])
def test_gradient_check_catches_wrong_backward_steps(monkeypatch, wrong, victims):
    """Negative controls: each plausible mistake in the backward pass fails the check by orders of magnitude."""
    import rnnport.cells.gru_bptt as module

    replacement = {"(1.0 - n * n)": "1.0", "xs[t], prev[t], W_hh_T": "xs[t], hs[t], W_hh_T",
                   "(da_n * gh_n)": "(da_n * gh_n * 0.5)", "dh * z": "dh * (1.0 - z)"}[wrong]
    source = open(module.__file__, encoding="utf-8").read()
    assert source.count(wrong) >= 1
    namespace: dict = {}
    exec(compile(source.replace(wrong, replacement), module.__file__, "exec"), namespace)
    model, xs, targets = char_case()
    worst = gradient_check(model, xs, targets, samples=12, backprop=namespace["gru_bptt"])
    assert max(worst[v] for v in victims) > 1e-3, worst


def test_bptt_leaves_the_model_untouched_and_ends_where_forward_does():
    model, xs, targets = char_case()
    before = {k: v.copy() for k, v in model.parameters().items()}, model.h
    result = gru_bptt(model, xs, targets)
    assert all(np.array_equal(model.parameters()[k], v) for k, v in before[0].items())
    assert np.array_equal(model.h, before[1])
    _, hs = model.forward(xs)
    np.testing.assert_array_equal(result.h_last, hs[-1])


def test_truncated_bptt_carries_state_not_gradient():
    """Chunk 2 from chunk 1's final state: the losses add up, the gradients do not (no flow across)."""
    model, xs, targets = char_case()
    first = gru_bptt(model, xs[:6], targets[:6])
    second = gru_bptt(model, xs[6:], targets[6:], first.h_last)
    whole = gru_bptt(model, xs, targets)
    assert whole.loss == pytest.approx(first.loss + second.loss, rel=1e-12)
    joined = first.gradients.W_hh + second.gradients.W_hh
    assert not np.allclose(whole.gradients.W_hh, joined)
    # what crosses the boundary is exactly the chunk-2 h0 gradient, pushed through chunk 1
    assert np.abs(second.gradients.h0).max() > 0


def test_exact_and_fast_gradients_agree_closely():
    fast, xs, targets = char_case(kernel="fast")
    exact, _, _ = char_case(kernel="exact")
    a, b = gru_bptt(fast, xs, targets).gradients, gru_bptt(exact, xs, targets).gradients
    for name, g in a.parameters().items():
        np.testing.assert_allclose(g, b.parameters()[name], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("optimiser", [SGD(0.1), Adagrad(0.1)])
def test_optimisers_update_every_gru_parameter_and_lower_the_loss(optimiser):
    """SGD and Adagrad take GRU gradients through the same contract as the RNN's (parameters() by name)."""
    model, xs, targets = char_case()
    before = {k: v.copy() for k, v in model.parameters().items()}
    losses = []
    for _ in range(20):
        result = gru_bptt(model, xs, targets, model.h0)
        clip_elementwise(result.gradients, 5.0)
        losses.append(result.loss)
        optimiser.step(model, result.gradients)
    assert all(not np.array_equal(model.parameters()[k], v) for k, v in before.items())
    assert losses[-1] < losses[0]


def test_sgd_applies_exactly_p_minus_rate_times_g():
    model, xs, targets = char_case()
    before = {k: v.copy() for k, v in model.parameters().items()}
    g = gru_bptt(model, xs, targets).gradients
    SGD(0.25).step(model, g)
    for name, p in model.parameters().items():
        np.testing.assert_array_equal(p, before[name] - 0.25 * g.parameters()[name])


def test_optimiser_refuses_gradients_of_another_cell():
    """A GRU's gradients without its biases do not fit a GRU with biases: refused, nothing written."""
    model, xs, targets = char_case(biases=True)
    other, _, _ = char_case(biases=False)
    g = gru_bptt(other, xs, targets).gradients
    before = {k: v.copy() for k, v in model.parameters().items()}
    with pytest.raises(ValueError, match="gradients are for"):
        SGD(0.1).step(model, g)
    assert all(np.array_equal(model.parameters()[k], v) for k, v in before.items())


def test_clipping_by_global_norm():
    model, xs, targets = char_case()
    g = gru_bptt(model, xs, targets).gradients
    for a in g.parameters().values():
        a *= 100.0
    assert clip_global_norm(g, 1.0) > 1.0
    assert math.sqrt(sum(float(np.sum(a * a)) for a in g.parameters().values())) == pytest.approx(1.0, rel=1e-14)
