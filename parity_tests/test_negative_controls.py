"""Negative controls: broken ports that the parity suite must catch. Each proves a test can fail."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport.verify.cases import make_case
from rnnport.verify.compare import compare


@pytest.mark.parametrize("mode", ["teacher-forced", "free-running"])
def test_weights_without_transpose_are_detected(DotNetRNN, mode):
    """Square W_hh passed as if it were already in C# layout (a forgotten .T) breaks parity."""
    case = make_case(6, 6, 6, 20, seed=11)  # square everywhere, so the shapes cannot reveal it
    wrong = DotNetRNN(case.W_xh.T, case.W_hh.T, case.W_hy.T)
    state, _ = compare(case.numpy_model(), wrong, case.xs, mode)
    assert state.violation is not None and state.violation.step == 0


@pytest.mark.parametrize("mode", ["teacher-forced", "free-running"])
def test_relative_1e12_perturbation_is_detected(DotNetRNN, mode):
    """One input weight moved by a relative 1e-12 is out of bound, though rtol=1e-7 would pass it."""
    case = make_case(4, 8, 3, 50, seed=12)
    W_xh = case.W_xh.copy()
    i, j = np.unravel_index(np.abs(W_xh).argmax(), W_xh.shape)
    W_xh[i, j] *= 1 + 1e-12
    state, output = compare(case.numpy_model(), DotNetRNN(W_xh, case.W_hh, case.W_hy), case.xs, mode)
    assert state.violation is not None and state.violation.element == i, state.violation
    assert all(word in state.describe() for word in ("state[t=", f"i={i}]", "A=", "B=", "ULP", "bound"))
    reference, _ = case.numpy_model().forward(case.xs)
    perturbed, _ = DotNetRNN(W_xh, case.W_hh, case.W_hy).forward(case.xs)
    np.testing.assert_allclose(perturbed, reference, rtol=1e-7)  # the loose tolerance sees nothing
