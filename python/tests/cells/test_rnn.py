"""The NumPy model alone: the hand-worked case, sequences, reset, layout."""
from __future__ import annotations

import math

import numpy as np
import pytest

import rnnport
from rnnport import RNN
from rnnport.cells.rnn import _relu

from rnnport.verify.cases import make_case

# The C# xunit suite's hand-worked case, in the column convention: each matrix below is the
# transpose of its C# twin (inputWeights = W_xh.T, ...). Step 1, h = 0, x1 = [1, 2]:
#   W_xh @ x1 = [0.5*1 + 0.25*2, -1*1 + 2*2] = [1, 3];  relu → h1 = [1, 3]
#   y1 = W_hy @ h1 = [2*1 + 1*3, 0*1 - 1*3] = [5, -3]
# Step 2, x2 = [-2, 0]: W_hh @ h1 = [1*1 - 0.5*3, 0.5*1 + 1*3] = [-0.5, 3.5];
#   W_xh @ x2 = [-1, 2];  relu([-1.5, 5.5]) = [0, 5.5];  y2 = [5.5, -5.5]
W_XH = np.array([[0.5, 0.25], [-1.0, 2.0]])
W_HH = np.array([[1.0, -0.5], [0.5, 1.0]])
W_HY = np.array([[2.0, 1.0], [0.0, -1.0]])


def test_hand_worked_relu_case():
    """Two relu steps reproduce the hand-worked numbers exactly."""
    model = RNN(W_XH, W_HH, W_HY, activation="relu")
    np.testing.assert_array_equal(model.step([1.0, 2.0]), [5.0, -3.0])
    np.testing.assert_array_equal(model.h, [1.0, 3.0])
    np.testing.assert_array_equal(model.step([-2.0, 0.0]), [5.5, -5.5])
    np.testing.assert_array_equal(model.h, [0.0, 5.5])


def test_hand_worked_tanh_case():
    """One tanh step gives [tanh 1, tanh 3] and its output, computed by hand with math.tanh."""
    model = RNN(W_XH, W_HH, W_HY)
    y = model.step([1.0, 2.0])
    np.testing.assert_allclose(model.h, [math.tanh(1.0), math.tanh(3.0)], rtol=2**-52)
    np.testing.assert_allclose(y, [2 * math.tanh(1.0) + math.tanh(3.0), -math.tanh(3.0)], rtol=2**-51)


def test_state_starts_at_zeros_unlike_the_article():
    """A new model has h == zeros(H) and can step at once."""
    model = make_case(3, 4, 2, T=0, seed=1).numpy_model()
    np.testing.assert_array_equal(model.h, np.zeros(4))
    assert model.step(np.ones(3)).shape == (2,)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("nonzero_h0", [False, True])
@pytest.mark.parametrize("T", [0, 1, 40])
def test_forward_matches_repeated_step(activation, nonzero_h0, T):
    """forward(xs) equals T calls of step, up to BLAS's gemm-versus-gemv rounding (a few ULP)."""
    case = make_case(5, 8, 3, T, seed=2, activation=activation, nonzero_h0=nonzero_h0)
    stepped, sequenced, xs = case.numpy_model(), case.numpy_model(), case.xs
    ys, hs = sequenced.forward(xs)
    assert ys.shape == (T, 3) and hs.shape == (T, 8)
    for t in range(T):
        # Both paths sum ≤ 13 products of magnitude ≤ ~1; 1e-14 absolute is ~50 ULP of 1.0, far
        # below any real difference (a wrong weight or order shows up at 1e-3 or worse).
        np.testing.assert_allclose(ys[t], stepped.step(xs[t]), rtol=0, atol=1e-14)
        np.testing.assert_allclose(hs[t], stepped.h, rtol=0, atol=1e-14)
    np.testing.assert_array_equal(sequenced.h, hs[-1] if T else sequenced.h0)


def test_forward_of_empty_sequence_keeps_state(rnn):
    """T=0 returns (0, O) and (0, H) arrays and leaves h alone."""
    before = rnn.h.copy()
    ys, hs = rnn.forward(np.empty((0, 3)))
    assert ys.shape == (0, 2) and hs.shape == (0, 4)
    np.testing.assert_array_equal(rnn.h, before)


def test_reset_returns_to_h0():
    """reset() puts h back to the h0 given at construction."""
    model = make_case(2, 3, 1, T=0, seed=4, nonzero_h0=True).numpy_model()
    h0 = model.h.copy()
    model.forward(np.ones((4, 2)))
    assert not np.array_equal(model.h, h0)
    model.reset()
    np.testing.assert_array_equal(model.h, h0)


@pytest.mark.parametrize("a, expected", [(-0.0, 0.0), (-1.5, 0.0), (2.5, 2.5), (0.0, 0.0)])
def test_relu_maps_negative_zero_to_positive_zero(a, expected):
    """relu(-0.0) is +0.0, as on the C# side (np.maximum(-0.0, 0.0) would keep -0.0)."""
    out = _relu(np.array([a]))[0]
    assert out == expected and not np.signbit(out)


def test_array_likes_become_float64():
    """Lists and integer arrays are accepted and stored as C-contiguous float64."""
    model = RNN([[1, 0]], np.array([[1]], dtype=np.int32), np.asfortranarray([[1], [2]]))
    assert all(w.dtype == np.float64 and w.flags.c_contiguous for w in (model.W_xh, model.W_hh, model.W_hy))
    assert model.step([1, 0]).dtype == np.float64


def test_constructor_copies_weights():
    """Changing the caller's array afterwards does not change the model."""
    W_hh = np.eye(2)
    model = RNN(np.ones((2, 1)), W_hh, np.ones((1, 2)))
    W_hh[0, 0] = 42.0
    assert model.W_hh[0, 0] == 1.0


def test_state_assignment_is_checked_and_copied(rnn):
    """Assigning h copies a finite (H,) vector; a bad one raises and leaves h alone."""
    new = np.full(4, 0.25)
    rnn.h = new
    new[0] = 42.0
    np.testing.assert_array_equal(rnn.h, np.full(4, 0.25))
    for bad, error in (([0.0] * 5, ValueError), ([0.0, 0.0, np.nan, 0.0], ValueError), (None, TypeError)):
        with pytest.raises(error):
            rnn.h = bad
        np.testing.assert_array_equal(rnn.h, np.full(4, 0.25))


def test_forward_from_starts_at_the_given_state_and_leaves_the_model_state_alone():
    """forward_from(h, xs) is what setting h and running forward gives, without touching h."""
    case = make_case(3, 4, 2, T=6, seed=9)
    model = case.numpy_model()
    model.forward(case.xs[:2])
    state = model.h
    start = np.random.default_rng(9).uniform(-0.5, 0.5, 4)
    ys, hs = model.forward_from(start, case.xs)
    assert np.array_equal(model.h, state)
    reference = case.numpy_model()
    reference.h = start
    expected_ys, expected_hs = reference.forward(case.xs)
    assert np.array_equal(ys, expected_ys) and np.array_equal(hs, expected_hs)
    with pytest.raises(ValueError, match=r"^h has shape \(3,\), expected \(4,\)$"):
        model.forward_from(np.zeros(3), case.xs)


def test_bptt_never_sets_the_model_state():
    """BPTT runs from h_prev through forward_from: a model whose state cannot be set still trains."""
    from rnnport.cells.rnn_bptt import bptt

    class Frozen(RNN):
        h = property(RNN.h.fget, lambda self, value: pytest.fail("bptt set the state"))

    case = make_case(3, 4, 3, T=5, seed=4)
    model = Frozen(*case.weights())
    assert np.isfinite(bptt(model, case.xs, [0, 1, 2, 0, 1], np.full(4, 0.25)).loss)
    with pytest.raises(pytest.fail.Exception):  # negative control: setting the state is caught
        model.h = np.zeros(4)


def test_apply_update_is_the_one_way_to_change_a_parameter():
    """All or nothing: an unknown name or a wrong shape anywhere writes nothing."""
    case = make_case(3, 4, 2, T=1, seed=1)
    model = RNN(*case.weights(), b_h=np.zeros(4))
    before = {name: value.copy() for name, value in model.parameters().items()}
    assert list(before) == ["W_xh", "W_hh", "W_hy", "b_h"]  # PARAMETERS order, b_y off
    for bad, message in (({"W_hh": np.ones((4, 4)), "b_y": np.ones(2)}, r"no parameter 'b_y'"),
                         ({"W_hh": np.ones((4, 4)), "W_xh": np.ones((3, 4))}, r"^W_xh has shape \(3, 4\), expected \(4, 3\)$")):
        with pytest.raises(ValueError, match=message):
            model.apply_update(bad)
        assert all(np.array_equal(model.parameters()[name], value) for name, value in before.items())
    model.apply_update({"b_h": [1.0, 2.0, 3.0, 4.0]})
    assert model.b_h.tolist() == [1.0, 2.0, 3.0, 4.0] and np.array_equal(model.W_hh, before["W_hh"])


def test_the_flat_package_names_still_work():
    """Docs and users write `from rnnport import modelfile, bptt, optim, sampling`: package attributes now."""
    from rnnport import bptt, modelfile, optim, sampling
    from rnnport.cells import rnn_bptt
    from rnnport.io import model_file
    from rnnport.training import optimizers, sampling as sampling_module

    assert (bptt, modelfile, optim, sampling) == (rnn_bptt, model_file, optimizers, sampling_module)
    assert callable(bptt.bptt) and callable(modelfile.load) and callable(modelfile.save)
    assert callable(optim.SGD) and callable(optim.Adagrad) and callable(sampling.sample)
    assert rnnport.RNN is RNN
