"""RecurrentStack (docs/stacks.md): names and order, shapes, refusals that keep nothing, the single cells
reproduced bit for bit at L = 1, D = 1, state carrying, step, layer_outputs and non-finite results."""
from __future__ import annotations

import math

import numpy as np
import pytest

import rnnport
from rnnport import RNN, RecurrentStack
from rnnport.cells.gru import GRU
from rnnport.cells.lstm import LSTM
from rnnport.cells.stack import BIDIRECTIONAL_STEP, parameter_names

I, H, O, T = 5, 4, 3, 6
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def torch_parameters(cell, L, bidirectional, bias=True, seed=0, scale=1.0):
    """Random parameters under torch's names and shapes (written out here, not taken from the code under test)."""
    rng = np.random.default_rng(seed)
    D, G = 2 if bidirectional else 1, GATES[cell]
    out = {}
    for k in range(L):
        for s in ("", "_reverse")[:D]:
            out[f"weight_ih_l{k}{s}"] = rng.uniform(-1, 1, (G * H, I if k == 0 else D * H)) * scale / math.sqrt(H)
            out[f"weight_hh_l{k}{s}"] = rng.uniform(-1, 1, (G * H, H)) * scale / math.sqrt(H)
            if bias:
                out[f"bias_ih_l{k}{s}"] = rng.uniform(-1, 1, G * H) * 0.3
                out[f"bias_hh_l{k}{s}"] = rng.uniform(-1, 1, G * H) * 0.3
    return out


def stack(cell="lstm", L=2, bidirectional=True, bias=True, **kwargs):
    return RecurrentStack(cell, torch_parameters(cell, L, bidirectional, bias), num_layers=L,
                          bidirectional=bidirectional, **kwargs)


def test_the_package_exports_it():
    assert rnnport.RecurrentStack is RecurrentStack is rnnport.cells.RecurrentStack


def test_parameters_are_in_torchs_order_then_the_output_layer():
    """torch's _flat_weights_names for a 2-layer bidirectional module, written out, then W_hy, b_y."""
    m = stack("gru", W_hy=np.zeros((O, 2 * H)), b_y=np.zeros(O))
    expected = []
    for k in (0, 1):
        for s in ("", "_reverse"):
            expected += [f"weight_ih_l{k}{s}", f"weight_hh_l{k}{s}", f"bias_ih_l{k}{s}", f"bias_hh_l{k}{s}"]
    assert list(m.parameters()) == expected + ["W_hy", "b_y"]
    assert list(m.parameters()) == list(parameter_names(2, True, True)) + ["W_hy", "b_y"]
    assert m.parameters()["weight_ih_l1"].shape == (3 * H, 2 * H)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("L, bidirectional", [(1, False), (2, True), (3, False), (3, True)])
def test_forward_shapes(cell, L, bidirectional):
    D = 2 if bidirectional else 1
    m = stack(cell, L, bidirectional)
    xs = np.random.default_rng(1).normal(size=(T, I))
    ys, h_n, c_n = m.forward(xs)
    assert ys.shape == (T, D * H) and h_n.shape == (L * D, H)
    assert (c_n is not None and c_n.shape == (L * D, H)) == (cell == "lstm")
    assert [a.shape for a in m.layer_outputs(xs)] == [(T, D * H)] * L
    assert m.forward(np.zeros((0, I)))[0].shape == (0, D * H)


def _refused(make, message):
    with pytest.raises(ValueError) as caught:
        make()
    assert str(caught.value).startswith(message), str(caught.value)


@pytest.mark.parametrize("change, message", [
    (lambda p: p.pop("weight_hh_l1_reverse"), "weight_hh_l1_reverse: missing"),
    (lambda p: p.update(weight_ih_l2=np.zeros((16, 8))), "weight_ih_l2: not a parameter of a 2-layer bidirectional lstm"),
    (lambda p: p.update(weight_hr_l0=np.zeros((2, 4))), "weight_hr_l0: proj_size > 0"),
    (lambda p: p.pop("bias_hh_l1"), "bias_hh_l1: missing (the biases are all present or all absent)"),
    (lambda p: p.update(weight_ih_l1=np.zeros((16, 5))), "weight_ih_l1 has shape (16, 5), expected (16, 8)"),
    (lambda p: p.update(weight_hh_l0_reverse=np.zeros((16, 5))), "weight_hh_l0_reverse has shape (16, 5), expected (16, 4)"),
    (lambda p: p.update(bias_ih_l0=np.zeros(15)), "bias_ih_l0 has shape (15,), expected (16,)"),
    (lambda p: p["weight_hh_l1"].__setitem__((0, 0), np.nan), "weight_hh_l1 must be finite"),
])
def test_constructor_refusals_name_the_key(change, message):
    parameters = torch_parameters("lstm", 2, True)
    change(parameters)
    _refused(lambda: RecurrentStack("lstm", parameters, num_layers=2, bidirectional=True), message)


def test_unidirectional_refuses_reverse_keys_and_other_arguments():
    p = torch_parameters("gru", 1, True)
    _refused(lambda: RecurrentStack("gru", p, num_layers=1), "weight_ih_l0_reverse: not a parameter of a 1-layer unidirectional")
    q = torch_parameters("gru", 1, False)
    _refused(lambda: RecurrentStack("gru", q, num_layers=1, b_y=np.zeros(3)), "b_y: given without W_hy")
    _refused(lambda: RecurrentStack("gru", q, num_layers=1, W_hy=np.zeros((3, 5))), "W_hy has shape (3, 5), expected (O, 4)")
    _refused(lambda: RecurrentStack("gru", q, num_layers=0), "num_layers must be at least 1")
    _refused(lambda: RecurrentStack("cnn", q, num_layers=1), "unknown cell 'cnn'")
    _refused(lambda: RecurrentStack("gru", q, num_layers=1, nonlinearity="relu"), "nonlinearity 'relu'")
    _refused(lambda: RecurrentStack("rnn", torch_parameters("rnn", 1, False), num_layers=1, nonlinearity="sigmoid"),
             "unknown activation 'sigmoid'")
    _refused(lambda: RecurrentStack("gru", q, num_layers=1, h0=np.zeros((2, H))), "h0 has shape (2, 4), expected (1, 4)")
    _refused(lambda: RecurrentStack("gru", q, num_layers=1, c0=np.zeros((1, H))), "c0: only the lstm")
    _refused(lambda: RecurrentStack("gru", q, num_layers=1, kernel="slow"), "unknown kernel 'slow'")
    with pytest.raises(TypeError, match="weight_ih_l0 must be an array of real numbers"):
        RecurrentStack("gru", dict(q, weight_ih_l0=q["weight_ih_l0"].astype(complex)), num_layers=1)


def test_a_gated_shape_given_as_another_cell_is_refused():
    """GRU-shaped weights (3H rows) read as an LSTM: the shape check names the key, no model."""
    _refused(lambda: RecurrentStack("lstm", torch_parameters("gru", 1, False), num_layers=1),
             "weight_ih_l0 has shape (12, 5), expected (16, I)")


def test_negative_control_the_refusal_checks_are_needed():
    """The unchanged parameters are accepted (so the refusals above are the changes' doing)."""
    assert RecurrentStack("lstm", torch_parameters("lstm", 2, True), num_layers=2, bidirectional=True).num_layers == 2


def test_run_time_refusals_keep_the_state_and_weights():
    m = stack("lstm")
    xs = np.random.default_rng(2).normal(size=(T, I))
    m.forward(xs)
    before = m.h, m.c, {k: v.copy() for k, v in m.parameters().items()}
    for bad, error in ((xs[:, :4], ValueError), (np.where(xs > 1, np.inf, xs), ValueError), (xs.astype(complex), TypeError)):
        with pytest.raises(error, match="xs"):
            m.forward(bad)
    with pytest.raises(ValueError, match=r"h has shape \(3, 4\), expected \(4, 4\)"):
        m.h = np.zeros((3, H))
    with pytest.raises(ValueError, match="weight_hh_l0 has shape"):
        m.apply_update({"weight_ih_l0": np.ones((16, I)), "weight_hh_l0": np.ones((16, 5))})
    with pytest.raises(ValueError, match="no parameter 'W_hy'"):
        m.apply_update({"W_hy": np.ones((2, 2))})
    assert np.array_equal(m.h, before[0]) and np.array_equal(m.c, before[1])
    assert all(np.array_equal(m.parameters()[k], v) for k, v in before[2].items())


def test_step_refuses_a_bidirectional_stack_with_the_spec_message():
    with pytest.raises(ValueError) as caught:
        stack("gru", 1, True).step(np.zeros(I))
    assert str(caught.value) == "step: a bidirectional stack runs whole sequences only; use forward"
    assert BIDIRECTIONAL_STEP == str(caught.value)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_steps_are_forward_bit_for_bit_and_the_state_carries(cell):
    xs = np.random.default_rng(3).normal(size=(T, I))
    a, b = (stack(cell, 3, False, kernel="exact", W_hy=np.eye(O, H)) for _ in range(2))
    ys, h_n, c_n = a.forward(xs)
    stepped = np.array([b.step(x) for x in xs])
    assert np.array_equal(ys, stepped) and np.array_equal(h_n, b.h)
    # torch's out, h = rnn(x, h): two halves from the carried state are the whole
    c = stack(cell, 3, False, kernel="exact", W_hy=np.eye(O, H))
    first, second = c.forward(xs[:2])[0], c.forward(xs[2:])[0]
    assert np.array_equal(np.vstack([first, second]), ys)
    c.reset()
    assert np.array_equal(c.forward(xs)[0], ys)


def test_layer_outputs_change_nothing_and_feed_the_output():
    m = stack("gru", 3, True)
    xs = np.random.default_rng(4).normal(size=(T, I))
    h = m.h
    layers = m.layer_outputs(xs)
    assert np.array_equal(m.h, h)
    ys, h_n, _ = m.forward(xs)
    assert np.array_equal(ys, layers[-1])                  # no W_hy: y_t is the top layer's output
    assert np.array_equal(h_n[4], layers[2][-1, :H])       # layer 2 forward ends at t = T−1
    assert np.array_equal(h_n[5], layers[2][0, H:])        # layer 2 reverse ends at t = 0


def _single(cell, p, W_hy, b_y, h0, c0):
    if cell == "rnn":
        return RNN(p["weight_ih_l0"], p["weight_hh_l0"], W_hy, h0, b_y=b_y, kernel="exact")
    extra = dict(b_ih=p.get("bias_ih_l0"), b_hh=p.get("bias_hh_l0"), b_y=b_y, kernel="exact")
    return LSTM(p["weight_ih_l0"], p["weight_hh_l0"], W_hy, h0, c0, **extra) if cell == "lstm" else \
        GRU(p["weight_ih_l0"], p["weight_hh_l0"], W_hy, h0, **extra)


@pytest.mark.parametrize("cell, bias", [("rnn", False), ("lstm", True), ("lstm", False), ("gru", True), ("gru", False)])
def test_one_layer_one_direction_is_the_single_cell_bit_for_bit(cell, bias):
    """Exact mode: ys and the final states equal the cell's (the RNN without biases: torch's two biases
    cannot be the cell's one b_h bit for bit)."""
    rng = np.random.default_rng(5)
    p = torch_parameters(cell, 1, False, bias)
    W_hy, b_y, h0, c0, xs = rng.normal(size=(O, H)), rng.normal(size=O), rng.normal(size=H), rng.normal(size=H), rng.normal(size=(T, I))
    m = RecurrentStack(cell, p, num_layers=1, W_hy=W_hy, b_y=b_y, h0=h0[None], c0=c0[None] if cell == "lstm" else None,
                       kernel="exact")
    single = _single(cell, p, W_hy, b_y, h0, c0)
    ys, h_n, c_n = m.forward(xs)
    out = single.forward(xs)
    assert np.array_equal(ys, out[0]) and np.array_equal(h_n[0], single.h)
    if cell == "lstm":
        assert np.array_equal(c_n[0], single.c)


def test_negative_control_a_dropped_bias_hh_breaks_the_equality():
    rng = np.random.default_rng(5)
    p = torch_parameters("gru", 1, False, True)
    W_hy, xs = rng.normal(size=(O, H)), rng.normal(size=(T, I))
    m = RecurrentStack("gru", p, num_layers=1, W_hy=W_hy, kernel="exact")
    single = GRU(p["weight_ih_l0"], p["weight_hh_l0"], W_hy, b_ih=p["bias_ih_l0"], kernel="exact")
    assert not np.array_equal(m.forward(xs)[0], single.forward(xs)[0])


def test_fast_and_exact_agree_closely():
    xs = np.random.default_rng(6).normal(size=(T, I))
    fast, exact = stack("lstm", 3, True).forward(xs)[0], stack("lstm", 3, True, kernel="exact").forward(xs)[0]
    assert np.abs(fast - exact).max() < 1e-13


def test_non_finite_results_are_refused_naming_the_step_and_keep_the_state():
    """ReLU with huge weights overflows: FloatingPointError naming the first step, state unchanged."""
    p = torch_parameters("rnn", 2, True, scale=1e300)
    m = RecurrentStack("rnn", p, num_layers=2, bidirectional=True, nonlinearity="relu")
    xs = np.full((T, I), 1e10)
    h = m.h
    with pytest.raises(FloatingPointError, match=r"^forward: the state of layer \d at step \d is not finite"):
        m.forward(xs)
    assert np.array_equal(m.h, h)
    with pytest.raises(FloatingPointError, match=r"^layer_outputs: the state of layer"):
        m.layer_outputs(xs)
    uni = RecurrentStack("rnn", torch_parameters("rnn", 2, False, scale=1e300), num_layers=2, nonlinearity="relu")
    with pytest.raises(FloatingPointError, match=r"^step: the state of layer"):
        uni.step(xs[0])
    assert np.array_equal(uni.h, np.zeros((2, H)))
    # negative control: the same inputs through ordinary weights are finite
    small = RecurrentStack("rnn", torch_parameters("rnn", 2, True), num_layers=2, bidirectional=True, nonlinearity="relu")
    assert np.isfinite(small.forward(xs)[0]).all()
