"""A stack in the model file (docs/model-file.md, section S, version 3): written, read back, refused.

The C# twin is ``ModelFileStackTests``; the corpus (``stacks.py``) covers the reader's rules."""
from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from rnnport.cells.stack import RecurrentStack, parameter_names
from rnnport.io import model_file
from rnnport.training.vocabulary import Vocabulary

GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def stack(cell: str, layers: int, bidirectional: bool, bias: bool, output: bool, nonlinearity: str = "tanh") -> RecurrentStack:
    """I = 3, H = 2, O = 3 with W_hy, else D·H."""
    rng = np.random.default_rng(layers)
    rows, D = GATES[cell] * 2, 2 if bidirectional else 1
    parameters = {name: rng.normal(size=(rows, 3 if name.endswith(("_l0", "_l0_reverse")) else D * 2) if name.startswith("weight_ih")
                                   else (rows, 2) if name.startswith("weight_hh") else rows)
                  for name in parameter_names(layers, bidirectional, bias)}
    extra = {"W_hy": rng.normal(size=(3, D * 2)), "b_y": rng.normal(size=3)} if output else {}
    return RecurrentStack(cell, parameters, num_layers=layers, bidirectional=bidirectional, nonlinearity=nonlinearity,
                          h0=rng.normal(size=(layers * D, 2)), c0=rng.normal(size=(layers * D, 2)) if cell == "lstm" else None,
                          **extra)


@pytest.mark.parametrize("cell,layers,bidirectional,bias,output", [
    ("rnn", 2, False, True, True), ("lstm", 2, True, True, False), ("gru", 3, True, False, True), ("lstm", 1, False, False, False)])
def test_a_stack_round_trips_bit_for_bit_as_version_3(cell, layers, bidirectional, bias, output, tmp_path):
    model = stack(cell, layers, bidirectional, bias, output, "relu" if cell == "rnn" else "tanh")
    path = tmp_path / "stack.npz"
    model_file.save(path, model, Vocabulary("abc") if output else None, {"source": "test"})
    loaded = model_file.load(path)
    back = loaded.model
    assert isinstance(back, RecurrentStack) and loaded.cell == cell
    assert (back.num_layers, back.bidirectional, back.nonlinearity) == (layers, bidirectional, model.nonlinearity)
    assert list(back.parameters()) == list(model.parameters())
    for name, value in model.parameters().items():
        assert np.array_equal(value.view(np.uint64), back.parameters()[name].view(np.uint64)), name
    assert np.array_equal(back.h0, model.h0) and (cell != "lstm" or np.array_equal(back.c0, model.c0))
    with zipfile.ZipFile(path) as archive:
        states = ["h0.npy", "c0.npy"] if cell == "lstm" else ["h0.npy"]
        assert archive.namelist() == [f"{n}.npy" for n in model.parameters()] + states + ["vocabulary.npy", "metadata.npy"]
        metadata = json.loads(np.load(io.BytesIO(archive.read("metadata.npy"))).tobytes())
    assert metadata == {"activation": model.nonlinearity, "bidirectional": bidirectional, "cell": cell, "format": "rnnport-model",
                        "hyperparameters": {"source": "test"}, "num_layers": layers, "version": 3}


def test_single_cells_are_still_written_as_version_2(tmp_path):
    """Negative control for the version: a cell keeps version 2 and its own names."""
    from rnnport.verify.cases import make_case

    model_file.save(tmp_path / "cell.npz", make_case(3, 4, 3, 1, seed=1).numpy_model())
    with zipfile.ZipFile(tmp_path / "cell.npz") as archive:
        metadata = json.loads(np.load(io.BytesIO(archive.read("metadata.npy"))).tobytes())
        assert metadata["version"] == 2 and "num_layers" not in metadata and "W_xh.npy" in archive.namelist()


def test_the_writer_refuses_what_the_file_cannot_hold_before_opening_the_target(tmp_path):
    path = tmp_path / "deep.npz"
    path.write_bytes(b"previous")
    with pytest.raises(ValueError, match="1 to 64 layers"):
        model_file.save(path, stack("rnn", 65, False, False, False))
    with pytest.raises(ValueError, match="V = I = O"):
        model_file.save(path, stack("gru", 1, False, False, True), Vocabulary("abcd"))
    assert path.read_bytes() == b"previous"
    model_file.save(path, stack("rnn", 64, False, False, False))  # the limit itself is written
    assert model_file.load(path).model.num_layers == 64
