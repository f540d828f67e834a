"""The NumPy GRU: the spec's operation order, step/forward agreement, the fast-mode bound, bad input."""
from __future__ import annotations

import math

import numpy as np
import pytest

from rnnport.cells.gru import GRU
from rnnport.verify.gru_bounds import gru_output_bound, gru_state_bound
from rnnport.verify.ulp import bit_identical


def gru_case(I=3, H=4, O=2, T=9, seed=0, biases=True):
    """NumPy-layout weights (3H, I), (3H, H), (O, H), h0 and T inputs; biases when asked."""
    rng = np.random.default_rng(seed)
    w = {"W_ih": rng.normal(size=(3 * H, I)) / math.sqrt(I), "W_hh": rng.normal(size=(3 * H, H)) / math.sqrt(H),
         "W_hy": rng.normal(size=(O, H)) / math.sqrt(H), "h0": rng.uniform(-0.9, 0.9, H)}
    if biases:
        w |= {"b_ih": rng.normal(size=3 * H) * 0.3, "b_hh": rng.normal(size=3 * H) * 0.3, "b_y": rng.normal(size=O)}
    return w, rng.normal(size=(T, I))


def make(w, kernel="fast"):
    return GRU(w["W_ih"], w["W_hh"], w["W_hy"], w["h0"], b_ih=w.get("b_ih"), b_hh=w.get("b_hh"),
               b_y=w.get("b_y"), kernel=kernel)


def spec_step(w, x, h):
    """docs/exact-mode.md's GRU order written out with Python floats, one operation at a time."""
    H = len(h)

    def seq(row, v):
        acc = 0.0
        for a, b in zip(row, v):
            acc = acc + a * b
        return acc

    def sigma(a):
        try:
            return 1.0 / (1.0 + math.exp(-a))
        except OverflowError:
            return 0.0

    def affine(W, v, b):  # an absent bias adds nothing (not even +0.0)
        sums = [seq(W[k].tolist(), v) for k in range(W.shape[0])]
        return sums if b is None else [s + float(b[k]) for k, s in enumerate(sums)]

    gi, gh = affine(w["W_ih"], x, w.get("b_ih")), affine(w["W_hh"], h, w.get("b_hh"))
    out = []
    for j in range(H):
        r = sigma(gi[j] + gh[j])
        z = sigma(gi[H + j] + gh[H + j])
        n = math.tanh(gi[2 * H + j] + r * gh[2 * H + j])
        out.append((1.0 - z) * n + z * h[j])
    return np.array(affine(w["W_hy"], out, w.get("b_y"))), np.array(out)


@pytest.mark.parametrize("biases", [True, False])
@pytest.mark.parametrize("sizes", [(3, 4, 2), (1, 1, 1), (5, 2, 7)])
def test_exact_kernel_is_the_spec_bit_for_bit(biases, sizes):
    """Exact mode equals a scalar transcription of the spec, bits and all, step after step."""
    w, xs = gru_case(*sizes, T=6, biases=biases)
    model = make(w, "exact")
    ys, hs = model.forward(xs)
    h = w["h0"].tolist()
    for t, x in enumerate(xs):
        y, h_next = spec_step(w, x.tolist(), h)
        assert bit_identical(hs[t], h_next) and bit_identical(ys[t], y), t
        h = h_next.tolist()


def test_spec_transcription_detects_a_changed_order():
    """Negative control for the test above: h' = n + z·(h − n) (torch's order) is not the spec's bits."""
    w, xs = gru_case(4, 16, 3, T=30)
    model = make(w, "exact")
    _, hs = model.forward(xs)
    # the same model, with the last line reordered: the bits differ somewhere
    model.reset()
    import rnnport.cells.gru as module

    original = GRU.cell
    try:
        def torch_order(self, gi, h, whh_h):
            H = self.hidden_size
            gh = whh_h + self.b_hh
            r = module.gru_sigmoid(gi[:H] + gh[:H], True)
            z = module.gru_sigmoid(gi[H:2 * H] + gh[H:2 * H], True)
            n = self.kernels.tanh(gi[2 * H:] + r * gh[2 * H:])
            return (h - n) * z + n
        GRU.cell = torch_order
        _, other = model.forward(xs)
    finally:
        GRU.cell = original
    assert np.allclose(hs, other, rtol=0, atol=1e-14) and not bit_identical(hs, other)


@pytest.mark.parametrize("kernel", ["fast", "exact"])
def test_step_equals_forward(kernel):
    """Row t of forward is the t-th step's output and state (exact: bit for bit; fast: up to BLAS's
    gemm-versus-gemv rounding, a few ULP, as for the RNN); the state ends at the last row."""
    w, xs = gru_case()
    a, b = make(w, kernel), make(w, kernel)
    ys, hs = a.forward(xs)
    tolerance = 0.0 if kernel == "exact" else 1e-14
    for t, x in enumerate(xs):
        y = b.step(x)
        np.testing.assert_allclose(y, ys[t], rtol=0, atol=tolerance)
        np.testing.assert_allclose(b.h, hs[t], rtol=0, atol=tolerance)
    np.testing.assert_array_equal(a.h, hs[-1])


@pytest.mark.parametrize("biases", [True, False])
def test_fast_within_the_derived_bound_of_exact(biases):
    """Fast mode (BLAS, SIMD exp/tanh) stays within gru_state_bound/gru_output_bound of exact, free-running."""
    w, xs = gru_case(16, 32, 8, T=300, biases=biases)
    ys_f, hs_f = make(w).forward(xs)
    ys_e, hs_e = make(w, "exact").forward(xs)
    prev_f, prev_e = np.vstack([w["h0"], hs_f[:-1]]), np.vstack([w["h0"], hs_e[:-1]])
    assert np.all(np.abs(hs_f - hs_e) <= gru_state_bound(w["W_ih"], w["W_hh"], w.get("b_ih"), w.get("b_hh"),
                                                        xs, prev_f, prev_e))
    assert np.all(np.abs(ys_f - ys_e) <= gru_output_bound(w["W_hy"], w.get("b_y"), hs_f, hs_e))


def test_bound_catches_a_wrong_gate_order():
    """Negative control: swapping the r and z blocks of both weights puts states far outside the bound."""
    w, xs = gru_case(4, 8, 3, T=20)
    H = 8
    swap = np.r_[H:2 * H, 0:H, 2 * H:3 * H]
    wrong = dict(w, W_ih=w["W_ih"][swap], W_hh=w["W_hh"][swap], b_ih=w["b_ih"][swap], b_hh=w["b_hh"][swap])
    _, hs = make(w, "exact").forward(xs)
    _, hs_wrong = make(wrong).forward(xs)
    prev, prev_wrong = np.vstack([w["h0"], hs[:-1]]), np.vstack([w["h0"], hs_wrong[:-1]])
    bound = gru_state_bound(w["W_ih"], w["W_hh"], w["b_ih"], w["b_hh"], xs, prev, prev_wrong)
    assert np.any(np.abs(hs - hs_wrong) > bound)


def test_shapes_and_sizes():
    w, xs = gru_case(3, 4, 2, T=5)
    model = make(w)
    assert (model.input_size, model.hidden_size, model.output_size) == (3, 4, 2)
    ys, hs = model.forward(xs)
    assert ys.shape == (5, 2) and hs.shape == (5, 4)
    ys, hs = model.forward(np.zeros((0, 3)))
    assert ys.shape == (0, 2) and hs.shape == (0, 4)
    assert list(model.parameters()) == ["W_ih", "W_hh", "W_hy", "b_ih", "b_hh", "b_y"]
    assert list(make({k: v for k, v in w.items() if not k.startswith("b_")}).parameters()) == ["W_ih", "W_hh", "W_hy"]


@pytest.mark.parametrize("change, error, message", [
    (dict(W_hh=np.zeros((12, 5))), ValueError, "W_hh has shape (12, 5), expected (15, 5)"),
    (dict(W_hh=np.zeros((12,))), ValueError, "W_hh has shape (12,), expected (3H, H)"),
    (dict(W_ih=np.zeros((9, 3))), ValueError, "W_ih has shape (9, 3), expected (12, I)"),
    (dict(W_hy=np.zeros((2, 3))), ValueError, "W_hy has shape (2, 3), expected (O, 4)"),
    (dict(h0=np.zeros(3)), ValueError, "h0 has shape (3,), expected (4,)"),
    (dict(b_ih=np.zeros(4)), ValueError, "b_ih has shape (4,), expected (12,)"),
    (dict(b_hh=np.zeros(4)), ValueError, "b_hh has shape (4,), expected (12,)"),
    (dict(b_y=np.zeros(4)), ValueError, "b_y has shape (4,), expected (2,)"),
    (dict(W_hh=np.full((12, 4), np.nan)), ValueError, "W_hh must be finite, but element (0, 0) is nan"),
    (dict(b_hh=np.r_[np.zeros(11), np.inf]), ValueError, "b_hh must be finite, but element (11,) is inf"),
    (dict(W_ih="abc"), TypeError, "W_ih must be an array of real numbers"),
    (dict(b_ih=np.zeros(12, dtype=complex)), TypeError, "b_ih must be an array of real numbers"),
])
def test_constructor_rejections(change, error, message):
    w, _ = gru_case()
    with pytest.raises(error, match=None) as info:
        make(dict(w, **change))
    assert message in str(info.value)


def test_unknown_kernel():
    w, _ = gru_case()
    with pytest.raises(ValueError, match="unknown kernel 'quick'"):
        make(w, "quick")


def test_rejected_calls_leave_the_state_alone():
    w, xs = gru_case()
    model = make(w)
    model.forward(xs[:3])
    before = model.h
    for call, arg, error in ((model.step, np.zeros(4), ValueError), (model.step, [np.nan, 0, 0], ValueError),
                             (model.forward, np.zeros((2, 2)), ValueError), (model.step, None, TypeError),
                             (model.forward, [[0, 0, np.inf]], ValueError)):
        with pytest.raises(error):
            call(arg)
        np.testing.assert_array_equal(model.h, before)
    with pytest.raises(ValueError, match=r"h has shape \(3,\), expected \(4,\)"):
        model.h = np.zeros(3)
    with pytest.raises(ValueError, match="h must be finite"):
        model.h = [0, np.nan, 0, 0]
    np.testing.assert_array_equal(model.h, before)


def test_getters_copy_and_weights_are_read_only():
    w, xs = gru_case()
    model = make(w)
    h = model.h
    h[0] = 99.0
    assert model.h[0] != 99.0
    with pytest.raises(ValueError):
        model.W_hh[0, 0] = 1.0
    with pytest.raises(ValueError):
        model.parameters()["W_hh"][0, 0] = 1.0  # read-only views: apply_update is the one writer
    W_hh = model.W_hh.copy()
    W_hh[0, 0] = 0.5
    model.apply_update({"W_hh": W_hh})
    assert model.W_hh[0, 0] == 0.5 and model.parameters()["W_hh"][0, 0] == 0.5
    with pytest.raises(ValueError, match="has shape"):
        model.apply_update({"W_ih": np.zeros(3)})
    with pytest.raises(ValueError, match="no parameter 'W_xh'"):
        model.apply_update({"W_xh": np.zeros(3)})
    model.forward(xs)
    model.reset()
    np.testing.assert_array_equal(model.h, w["h0"])


def overflowing(kind):
    """A model whose first step overflows: the state (inf − inf in the candidate) or only the output."""
    H = 2
    W_ih, W_hh = np.zeros((3 * H, 2)), np.zeros((3 * H, H))
    W_hy = np.full((1, H), 1e308)
    W_ih[H:2 * H] = 1000.0  # z = 1: h' = h = (1, 1), so y = 2e308 overflows
    if kind == "state":
        W_ih[2 * H:] = 1e308  # gi_n = +inf
        W_hh[2 * H:] = -1e308  # gh_n = −inf, r = σ(0) = 0.5: gi_n + r·gh_n = nan
    return GRU(W_ih, W_hh, W_hy, np.ones(H)), np.ones(2)


@pytest.mark.parametrize("kind, message", [("state", "step: the state is not finite (element 0 is nan)"),
                                           ("output", "step: the output is not finite (element 0 is inf)")])
def test_non_finite_results_are_refused(kind, message):
    model, x = overflowing(kind)
    before = model.h
    with pytest.raises(FloatingPointError) as info:
        model.step(x)
    assert str(info.value) == message
    with pytest.raises(FloatingPointError) as info:
        model.forward(np.vstack([x, x]))
    assert str(info.value) == message.replace("step: the state", "forward: the state at step 0").replace(
        "step: the output", "forward: the output at step 0")
    np.testing.assert_array_equal(model.h, before)


def test_non_finite_check_is_needed():
    """Negative control: with the check off, the NaN state would be committed."""
    model, x = overflowing("state")
    model._check_results = False
    model.step(x)
    assert np.isnan(model.h).any()


def test_sigmoid_saturates_without_error():
    """exp(−a) overflowing gives σ = 0.0 exactly in both modes (no OverflowError, no warning)."""
    from rnnport.cells.gru import gru_sigmoid

    a = np.array([-800.0, -709.0, 0.0, 800.0])
    for exact in (True, False):
        s = gru_sigmoid(a, exact)
        assert s[0] == 0.0 and 0.0 < s[1] < 1e-300 and s[2] == 0.5 and s[3] == 1.0
