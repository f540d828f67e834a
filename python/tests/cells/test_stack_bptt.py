"""Stack BPTT (docs/stacks.md, "BPTT"): finite differences in exact mode for every cell, bidirectional, L = 3,
with and without biases and W_hy; the single cells' BPTT reproduced bit for bit at L = 1, D = 1; negative controls."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport import RNN, RecurrentStack
from rnnport.cells import stack_bptt as module
from rnnport.cells.gru import GRU
from rnnport.cells.gru_bptt import gru_bptt
from rnnport.cells.lstm import LSTM
from rnnport.cells.lstm_bptt import bptt as lstm_bptt
from rnnport.cells.rnn_bptt import bptt as rnn_bptt
from rnnport.cells.stack_bptt import bptt

from test_stack import GATES, H, I, O, torch_parameters

T = 5
TARGET = 1e-6  # the relative error a correct gradient stays under (rnnport.training.gradient_check.TARGET)


def case(cell, nonlinearity="tanh", L=3, bidirectional=True, extras=True, seed=7):
    rng = np.random.default_rng(seed)
    D = 2 if bidirectional else 1
    out = dict(W_hy=rng.normal(size=(O, D * H)) / 2, b_y=rng.normal(size=O) * 0.3) if extras else {}
    m = RecurrentStack(cell, torch_parameters(cell, L, bidirectional, extras, seed), num_layers=L,
                       bidirectional=bidirectional, nonlinearity=nonlinearity, kernel="exact",
                       h0=rng.uniform(-0.8, 0.8, (L * D, H)),
                       c0=rng.uniform(-0.8, 0.8, (L * D, H)) if cell == "lstm" else None, **out)
    return m, rng.normal(size=(T, I)), rng.integers(0, m.output_size, T)


def stack_gradient_check(m, xs, targets, backprop=bptt, samples=3, eps=1e-5, seed=0):
    """The largest relative error |a − n| / max(|a| + |n|, 1e-8) of central differences per parameter, h0 and c0."""
    result = backprop(m, xs, targets)
    analytic = dict(result.gradients.parameters(), h0=result.gradients.h0)
    starts = {"h0": m.h}
    if m.cell == "lstm":
        analytic["c0"], starts["c0"] = result.gradients.c0, m.c
    rng = np.random.default_rng(seed)
    worst = {}
    for name, value in (*m.parameters().items(), *starts.items()):
        errors = []
        for _ in range(samples):
            index = tuple(int(i) for i in rng.integers(0, value.shape))

            def loss(delta):
                changed = value.copy()
                changed[index] += delta
                if name in starts:
                    return backprop(m, xs, targets, **dict(starts, **{name: changed})).loss
                original = value.copy()
                m.apply_update({name: changed})
                try:
                    return backprop(m, xs, targets).loss
                finally:
                    m.apply_update({name: original})

            numeric = (loss(eps) - loss(-eps)) / (2 * eps)
            a = analytic[name][index]
            errors.append(abs(a - numeric) / max(abs(a) + abs(numeric), 1e-8))
        worst[name] = max(errors)
    return worst


@pytest.mark.parametrize("cell, nonlinearity", [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")])
@pytest.mark.parametrize("extras", [True, False], ids=["biases-W_hy", "bare"])
def test_gradients_pass_the_finite_difference_check(cell, nonlinearity, extras):
    """L = 3, bidirectional, exact mode: every parameter's, h0's (and c0's) gradient to < 1e-6."""
    m, xs, targets = case(cell, nonlinearity, extras=extras)
    worst = stack_gradient_check(m, xs, targets)
    names = set(m.parameters()) | {"h0"} | ({"c0"} if cell == "lstm" else set())
    assert set(worst) == names and len(m.parameters()) == (12 + 12 + 2 if extras else 12)  # 3 layers × 2 directions
    assert max(worst.values()) < TARGET, worst


def test_unidirectional_gradients_pass_too():
    m, xs, targets = case("gru", L=2, bidirectional=False)
    assert max(stack_gradient_check(m, xs, targets).values()) < TARGET


def _mutant(old, new):
    source = open(module.__file__, encoding="utf-8").read()
    assert source.count(old) == 1
    namespace: dict = {}
    exec(compile(source.replace(old, new), module.__file__, "exec"), namespace)
    return namespace["bptt"]


@pytest.mark.parametrize("old, new, victims", [
    ("p = t + 1 if d else t - 1", "p = t - 1", ("weight_hh_l0_reverse",)),       # reverse's previous state taken forward
    ("below = dx if below is None else below + dx", "below = dx if below is None else below", ("weight_ih_l0",)),
    ("order = range(T) if d else range(T - 1, -1, -1)", "order = range(T - 1, -1, -1)", ("weight_hh_l2_reverse",)),
])
def test_negative_controls_wrong_backward_passes_fail_the_check(old, new, victims):
    """Each plausible mistake in the stack's backward pass fails the check by orders of magnitude."""
    m, xs, targets = case("lstm")
    worst = stack_gradient_check(m, xs, targets, backprop=_mutant(old, new))
    assert max(worst[v] for v in victims) > 1e-3, worst


@pytest.mark.parametrize("cell, bias", [("rnn", False), ("lstm", True), ("gru", True), ("gru", False)])
def test_one_layer_one_direction_is_the_single_cells_bptt_bit_for_bit(cell, bias):
    rng = np.random.default_rng(8)
    p = torch_parameters(cell, 1, False, bias, seed=8)
    W_hy, b_y, h0, c0 = rng.normal(size=(O, H)), rng.normal(size=O), rng.normal(size=H), rng.normal(size=H)
    xs, targets = rng.normal(size=(T, I)), rng.integers(0, O, T)
    m = RecurrentStack(cell, p, num_layers=1, W_hy=W_hy, b_y=b_y, h0=h0[None],
                       c0=c0[None] if cell == "lstm" else None, kernel="exact")
    got = bptt(m, xs, targets)
    if cell == "rnn":
        single = rnn_bptt(RNN(p["weight_ih_l0"], p["weight_hh_l0"], W_hy, h0, b_y=b_y, kernel="exact"), xs, targets)
        names = {"weight_ih_l0": "W_xh", "weight_hh_l0": "W_hh"}
    else:
        extra = dict(b_ih=p.get("bias_ih_l0"), b_hh=p.get("bias_hh_l0"), b_y=b_y, kernel="exact")
        single = lstm_bptt(LSTM(p["weight_ih_l0"], p["weight_hh_l0"], W_hy, h0, c0, **extra), xs, targets) \
            if cell == "lstm" else gru_bptt(GRU(p["weight_ih_l0"], p["weight_hh_l0"], W_hy, h0, **extra), xs, targets)
        names = {k: v for k, v in {"weight_ih_l0": "W_ih", "weight_hh_l0": "W_hh", "bias_ih_l0": "b_ih",
                                   "bias_hh_l0": "b_hh"}.items() if k in p}
    names.update(W_hy="W_hy", b_y="b_y")
    theirs = single.gradients.parameters()
    assert got.loss == single.loss
    assert set(got.gradients.parameters()) == set(names)
    for ours, their in names.items():
        assert np.array_equal(got.gradients[ours], theirs[their]), ours
    assert np.array_equal(got.gradients.h0[0], single.gradients.h0)
    assert np.array_equal(got.h_n[0], single.h_last)
    if cell == "lstm":
        assert np.array_equal(got.gradients.c0[0], single.gradients.c0) and np.array_equal(got.c_n[0], single.c_last)


def test_bptt_changes_nothing_and_ends_where_forward_does():
    m, xs, targets = case("lstm")
    before = m.h, m.c, {k: v.copy() for k, v in m.parameters().items()}
    result = bptt(m, xs, targets)
    assert np.array_equal(m.h, before[0]) and np.array_equal(m.c, before[1])
    assert all(np.array_equal(m.parameters()[k], v) for k, v in before[2].items())
    _, h_n, c_n = m.forward(xs)
    assert np.array_equal(result.h_n, h_n) and np.array_equal(result.c_n, c_n)


def test_bptt_refuses_bad_arguments():
    m, xs, targets = case("gru", L=1, bidirectional=True)
    with pytest.raises(ValueError, match="xs has shape"):
        bptt(m, xs[:, :2], targets)
    with pytest.raises(ValueError, match=r"targets\[0\] = 99 is outside"):
        bptt(m, xs, np.full(T, 99))
    with pytest.raises(ValueError, match=r"h0 has shape \(1, 4\), expected \(2, 4\)"):
        bptt(m, xs, targets, h0=np.zeros((1, H)))
    with pytest.raises(ValueError, match="c0: only the lstm"):
        bptt(m, xs, targets, c0=np.zeros((2, H)))


def test_the_gradients_serve_the_optimisers():
    """SGD takes the stack's gradients by name and lowers the loss (the names key parameters and gradients alike)."""
    from rnnport.training.optimizers import SGD

    m, xs, targets = case("gru", L=2)
    first = bptt(m, xs, targets)
    SGD(0.05).step(m, first.gradients)
    assert bptt(m, xs, targets).loss < first.loss
    assert len(first.gradients.arrays()) == len(m.parameters()) + 1
    assert GATES["gru"] == 3
