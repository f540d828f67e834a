"""torch.nn.LSTM in float64 as the outside reference: same weights, states and cell states within the bound.

torch's layout is the NumPy one: ``weight_ih_l0`` (4H, I) = W_ih, ``weight_hh_l0`` (4H, H) = W_hh,
``bias_ih_l0`` / ``bias_hh_l0`` (4H,), gate blocks (i, f, g, o). torch has no output layer: y is computed
here from torch's h with the NumPy expression ``hs @ W_hy.T + b_y``. A missing torch fails here, never skips.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch  # a missing torch is an error, not a skip

from rnnport.cells.lstm import LSTM
from rnnport.cells.lstm_bounds import sequence_bounds

# (I, H, O, T)
SHAPES = [(1, 1, 1, 1), (3, 1, 2, 30), (1, 4, 1, 50), (5, 3, 7, 40), (16, 32, 8, 300)]


def lstm_case(I: int, H: int, O: int, T: int, seed: int, biases: bool = True) -> tuple[dict, np.ndarray]:
    rng = np.random.default_rng(seed)
    args = dict(W_ih=rng.normal(size=(4 * H, I)) / math.sqrt(I), W_hh=rng.normal(size=(4 * H, H)) / math.sqrt(H),
                W_hy=rng.normal(size=(O, H)), h0=rng.uniform(-0.9, 0.9, H), c0=rng.normal(size=H))
    if biases:
        args.update(b_ih=rng.normal(size=4 * H) * 0.5, b_hh=rng.normal(size=4 * H) * 0.5, b_y=rng.normal(size=O))
    return args, rng.normal(size=(T, I))


def torch_lstm(args: dict) -> torch.nn.LSTM:
    """torch.nn.LSTM (float64, one layer) holding the NumPy weights W_ih, W_hh and, when given, b_ih, b_hh."""
    H, I = args["W_hh"].shape[1], args["W_ih"].shape[1]
    biased = args.get("b_ih") is not None
    lstm = torch.nn.LSTM(I, H, bias=biased).double()
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(args["W_ih"]))
        lstm.weight_hh_l0.copy_(torch.from_numpy(args["W_hh"]))
        if biased:
            lstm.bias_ih_l0.copy_(torch.from_numpy(args["b_ih"]))
            lstm.bias_hh_l0.copy_(torch.from_numpy(args["b_hh"]))
    return lstm


def torch_forward(args: dict, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """torch's hs and cs (T, H) for every step, and ys computed from torch's hs."""
    H, I = args["W_hh"].shape[1], args["W_ih"].shape[1]
    biased = args.get("b_ih") is not None
    lstm = torch_lstm(args)
    with torch.no_grad():
        h, c = torch.from_numpy(args["h0"]).view(1, 1, H), torch.from_numpy(args["c0"]).view(1, 1, H)
        hs, cs = [], []
        for x in torch.from_numpy(xs).view(-1, 1, 1, I):  # one step at a time: torch returns only the last c
            _, (h, c) = lstm(x, (h, c))
            hs.append(h.view(H).numpy().copy()); cs.append(c.view(H).numpy().copy())
    hs, cs = np.array(hs).reshape(-1, H), np.array(cs).reshape(-1, H)
    ys = hs @ args["W_hy"].T + (args["b_y"] if biased else 0.0)
    return ys, hs, cs


def assert_within(name: str, a: np.ndarray, b: np.ndarray, bound: np.ndarray) -> float:
    """Every |a − b| ≤ bound; returns the worst used fraction of the bound."""
    d = np.abs(a - b)
    bad = np.argwhere(d > bound)
    assert bad.size == 0, f"{name}: first element over the bound at {tuple(bad[0])}: |Δ| = {d[tuple(bad[0])]:.3e} > {bound[tuple(bad[0])]:.3e}"
    return float((d / bound).max()) if d.size else 0.0


@pytest.mark.parametrize("kernel", ["fast", "exact"])
@pytest.mark.parametrize("biases", [True, False])
@pytest.mark.parametrize("I,H,O,T", SHAPES)
def test_numpy_lstm_matches_torch(I, H, O, T, biases, kernel):
    """NumPy's states, cell states and outputs against torch float64, free-running, within the derived bound."""
    args, xs = lstm_case(I, H, O, T, seed=31 * H + I, biases=biases)
    ys, hs, cs = LSTM(**args, kernel=kernel).forward(xs)
    tys, ths, tcs = torch_forward(args, xs)
    bh, bc, by = sequence_bounds(args, xs, args["h0"], args["c0"], (hs, cs), (ths, tcs))
    assert_within("h", hs, ths, bh)
    assert_within("c", cs, tcs, bc)
    assert_within("y", ys, tys, by)


def test_torch_check_catches_swapped_gates():
    """Negative control: the i and f row blocks swapped on the NumPy side are far outside the bound."""
    args, xs = lstm_case(5, 3, 7, 40, seed=2)
    swapped = dict(args)
    for n in ("W_ih", "W_hh", "b_ih", "b_hh"):
        blocks = np.split(args[n], 4)
        swapped[n] = np.concatenate([blocks[1], blocks[0], blocks[2], blocks[3]])
    ys, hs, cs = LSTM(**swapped).forward(xs)
    tys, ths, tcs = torch_forward(args, xs)
    bh, _, _ = sequence_bounds(args, xs, args["h0"], args["c0"], (hs, cs), (ths, tcs))
    with pytest.raises(AssertionError, match="over the bound"):
        assert_within("h", hs, ths, bh)


def test_torch_check_catches_a_dropped_recurrent_bias():
    """Negative control: b_hh dropped on the NumPy side (b_ih kept) is caught."""
    args, xs = lstm_case(5, 3, 7, 40, seed=3)
    dropped = dict(args); dropped.pop("b_hh")
    ys, hs, cs = LSTM(**dropped).forward(xs)
    tys, ths, tcs = torch_forward(args, xs)
    _, bc, _ = sequence_bounds(args, xs, args["h0"], args["c0"], (hs, cs), (ths, tcs))
    with pytest.raises(AssertionError, match="over the bound"):
        assert_within("c", cs, tcs, bc)


# --- Gradients: torch's autograd on the same loss (softmax cross-entropy summed over steps).

from rnnport.cells.lstm_bptt import bptt  # noqa: E402
from rnnport.dotnet.lstm import DotNetLSTM, bptt as net_bptt  # noqa: E402

GRAD_NAMES = ("W_ih", "W_hh", "W_hy", "b_ih", "b_hh", "b_y", "h0", "c0")


def torch_gradients(args: dict, xs: np.ndarray, targets: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
    """The loss and d loss / d (every parameter, h0, c0) from torch's autograd, in float64."""
    H, I = args["W_hh"].shape[1], args["W_ih"].shape[1]
    biased = args.get("b_ih") is not None
    lstm = torch_lstm(args)
    leaves = {"W_hy": torch.tensor(args["W_hy"], requires_grad=True),
              "h0": torch.tensor(args["h0"].reshape(1, 1, H), requires_grad=True),
              "c0": torch.tensor(args["c0"].reshape(1, 1, H), requires_grad=True)}
    if biased:
        leaves["b_y"] = torch.tensor(args["b_y"], requires_grad=True)
    hs, _ = lstm(torch.from_numpy(xs).view(-1, 1, I), (leaves["h0"], leaves["c0"]))
    ys = hs.view(-1, H) @ leaves["W_hy"].T + (leaves["b_y"] if biased else 0.0)
    loss = torch.nn.functional.cross_entropy(ys, torch.from_numpy(targets), reduction="sum")
    loss.backward()
    grads = {"W_ih": lstm.weight_ih_l0.grad, "W_hh": lstm.weight_hh_l0.grad, **{n: leaves[n].grad for n in leaves}}
    if biased:
        grads.update(b_ih=lstm.bias_ih_l0.grad, b_hh=lstm.bias_hh_l0.grad)
    return float(loss), {n: g.detach().numpy().reshape(np.shape(args[n])) for n, g in grads.items()}


def gradient_bound(args: dict, T: int, g: np.ndarray) -> float:
    """A normwise bound on |Δg| between two correct BPTTs: 16·T·n·u·max|g|, n = I + 4H + O + 2, the length
    of the longest chain of sums one step's gradient takes part in (RNN: 16·T·n·u·max|g|, README)."""
    H, I, O = args["W_hh"].shape[1], args["W_ih"].shape[1], args["W_hy"].shape[0]
    return 16 * T * (I + 4 * H + O + 2) * 2.0 ** -53 * float(np.abs(g).max())


@pytest.mark.parametrize("biases", [True, False])
@pytest.mark.parametrize("I,H,O,T", [(1, 1, 2, 5), (3, 4, 5, 30), (8, 16, 6, 60)])
def test_gradients_match_torch_autograd(I, H, O, T, biases):
    """NumPy (fast and exact) and C# gradients against torch's autograd, per parameter within the bound."""
    args, xs = lstm_case(I, H, O, T, seed=H + T, biases=biases)
    targets = np.random.default_rng(T).integers(0, O, T)
    torch_loss, expected = torch_gradients(args, xs, targets)
    results = [bptt(LSTM(**args), xs, targets), bptt(LSTM(**args, kernel="exact"), xs, targets),
               net_bptt(DotNetLSTM(**args), xs, targets)]
    for result in results:
        assert abs(result.loss - torch_loss) <= 16 * T * O * 2.0 ** -53 * abs(torch_loss)
        for name in GRAD_NAMES:
            got = getattr(result.gradients, name)
            if name not in expected:
                assert got is None
                continue
            bound = gradient_bound(args, T, expected[name])
            assert np.abs(got - expected[name]).max() <= bound, (name, np.abs(got - expected[name]).max(), bound)


def test_torch_gradient_check_catches_a_dropped_recurrent_bias():
    """Negative control: gradients of a model without b_hh are far from torch's with it."""
    args, xs = lstm_case(3, 4, 5, 30, seed=9)
    targets = np.random.default_rng(9).integers(0, 5, 30)
    _, expected = torch_gradients(args, xs, targets)
    dropped = dict(args); dropped.pop("b_hh")
    got = bptt(LSTM(**dropped), xs, targets).gradients.W_hh
    assert np.abs(got - expected["W_hh"]).max() > 1e3 * gradient_bound(args, 30, expected["W_hh"])
