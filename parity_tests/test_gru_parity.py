"""The C# GRU against the NumPy GRU: exact mode bit for bit, fast mode within the derived bound.

Two independent implementations of docs/exact-mode.md's "GRU" order: ``RnnPort.GRU`` (through
``DotNetGRU``) and ``rnnport.cells.gru.GRU``. Every check has a negative control: a GRU with the gates in
the wrong order, without bias_hh, or with the reset gate applied to h before the product must fail it.
"""
from __future__ import annotations

import numpy as np
import pytest

from gru_case import dotnet_gru, gru_weights, numpy_gru
from rnnport.cells.gru import GRU, gru_sigmoid
from rnnport.verify.gru_bounds import gru_output_bound, gru_state_bound
from rnnport.verify.ulp import bit_identical

GRID = [(1, 1, 1), (3, 4, 2), (5, 2, 7), (2, 9, 3), (16, 32, 8)]


class ResetOnH(GRU):
    """Negative control: n = tanh(gi_n + W_hn (r ⊙ h) + b_hn), the reset gate applied to h first."""

    def cell(self, gi, h, whh_h):
        H = self.hidden_size
        gh = whh_h if self.b_hh is None else whh_h + self.b_hh
        exact = self.kernels.name == "exact"
        r = gru_sigmoid(gi[:H] + gh[:H], exact)
        z = gru_sigmoid(gi[H:2 * H] + gh[H:2 * H], exact)
        candidate = self.kernels.matvec(self.W_hh[2 * H:], r * h)
        if self.b_hh is not None:
            candidate = candidate + self.b_hh[2 * H:]
        n = self.kernels.tanh(gi[2 * H:] + candidate)
        return (1.0 - z) * n + z * h


def mutated(w, mutation, kernel):
    """A NumPy GRU that is wrong in one of the ways the negative controls name."""
    H = w["W_hh"].shape[1]
    if mutation == "gates z, r, n":
        swap = np.r_[H:2 * H, 0:H, 2 * H:3 * H]
        w = dict(w, W_ih=w["W_ih"][swap], W_hh=w["W_hh"][swap], b_ih=w["b_ih"][swap], b_hh=w["b_hh"][swap])
        return numpy_gru(w, kernel)
    if mutation == "bias_hh dropped":
        return numpy_gru(dict(w, b_hh=None), kernel)
    return ResetOnH(w["W_ih"], w["W_hh"], w["W_hy"], w["h0"], b_ih=w["b_ih"], b_hh=w["b_hh"], b_y=w["b_y"],
                    kernel=kernel)


def within_bound(w, xs, ours, theirs):
    """Free-running: each side from its own previous state; both states and outputs within the bound."""
    (ys_a, hs_a), (ys_b, hs_b) = ours, theirs
    prev_a, prev_b = np.vstack([w["h0"], hs_a[:-1]]), np.vstack([w["h0"], hs_b[:-1]])
    state = gru_state_bound(w["W_ih"], w["W_hh"], w["b_ih"], w["b_hh"], xs, prev_a, prev_b)
    output = gru_output_bound(w["W_hy"], w["b_y"], hs_a, hs_b)
    return bool(np.all(np.abs(hs_a - hs_b) <= state) and np.all(np.abs(ys_a - ys_b) <= output))


@pytest.mark.parametrize("biases", [True, False])
@pytest.mark.parametrize("T", [1, 25])
@pytest.mark.parametrize("I, H, O", GRID)
def test_exact_mode_is_bit_identical(I, H, O, T, biases):
    """Outputs and states, raw bits, over the shape grid; step by step as well as by forward."""
    w = gru_weights(I, H, O, seed=I * 1000 + H * 10 + O, biases=biases)
    xs = np.random.default_rng(T).normal(size=(T, I)) * 2.0
    ys, hs = numpy_gru(w, "exact").forward(xs)
    net = dotnet_gru(w)
    ys_net, hs_net = net.forward(xs)
    assert bit_identical(ys, ys_net) and bit_identical(hs, hs_net)
    assert bit_identical(net.h, hs[-1])
    net.reset()
    for t in range(T):
        assert bit_identical(net.step(xs[t]), ys[t]) and bit_identical(net.h, hs[t])


def test_exact_mode_over_ten_thousand_steps():
    """10,000 steps free-running: not one bit apart, so no rounding difference hides in the recurrence."""
    w = gru_weights(3, 8, 4, seed=11)
    xs = np.random.default_rng(5).normal(size=(10_000, 3))
    ys, hs = numpy_gru(w, "exact").forward(xs)
    ys_net, hs_net = dotnet_gru(w).forward(xs)
    assert bit_identical(ys, ys_net) and bit_identical(hs, hs_net)


@pytest.mark.parametrize("biases", [True, False])
@pytest.mark.parametrize("I, H, O", GRID)
def test_fast_mode_within_the_bound(I, H, O, biases):
    """Fast NumPy against C#: teacher-forced (one step from C#'s state) and free-running, per element."""
    w = gru_weights(I, H, O, seed=I + 7 * H + O, biases=biases)
    xs = np.random.default_rng(1).normal(size=(200, I))
    ys_net, hs_net = dotnet_gru(w).forward(xs)
    fast = numpy_gru(w, "fast")
    assert within_bound(w, xs, fast.forward(xs), (ys_net, hs_net))
    prev = np.vstack([w["h0"], hs_net[:-1]])  # teacher-forced: every step starts from C#'s state
    forced = np.array([fast.cell(fast._input_gates(x), h, fast.kernels.matvec(fast.W_hh, h)) for x, h in zip(xs, prev)])
    bound = gru_state_bound(w["W_ih"], w["W_hh"], w["b_ih"], w["b_hh"], xs, prev, prev)
    assert np.all(np.abs(forced - hs_net) <= bound)


@pytest.mark.parametrize("mutation", ["gates z, r, n", "bias_hh dropped", "reset gate on h"])
def test_negative_controls_fail_both_checks(mutation):
    """A wrong GRU is not bit-identical to C# in exact mode, and leaves the bound in fast mode."""
    w = gru_weights(3, 5, 2, seed=3)
    xs = np.random.default_rng(2).normal(size=(30, 3))
    theirs = dotnet_gru(w).forward(xs)
    wrong_exact = mutated(w, mutation, "exact").forward(xs)
    assert not (bit_identical(wrong_exact[0], theirs[0]) and bit_identical(wrong_exact[1], theirs[1]))
    assert not within_bound(w, xs, mutated(w, mutation, "fast").forward(xs), theirs)
