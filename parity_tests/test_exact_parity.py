"""Exact mode: the NumPy model on its exact kernels and the C# model agree to the bit (0 ULP).

The contract is docs/exact-mode.md. Any difference here, even in the sign of a zero, is a bug.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from rnnport import RNN, bptt, dotnet, optim, sampling
from rnnport.numerics.kernels import ExactKernels
from rnnport.training import clipping
from rnnport.verify.cases import make_case
from rnnport.verify.compare import compare
from rnnport.verify.ulp import bit_identical

SHAPES = [(1, 1, 1, 1), (1, 4, 1, 0), (3, 1, 2, 25), (4, 8, 1, 1000), (16, 32, 8, 200), (8, 512, 4, 300)]


@pytest.mark.parametrize("mode", ["teacher-forced", "free-running"])
@pytest.mark.parametrize("nonzero_h0", [False, True], ids=["h0=0", "h0=rand"])
@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("I, H, O, T", SHAPES, ids=[f"I{i}-H{h}-O{o}-T{t}" for i, h, o, t in SHAPES])
def test_every_timestep_is_bit_identical(DotNetRNN, I, H, O, T, activation, nonzero_h0, mode):
    """States and outputs have the same 64-bit patterns at every step."""
    case = make_case(I, H, O, T, seed=7000 + 1000 * H + 10 * I + O, activation=activation, nonzero_h0=nonzero_h0)
    exact = RNN(*case.weights(), activation=activation, kernel="exact")
    state, output = compare(exact, DotNetRNN(*case.weights(), activation=activation), case.xs, mode, "identical")
    assert state.ok, state.describe()
    assert output.ok, output.describe()


def test_ten_thousand_steps_free_running_are_bit_identical(DotNetRNN):
    """A 10,000-step sequence, each side carrying its own state, never differs by one bit."""
    case = make_case(8, 32, 8, 10_000, seed=10_000, nonzero_h0=True)
    exact = RNN(*case.weights(), kernel="exact")
    state, output = compare(exact, DotNetRNN(*case.weights()), case.xs, "free-running", "identical")
    assert state.ok and output.ok, (state.describe(), output.describe())
    assert state.first_differing_step is None and output.first_differing_step is None


@pytest.mark.parametrize("name", ["Tanh", "Exp", "Log"])
def test_math_functions_are_the_c_library(name):
    """System.Math.Tanh/Exp/Log equal Python's math.tanh/exp/log (the C library's) on 20,000 arguments."""
    import System

    function, reference = getattr(System.Math, name), getattr(math, name.lower())
    rng = np.random.default_rng(3)
    args = np.concatenate([rng.normal(size=10_000) * 5, np.abs(rng.normal(size=10_000)) * 1e3 + 1e-300])
    if name == "Exp":
        args = args.clip(-700, 700)
    values = [abs(float(a)) if name == "Log" else float(a) for a in args]
    assert bit_identical([function(v) for v in values], [reference(v) for v in values])


def char_models(activation="tanh", seed=31, V=9, H=20, T=24):
    """Exact NumPy and C# models with biases, a one-hot sequence and targets."""
    case = make_case(V, H, V, T, seed=seed, activation=activation, nonzero_h0=True)
    rng = np.random.default_rng(seed)
    biases = {"b_h": rng.normal(size=H) * 0.1, "b_y": rng.normal(size=V) * 0.1}
    indices = rng.integers(0, V, T + 1)
    return (RNN(*case.weights(), activation=activation, kernel="exact", **biases),
            dotnet.DotNetRNN(*case.weights(), activation=activation, **biases), np.eye(V)[indices[:-1]], indices[1:])


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_loss_and_every_gradient_are_bit_identical(activation):
    """BPTT: loss, each parameter gradient, dh0 and the final state, to the bit."""
    py, cs, xs, targets = char_models(activation)
    a, b = bptt.bptt(py, xs, targets), dotnet.bptt(cs, xs, targets)
    assert bit_identical(a.loss, b.loss) and bit_identical(a.h_last, b.h_last)
    assert bit_identical(a.gradients.h0, b.gradients.h0)
    for name, g in a.gradients.parameters().items():
        assert bit_identical(g, b.gradients.parameters()[name]), name


@pytest.mark.parametrize("kind", ["SGD", "Adagrad"])
def test_weights_after_k_clipped_updates_are_bit_identical(kind):
    """25 truncated-BPTT updates with element-wise and global-norm clipping: weights and losses to the bit."""
    py, cs, xs, targets = char_models(T=40)
    opt_py, opt_cs = getattr(optim, kind)(0.1), getattr(dotnet, kind)(0.1)
    h_py = h_cs = None
    for k in range(25):
        part = slice(8 * (k % 5), 8 * (k % 5) + 8)
        a = bptt.bptt(py, xs[part], targets[part], h_py)
        b = dotnet.bptt(cs, xs[part], targets[part], h_cs)
        assert bit_identical(a.loss, b.loss), f"loss at update {k}"
        clipping.clip_elementwise(a.gradients, 0.3)
        dotnet.clip_elementwise(b.gradients, 0.3)
        norm_py = clipping.clip_global_norm(a.gradients, 1.0, py.kernels)
        norm_cs = dotnet.clip_global_norm(b.gradients, 1.0)
        assert bit_identical(norm_py, norm_cs), f"gradient norm at update {k}"
        opt_py.step(py, a.gradients)
        opt_cs.step(cs, b.gradients)
        h_py, h_cs = a.h_last, b.h_last
    for name, w in py.parameters().items():
        assert bit_identical(w, cs.parameters()[name]), name


def test_sampling_is_identical():
    """Exact-mode sampling picks the same 500 characters at temperature 0.7."""
    py, cs, _, _ = char_models(T=0)
    uniforms = np.random.default_rng(8).random(500)
    assert sampling.sample(py, 4, uniforms, 0.7) == dotnet.sample(cs, 4, uniforms, 0.7)


class ReversedKernels(ExactKernels):
    """Exact kernels with one change: dot products summed from the last term to the first."""

    @staticmethod
    def matvec_prepared(A_T, v):
        return ExactKernels.matvec_prepared(np.ascontiguousarray(A_T[::-1]), v[..., ::-1])


def test_reversed_summation_is_detected(DotNetRNN):
    """Negative control: summing in reverse on the NumPy side breaks 0 ULP at the first step."""
    case = make_case(16, 32, 8, 50, seed=99)
    broken = RNN(*case.weights(), kernel="exact")
    broken.kernels = ReversedKernels()
    state, _ = compare(broken, DotNetRNN(*case.weights()), case.xs, "teacher-forced", "identical")
    assert state.violation is not None and state.violation.step == 0
    fast_state, _ = compare(broken, DotNetRNN(*case.weights()), case.xs, "teacher-forced", "bound")
    assert fast_state.ok  # the same run is well within the fast-mode bound: only 0 ULP catches it
