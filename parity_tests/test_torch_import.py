"""rnnport.torch against torch itself, one layer: converted single cells (``cell_from_torch``) run as torch's
modules do (within the derived bounds), torch → rnnport → torch is bit for bit, and the converted model reaches C# through the model file
with bit-identical weights. A missing torch fails here, never skips.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from rnnport.cells.lstm_bounds import sequence_bounds
from rnnport.dotnet import model_file as dotnet_model_file
from rnnport.io import model_file
from rnnport.torch import cell_from_state_dict, cell_from_torch, from_torch, to_state_dict, to_torch
from rnnport.verify.bounds import state_bound
from rnnport.verify.gru_bounds import gru_state_bound

torch.set_num_threads(1)


def module(cell: str, I: int, H: int, bias: bool, seed: int, nonlinearity: str = "tanh") -> torch.nn.RNNBase:
    """A float64 torch module with seeded weights (torch's own initialisation, uniform ±1/√H)."""
    torch.manual_seed(seed)
    if cell == "rnn":
        return torch.nn.RNN(I, H, nonlinearity=nonlinearity, bias=bias, dtype=torch.float64)
    return {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](I, H, bias=bias, dtype=torch.float64)


def torch_states(m: torch.nn.RNNBase, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """(T, H) states from zero state, and for an LSTM its (T, H) cell states (one step at a time)."""
    H = m.hidden_size
    with torch.no_grad():
        if not isinstance(m, torch.nn.LSTM):
            out, _ = m(torch.from_numpy(xs)[:, None, :])
            return out[:, 0, :].numpy().copy(), None
        h = c = torch.zeros(1, 1, H, dtype=torch.float64)
        hs, cs = [], []
        for x in torch.from_numpy(xs).view(-1, 1, 1, xs.shape[1]):
            _, (h, c) = m(x, (h, c))
            hs.append(h.view(H).numpy().copy()); cs.append(c.view(H).numpy().copy())
    return np.array(hs), np.array(cs)


def within_bound(m: torch.nn.RNNBase, model, xs: np.ndarray) -> float:
    """The worst |Δ|/bound of the model's states (and cell states) against torch's, free-running.

    The bounds are the cells' derived ones, computed from torch's own weights; for the RNN, the one
    extra rounding of b_h = bias_ih + bias_hh is added (u·|b_h| per step, carried like any other error
    through the previous-state term).
    """
    H = m.hidden_size
    sd = {k: v.numpy() for k, v in m.state_dict().items()}
    ths, tcs = torch_states(m, xs)
    model.reset()
    if tcs is not None:
        _, hs, cs = model.forward(xs)
        params = {"W_ih": sd["weight_ih_l0"], "W_hh": sd["weight_hh_l0"], "W_hy": np.eye(H),
                  "b_ih": sd.get("bias_ih_l0"), "b_hh": sd.get("bias_hh_l0"), "b_y": None}
        bh, bc, _ = sequence_bounds(params, xs, np.zeros(H), np.zeros(H), (hs, cs), (ths, tcs))
        return float(max((np.abs(hs - ths) / bh).max(), (np.abs(cs - tcs) / bc).max()))
    _, hs = model.forward(xs)
    prev_a, prev_b = np.vstack([np.zeros(H), hs[:-1]]), np.vstack([np.zeros(H), ths[:-1]])
    if isinstance(m, torch.nn.GRU):
        bound = gru_state_bound(sd["weight_ih_l0"], sd["weight_hh_l0"], sd.get("bias_ih_l0"), sd.get("bias_hh_l0"),
                                xs, prev_a, prev_b)
    else:
        bound = state_bound(sd["weight_ih_l0"], sd["weight_hh_l0"], xs, prev_a, prev_b, hs, ths,
                            m.nonlinearity)
        if "bias_ih_l0" in sd:
            bound = bound + np.finfo(float).eps * (np.abs(sd["bias_ih_l0"]) + np.abs(sd["bias_hh_l0"]))
    return float((np.abs(hs - ths) / bound).max())


CASES = [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")]


@pytest.mark.parametrize("kernel", ["fast", "exact"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("cell,nonlinearity", CASES)
def test_converted_model_runs_as_torch(cell, nonlinearity, bias, kernel):
    """cell_from_torch's model: states within the cell's derived bound of torch float64's, y = h by default."""
    m = module(cell, 5, 7, bias, seed=3, nonlinearity=nonlinearity)
    model = cell_from_torch(m, kernel=kernel)
    xs = np.random.default_rng(1).normal(size=(60, 5))
    assert within_bound(m, model, xs) <= 1.0
    model.reset()
    out = model.forward(xs)
    np.testing.assert_array_equal(out[0], out[1])  # the identity output layer: y is h exactly


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_swapped_gate_blocks_fail_the_comparison(cell):
    """Negative control: the first two gate blocks exchanged (i↔f, r↔z) put the states far outside the bound."""
    m = module(cell, 5, 7, True, seed=3)
    sd = {k: v.numpy().copy() for k, v in m.state_dict().items()}
    H = 7
    for key in sd:
        sd[key][[*range(H, 2 * H), *range(H)]] = sd[key][:2 * H].copy()
    xs = np.random.default_rng(1).normal(size=(60, 5))
    assert within_bound(m, cell_from_state_dict(sd), xs) > 100.0


def test_rnn_dropped_bias_hh_fails_the_comparison():
    """Negative control: an RNN whose b_h is bias_ih alone (bias_hh forgotten) is far outside the bound."""
    m = module("rnn", 5, 7, True, seed=3)
    sd = {k: v.numpy().copy() for k, v in m.state_dict().items()}
    sd["bias_hh_l0"][:] = 0.0
    xs = np.random.default_rng(1).normal(size=(60, 5))
    assert within_bound(m, cell_from_state_dict(sd), xs) > 100.0


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("cell,nonlinearity", CASES)
def test_torch_round_trip_is_bit_for_bit(cell, nonlinearity, bias):
    """torch → RecurrentStack → torch: every tensor equal bit for bit (both RNN biases kept), and nonlinearity,
    sizes, dtype kept; batch_first=False."""
    m = module(cell, 4, 6, bias, seed=11, nonlinearity=nonlinearity)
    back = to_torch(from_torch(m))
    assert type(back) is type(m) and back.mode == m.mode and back.bias == m.bias and back.batch_first is False
    original = m.state_dict()
    assert list(back.state_dict()) == list(original)
    for key, value in back.state_dict().items():
        assert value.dtype == torch.float64
        assert torch.equal(value, original[key]), key


def test_single_cell_round_trip_sums_the_rnn_biases():
    """The first slice's single RNN: bias_ih + bias_hh in bias_ih, zeros in bias_hh (one rounding)."""
    m = module("rnn", 4, 6, True, seed=11)
    back = to_torch(cell_from_torch(m)).state_dict()
    original = m.state_dict()
    assert torch.equal(back["bias_ih_l0"], original["bias_ih_l0"] + original["bias_hh_l0"])
    assert torch.equal(back["bias_hh_l0"], torch.zeros(6, dtype=torch.float64))


def test_float32_module_widens_exactly():
    """A float32 module (torch's default) converts to float64 without rounding: the values are equal."""
    torch.manual_seed(0)
    m = torch.nn.LSTM(3, 4)
    model = from_torch(m)
    np.testing.assert_array_equal(model.parameters()["weight_ih_l0"], m.weight_ih_l0.detach().numpy().astype(np.float64))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_converted_model_reaches_csharp_bit_identical(cell, tmp_path):
    """The converted model saved as a model file loads in C# (through the bridge) with identical weights,
    and the C# model's weights written back by C# give torch's tensors again bit for bit."""
    m = module(cell, 3, 5, True, seed=5)
    model = cell_from_torch(m)  # a single cell: model file version 2
    path = tmp_path / "model.npz"
    model_file.save(path, model)
    net = dotnet_model_file.load_model(path)
    for name, value in model.parameters().items():
        got = net.model.parameters()[name]
        assert np.asarray(got).tobytes() == np.asarray(value).tobytes(), name
    back = tmp_path / "back.npz"
    dotnet_model_file.save(back, net.model)
    state = to_state_dict(model_file.load(back).model)
    for key, value in to_state_dict(model).items():
        assert state[key].tobytes() == value.tobytes(), key
