"""C#'s opt-in fast kernel (``DotNetRNN(kernel="fast")``, ``Kernel.Simd``) against NumPy within the fast-mode bound.

The fast kernel sums each output k ascending with fused multiply-adds and applies TensorPrimitives' vectorised
tanh, so it is neither NumPy's BLAS order nor the exact mode's bits. Its distance from NumPy's fast forward is
bounded per element by ``rnnport.verify.bounds`` (any summation order of a dot product is within γ_n·Σ|p|),
with the vectorised tanh's absolute term ``VECTOR_TANH_ABSOLUTE`` added; free-running, so differences carried
by W_hh from step to step are part of the bound.
"""
from __future__ import annotations

import numpy as np
import pytest

from rnnport.verify.bounds import VECTOR_TANH_ABSOLUTE, output_bound, state_bound
from rnnport.verify.cases import make_case

SHAPES = [(1, 1, 1, 5), (3, 7, 2, 40), (64, 64, 64, 50), (64, 256, 64, 40), (17, 300, 33, 21), (64, 1024, 64, 20)]


def excess(case, ys_a, hs_a, ys_b, hs_b, activation: str) -> float:
    """The largest |a − b| / bound over every state and output element (≤ 1 within the bound)."""
    h0 = case.h0 if case.h0 is not None else np.zeros(case.W_hh.shape[0])
    prev_a, prev_b = np.vstack([h0, hs_a[:-1]]), np.vstack([h0, hs_b[:-1]])
    h_bound = state_bound(case.W_xh, case.W_hh, case.xs, prev_a, prev_b, hs_a, hs_b, activation,
                          tanh_absolute=VECTOR_TANH_ABSOLUTE)
    y_bound = output_bound(case.W_hy, hs_a, hs_b)
    return max(float((np.abs(hs_a - hs_b) / h_bound).max()), float((np.abs(ys_a - ys_b) / y_bound).max()))


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("I, H, O, T", SHAPES, ids=[f"I{i}-H{h}-O{o}-T{t}" for i, h, o, t in SHAPES])
def test_fast_kernel_forward_is_within_the_bound_of_numpy(DotNetRNN, I, H, O, T, activation):
    case = make_case(I, H, O, T, seed=7 * H + I, activation=activation, nonzero_h0=True)
    ys_n, hs_n = case.numpy_model().forward(case.xs)
    fast = DotNetRNN(*case.weights(), activation=activation, kernel="fast")
    ys_f, hs_f = fast.forward(case.xs)

    assert fast.kernel == "fast"
    assert excess(case, ys_n, hs_n, ys_f, hs_f, activation) <= 1.0


def test_fast_kernel_step_matches_its_forward_within_the_bound(DotNetRNN):
    """``step`` with the fast kernel takes the same kernel (one row at a time), within the same bound."""
    case = make_case(16, 96, 8, 30, seed=3, nonzero_h0=True)
    ys_n, hs_n = case.numpy_model().forward(case.xs)
    fast = DotNetRNN(*case.weights(), kernel="fast")
    ys, hs = [], []
    for x in case.xs:
        ys.append(fast.step(x))
        hs.append(fast.h)
    assert excess(case, ys_n, hs_n, np.array(ys), np.array(hs), "tanh") <= 1.0


def test_fast_kernel_really_rounds_differently_from_the_exact_one(DotNetRNN):
    """Negative control: the fast kernel is not the exact one under another name (H = 1024: the orders must differ)."""
    case = make_case(64, 1024, 64, 5, seed=1, nonzero_h0=True)
    _, exact = DotNetRNN(*case.weights()).forward(case.xs)
    _, fast = DotNetRNN(*case.weights(), kernel="fast").forward(case.xs)
    assert not np.array_equal(exact.view(np.int64), fast.view(np.int64))


def test_the_bound_catches_a_weight_moved_by_one_part_in_a_billion(DotNetRNN):
    """Negative control for the bound: a W_hh off by 1e-9 relative (a porting slip far below any visible
    change) takes the fast kernel outside it."""
    case = make_case(64, 256, 64, 40, seed=5, nonzero_h0=True)
    ys_n, hs_n = case.numpy_model().forward(case.xs)
    W_xh, W_hh, W_hy, *rest = case.weights()
    ys_f, hs_f = DotNetRNN(W_xh, W_hh * (1 + 1e-9), W_hy, *rest, kernel="fast").forward(case.xs)
    assert excess(case, ys_n, hs_n, ys_f, hs_f, "tanh") > 1.0


@pytest.mark.parametrize("name", ["Simd", "FAST", 3])
def test_an_unknown_kernel_is_refused_naming_it(DotNetRNN, name):
    case = make_case(2, 3, 1, 1, seed=1)
    model = DotNetRNN(*case.weights())
    with pytest.raises(ValueError, match="unknown kernel"):
        DotNetRNN(*case.weights(), kernel=name)
    with pytest.raises(ValueError, match="unknown kernel"):
        model.kernel = name
    assert model.kernel == "exact"
