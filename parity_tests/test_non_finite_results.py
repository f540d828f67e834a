"""Non-finite results: NumPy and C# (through the bridge) give the same verdict and leave the model alike.

One matrix of cases, finite going in and overflowing on the way (docs/bad-input.md, "Non-finite
results"), run through both sides. Each row asserts: NumPy raises FloatingPointError; the bridge raises
FloatingPointError from ``NonFiniteResultException``; both messages name the same operation, step,
parameter and element (C#'s names and transposed coordinates mapped to NumPy's); and the state, the
weights and, for clipping, the gradients are what they were, on both sides.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest

import rnnport.cells.rnn_bptt as np_bptt
import rnnport.training.clipping as np_clipping
import rnnport.training.optimizers as np_optim
import rnnport.training.sampling as np_sampling
from rnnport import RNN
from rnnport import dotnet

# C# parameter names → NumPy's, and whether NumPy holds the array as a matrix (transposed in C#).
NAMES = {"InputWeights": ("W_xh", True), "RecurrentWeights": ("W_hh", True), "OutputWeights": ("W_hy", True),
         "HiddenBias": ("b_h", False), "OutputBias": ("b_y", False), "InitialState": ("h0", False)}


def as_numpy_message(message: str) -> str:
    """A C# NonFiniteResultException message in NumPy's words: names mapped, matrix coordinates swapped."""
    message = message.removesuffix(" [NonFiniteResultException]")
    match = re.search(r" of (\w+) is not finite \(element \((\d+), (\d+)\)", message)
    if match and NAMES[match[1]][1]:
        message = message.replace(f"element ({match[2]}, {match[3]})", f"element ({match[3]}, {match[2]})")
    return re.sub(r" of (\w+) is", lambda m: f" of {NAMES[m[1]][0] if m[1] in NAMES else m[1]} is", message)


@dataclass
class Side:
    """One language: how to build a model and gradients, and its bptt/clip/optimisers/sample."""

    name: str
    model: Callable[..., Any]
    gradients: Callable[..., Any]
    bptt: Callable[..., Any]
    clip_global_norm: Callable[..., Any]
    SGD: Callable[..., Any]
    Adagrad: Callable[..., Any]
    sample: Callable[..., Any]


def numpy_side(kernel: str) -> Side:
    return Side(f"numpy-{kernel}", lambda *a, **k: RNN(*a, **k, kernel=kernel), np_bptt.Gradients, np_bptt.bptt,
                np_clipping.clip_global_norm, np_optim.SGD, np_optim.Adagrad, np_sampling.sample)


def dotnet_gradients(W_xh, W_hh, W_hy, b_h, b_y, h0) -> dotnet.DotNetGradients:
    dotnet.load()
    from RnnPort import Gradients

    row = lambda v: None if v is None else dotnet.to_net(np.asarray(v, dtype=float)[None, :])
    return dotnet.DotNetGradients(Gradients(dotnet.to_net(W_xh.T), dotnet.to_net(W_hh.T), dotnet.to_net(W_hy.T),
                                                row(b_h), row(b_y), row(h0)))


def dotnet_side(kernel: str = "Sequential") -> Side:
    """C# through the bridge, its forward pass on ``RnnPort.Kernel.<kernel>``."""
    def model(*args, **kwargs) -> dotnet.DotNetRNN:
        built = dotnet.DotNetRNN(*args, **kwargs)  # loads .NET, and with it the RnnPort namespace
        from RnnPort import Kernel

        built._net.Kernel = getattr(Kernel, kernel)
        return built
    return Side(f"dotnet-{kernel}", model, dotnet_gradients, dotnet.bptt, dotnet.clip_global_norm, dotnet.SGD,
                dotnet.Adagrad, dotnet.sample)


def snapshot(model: Any) -> dict[str, bytes]:
    """The state and every parameter, as bytes."""
    return {"h": np.asarray(model.h).tobytes(), **{n: np.ascontiguousarray(p).tobytes() for n, p in model.parameters().items()}}


def m(*rows) -> np.ndarray:
    return np.array(rows, dtype=float)


def ones_gradients(side: Side, W_hh: float = 1.0):
    return side.gradients(m([1.0]), m([W_hh]), m([1.0]), np.array([1.0]), None, np.array([0.0]))


def small_model(side: Side):
    return side.model(m([0.5]), m([0.25]), m([-1e308]), b_h=[0.125])


# Each case: (id, the NumPy message, run(side) → the model (and gradients) to check unchanged, via a raise).
CASES: list[tuple[str, str, Callable[[Side], Any]]] = [
    ("forward: the issue's relu model",
     "forward: the state at step 0 is not finite (element 0 is inf)",
     lambda s: (s.model(np.full((3, 2), 1e308), 0.5 * np.eye(3), m([1.0, -1.0, 1.0]), h0=[0.25, 0.5, 0.75],
                        activation="relu"), lambda model: model.forward(np.full((4, 2), 2.0)))),
    ("forward: a later step",
     "forward: the state at step 1 is not finite (element 0 is inf)",
     lambda s: (s.model(m([0.0]), m([1e200]), m([1.0]), h0=[1.0], activation="relu"),
                lambda model: model.forward(np.zeros((5, 1))))),
    ("forward: an output",
     "forward: the output at step 0 is not finite (element 0 is inf)",
     lambda s: (s.model(m([0.0]), m([1.0]), m([1e10]), h0=[1e300], activation="relu"),
                lambda model: model.forward(np.zeros((2, 1))))),
    ("forward: tanh of inf − inf",
     "forward: the state at step 0 is not finite (element 0 is nan)",
     # W_xh·x = 2e308 = inf and W_hh·h0 = −2e308 = −inf, one product each, so every kernel (C#'s fused
     # Kernel.Simd too, whose unrounded products keep 2e308 − 2e308 inside one sum finite) adds inf + (−inf).
     lambda s: (s.model(m([1e308]), m([-1e308]), m([1.0]), h0=[2.0]), lambda model: model.forward(m([2.0])))),
    ("step: the state",
     "step: the state is not finite (element 1 is inf)",
     lambda s: (s.model(m([0.0], [0.0]), m([0.0, 0.0], [0.0, 1e200]), m([1.0, 1.0]), h0=[0.5, 1e200], activation="relu"),
                lambda model: model.step([0.0]))),
    ("step: the output",
     "step: the output is not finite (element 0 is inf)",
     lambda s: (s.model(m([0.0]), m([1.0]), m([1e10]), h0=[1e300], activation="relu"), lambda model: model.step([0.0]))),
    ("bptt: the loss",
     "loss: the term at step 0 is not finite (inf)",
     lambda s: (s.model(m([1.0]), m([0.0]), m([1e308], [-1e308]), activation="relu"),
                lambda model: s.bptt(model, m([1.0]), [1]))),
    ("bptt: a gradient",
     "bptt: the gradient of W_xh is not finite (element (0, 0) is inf)",
     lambda s: (s.model(m([1e-200]), m([0.0]), m([1e200], [-1e200]), activation="relu"),
                lambda model: s.bptt(model, m([1e200]), [1]))),
    ("sample: a degenerate temperature",
     "sample: at draw 0, y / temperature is not finite (element 0 is inf)",
     lambda s: (s.model(np.full((2, 2), 0.1), 0.1 * np.eye(2), np.eye(2), h0=[0.5, -0.5]),
                lambda model: s.sample(model, 0, [0.5, 0.5], temperature=5e-324))),
    ("sgd: an update",
     "sgd: the update of W_hy is not finite (element (0, 0) is -inf)",
     lambda s: (small_model(s), lambda model: s.SGD(1e308).step(model, ones_gradients(s)))),
    ("adagrad: an update",
     "adagrad: the update of W_hy is not finite (element (0, 0) is -inf)",
     lambda s: (small_model(s), lambda model: s.Adagrad(1e308).step(model, ones_gradients(s)))),
    ("adagrad: a memory",
     "adagrad: the memory of W_hh is not finite (element (0, 0) is inf)",
     lambda s: (small_model(s), lambda model: s.Adagrad(0.1).step(model, ones_gradients(s, W_hh=1e200)))),
]

SIDES = [numpy_side("fast"), numpy_side("exact")]


def verdict(side: Side, run: Callable[[Side], Any]) -> tuple[str, bool]:
    """(message or "finite", whether the model's state and weights are unchanged)."""
    model, call = run(side)
    before = snapshot(model)
    try:
        call(model)
    except FloatingPointError as error:
        return str(error), snapshot(model) == before
    return "finite", snapshot(model) == before


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_both_sides_refuse_alike_and_change_nothing(case):
    _, expected, run = case
    for net_side in (dotnet_side(kernel) for kernel in ("Sequential", "MathNet", "Simd")):
        net_message, net_unchanged = verdict(net_side, run)
        assert net_message.endswith(" [NonFiniteResultException]"), (net_side.name, net_message)
        assert (as_numpy_message(net_message), net_unchanged) == (expected, True), net_side.name
    for side in SIDES:
        assert verdict(side, run) == (expected, True), side.name


def test_clip_global_norm_refuses_alike_and_leaves_the_gradients():
    """Finite forward, loss and gradients (dW_xh ≈ 1.76e200), but the norm's square overflows."""
    for side in [dotnet_side(), *SIDES]:
        model = side.model(m([1e-200]), m([0.0]), m([1e200], [-1e200]), activation="relu")
        gradients = side.bptt(model, m([1.0]), [1]).gradients
        before = {n: g.tobytes() for n, g in gradients.parameters().items()}
        with pytest.raises(FloatingPointError) as caught:
            side.clip_global_norm(gradients, 5.0)
        assert as_numpy_message(str(caught.value)) == "clip: the gradient norm is not finite (inf)", side.name
        assert {n: g.tobytes() for n, g in gradients.parameters().items()} == before, side.name


def switch_off_the_dotnet_check(model: dotnet.DotNetRNN) -> None:
    """Set the internal RNN.CheckResults to false by reflection (what the negative control needs)."""
    from System.Reflection import BindingFlags

    flags = BindingFlags.NonPublic | BindingFlags.Instance
    model._net.GetType().GetProperty("CheckResults", flags).SetValue(model._net, False)


def test_negative_control_a_side_without_the_check_disagrees():
    """With C#'s check off, the matrix's comparison sees the disagreement: inf passes, the state moves."""
    _, expected, run = CASES[0]
    model, call = run(dotnet_side())
    switch_off_the_dotnet_check(model)
    before = snapshot(model)
    ys, hs = call(model)
    assert np.isinf(hs[0]).all() and snapshot(model) != before
    assert verdict(SIDES[0], run) == (expected, True)


def test_the_docs_list_every_case():
    """docs/bad-input.md, "Non-finite results", has one row per case with its message, in this order."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "bad-input.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Non-finite results"):]
    rows = re.findall(r"^\| ([^|`]+?) \| ([^|]+?) \|$", section, flags=re.MULTILINE)[1:]  # after the header
    expected = [(name, message) for name, message, _ in CASES]
    expected.append(("clip: the global norm", "clip: the gradient norm is not finite (inf)"))
    assert rows == expected
