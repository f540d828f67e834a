"""The C# RecurrentStack against the NumPy one (docs/stacks.md): exact mode bit for bit, fast mode within a tolerance.

Two implementations of the same spec: ``RnnPort.RecurrentStack``/``StackBptt`` (through ``DotNetRecurrentStack``)
and ``rnnport.cells.stack.RecurrentStack``/``stack_bptt.bptt``. Over a grid of every cell × L 1–3 × D 1–2 × biases
on/off × W_hy on/off × T = 0, 1, 7: outputs, h_n, c_n, every layer's output, the loss, every gradient and the
start states' gradients agree at 0 ULP. Negative controls: a NumPy stack with the directions' weights swapped, or
with its gates in another order, must fail the same comparison.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from rnnport.cells.stack import RecurrentStack
from rnnport.cells.stack_bptt import bptt
from rnnport.dotnet.optimizers import SGD as DotNetSGD
from rnnport.dotnet.stack import DotNetRecurrentStack, stack_bptt
from rnnport.training.optimizers import SGD
from rnnport.verify.ulp import bit_identical

GATES = {"rnn": 1, "lstm": 4, "gru": 3}
I, H, O = 3, 4, 5
# fast mode (BLAS, NumPy's exp/tanh) against C#'s exact order: products of a few terms of size ~1 over ≤ 7 steps
# and 3 layers differ by a few ulps, below these bounds (measured over GRID at T = 7: max |Δ| = 3.6e-15 across
# outputs, h_n, loss and every gradient)
FAST_RTOL, FAST_ATOL = 1e-11, 1e-13

GRID = list(itertools.product(("rnn", "lstm", "gru"), (1, 2, 3), (False, True), (True, False), (True, False)))


def case(cell, layers, bidirectional, biases, output, seed=0):
    """Seeded arguments of both constructors (NumPy layout), and a nonlinearity: relu for 2-layer RNNs."""
    rng = np.random.default_rng(seed + 100 * layers + 10 * bidirectional + 3 * biases + output)
    D, G = 2 if bidirectional else 1, GATES[cell]
    parameters = {}
    for k in range(layers):
        for s in ("", "_reverse")[:D]:
            parameters[f"weight_ih_l{k}{s}"] = rng.uniform(-0.6, 0.6, (G * H, I if k == 0 else D * H))
            parameters[f"weight_hh_l{k}{s}"] = rng.uniform(-0.6, 0.6, (G * H, H))
            if biases:
                parameters[f"bias_ih_l{k}{s}"] = rng.uniform(-0.6, 0.6, G * H)
                parameters[f"bias_hh_l{k}{s}"] = rng.uniform(-0.6, 0.6, G * H)
    keywords = dict(num_layers=layers, bidirectional=bidirectional,
                    nonlinearity="relu" if cell == "rnn" and layers == 2 else "tanh",
                    h0=rng.uniform(-0.5, 0.5, (layers * D, H)), c0=rng.uniform(-0.5, 0.5, (layers * D, H)) if cell == "lstm" else None)
    if output:
        keywords.update(W_hy=rng.uniform(-0.6, 0.6, (O, D * H)), b_y=rng.uniform(-0.6, 0.6, O) if biases else None)
    return parameters, keywords


def inputs(T, classes, seed=1):
    rng = np.random.default_rng(seed + T)
    return rng.uniform(-1.5, 1.5, (T, I)), rng.integers(0, classes, T)


def same(a, b):
    return (a is None and b is None) or (a is not None and b is not None and a.shape == b.shape and bit_identical(a, b))


@pytest.mark.parametrize("T", [0, 1, 7])
@pytest.mark.parametrize("cell, layers, bidirectional, biases, output", GRID)
def test_forward_is_bit_identical(cell, layers, bidirectional, biases, output, T):
    parameters, keywords = case(cell, layers, bidirectional, biases, output)
    ours, theirs = DotNetRecurrentStack(cell, parameters, **keywords), RecurrentStack(cell, parameters, kernel="exact", **keywords)
    xs, _ = inputs(T, 1)
    assert all(same(a, b) for a, b in zip(ours.layer_outputs(xs), theirs.layer_outputs(xs)))
    assert all(same(a, b) for a, b in zip(ours.forward(xs), theirs.forward(xs)))
    assert same(ours.h, theirs.h) and same(ours.c, theirs.c)
    assert all(bit_identical(p, theirs.parameters()[name]) for name, p in ours.parameters().items())
    assert list(ours.parameters()) == list(theirs.parameters())


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_forward_in_blocks_and_on_two_cores_is_bit_identical(cell):
    """C# computes a layer's input projections 16 steps at a time and, from H·G·H ≥ 2¹⁶, shares each gated step's
    units between two cores: T = 37 (two full blocks and a partial one, in both directions) and H = 150 (split for
    the LSTM and the GRU, each gate block's last panels narrower) must still be NumPy's exact stack to the bit."""
    rng = np.random.default_rng(37)
    hidden, G, T = 150, GATES[cell], 37
    parameters = {}
    for k in range(2):
        for s in ("", "_reverse"):
            parameters[f"weight_ih_l{k}{s}"] = rng.uniform(-0.1, 0.1, (G * hidden, I if k == 0 else 2 * hidden))
            parameters[f"weight_hh_l{k}{s}"] = rng.uniform(-0.1, 0.1, (G * hidden, hidden))
            parameters[f"bias_ih_l{k}{s}"] = rng.uniform(-0.1, 0.1, G * hidden)
            parameters[f"bias_hh_l{k}{s}"] = rng.uniform(-0.1, 0.1, G * hidden)
    keywords = dict(num_layers=2, bidirectional=True, W_hy=rng.uniform(-0.1, 0.1, (O, 2 * hidden)), b_y=rng.uniform(-0.1, 0.1, O))
    ours, theirs = DotNetRecurrentStack(cell, parameters, **keywords), RecurrentStack(cell, parameters, kernel="exact", **keywords)
    xs = rng.uniform(-1.5, 1.5, (T, I))
    assert all(same(a, b) for a, b in zip(ours.layer_outputs(xs), theirs.layer_outputs(xs)))
    assert all(same(a, b) for a, b in zip(ours.forward(xs), theirs.forward(xs)))


@pytest.mark.parametrize("T", [1, 7])
@pytest.mark.parametrize("cell, layers, bidirectional, biases, output", GRID)
def test_bptt_is_bit_identical(cell, layers, bidirectional, biases, output, T):
    parameters, keywords = case(cell, layers, bidirectional, biases, output)
    ours, theirs = DotNetRecurrentStack(cell, parameters, **keywords), RecurrentStack(cell, parameters, kernel="exact", **keywords)
    xs, targets = inputs(T, theirs.output_size)
    a, b = stack_bptt(ours, xs, targets), bptt(theirs, xs, targets)
    assert np.float64(a.loss).tobytes() == np.float64(b.loss).tobytes()
    assert list(a.gradients.parameters()) == list(b.gradients.parameters())
    for name, gradient in a.gradients.parameters().items():
        assert bit_identical(gradient, b.gradients[name]), name
    assert same(a.gradients.h0, b.gradients.h0) and same(a.gradients.c0, b.gradients.c0)
    assert same(a.h_n, b.h_n) and same(a.c_n, b.c_n)


@pytest.mark.parametrize("cell, layers, bidirectional, biases, output", GRID[::3])
def test_fast_numpy_is_within_the_tolerance(cell, layers, bidirectional, biases, output):
    parameters, keywords = case(cell, layers, bidirectional, biases, output)
    ours, theirs = DotNetRecurrentStack(cell, parameters, **keywords), RecurrentStack(cell, parameters, kernel="fast", **keywords)
    xs, targets = inputs(7, theirs.output_size)
    a, b = stack_bptt(ours, xs, targets), bptt(theirs, xs, targets)
    for x, y in [*zip(ours.forward(xs)[:2], theirs.forward(xs)[:2]), (a.loss, b.loss),
                 *((g, b.gradients[name]) for name, g in a.gradients.parameters().items()), (a.gradients.h0, b.gradients.h0)]:
        np.testing.assert_allclose(x, y, rtol=FAST_RTOL, atol=FAST_ATOL)


def swapped_directions(parameters):
    """Negative control: the forward and the reverse weights exchanged."""
    return {(name[:-len("_reverse")] if name.endswith("_reverse") else name + "_reverse"): value
            for name, value in parameters.items()}


def swapped_gates(parameters):
    """Negative control: the first two gate blocks exchanged (i/f for the LSTM, r/z for the GRU)."""
    def swap(value):
        order = np.r_[H:2 * H, 0:H, 2 * H:value.shape[0]]  # the blocks are H rows each
        return value[order]
    return {name: swap(value) for name, value in parameters.items()}


@pytest.mark.parametrize("mutation, cell", [(swapped_directions, "lstm"), (swapped_directions, "gru"),
                                            (swapped_gates, "lstm"), (swapped_gates, "gru")])
def test_the_comparison_fails_for_a_wrong_numpy_stack(mutation, cell):
    parameters, keywords = case(cell, 2, True, True, True)
    ours = DotNetRecurrentStack(cell, parameters, **keywords)
    wrong = RecurrentStack(cell, mutation(parameters), kernel="exact", **keywords)
    right = RecurrentStack(cell, parameters, kernel="exact", **keywords)
    xs, targets = inputs(7, O)
    assert same(ours.forward(xs)[0], right.forward(xs)[0])  # the control of the control
    ours.reset()
    assert not same(ours.forward(xs)[0], wrong.forward(xs)[0])
    assert not bit_identical(stack_bptt(ours, xs, targets).gradients["weight_hh_l0"], bptt(wrong, xs, targets).gradients["weight_hh_l0"])


def test_one_sgd_step_on_both_sides_gives_the_same_parameters():
    parameters, keywords = case("lstm", 2, True, True, True)
    ours, theirs = DotNetRecurrentStack("lstm", parameters, **keywords), RecurrentStack("lstm", parameters, kernel="exact", **keywords)
    xs, targets = inputs(7, O)
    for _ in range(3):
        DotNetSGD(0.1).step(ours, stack_bptt(ours, xs, targets).gradients)
        SGD(0.1).step(theirs, bptt(theirs, xs, targets).gradients)
    assert all(bit_identical(p, theirs.parameters()[name]) for name, p in ours.parameters().items())
    assert not bit_identical(ours.parameters()["weight_hh_l1"], parameters["weight_hh_l1"])


def refusal(make):
    try:
        make()
    except (ValueError, TypeError, FloatingPointError) as error:
        return type(error), str(error).split(" [")[0]
    raise AssertionError("not refused")


@pytest.mark.parametrize("change", [
    lambda p, k: p.pop("weight_hh_l1"),
    lambda p, k: p.update(weight_ih_l2=p["weight_ih_l1"]),
    lambda p, k: p.update(weight_hr_l0=p["weight_hh_l0"]),
    lambda p, k: p.pop("bias_ih_l0_reverse"),
    lambda p, k: p.update(weight_ih_l1=np.zeros((16, 5))),
    lambda p, k: p.update(bias_hh_l1=np.zeros(15)),
    lambda p, k: k.update(W_hy=None),
    lambda p, k: k.update(h0=np.zeros((3, H))),
    lambda p, k: p["weight_hh_l1_reverse"].__setitem__((7, 2), np.inf),
    lambda p, k: k["c0"].__setitem__((1, 1), np.nan),
], ids=["missing", "extra", "proj", "some biases", "shape", "bias shape", "b_y alone", "h0 shape", "inf weight", "nan c0"])
def test_both_sides_refuse_alike(change):
    parameters, keywords = case("lstm", 2, True, True, True)
    parameters = {name: value.copy() for name, value in parameters.items()}
    change(parameters, keywords)
    theirs = refusal(lambda: RecurrentStack("lstm", parameters, **keywords))
    assert refusal(lambda: DotNetRecurrentStack("lstm", parameters, **keywords)) == theirs


@pytest.mark.parametrize("cell, keywords", [
    ("lstmx", {}), ("lstmx", {"nonlinearity": "sigmoid"}), ("lstm", {"nonlinearity": "sigmoid"}),
    ("lstm", {"nonlinearity": "relu"}), ("lstm", {"num_layers": 0}), ("lstm", {"c0": None, "h0": np.zeros((4, H, 1))}),
])
def test_both_sides_refuse_bad_settings_alike(cell, keywords):
    parameters, given = case("lstm", 2, True, True, True)
    given = {**given, **keywords}
    theirs = refusal(lambda: RecurrentStack(cell, parameters, **given))
    assert refusal(lambda: DotNetRecurrentStack(cell, parameters, **given)) == theirs


@pytest.mark.parametrize("bidirectional", [False, True])
def test_a_non_finite_result_is_refused_alike(bidirectional):
    """Huge positive weights and inputs: relu overflows to inf at some step; both name the same step and element."""
    parameters, keywords = case("rnn", 2, bidirectional, False, False)
    parameters = {name: np.abs(value) * 1e200 for name, value in parameters.items()}
    keywords = dict(keywords, nonlinearity="relu")
    ours, theirs = DotNetRecurrentStack("rnn", parameters, **keywords), RecurrentStack("rnn", parameters, kernel="exact", **keywords)
    xs = np.full((3, I), 1e100)
    expected = refusal(lambda: theirs.forward(xs))
    assert expected[0] is FloatingPointError and refusal(lambda: ours.forward(xs)) == expected
    assert refusal(lambda: ours.layer_outputs(xs)) == refusal(lambda: theirs.layer_outputs(xs))
    assert bit_identical(ours.h, theirs.h)  # neither moved


def test_a_non_finite_gradient_is_refused_alike():
    """relu, tiny W_ih and W_hh, a huge W_hy: the outputs stay finite, dW_ih overflows (as StackBpttTests)."""
    parameters = {"weight_ih_l0": np.full((2, 1), 1e-20), "weight_hh_l0": np.full((2, 2), 1e-20)}
    keywords = dict(num_layers=1, nonlinearity="relu", W_hy=np.array([[1e300, 1e300], [0.0, 0.0]]))
    ours, theirs = DotNetRecurrentStack("rnn", parameters, **keywords), RecurrentStack("rnn", parameters, kernel="exact", **keywords)
    xs, targets = np.full((2, 1), 1e10), [0, 1]
    expected = refusal(lambda: bptt(theirs, xs, targets))
    assert expected[0] is FloatingPointError and refusal(lambda: stack_bptt(ours, xs, targets)) == expected


def test_a_bidirectional_stack_refuses_a_step_on_both_sides():
    parameters, keywords = case("gru", 1, True, True, False)
    ours, theirs = DotNetRecurrentStack("gru", parameters, **keywords), RecurrentStack("gru", parameters, **keywords)
    x = np.ones(I)
    assert refusal(lambda: ours.step(x)) == refusal(lambda: theirs.step(x))
    parameters, keywords = case("gru", 1, False, True, False)
    assert bit_identical(DotNetRecurrentStack("gru", parameters, **keywords).step(x),
                         RecurrentStack("gru", parameters, kernel="exact", **keywords).step(x))
