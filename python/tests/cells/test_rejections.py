"""Bad input: typed errors naming the expected and actual shapes, and no change of state."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport import RNN

I, H, O = 3, 4, 2
Z = np.zeros


@pytest.mark.parametrize("args, message", [
    ((Z((H, I)), Z((H, H + 1)), Z((O, H))), "W_hh has shape (4, 5), expected (4, 4)"),
    ((Z((H, I)), Z(H), Z((O, H))), "W_hh has shape (4,), expected (H, H)"),
    ((Z((H + 1, I)), Z((H, H)), Z((O, H))), "W_xh has shape (5, 3), expected (4, I)"),
    ((Z((H, I)), Z((H, H)), Z((O, H - 1))), "W_hy has shape (2, 3), expected (O, 4)"),
    ((Z((H, I)), Z((H, H)), Z((O, H)), Z((1, H))), "h0 has shape (1, 4), expected (4,)"),
    ((Z((H, I)), Z((H, H)), Z((O, H)), Z(H + 1)), "h0 has shape (5,), expected (4,)"),
])
def test_constructor_shape_errors_name_both_shapes(args, message):
    """Each misfit weight raises ValueError naming the expected and actual shapes."""
    with pytest.raises(ValueError) as caught:
        RNN(*args)
    assert str(caught.value) == message


@pytest.mark.parametrize("bad", [
    np.zeros((H, H), dtype=complex), np.array([[object()] * H] * H), "abc", None, [[1.0, 2.0], [3.0]],
])
def test_constructor_rejects_non_real_weights(bad):
    """Complex, object, string, None and ragged weights raise TypeError."""
    with pytest.raises(TypeError, match="W_hh must be an array of real numbers"):
        RNN(Z((H, I)), bad, Z((O, H)))


@pytest.mark.parametrize("which", range(4))
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_constructor_rejects_non_finite(which, value):
    """NaN or ±Inf in any weight or h0 raises ValueError naming the element."""
    args = [np.ones((H, I)), np.ones((H, H)), np.ones((O, H)), np.ones(H)]
    args[which].flat[-1] = value
    with pytest.raises(ValueError, match="must be finite, but element"):
        RNN(*args)


def test_constructor_rejects_unknown_activation():
    """Only 'tanh' and 'relu' are known."""
    with pytest.raises(ValueError, match="unknown activation 'sigmoid': expected 'tanh' or 'relu'"):
        RNN(Z((H, I)), Z((H, H)), Z((O, H)), activation="sigmoid")


@pytest.mark.parametrize("call, error, message", [
    (lambda m: m.step(Z(I - 1)), ValueError, r"x has shape \(2,\), expected \(3,\)"),
    (lambda m: m.step(Z(I + 1)), ValueError, r"x has shape \(4,\), expected \(3,\)"),
    (lambda m: m.step(Z((1, I))), ValueError, r"x has shape \(1, 3\), expected \(3,\)"),
    (lambda m: m.step(np.float64(1.0)), ValueError, r"x has shape \(\), expected \(3,\)"),
    (lambda m: m.step(None), TypeError, "x must be an array of real numbers"),
    (lambda m: m.step(Z(I, dtype=complex)), TypeError, "x must be an array of real numbers"),
    (lambda m: m.step([0.0, np.nan, 0.0]), ValueError, r"x must be finite, but element \(1,\) is nan"),
    (lambda m: m.forward(Z((5, I + 1))), ValueError, r"xs has shape \(5, 4\), expected \(T, 3\)"),
    (lambda m: m.forward(Z(I)), ValueError, r"xs has shape \(3,\), expected \(T, 3\)"),
    (lambda m: m.forward(Z((2, 5, I))), ValueError, r"xs has shape \(2, 5, 3\), expected \(T, 3\)"),
    (lambda m: m.forward(np.array([[0.0] * I, [0.0, 0.0, np.inf]])), ValueError, r"xs must be finite, but element \(1, 2\) is inf"),
    (lambda m: m.forward(np.zeros((2, I), dtype=object)), TypeError, "xs must be an array of real numbers"),
])
def test_rejected_calls_leave_state_unchanged(rnn, call, error, message):
    """Every rejected step/forward raises its typed error and h keeps its exact bytes."""
    before = rnn.h.tobytes()
    with pytest.raises(error, match=message):
        call(rnn)
    assert rnn.h.tobytes() == before
