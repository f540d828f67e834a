"""torch.nn.RNN in float64 as the outside reference for the vanilla RNN, NumPy and C# alike.

torch is imported at the top: a machine without it fails here, never skips (``make deps`` installs
Debian's python3-torch). torch's RNN has two biases, ``bias_ih_l0`` and ``bias_hh_l0``, where ours has
one, ``b_h``: torch gets ``b_h`` as ``bias_ih_l0`` and zeros as ``bias_hh_l0`` (adding +0.0 is exact).
The output layer, which nn.RNN does not have, is computed on torch's states with NumPy (forward) or
with torch (gradients). Layout: torch's ``weight_ih_l0`` is ``W_xh`` (H, I) as it is, the column
convention; the C# model gets the transposes through the bridge.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from rnnport import RNN
from rnnport.cells.rnn_bptt import bptt
from rnnport.dotnet import DotNetRNN, bptt as net_bptt
from rnnport.verify.bounds import output_bound, state_bound

torch.set_num_threads(1)


def rnn_case(I: int, H: int, O: int, T: int, seed: int, biases: bool = True) -> tuple[dict, np.ndarray]:
    rng = np.random.default_rng(seed)
    args = {"W_xh": rng.normal(size=(H, I)) / math.sqrt(I), "W_hh": rng.normal(size=(H, H)) / math.sqrt(H),
            "W_hy": rng.normal(size=(O, H)) / math.sqrt(H), "h0": rng.uniform(-0.9, 0.9, H)}
    if biases:
        args |= {"b_h": rng.normal(size=H) * 0.3, "b_y": rng.normal(size=O) * 0.3}
    return args, rng.normal(size=(T, I))


def torch_rnn(args: dict, activation: str) -> torch.nn.RNN:
    H, I = args["W_xh"].shape
    rnn = torch.nn.RNN(I, H, nonlinearity=activation, bias="b_h" in args, dtype=torch.float64)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(args["W_xh"]))
        rnn.weight_hh_l0.copy_(torch.from_numpy(args["W_hh"]))
        if "b_h" in args:
            rnn.bias_ih_l0.copy_(torch.from_numpy(args["b_h"]))
            rnn.bias_hh_l0.zero_()
    return rnn


def torch_states(args: dict, xs: np.ndarray, activation: str) -> np.ndarray:
    """(T, H) states of torch.nn.RNN from h0."""
    H = args["W_hh"].shape[0]
    with torch.no_grad():
        out, _ = torch_rnn(args, activation)(torch.from_numpy(xs)[:, None, :], torch.from_numpy(args["h0"]).view(1, 1, H))
    return out[:, 0, :].numpy().copy()


def ours(args: dict, activation: str) -> dict:
    """The three implementations under test, built from the same NumPy-layout weights."""
    kw = {k: v for k, v in args.items() if k in ("b_h", "b_y")}
    plain = (args["W_xh"], args["W_hh"], args["W_hy"], args["h0"], activation)
    return {"numpy": RNN(*plain, **kw), "numpy-exact": RNN(*plain, **kw, kernel="exact"),
            "csharp": DotNetRNN(*plain, **kw)}


def assert_within(name: str, a: np.ndarray, b: np.ndarray, bound: np.ndarray) -> None:
    bad = np.argwhere(np.abs(a - b) > bound)
    assert bad.size == 0, (f"{name}: first element over the bound at {tuple(bad[0])}: "
                           f"|Δ| = {abs(a - b)[tuple(bad[0])]:.3e} > {bound[tuple(bad[0])]:.3e}")


def check_forward(args: dict, xs: np.ndarray, activation: str, model) -> None:
    """A model's states and outputs against torch's, free-running, within the RNN's derived bound."""
    expected_hs = torch_states(args, xs, activation)
    ys, hs = model.forward(xs)
    prev_a, prev_b = np.vstack([args["h0"], hs[:-1]]), np.vstack([args["h0"], expected_hs[:-1]])
    assert_within("h", hs, expected_hs,
                  state_bound(args["W_xh"], args["W_hh"], xs, prev_a, prev_b, hs, expected_hs, activation))
    expected_ys = expected_hs @ args["W_hy"].T + args.get("b_y", 0.0)
    # The output layer on torch's states is NumPy's own (BLAS) product: one more rounding per side.
    assert_within("y", ys, expected_ys, 2 * output_bound(args["W_hy"], hs, expected_hs))


@pytest.mark.parametrize("side", ["numpy", "numpy-exact", "csharp"])
@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("I,H,O,T,biases", [(1, 1, 1, 1, True), (3, 5, 2, 40, False), (8, 64, 8, 500, True)])
def test_forward_matches_torch(side, activation, I, H, O, T, biases):
    """States and outputs of NumPy (fast, exact) and C# within the bound of torch.nn.RNN's, free-running."""
    args, xs = rnn_case(I, H, O, T, seed=H * 7 + T, biases=biases)
    check_forward(args, xs, activation, ours(args, activation)[side])


def test_forward_check_catches_a_dropped_bias():
    """Negative control: the NumPy model without b_h is far outside the bound of torch's with it."""
    args, xs = rnn_case(3, 5, 2, 40, seed=3)
    dropped = {k: v for k, v in args.items() if k != "b_h"}
    model = RNN(dropped["W_xh"], dropped["W_hh"], dropped["W_hy"], dropped["h0"], b_y=dropped["b_y"])
    with pytest.raises(AssertionError, match="over the bound"):
        check_forward(args, xs, "tanh", model)


def test_forward_check_catches_the_wrong_activation():
    """Negative control: a ReLU model against torch's tanh RNN fails the bound."""
    args, xs = rnn_case(3, 5, 2, 40, seed=4)
    with pytest.raises(AssertionError, match="over the bound"):
        check_forward(args, xs, "tanh", ours(args, "relu")["csharp"])


# --- Gradients: torch's autograd on the same loss (softmax cross-entropy summed over the steps).

GRADIENTS = ("W_xh", "W_hh", "W_hy", "b_h", "b_y", "h0")


def torch_gradients(args: dict, xs: np.ndarray, targets: np.ndarray, activation: str) -> tuple[float, dict]:
    """The loss and d loss / d (every parameter and h0) from torch's autograd, in float64."""
    H = args["W_hh"].shape[0]
    rnn = torch_rnn(args, activation)
    leaves = {"W_hy": torch.tensor(args["W_hy"], requires_grad=True),
              "h0": torch.tensor(args["h0"].reshape(1, 1, H), requires_grad=True)}
    if "b_y" in args:
        leaves["b_y"] = torch.tensor(args["b_y"], requires_grad=True)
    hs, _ = rnn(torch.from_numpy(xs)[:, None, :], leaves["h0"])
    ys = hs[:, 0, :] @ leaves["W_hy"].T + (leaves["b_y"] if "b_y" in leaves else 0.0)
    loss = torch.nn.functional.cross_entropy(ys, torch.from_numpy(targets), reduction="sum")
    loss.backward()
    grads = {"W_xh": rnn.weight_ih_l0.grad, "W_hh": rnn.weight_hh_l0.grad, **{n: leaves[n].grad for n in leaves}}
    if "b_h" in args:
        grads["b_h"] = rnn.bias_ih_l0.grad  # d/d bias_ih = d/d bias_hh = d/d b_h: the three enter as one sum
    return float(loss), {n: g.detach().numpy().reshape(np.shape(args[n])) for n, g in grads.items()}


def gradient_bound(args: dict, T: int, g: np.ndarray) -> float:
    """README's normwise bound between two correct BPTTs, 16·T·n·u·max|g|, with n = I + H + O + 1, the
    length of the longest chain of sums one step's gradient takes part in."""
    (H, I), O = args["W_xh"].shape, args["W_hy"].shape[0]
    return 16 * T * (I + H + O + 1) * 2.0 ** -53 * float(np.abs(g).max())


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("I,H,O,T,biases", [(1, 1, 2, 5, True), (3, 4, 5, 30, False), (8, 16, 6, 60, True)])
def test_gradients_match_torch_autograd(activation, I, H, O, T, biases):
    """NumPy (fast and exact) and C# loss and gradients against torch's autograd, within the bound."""
    args, xs = rnn_case(I, H, O, T, seed=H + T, biases=biases)
    targets = np.random.default_rng(T).integers(0, O, T)
    torch_loss, expected = torch_gradients(args, xs, targets, activation)
    models = ours(args, activation)
    results = [bptt(models["numpy"], xs, targets), bptt(models["numpy-exact"], xs, targets),
               net_bptt(models["csharp"], xs, targets)]
    for result in results:
        assert abs(result.loss - torch_loss) <= 16 * T * O * 2.0 ** -53 * abs(torch_loss)
        for name in GRADIENTS:
            got = getattr(result.gradients, name)
            if name not in expected:
                assert got is None, name
                continue
            bound = gradient_bound(args, T, expected[name])
            assert np.abs(got - expected[name]).max() <= bound, (name, np.abs(got - expected[name]).max(), bound)


def test_gradient_check_catches_a_dropped_bias():
    """Negative control: gradients of the model without b_h are far from torch's with it."""
    args, xs = rnn_case(3, 4, 5, 30, seed=9)
    targets = np.random.default_rng(9).integers(0, 5, 30)
    _, expected = torch_gradients(args, xs, targets, "tanh")
    model = RNN(args["W_xh"], args["W_hh"], args["W_hy"], args["h0"], b_y=args["b_y"])
    got = bptt(model, xs, targets).gradients.W_hh
    assert np.abs(got - expected["W_hh"]).max() > 1e3 * gradient_bound(args, 30, expected["W_hh"])
