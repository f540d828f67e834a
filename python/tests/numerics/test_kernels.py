"""The exact kernels do what docs/exact-mode.md says, checked against plain Python loops."""
from __future__ import annotations

import math

import numpy as np
import pytest

from rnnport import RNN
from rnnport.cells.rnn_bptt import bptt
from rnnport.numerics.kernels import EXACT, FAST, kernels
from rnnport.verify.cases import make_case
from rnnport.verify.compare import compare
from rnnport.verify.ulp import bit_identical


def sequential_matvec(A, v):
    """The contract, in plain Python: acc = 0.0; acc = acc + A[j][k] * v[k] for k ascending."""
    out = []
    for row in A.tolist():
        acc = 0.0
        for a, b in zip(row, v.tolist()):
            acc = acc + a * b
        out.append(acc)
    return np.array(out)


@pytest.mark.parametrize("m, n", [(1, 1), (3, 7), (16, 33), (300, 257), (1100, 9), (1, 300), (2, 300)])
def test_exact_matvec_is_the_sequential_loop(m, n):
    """Bit-identical to the plain loop, for one vector and for a batch of rows."""
    rng = np.random.default_rng(m * n)
    A, V = rng.normal(size=(m, n)) * 10 ** rng.uniform(-3, 3, (m, n)), rng.normal(size=(4, n))
    assert bit_identical(EXACT.matvec(A, V[0]), sequential_matvec(A, V[0]))
    assert bit_identical(EXACT.matvec(A, V), np.array([sequential_matvec(A, v) for v in V]))


def test_exact_matvec_starts_from_positive_zero():
    """All-negative-zero products sum to +0.0, as MathNet's `sum = 0.0; sum += …` does."""
    result = EXACT.matvec(np.array([[-0.0, 1.0]]), np.array([1.0, -0.0]))
    assert result[0] == 0.0 and not np.signbit(result[0])


def test_exact_sum_is_left_to_right():
    """1 + 1e16 − 1e16 is 0.0 left to right (the 1 is rounded away), unlike fsum's 1.0."""
    values = np.array([1.0, 1e16, -1e16])
    assert EXACT.sum(values) == 0.0 and math.fsum(values) == 1.0


@pytest.mark.parametrize("name", ["tanh", "exp", "log"])
def test_exact_transcendentals_are_the_c_library(name):
    """Every element equals Python's math function (the C library's) bit for bit."""
    x = np.abs(np.random.default_rng(1).normal(size=2000)) * 3 + 1e-300
    assert bit_identical(getattr(EXACT, name)(x), np.array([getattr(math, name)(v) for v in x]))


def test_unknown_kernel_is_refused():
    """Only 'fast' and 'exact' exist, in kernels() and in RNN(kernel=…)."""
    with pytest.raises(ValueError, match="unknown kernel 'blas'"):
        kernels("blas")
    with pytest.raises(ValueError, match="unknown kernel"):
        RNN(np.zeros((2, 1)), np.zeros((2, 2)), np.zeros((1, 2)), kernel="blas")


@pytest.mark.parametrize("mode", ["teacher-forced", "free-running"])
def test_exact_model_agrees_with_fast_within_bound(mode):
    """Exact and fast NumPy models are two correct implementations: within the parity bound."""
    case = make_case(8, 32, 4, 200, seed=4)
    exact = RNN(*case.weights(), kernel="exact")
    state, output = compare(case.numpy_model(), exact, case.xs, mode)
    assert state.ok and output.ok, (state.describe(), output.describe())


def test_exact_bptt_is_close_to_fast():
    """Exact and fast BPTT give the same loss and gradients to ~1e-13 relative."""
    case = make_case(5, 9, 5, 15, seed=6, nonzero_h0=True)
    targets = np.random.default_rng(6).integers(0, 5, 15)
    fast = bptt(case.numpy_model(), case.xs, targets)
    exact = bptt(RNN(*case.weights(), kernel="exact"), case.xs, targets)
    assert exact.loss == pytest.approx(fast.loss, rel=1e-13)
    for name, g in fast.gradients.parameters().items():
        np.testing.assert_allclose(exact.gradients.parameters()[name], g, rtol=0, atol=1e-13 * np.abs(g).max())
