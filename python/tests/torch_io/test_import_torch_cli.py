"""``python -m rnnport import-torch``: .pt files written here by torch.save become version 3 files bit for bit;
a pickled object is refused
without running it; every error one line, exit status 2."""
from __future__ import annotations

import collections
import os

import numpy as np
import pytest
import torch

from rnnport.cli.main import main
from rnnport.io import model_file

MARKER = "import_torch_ran_the_pickle"


class Payload:
    """Unpickling this would create a file: the proof that weights_only never runs a pickle."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["import-torch", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("layers", [1, 2, 3])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("cell,module", [("rnn", torch.nn.RNN), ("lstm", torch.nn.LSTM), ("gru", torch.nn.GRU)])
def test_state_dict_becomes_a_version_3_file_bit_for_bit(cell, module, layers, bidirectional, tmp_path, capsys):
    """Every layer, direction and bias of the state_dict is in the file under its torch name, bit for bit."""
    from rnnport.cells.stack import RecurrentStack

    torch.manual_seed(layers)
    bias = layers != 2  # both settings covered across the matrix
    extra = {"nonlinearity": "relu"} if cell == "rnn" else {}
    m = module(3, 5, num_layers=layers, bidirectional=bidirectional, bias=bias, **extra)
    torch.save(m.state_dict(), tmp_path / "m.pt")
    options = ["--nonlinearity", "relu"] if cell == "rnn" else []
    code, out, err = run(capsys, tmp_path / "m.pt", "--out", tmp_path / "m.npz", "--cell", cell, *options)
    assert (code, err) == (0, "")
    line = out.splitlines()[0]
    assert f": {cell}{' (relu)' if cell == 'rnn' else ''}, num_layers = {layers}, " in line
    assert ("bidirectional" in line.split(", ")) == bidirectional and "I = 3, H = 5" in line
    assert ("biases: none" in line) == (not bias)
    loaded = model_file.load(tmp_path / "m.npz")
    assert isinstance(loaded.model, RecurrentStack) and loaded.cell == cell
    assert (loaded.model.num_layers, loaded.model.bidirectional) == (layers, bidirectional)
    if cell == "rnn":
        assert loaded.model.nonlinearity == "relu"
    state = m.state_dict()
    assert list(loaded.model.parameters()) == list(state)
    for name, tensor in state.items():
        expected = tensor.detach().numpy().astype(np.float64)
        assert np.array_equal(loaded.model.parameters()[name].view(np.uint64), expected.view(np.uint64)), name


def test_the_comparison_catches_a_swapped_direction(tmp_path, capsys):
    """Negative control: the file of a state_dict whose _reverse weights were swapped with the forward ones differs."""
    m = torch.nn.GRU(2, 3, bidirectional=True)
    state = m.state_dict()
    swapped = {**state, "weight_hh_l0": state["weight_hh_l0_reverse"], "weight_hh_l0_reverse": state["weight_hh_l0"]}
    torch.save(swapped, tmp_path / "s.pt")
    assert run(capsys, tmp_path / "s.pt", "--out", tmp_path / "s.npz")[0] == 0
    loaded = model_file.load(tmp_path / "s.npz").model.parameters()
    assert not np.array_equal(loaded["weight_hh_l0"], state["weight_hh_l0"].numpy().astype(np.float64))


def test_nonlinearity_is_refused_for_a_gated_cell(tmp_path, capsys):
    torch.save(torch.nn.LSTM(2, 3).state_dict(), tmp_path / "l.pt")
    code, out, err = run(capsys, tmp_path / "l.pt", "--out", tmp_path / "l.npz", "--nonlinearity", "relu")
    assert code == 2 and out == "" and err.count("\n") == 1 and "--nonlinearity is an RNN's" in err
    assert not (tmp_path / "l.npz").exists()


def test_a_dict_holding_one_state_dict_is_accepted(tmp_path, capsys):
    torch.save({"state_dict": torch.nn.GRU(2, 3).state_dict(), "epoch": 7}, tmp_path / "c.pt")
    code, out, _ = run(capsys, tmp_path / "c.pt", "--out", tmp_path / "c.npz")
    assert code == 0 and ": gru" in out


def test_a_pickled_object_is_refused_unrun(tmp_path, capsys):
    marker = tmp_path / MARKER
    torch.save({"weight_ih_l0": torch.zeros(4, 2), "x": Payload(str(marker))}, tmp_path / "evil.pt")
    code, out, err = run(capsys, tmp_path / "evil.pt", "--out", tmp_path / "e.npz")
    assert code == 2 and out == "" and err.count("\n") == 1 and "weights_only" in err
    assert not marker.exists() and not (tmp_path / "e.npz").exists()


def test_the_payload_would_run_without_weights_only(tmp_path):
    """Negative control: the same file loaded as an arbitrary pickle does run the payload."""
    marker = tmp_path / MARKER
    torch.save({"x": Payload(str(marker))}, tmp_path / "evil.pt")
    torch.load(tmp_path / "evil.pt", weights_only=False)
    assert marker.exists()


@pytest.mark.parametrize("content,words", [
    (lambda: {k: v for k, v in torch.nn.LSTM(3, 4, num_layers=3).state_dict().items() if "_l1" not in k},
     "layer 2 follows a gap"),
    (lambda: {k: v for k, v in torch.nn.GRU(3, 4, num_layers=2).state_dict().items() if k != "bias_hh_l1"},
     "bias_hh_l1: missing"),
    (lambda: torch.nn.LSTM(3, 4, proj_size=2).state_dict(), "weight_hr_l0: proj_size"),
    (lambda: {"weight_ih_l0": torch.zeros(8, 3)}, "weight_hh_l0: missing"),
    (lambda: collections.OrderedDict(a=1), "not a state_dict"),
    (lambda: [torch.zeros(2)], "holds a list"),
])
def test_refusals_are_one_line_exit_2(content, words, tmp_path, capsys):
    torch.save(content(), tmp_path / "bad.pt")
    (tmp_path / "keep.npz").write_bytes(b"previous")
    code, out, err = run(capsys, tmp_path / "bad.pt", "--out", tmp_path / "keep.npz")
    assert code == 2 and err.count("\n") == 1 and words in err, err
    assert (tmp_path / "keep.npz").read_bytes() == b"previous"  # nothing written on refusal


def test_the_cell_check_and_a_missing_file(tmp_path, capsys):
    torch.save(torch.nn.GRU(2, 3).state_dict(), tmp_path / "g.pt")
    code, _, err = run(capsys, tmp_path / "g.pt", "--cell", "lstm", "--out", tmp_path / "g.npz")
    assert code == 2 and "is a gru, not a lstm" in err
    code, _, err = run(capsys, tmp_path / "none.pt", "--out", tmp_path / "n.npz")
    assert code == 2 and "does not exist" in err
    (tmp_path / "text.pt").write_text("not torch")
    code, _, err = run(capsys, tmp_path / "text.pt", "--out", tmp_path / "t.npz")
    assert code == 2 and err.count("\n") == 1 and "weights_only" in err
