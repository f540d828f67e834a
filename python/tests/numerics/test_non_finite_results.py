"""Non-finite results from finite inputs are refused with FloatingPointError (docs/bad-input.md).

Every case is finite going in and overflows on the way; each check is shown to be needed by a
negative control that turns it off and watches the NaN or ±Inf pass through (or, for the norm, the
gradients silently zeroed). ``parity_tests/test_non_finite_results.py`` runs the same cases through C#.
"""
from __future__ import annotations

import math
import types
import warnings

import numpy as np
import pytest

import rnnport.cells.gradients as gradients_module
import rnnport.numerics.loss as loss_module
import rnnport.training.clipping as clipping_module
from rnnport import RNN
from rnnport.cells.rnn_bptt import Gradients, bptt
from rnnport.numerics.loss import cross_entropy, softmax
from rnnport.training.clipping import clip_global_norm
from rnnport.training.optimizers import SGD, Adagrad
from rnnport.training.sampling import sample

KERNELS = ["fast", "exact"]


@pytest.fixture(autouse=True)
def no_runtime_warnings():
    """Every path here must refuse with an error, never warn: any RuntimeWarning fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_the_warning_fixture_can_fail():
    """Negative control for the fixture: the overflow these cases provoke does warn in bare NumPy."""
    with pytest.raises(RuntimeWarning, match="overflow"):
        np.array([1e308]) * 10.0


def overflowing_relu(kernel: str) -> RNN:
    """The issue's model: ReLU, W_xh = 1e308; an input of 2 overflows the pre-activation to +inf."""
    return RNN(np.full((3, 2), 1e308), 0.5 * np.eye(3), [[1.0, -1.0, 1.0]], activation="relu", kernel=kernel)


def late_overflow(kernel: str) -> RNN:
    """H = I = O = 1, h0 = 1, W_hh = 1e200: the state is 1e200 after step 0 and +inf after step 1."""
    return RNN([[0.0]], [[1e200]], [[1.0]], h0=[1.0], activation="relu", kernel=kernel)


@pytest.mark.parametrize("kernel", KERNELS)
def test_forward_refuses_an_overflowing_state_and_keeps_h(kernel):
    model = overflowing_relu(kernel)
    model.h = [0.25, 0.5, 0.75]
    with pytest.raises(FloatingPointError, match=r"^forward: the state at step 0 is not finite \(element 0 is inf\)$"):
        model.forward(np.full((4, 2), 2.0))
    assert model.h.tolist() == [0.25, 0.5, 0.75]


@pytest.mark.parametrize("kernel", KERNELS)
def test_forward_names_the_first_bad_step(kernel):
    with pytest.raises(FloatingPointError, match=r"^forward: the state at step 1 is not finite \(element 0 is inf\)$"):
        late_overflow(kernel).forward(np.zeros((5, 1)))


@pytest.mark.parametrize("kernel", KERNELS)
def test_forward_names_an_output_when_the_state_is_finite(kernel):
    model = RNN([[0.0]], [[1.0]], [[1e10]], h0=[1e300], activation="relu", kernel=kernel)
    with pytest.raises(FloatingPointError, match=r"^forward: the output at step 0 is not finite \(element 0 is inf\)$"):
        model.forward(np.zeros((2, 1)))
    assert model.h.tolist() == [1e300]


@pytest.mark.parametrize("kernel", KERNELS)
def test_a_tanh_state_of_inf_minus_inf_is_nan(kernel):
    """1e308·2 + 1e308·(−2) is inf − inf = NaN before tanh, and tanh(NaN) is NaN."""
    model = RNN([[1e308, 1e308]], [[0.0]], [[1.0]], kernel=kernel)
    with pytest.raises(FloatingPointError, match=r"^forward: the state at step 0 is not finite \(element 0 is nan\)$"):
        model.forward([[2.0, -2.0]])


def test_a_finite_sum_that_overflows_is_no_false_refusal():
    """The cheap screen sums the states; 1e308 + 1e308 overflows, but every state is finite."""
    model = RNN([[1e308]], [[0.0]], [[0.0]], activation="relu")
    ys, hs = model.forward([[1.0], [1.0]])
    assert hs.ravel().tolist() == [1e308, 1e308] and model.h.tolist() == [1e308]


@pytest.mark.parametrize("kernel", KERNELS)
def test_step_refuses_and_keeps_h(kernel):
    model = late_overflow(kernel)
    model.step([0.0])
    with pytest.raises(FloatingPointError, match=r"^step: the state is not finite \(element 0 is inf\)$"):
        model.step([0.0])
    assert model.h.tolist() == [1e200]


@pytest.mark.parametrize("kernel", KERNELS)
def test_step_names_the_output(kernel):
    model = RNN([[0.0]], [[1.0]], [[1e10]], h0=[1e300], activation="relu", kernel=kernel)
    with pytest.raises(FloatingPointError, match=r"^step: the output is not finite \(element 0 is inf\)$"):
        model.step([0.0])
    assert model.h.tolist() == [1e300]


@pytest.mark.parametrize("kernel", KERNELS)
def test_negative_control_without_the_model_check_inf_passes(kernel):
    model = overflowing_relu(kernel)
    model._check_results = False
    ys, hs = model.forward(np.full((2, 2), 2.0))
    assert np.isinf(hs[0]).all() and not np.isfinite(ys[0]).all()  # (then 0·inf = NaN, which relu hides)
    assert not np.isfinite(model.step([2.0, 2.0])).all() and np.isinf(model.h).all()


@pytest.mark.parametrize("kernel", KERNELS)
def test_loss_names_the_overflowing_term(kernel):
    """log 1 − (−1e308 − 1e308) = +inf at step 1."""
    k = overflowing_relu(kernel).kernels
    with pytest.raises(FloatingPointError, match=r"^loss: the term at step 1 is not finite \(inf\)$"):
        cross_entropy([[0.0, 1.0], [1e308, -1e308]], [0, 1], k)


@pytest.mark.parametrize("kernel", KERNELS)
def test_loss_refuses_a_sum_of_finite_terms_that_overflows(kernel):
    k = overflowing_relu(kernel).kernels
    ys = [[1e308, -7e307], [1e308, -7e307]]  # each term ≈ 1.7e308, their sum +inf
    with pytest.raises(FloatingPointError, match=r"^loss: the sum over steps is not finite \(inf\)$"):
        cross_entropy(ys, [1, 1], k)


def test_negative_control_without_the_loss_check_inf_passes(monkeypatch):
    monkeypatch.setattr(loss_module, "math", types.SimpleNamespace(isfinite=lambda value: True))
    assert cross_entropy([[1e308, -1e308]], [1]) == math.inf


@pytest.mark.parametrize("kernel", KERNELS)
def test_softmax_refuses_a_degenerate_temperature(kernel):
    k = overflowing_relu(kernel).kernels
    with pytest.raises(FloatingPointError, match=r"^softmax: scores / temperature is not finite \(element \(0, 1\) is inf\)$"):
        softmax(np.array([[0.0, 1.0, -1.0]]), 5e-324, k)
    # a tiny temperature that keeps every quotient finite is greedy, not refused
    assert softmax(np.array([0.0, 1.0]), 1e-300, k).tolist() == [0.0, 1.0]


def test_negative_control_without_the_temperature_check_nan_passes(monkeypatch):
    monkeypatch.setattr(loss_module, "refuse_non_finite", lambda array, what: None)
    assert np.isnan(softmax(np.array([1.0, 2.0]), 5e-324)).any()


@pytest.mark.parametrize("kernel", KERNELS)
def test_sample_refuses_a_degenerate_temperature_and_restores_h(kernel):
    model = RNN(0.1 * np.ones((2, 2)), 0.1 * np.eye(2), [[1.0, 0.0], [0.0, 1.0]], h0=[0.5, -0.5], kernel=kernel)
    with pytest.raises(FloatingPointError, match=r"^sample: at draw 0, y / temperature is not finite \(element 0 is inf\)$"):
        sample(model, 0, [0.5, 0.5], temperature=5e-324)
    assert model.h.tolist() == [0.5, -0.5]


def gradient_overflow(kernel: str):
    """Finite forward and loss, infinite gradient: dh = 1e200·1 − 1e200·(−1) = 2e200, dW_xh = 2e200·1e200."""
    model = RNN([[1e-200]], [[0.0]], [[1e200], [-1e200]], activation="relu", kernel=kernel)
    return model, np.array([[1e200]]), [1]


@pytest.mark.parametrize("kernel", KERNELS)
def test_bptt_refuses_an_overflowing_gradient(kernel):
    model, xs, targets = gradient_overflow(kernel)
    with pytest.raises(FloatingPointError, match=r"^bptt: the gradient of W_xh is not finite \(element \(0, 0\) is inf\)$"):
        bptt(model, xs, targets)
    assert model.h.tolist() == [0.0]


def test_negative_control_without_the_gradient_check_inf_passes(monkeypatch):
    monkeypatch.setattr(gradients_module, "refuse_non_finite", lambda array, what: None)
    model, xs, targets = gradient_overflow("fast")
    assert bptt(model, xs, targets).gradients.W_xh[0, 0] == math.inf


def big_gradients() -> Gradients:
    return Gradients(np.array([[1.0]]), np.array([[1e200]]), np.array([[2.0]]), None, None, np.array([0.0]))


def test_clip_global_norm_refuses_an_infinite_norm_and_leaves_the_gradients():
    grads = big_gradients()
    with pytest.raises(FloatingPointError, match=r"^clip: the gradient norm is not finite \(inf\)$"):
        clip_global_norm(grads, 5.0)
    assert [grads.W_xh[0, 0], grads.W_hh[0, 0], grads.W_hy[0, 0]] == [1.0, 1e200, 2.0]


def test_negative_control_without_the_norm_check_the_gradients_are_zeroed(monkeypatch):
    monkeypatch.setattr(clipping_module, "math", types.SimpleNamespace(sqrt=math.sqrt, isfinite=lambda value: True))
    grads = big_gradients()
    clip_global_norm(grads, 5.0)
    assert [grads.W_xh[0, 0], grads.W_hh[0, 0], grads.W_hy[0, 0]] == [0.0, 0.0, 0.0]


def small_model() -> RNN:
    return RNN([[0.5]], [[0.25]], [[-1e308]], b_h=[0.125])


def ones_gradients() -> Gradients:
    return Gradients(np.array([[1.0]]), np.array([[1.0]]), np.array([[1.0]]), np.array([1.0]), None, np.array([0.0]))


def weights(model: RNN) -> list[float]:
    return [float(p[(0,) * p.ndim]) for p in model.parameters().values()]


def test_sgd_refuses_an_infinite_update_and_writes_nothing():
    """SGD(1e308): W_xh and W_hh would be updated first; W_hy = −1e308 − 1e308 = −inf stops it all."""
    model = small_model()
    with pytest.raises(FloatingPointError, match=r"^sgd: the update of W_hy is not finite \(element \(0, 0\) is -inf\)$"):
        SGD(1e308).step(model, ones_gradients())
    assert weights(model) == [0.5, 0.25, -1e308, 0.125]


def test_negative_control_without_the_sgd_check_inf_passes():
    model, optimizer = small_model(), SGD(1e308)
    optimizer._check_results = False
    optimizer.step(model, ones_gradients())
    assert model.W_hy[0, 0] == -math.inf


def test_adagrad_refuses_an_infinite_memory_and_changes_nothing():
    model, optimizer = small_model(), Adagrad(0.1)
    optimizer.step(RNN([[0.5]], [[0.25]], [[1.0]], b_h=[0.125]), ones_gradients())  # a memory of 1 everywhere
    memory = {name: m.copy() for name, m in optimizer.memory.items()}
    grads = ones_gradients()
    grads.W_hh[0, 0] = 1e200  # g² overflows
    with pytest.raises(FloatingPointError, match=r"^adagrad: the memory of W_hh is not finite \(element \(0, 0\) is inf\)$"):
        optimizer.step(model, grads)
    assert weights(model) == [0.5, 0.25, -1e308, 0.125]
    assert {name: m.tolist() for name, m in optimizer.memory.items()} == {name: m.tolist() for name, m in memory.items()}


def test_adagrad_refuses_an_infinite_update_and_creates_no_memory():
    model, optimizer = small_model(), Adagrad(1e308)
    with pytest.raises(FloatingPointError, match=r"^adagrad: the update of W_hy is not finite \(element \(0, 0\) is -inf\)$"):
        optimizer.step(model, ones_gradients())
    assert weights(model) == [0.5, 0.25, -1e308, 0.125] and optimizer.memory == {}


def test_negative_control_without_the_adagrad_check_inf_passes():
    model, optimizer = small_model(), Adagrad(1e308)
    optimizer._check_results = False
    optimizer.step(model, ones_gradients())
    assert model.W_hy[0, 0] == -math.inf


def test_a_step_whose_screen_overflows_is_no_false_refusal():
    """The step's screen is h·h + y·y; 1e200² overflows, but the state and output are finite."""
    model = RNN([[1e200]], [[0.0]], [[1.0]], activation="relu")
    assert model.step([1.0]).tolist() == [1e200] and model.h.tolist() == [1e200]


def test_the_command_line_refuses_a_degenerate_temperature_in_one_line(tmp_path, capsys):
    from rnnport.cli.main import main
    from rnnport.io.model_file import Vocabulary, save

    model = tmp_path / "chars.npz"
    save(model, RNN(0.1 * np.ones((2, 2)), 0.1 * np.eye(2), np.eye(2)), Vocabulary("ab"))
    assert main(["sample", str(model), "--temperature", "5e-324"]) == 2
    assert capsys.readouterr().err == "rnnport sample: sample: at draw 0, y / temperature is not finite (element 0 is inf)\n"


def test_gradient_check_restores_the_weight_when_a_perturbed_loss_is_refused():
    """W_hy = ±(MAX − ε-scale): the +ε perturbation of W_hy[0, 0] overflows the loss term."""
    from rnnport.training.gradient_check import gradient_check

    big = np.finfo(np.float64).max
    model = RNN([[1.0]], [[0.0]], [[big * 0.5], [-big * 0.5]], activation="relu")
    before = {name: p.copy() for name, p in model.parameters().items()}
    with pytest.raises(FloatingPointError):
        gradient_check(model, np.array([[1.0]]), [1], eps=big * 0.25, samples=1)
    assert all(np.array_equal(before[name], p) for name, p in model.parameters().items())
