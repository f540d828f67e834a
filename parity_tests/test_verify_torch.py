"""`python -m rnnport verify --reference torch`: NumPy, C# and torch three ways; report, JSON, plot, exit status.

The comparison itself is tested without .NET in python/tests/verify/test_three_way.py (with the porting
bugs as negative controls); here the command runs with the real C# stack, on generated stacks, on a
model file written by ``import-torch`` from a torch state_dict, and on batches in torch's layouts.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from rnnport.cli.main import main
from rnnport.numerics.kernels import ExactKernels

torch = pytest.importorskip("torch", reason="the torch reference needs python3-torch (make deps installs it)")


@pytest.mark.parametrize("cell,layers,bidirectional", [("rnn", 1, False), ("lstm", 2, True), ("gru", 3, False),
                                                       ("gru", 2, True)])
@pytest.mark.parametrize("mode", ["fast", "exact"])
def test_generated_stacks_pass_three_ways(cell, layers, bidirectional, mode, tmp_path, capsys):
    report, plot = tmp_path / "report.json", tmp_path / "v.png"
    args = ["verify", "--reference", "torch", "--cell", cell, "--num-layers", str(layers), "--mode", mode,
            "-I", "4", "-H", "6", "-O", "3", "-T", "40", "--nonzero-h0", "--json", str(report), "--plot", str(plot)]
    status = main(args + (["--bidirectional"] if bidirectional else []))
    out = capsys.readouterr().out
    assert status == 0, out
    D = 2 if bidirectional else 1
    data = json.loads(report.read_text())
    names = [q["quantity"] for q in data["quantities"]]
    assert names[:layers * D] == [f"layer {k} {d}" for k in range(layers) for d in ("forward", "reverse")[:D]]
    assert data["passed"] and data["reference"] == "torch"
    for quantity in data["quantities"]:
        assert set(quantity["pairs"]) == {"NumPy–C#", "NumPy–torch", "C#–torch"}
        exact = quantity["pairs"]["NumPy–C#"]
        assert exact["contract"] == ("identical" if mode == "exact" else "bound")
        if mode == "exact":
            assert exact["max_ulp"] == 0
        assert quantity["pairs"]["C#–torch"]["contract"] == "bound"
    assert "PASS: NumPy, C# and torch agree within contract" in out
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_an_imported_state_dict_and_a_batch_first_batch(tmp_path, capsys):
    """The README's path: a torch LSTM's state_dict → import-torch → verify with (B, T, I) inputs."""
    torch.manual_seed(0)
    module = torch.nn.LSTM(5, 7, num_layers=2, bidirectional=True, batch_first=True, dtype=torch.float64)
    torch.save(module.state_dict(), tmp_path / "lstm.pt")
    assert main(["import-torch", str(tmp_path / "lstm.pt"), "--out", str(tmp_path / "model.npz")]) == 0
    np.save(tmp_path / "xs.npy", np.random.default_rng(1).normal(size=(3, 20, 5)))  # (B, T, I)
    capsys.readouterr()
    status = main(["verify", "--reference", "torch", "--model", str(tmp_path / "model.npz"), "--inputs",
                   str(tmp_path / "xs.npy"), "--batch-first", "--mode", "exact", "--rows", "2"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "lstm, 2 layer(s), bidirectional, I=5 H=7 O=14 T=20 B=3" in out
    assert "l1 reverse" in out


def test_a_broken_numpy_side_exits_1(monkeypatch, capsys):
    """Negative control: the NumPy side summing in reverse fails exact mode's 0 ULP against C#."""
    monkeypatch.setattr(ExactKernels, "matvec_prepared", staticmethod(
        lambda A_T, v, _f=ExactKernels.matvec_prepared: _f(np.ascontiguousarray(A_T[::-1]), v[..., ::-1])))
    status = main(["verify", "--reference", "torch", "--cell", "gru", "--num-layers", "2", "--mode", "exact",
                   "-I", "3", "-H", "16", "-T", "10"])
    out = capsys.readouterr().out
    assert status == 1
    assert "FAIL NumPy–C#" in out and "PASS C#–torch" in out


@pytest.mark.parametrize("args,message", [
    (["--num-layers", "2"], "--num-layers needs --reference torch"),
    (["--bidirectional"], "--bidirectional needs --reference torch"),
    (["--reference", "torch", "--compare", "teacher-forced"],
     "--compare is for --reference csharp; --reference torch runs each side free"),
    (["--reference", "torch", "--num-layers", "0"], None),
    (["--reference", "torch", "--num-layers", "65"], None),
])
def test_bad_arguments_exit_2(args, message, capsys):
    with pytest.raises(SystemExit) as stop:
        raise SystemExit(main(["verify", *args]))
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) >= 1 and "Traceback" not in "\n".join(err)
    if message is not None:
        assert err == [f"rnnport verify: {message}"]


def test_inputs_of_the_wrong_width_or_rank_exit_2(tmp_path, capsys):
    np.save(tmp_path / "xs4d.npy", np.zeros((2, 3, 4, 5)))
    np.save(tmp_path / "xs.npy", np.zeros((6, 3)))
    assert main(["verify", "--reference", "torch", "--inputs", str(tmp_path / "xs4d.npy")]) == 2
    assert "(T, I), (T, B, I) or (B, T, I)" in capsys.readouterr().err
    assert main(["verify", "--reference", "torch", "-I", "5", "--inputs", str(tmp_path / "xs.npy")]) == 2
    assert "I = 5" in capsys.readouterr().err


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_a_single_cell_model_file_is_verified_as_its_one_layer_stack(cell, tmp_path, capsys):
    """A version 2 file (one cell, the article's output layer) runs as the one-layer stack of its weights."""
    from rnnport import modelfile
    from rnnport.verify.cell_registry import CELLS

    arguments, _ = CELLS[cell].case(3, 5, 2, 10, 4, True)
    modelfile.save(tmp_path / "cell.npz", CELLS[cell].numpy_model(arguments, "fast"))
    status = main(["verify", "--reference", "torch", "--model", str(tmp_path / "cell.npz"), "-T", "30", "--mode", "exact"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert f"{cell}, 1 layer(s), unidirectional, I=3 H=5 O=2 T=30" in out
