"""Sampling a gated cell (what ``sample`` does with an LSTM or GRU model file): NumPy in exact mode and
C# pick the same characters from the same uniforms, and both leave the state (an LSTM's h and c) as
they found it. A model saved by one language and sampled by the other included."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport import dotnet, modelfile
from rnnport.cells.gru import GRU
from rnnport.cells.lstm import LSTM
from rnnport.dotnet.gru import DotNetGRU
from rnnport.dotnet.lstm import DotNetLSTM
from rnnport.training.sampling import sample

V, H = 5, 6


def arrays(gates: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(gates)
    return {"W_ih": rng.normal(size=(gates * H, V)), "W_hh": rng.normal(size=(gates * H, H)) / 2,
            "W_hy": rng.normal(size=(V, H)) * 2, "b_ih": rng.normal(size=gates * H), "b_y": rng.normal(size=V)}


def pair(cell: str) -> tuple[object, object]:
    a = arrays(4 if cell == "lstm" else 3)
    weights = (a.pop("W_ih"), a.pop("W_hh"), a.pop("W_hy"))
    if cell == "lstm":
        return LSTM(*weights, kernel="exact", **a), DotNetLSTM(*weights, **a)
    return GRU(*weights, kernel="exact", **a), DotNetGRU(*weights, **a)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_the_same_picks_and_the_state_restored(cell):
    numpy_model, net_model = pair(cell)
    uniforms = np.random.default_rng(9).random(400)
    for model in (numpy_model, net_model):
        model.h = np.linspace(-0.5, 0.5, H)
        if cell == "lstm":
            model.c = np.linspace(1.0, -1.0, H)
    before = [(m.h.tobytes(), getattr(m, "c", np.zeros(0)).tobytes()) for m in (numpy_model, net_model)]
    picks = sample(numpy_model, 2, uniforms, 0.9)
    net_picks = dotnet.sample(net_model, 2, uniforms, 0.9)
    assert picks == net_picks and len(set(picks)) > 1
    after = [(m.h.tobytes(), getattr(m, "c", np.zeros(0)).tobytes()) for m in (numpy_model, net_model)]
    assert after == before


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_file_from_either_language_samples_alike(tmp_path, cell):
    numpy_model, net_model = pair(cell)
    modelfile.save(tmp_path / "np.npz", numpy_model)
    dotnet.save(tmp_path / "cs.npz", net_model)
    uniforms = np.random.default_rng(10).random(200)
    exact = {"lstm": LSTM, "gru": GRU}[cell]
    results = []
    for path in (tmp_path / "np.npz", tmp_path / "cs.npz"):
        loaded = modelfile.load(path).model
        loaded = exact(**{n: getattr(loaded, n) for n in ("W_ih", "W_hh", "W_hy", "h0", "b_ih", "b_hh", "b_y")},
                       **({"c0": loaded.c0} if cell == "lstm" else {}), kernel="exact")
        results += [sample(loaded, 0, uniforms), dotnet.sample(dotnet.load_model(path).model, 0, uniforms)]
    assert all(r == results[0] for r in results)


def test_a_wrong_cell_state_changes_the_picks():
    """Negative control: starting the C# LSTM from another c gives other characters."""
    numpy_model, net_model = pair("lstm")
    uniforms = np.random.default_rng(9).random(400)
    net_model.c = np.full(H, 20.0)
    assert sample(numpy_model, 2, uniforms) != dotnet.sample(net_model, 2, uniforms)
