"""BPTT, optimisers and sampling: NumPy and C# agree on loss, gradients, carried state and weights.

These are the trainers' parts, one at a time; test_trainer_parity.py runs the two library trainers
themselves (rnnport.training.char_model.train and RnnPort.CharTrainer) step for step.

Bounds. Unlike one forward step, a gradient is a long chain: T steps back through W_hhᵀ, each a
dot product of length ≤ n = max(I, H, O) and a few element-wise operations, and the two sides also
use different exp/log/tanh implementations (NumPy's SIMD ones against the C library's). First-order
error propagation through such a chain gives a normwise bound

    max|g_numpy − g_csharp| ≤ C · T · n · u · max|g|,     u = 2⁻⁵³,

where C collects the per-step operation count; we state C = 16 (each step has fewer than 8 rounded
operations on the path of any contribution, and there are two sides). It is a first-order bound,
not a rigorous one. Measured with OpenBLAS: gradients agree to 1.1e-15 normwise against a bound of
1.3e-12; after 20 clipped SGD updates the weights agree to 3e-16, after 20 Adagrad updates to 2.9e-12
(Adagrad amplifies, see the test). A wrong gradient (a missing derivative, a wrong clip threshold)
moves max|g| by a relative 10⁻² or more, far above it.
"""
from __future__ import annotations

import numpy as np
import pytest

from rnnport import RNN, bptt as numpy_bptt, dotnet, optim, sampling
from rnnport.training import clipping as numpy_clipping
from rnnport.verify.cases import make_case

U = 2.0 ** -53
C = 16.0


def normwise_bound(T: int, n: int, reference: np.ndarray) -> float:
    """C · T · n · u · max|reference| (see the module docstring)."""
    return C * T * n * U * float(np.abs(reference).max(initial=0.0))


def assert_close(name: str, a: np.ndarray, b: np.ndarray, T: int, n: int, amplification: float = 1.0) -> None:
    """Fail naming the array, the worst element, both values and the bound (times ``amplification``)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, f"{name}: shapes {a.shape} and {b.shape}"
    bound = normwise_bound(T, n, a) * amplification
    diff = np.abs(a - b)
    worst = np.unravel_index(diff.argmax(), diff.shape) if diff.size else ()
    assert not diff.size or diff.max() <= bound, (
        f"{name}{list(worst)}: NumPy {a[worst]!r}, C# {b[worst]!r}, |Δ| {diff.max():.3e} > bound {bound:.3e}")


def char_models(activation="tanh", biases=True, seed=21, V=11, H=24, T=30):
    """The same char-style model on both sides, a one-hot sequence and its targets."""
    case = make_case(V, H, V, T, seed=seed, activation=activation, nonzero_h0=True)
    rng = np.random.default_rng(seed)
    extra = {"b_h": rng.normal(size=H) * 0.1, "b_y": rng.normal(size=V) * 0.1} if biases else {}
    indices = rng.integers(0, V, T + 1)
    xs = np.eye(V)[indices[:-1]]
    return (RNN(*case.weights(), activation=activation, **extra),
            dotnet.DotNetRNN(*case.weights(), activation=activation, **extra), xs, indices[1:])


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("biases", [False, True])
def test_loss_gradients_and_state_agree(activation, biases):
    """Loss, every parameter gradient, dh0 and the final state agree within the normwise bound."""
    py, cs, xs, targets = char_models(activation, biases)
    a, b = numpy_bptt.bptt(py, xs, targets), dotnet.bptt(cs, xs, targets)
    T, n = xs.shape[0], 24
    assert abs(a.loss - b.loss) <= C * T * n * U * a.loss
    assert a.gradients.parameters().keys() == b.gradients.parameters().keys()
    for name, g in a.gradients.parameters().items():
        assert_close(name, g, b.gradients.parameters()[name], T, n)
    assert_close("dh0", a.gradients.h0, b.gradients.h0, T, n)
    assert_close("h_last", a.h_last, b.h_last, T, n)


def test_truncated_chunks_carry_the_same_state():
    """Three chunks of truncated BPTT: the state carried between chunks agrees on both sides."""
    py, cs, xs, targets = char_models(T=60)
    h_py = h_cs = None
    for chunk in range(3):
        part = slice(20 * chunk, 20 * (chunk + 1))
        a = numpy_bptt.bptt(py, xs[part], targets[part], h_py)
        b = dotnet.bptt(cs, xs[part], targets[part], h_cs)
        assert_close(f"chunk {chunk} W_hh gradient", a.gradients.W_hh, b.gradients.W_hh, 20, 24)
        assert_close(f"chunk {chunk} carried state", a.h_last, b.h_last, 20 * (chunk + 1), 24)
        h_py, h_cs = a.h_last, b.h_last


def run_training(py_side: bool, model, xs, targets, optimizer, K: int, clip: float, clip_norm: float):
    """K steps of bptt → clip → optimiser on one side; returns the loss history."""
    run, clipping = (numpy_bptt.bptt, numpy_clipping) if py_side else (dotnet.bptt, dotnet)
    losses, h = [], None
    for k in range(K):
        part = slice(10 * (k % 3), 10 * (k % 3) + 10)
        result = run(model, xs[part], targets[part], h)
        clipping.clip_elementwise(result.gradients, clip)
        clipping.clip_global_norm(result.gradients, clip_norm)
        optimizer.step(model, result.gradients)
        losses.append(result.loss)
        h = result.h_last
    return np.array(losses)


@pytest.mark.parametrize("kind", ["SGD", "Adagrad"])
def test_weights_and_losses_agree_after_k_optimiser_steps(kind):
    """After 20 steps with element-wise (0.5) and global-norm (2.0) clipping, weights and losses agree."""
    py, cs, xs, targets = char_models()
    K = 20
    losses_py = run_training(True, py, xs, targets, getattr(optim, kind)(0.1), K, 0.5, 2.0)
    losses_cs = run_training(False, cs, xs, targets, getattr(dotnet, kind)(0.1), K, 0.5, 2.0)
    # Adagrad divides by sqrt(m + eps) ≥ sqrt(eps) = 1e-4, so an absolute difference in a small
    # gradient element reaches the weights amplified up to lr/sqrt(eps) = 1000 times (SGD: lr = 0.1).
    amplification = 1.0 if kind == "SGD" else 0.1 / np.sqrt(1e-8)
    assert_close("loss history", losses_py, losses_cs, 10 * K, 24, amplification)
    for name, w in py.parameters().items():
        assert_close(name, w, cs.parameters()[name], 10 * K, 24, amplification)


def test_samples_with_the_same_uniforms_are_identical_strings():
    """Given the same uniforms, both sides generate the same characters at three temperatures."""
    py, cs, _, _ = char_models(T=0)
    vocabulary = "abcdefghij "
    uniforms = np.random.default_rng(5).random(300)
    for temperature in (0.5, 1.0, 1.5):
        a = "".join(vocabulary[i] for i in sampling.sample(py, 3, uniforms, temperature))
        b = "".join(vocabulary[i] for i in dotnet.sample(cs, 3, uniforms, temperature))
        assert a == b


def test_negative_control_missing_tanh_derivative_is_detected(monkeypatch):
    """A NumPy BPTT without the tanh derivative disagrees with C# far beyond the bound."""
    import rnnport.cells.rnn_bptt as module

    source = open(module.__file__, encoding="utf-8").read()
    assert source.count("(1.0 - h_t * h_t) * dh") == 1  # the mutation below must change something
    namespace: dict = {}
    exec(compile(source.replace("(1.0 - h_t * h_t) * dh", "dh"), module.__file__, "exec"), namespace)
    py, cs, xs, targets = char_models()
    wrong, right = namespace["bptt"](py, xs, targets), dotnet.bptt(cs, xs, targets)
    with pytest.raises(AssertionError, match="W_hh"):
        assert_close("W_hh", wrong.gradients.W_hh, right.gradients.W_hh, xs.shape[0], 24)


def test_negative_control_wrong_clip_threshold_is_detected():
    """Clipping at 0.5 on one side and 0.45 on the other is caught in the weights after K steps."""
    py, cs, xs, targets = char_models()
    run_training(True, py, xs, targets, optim.SGD(0.1), 5, 0.5, 1e9)
    run_training(False, cs, xs, targets, dotnet.SGD(0.1), 5, 0.45, 1e9)
    with pytest.raises(AssertionError):
        for name, w in py.parameters().items():
            assert_close(name, w, cs.parameters()[name], 50, 24)


@pytest.mark.parametrize("writer", ["numpy", "csharp"])
def test_model_file_written_by_one_side_loads_in_the_other(tmp_path, writer):
    """Save in one language, load in the other: weights bit-identical, predictions within bound."""
    from rnnport import modelfile
    from rnnport.training.vocabulary import Vocabulary

    py, cs, xs, _ = char_models()
    path = tmp_path / "model.npz"
    vocabulary = Vocabulary("abcdefghij ")
    if writer == "numpy":
        modelfile.save(path, py, vocabulary, {"hidden_size": 24})
        loaded = dotnet.load_model(path)
    else:
        dotnet.save(path, cs, vocabulary, {"hidden_size": 24})
        loaded = modelfile.load(path)
    assert loaded.vocabulary == vocabulary and loaded.hyperparameters == {"hidden_size": 24}
    assert loaded.model.activation == py.activation
    for name, w in py.parameters().items():
        assert np.array_equal(loaded.model.parameters()[name], w), name
    assert np.array_equal(loaded.model.h0, py.h0)
    reference = py.forward(xs)[0]
    assert_close("outputs", reference, loaded.model.forward(xs)[0], xs.shape[0], 24)
