"""The NumPy LSTM alone: a plain-Python reference of the spec, fast against exact, state and bad input."""
from __future__ import annotations

import math

import numpy as np
import pytest

from rnnport.cells.lstm import LSTM, sigmoid
from rnnport.numerics.kernels import EXACT, FAST


def make_lstm_case(I: int, H: int, O: int, T: int, seed: int, biases: bool = True, states: bool = True):
    """Weights, initial states and inputs, seeded; scaled so that the gates neither saturate nor vanish."""
    rng = np.random.default_rng(seed)
    args = dict(W_ih=rng.normal(size=(4 * H, I)) / math.sqrt(I), W_hh=rng.normal(size=(4 * H, H)) / math.sqrt(H),
                W_hy=rng.normal(size=(O, H)))
    if states:
        args.update(h0=rng.uniform(-0.9, 0.9, H), c0=rng.normal(size=H))
    if biases:
        args.update(b_ih=rng.normal(size=4 * H) * 0.5, b_hh=rng.normal(size=4 * H) * 0.5, b_y=rng.normal(size=O))
    return args, rng.normal(size=(T, I))


def _seq(ws, vs) -> float:
    acc = 0.0  # from +0.0, one rounding per product and per addition, in index order
    for w, v in zip(ws, vs):
        acc = acc + w * v
    return acc


def _sig(z: float) -> float:
    try:
        e = math.exp(-z)
    except OverflowError:
        e = math.inf
    return 1.0 / (1.0 + e)


def reference_forward(args: dict, xs: np.ndarray):
    """docs/exact-mode.md's LSTM rows in plain Python loops: written from the spec, not from the class."""
    W_ih, W_hh, W_hy = (args[n].tolist() for n in ("W_ih", "W_hh", "W_hy"))
    H = len(W_hh[0])
    h, c = list(args.get("h0", np.zeros(H))), list(args.get("c0", np.zeros(H)))
    b_ih, b_hh, b_y = args.get("b_ih"), args.get("b_hh"), args.get("b_y")
    ys, hs, cs = [], [], []
    for x in xs.tolist():
        a = []
        for k in range(4 * H):
            gi = _seq(W_ih[k], x)
            if b_ih is not None:  # an absent bias adds nothing, not +0.0
                gi = gi + b_ih[k]
            gh = _seq(W_hh[k], h)
            if b_hh is not None:
                gh = gh + b_hh[k]
            a.append(gi + gh)
        c = [(_sig(a[H + j]) * c[j]) + (_sig(a[j]) * math.tanh(a[2 * H + j])) for j in range(H)]
        h = [_sig(a[3 * H + j]) * math.tanh(c[j]) for j in range(H)]
        y = [_seq(row, h) if b_y is None else _seq(row, h) + b_y[o] for o, row in enumerate(W_hy)]
        ys.append(y)
        hs.append(h)
        cs.append(c)
    O = len(W_hy)
    return (np.array(ys).reshape(-1, O), np.array(hs).reshape(-1, H), np.array(cs).reshape(-1, H))


SHAPES = [(1, 1, 1), (3, 1, 2), (1, 4, 1), (5, 3, 7), (4, 6, 2)]


@pytest.mark.parametrize("I,H,O", SHAPES)
@pytest.mark.parametrize("biases", [False, True])
def test_exact_mode_is_the_spec_bit_for_bit(I, H, O, biases):
    """Exact mode equals a plain-Python loop of the spec, compared as raw bits (−0.0 ≠ +0.0)."""
    args, xs = make_lstm_case(I, H, O, 6, seed=I * 100 + H * 10 + O, biases=biases)
    ys, hs, cs = LSTM(**args, kernel="exact").forward(xs)
    for got, want in zip((ys, hs, cs), reference_forward(args, xs)):
        assert got.view(np.int64).tolist() == want.view(np.int64).tolist()


def test_reference_detects_swapped_gates():
    """Negative control: the i and f blocks swapped in W_ih and W_hh change the result."""
    args, xs = make_lstm_case(3, 4, 2, 5, seed=3)
    swapped = dict(args)
    for n in ("W_ih", "W_hh", "b_ih", "b_hh"):
        blocks = np.split(args[n], 4)
        swapped[n] = np.concatenate([blocks[1], blocks[0], blocks[2], blocks[3]])
    ys, _, _ = LSTM(**swapped, kernel="exact").forward(xs)
    assert not np.array_equal(ys, reference_forward(args, xs)[0])


@pytest.mark.parametrize("I,H,O", SHAPES)
def test_fast_is_close_to_exact(I, H, O):
    """Fast and exact agree to a few ULP of the operands' size on tame inputs (the bound is in the parity suite)."""
    args, xs = make_lstm_case(I, H, O, 30, seed=7)
    fast, exact = LSTM(**args).forward(xs), LSTM(**args, kernel="exact").forward(xs)
    for f, e in zip(fast, exact):
        np.testing.assert_allclose(f, e, rtol=0, atol=1e-13)


@pytest.mark.parametrize("kernel", ["fast", "exact"])
def test_forward_equals_repeated_steps(kernel):
    args, xs = make_lstm_case(3, 4, 2, 12, seed=5)
    a, b = LSTM(**args, kernel=kernel), LSTM(**args, kernel=kernel)
    ys, hs, cs = a.forward(xs)
    for t in range(len(xs)):
        np.testing.assert_allclose(b.step(xs[t]), ys[t], rtol=0, atol=1e-14)
        np.testing.assert_allclose(b.h, hs[t], rtol=0, atol=1e-14)
        np.testing.assert_allclose(b.c, cs[t], rtol=0, atol=1e-14)
    np.testing.assert_array_equal(a.h, hs[-1]); np.testing.assert_array_equal(a.c, cs[-1])


def test_hand_worked_step():
    """H = I = O = 1, all weights 1, h = c = 0, x = 1: a = 1 for every gate; c = σ(1)·tanh(1), h = σ(1)·tanh(c)."""
    m = LSTM(np.ones((4, 1)), np.ones((4, 1)), np.ones((1, 1)), kernel="exact")
    y = m.step([1.0])
    s = 1.0 / (1.0 + math.exp(-1.0))
    assert m.c[0] == s * math.tanh(1.0)
    assert m.h[0] == s * math.tanh(s * math.tanh(1.0))
    assert y[0] == m.h[0]


@pytest.mark.parametrize("kernel", [FAST, EXACT])
def test_sigmoid_saturates_to_exact_zero_and_one(kernel):
    z = np.array([-1000.0, -750.0, 0.0, 40.0, 1000.0])
    s = sigmoid(z, kernel)
    assert s[0] == 0.0 and s[1] == 0.0 and s[2] == 0.5 and s[3] == 1.0 and s[4] == 1.0


def test_reset_and_state_round_trip():
    args, xs = make_lstm_case(2, 3, 2, 4, seed=1)
    m = LSTM(**args)
    m.forward(xs)
    assert not np.array_equal(m.h, args["h0"])
    m.reset()
    np.testing.assert_array_equal(m.h, args["h0"]); np.testing.assert_array_equal(m.c, args["c0"])
    m.h, m.c = [0.1, 0.2, 0.3], [1.0, 2.0, 3.0]
    np.testing.assert_array_equal(m.c, [1.0, 2.0, 3.0])


def test_getters_are_copies_and_weights_read_only():
    args, _ = make_lstm_case(2, 3, 2, 0, seed=1)
    m = LSTM(**args)
    m.h[:] = np.nan; m.c[:] = np.nan
    assert np.isfinite(m.h).all() and np.isfinite(m.c).all()
    for name in ("W_ih", "W_hh", "W_hy", "b_ih", "b_hh", "b_y", "h0", "c0"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(m, name)[0] = np.nan
    assert set(m.parameters()) == {"W_ih", "W_hh", "W_hy", "b_ih", "b_hh", "b_y"}
    with pytest.raises(ValueError, match="read-only"):
        m.parameters()["W_hy"][0, 0] = 5.0
    m.apply_update({"W_hy": np.full((2, 3), 5.0)})  # the one way to change a weight
    assert m.W_hy[0, 0] == 5.0 and m.parameters()["W_hy"][1, 2] == 5.0
    with pytest.raises(ValueError, match=r"W_hy has shape \(3, 3\), expected \(2, 3\)"):
        m.apply_update({"W_hy": np.zeros((3, 3)), "W_ih": np.zeros((12, 2))})
    assert m.W_hy[0, 0] == 5.0 and m.W_ih[0, 0] == args["W_ih"][0, 0]  # all or nothing


def test_defaults_are_zero_states_and_no_biases():
    m = LSTM(np.ones((8, 3)), np.ones((8, 2)), np.ones((1, 2)))
    np.testing.assert_array_equal(m.h, [0.0, 0.0]); np.testing.assert_array_equal(m.c, [0.0, 0.0])
    assert m.b_ih is None and m.b_hh is None and m.b_y is None
    assert set(m.parameters()) == {"W_ih", "W_hh", "W_hy"}
    assert (m.input_size, m.hidden_size, m.output_size) == (3, 2, 1)


BAD_CONSTRUCTION = [
    (dict(W_hh=np.ones((5, 2))), ValueError, r"W_hh has shape \(5, 2\), expected \(8, 2\)"),
    (dict(W_hh=np.ones(8)), ValueError, r"W_hh has shape \(8,\), expected \(4H, H\)"),
    (dict(W_ih=np.ones((6, 3))), ValueError, r"W_ih has shape \(6, 3\), expected \(8, I\)"),
    (dict(W_hy=np.ones((1, 3))), ValueError, r"W_hy has shape \(1, 3\), expected \(O, 2\)"),
    (dict(h0=np.ones(3)), ValueError, r"h0 has shape \(3,\), expected \(2,\)"),
    (dict(c0=np.ones(1)), ValueError, r"c0 has shape \(1,\), expected \(2,\)"),
    (dict(b_ih=np.ones(4)), ValueError, r"b_ih has shape \(4,\), expected \(8,\)"),
    (dict(b_hh=np.ones(9)), ValueError, r"b_hh has shape \(9,\), expected \(8,\)"),
    (dict(b_y=np.ones(2)), ValueError, r"b_y has shape \(2,\), expected \(1,\)"),
    (dict(c0=[0.0, np.inf]), ValueError, r"c0 must be finite, but element \(1,\) is inf"),
    (dict(b_hh=np.full(8, np.nan)), ValueError, r"b_hh must be finite, but element \(0,\) is nan"),
    (dict(W_ih=np.ones((8, 3), dtype=complex)), TypeError, "W_ih must be an array of real numbers"),
    (dict(W_hh=None), TypeError, "W_hh must be an array of real numbers, not None"),
    (dict(kernel="slow"), ValueError, "unknown kernel 'slow'"),
]


@pytest.mark.parametrize("change,error,message", BAD_CONSTRUCTION)
def test_bad_construction_is_refused(change, error, message):
    args = dict(W_ih=np.ones((8, 3)), W_hh=np.ones((8, 2)), W_hy=np.ones((1, 2)))
    args.update(change)
    with pytest.raises(error, match=message):
        LSTM(**args)


BAD_CALLS = [
    (lambda m: m.step(np.ones(3)), ValueError, r"x has shape \(3,\), expected \(2,\)"),
    (lambda m: m.step([0.0, np.nan]), ValueError, r"x must be finite, but element \(1,\) is nan"),
    (lambda m: m.forward(np.ones((2, 3))), ValueError, r"xs has shape \(2, 3\), expected \(T, 2\)"),
    (lambda m: m.forward(np.ones(2)), ValueError, r"xs has shape \(2,\), expected \(T, 2\)"),
    (lambda m: setattr(m, "h", np.ones(4)), ValueError, r"h has shape \(4,\), expected \(3,\)"),
    (lambda m: setattr(m, "c", [0.0, -np.inf, 0.0]), ValueError, r"c must be finite, but element \(1,\) is -inf"),
    (lambda m: setattr(m, "c", "abc"), TypeError, "c must be an array of real numbers"),
]


@pytest.mark.parametrize("call,error,message", BAD_CALLS)
def test_bad_calls_leave_the_state_unchanged(call, error, message):
    args, xs = make_lstm_case(2, 3, 2, 3, seed=4)
    m = LSTM(**args)
    m.forward(xs)
    h, c = m.h, m.c
    with pytest.raises(error, match=message):
        call(m)
    assert m.h.tobytes() == h.tobytes() and m.c.tobytes() == c.tobytes()


@pytest.mark.parametrize("kernel", ["fast", "exact"])
def test_non_finite_output_is_refused_state_unchanged(kernel):
    """Finite huge W_hy overflows y: FloatingPointError naming the output; h and c stay."""
    args, xs = make_lstm_case(2, 3, 2, 3, seed=4)
    args.update(W_ih=np.zeros((12, 2)), W_hh=np.zeros((12, 3)), b_ih=np.full(12, 10.0), c0=np.ones(3),
                W_hy=np.full((2, 3), 1e308))  # every gate ≈ 1, so h ≈ tanh(2) > 0 and y = Σ 1e308·h overflows
    m = LSTM(**args, kernel=kernel)
    h, c = m.h, m.c
    with pytest.raises(FloatingPointError, match=r"step: the output is not finite \(element 0 is"):
        m.step([1.0, 1.0])
    with pytest.raises(FloatingPointError, match=r"forward: the output at step 0 is not finite"):
        m.forward(xs)
    assert m.h.tobytes() == h.tobytes() and m.c.tobytes() == c.tobytes()


@pytest.mark.parametrize("kernel", ["fast", "exact"])
def test_nan_pre_activation_is_refused_as_the_state(kernel):
    """+inf from the input and −inf from the recurrence make a NaN gate: the state is refused first."""
    W_ih, W_hh = np.full((4, 1), 1e308), np.full((4, 1), -1e308)
    m = LSTM(W_ih, W_hh, np.ones((1, 1)), h0=[10.0], kernel=kernel)
    with pytest.raises(FloatingPointError, match=r"step: the state is not finite \(element 0 is nan\)"):
        m.step([10.0])
    assert m.h.tolist() == [10.0] and m.c.tolist() == [0.0]


def test_without_the_result_check_the_nan_goes_through():
    """Negative control for the two tests above: with the check off, the NaN reaches the state."""
    m = LSTM(np.full((4, 1), 1e308), np.full((4, 1), -1e308), np.ones((1, 1)), h0=[10.0])
    m._check_results = False
    m.step([10.0])
    assert math.isnan(m.h[0])
