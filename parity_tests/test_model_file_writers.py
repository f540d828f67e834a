"""Both writers against both readers: a file written by either language loads in both with the same
contents, bit for bit (docs/model-file.md, section W)."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport import RNN, dotnet, modelfile
from rnnport.cells.gru import GRU
from rnnport.cells.lstm import LSTM
from rnnport.dotnet.gru import DotNetGRU
from rnnport.dotnet.lstm import DotNetLSTM
from rnnport.training.vocabulary import Vocabulary
from rnnport.verify import model_file_corpus
from rnnport.verify.cases import make_case

MODELS = {
    "plain": dict(biases=(False, False), vocabulary=None, activation="tanh", hyper=None),
    "char-model": dict(biases=(True, True), vocabulary="ab\né", activation="tanh",
                       hyper={"clip": 5.0, "seq_length": 25, "note": "é 𝄞", "big": 10 ** 30, "tiny": 5e-324}),
    "relu-hidden-bias": dict(biases=(True, False), vocabulary="wxyz", activation="relu", hyper={"nested": {"a": [1, None]}}),
    "output-bias": dict(biases=(False, True), vocabulary=None, activation="relu", hyper={}),
}


def numpy_model(biases: tuple[bool, bool], activation: str) -> RNN:
    case = make_case(4, 5, 4, 0, seed=11, nonzero_h0=True)
    rng = np.random.default_rng(12)
    return RNN(*case.weights(), activation=activation, b_h=rng.normal(size=5) if biases[0] else None,
               b_y=rng.normal(size=4) if biases[1] else None)


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("writer", ["numpy", "csharp"])
def test_file_from_either_writer_loads_identically_in_both_readers(tmp_path, name, writer):
    """NumPy save or C# Save → NumPy load and C# load agree bit for bit with what was saved."""
    spec = MODELS[name]
    model = numpy_model(spec["biases"], spec["activation"])
    vocabulary = None if spec["vocabulary"] is None else Vocabulary(spec["vocabulary"])
    path = tmp_path / "model.npz"
    if writer == "numpy":
        modelfile.save(path, model, vocabulary, spec["hyper"])
    else:
        net = dotnet.DotNetRNN(model.W_xh, model.W_hh, model.W_hy, model.h0, model.activation, b_h=model.b_h, b_y=model.b_y)
        dotnet.save(path, net, vocabulary, spec["hyper"])
    from_numpy = model_file_corpus.verdict(modelfile.load, path)
    from_csharp = model_file_corpus.verdict(dotnet.load_model, path)
    assert from_numpy[0] == from_csharp[0] == "accept", (from_numpy, from_csharp)
    assert from_numpy[1] == from_csharp[1]
    expected = model_file_corpus.fingerprint(modelfile.ModelFile(model, vocabulary, spec["hyper"] or {}))
    assert from_numpy[1] == expected


# Per cell: the NumPy model and its bridge twin, from one seed; biases on or off as each case says.
def lstm_pair(biases: tuple[bool, bool, bool]) -> tuple[LSTM, DotNetLSTM]:
    rng = np.random.default_rng(13)
    I, H, O = 4, 3, 4
    arrays = {"W_ih": rng.normal(size=(4 * H, I)), "W_hh": rng.normal(size=(4 * H, H)), "W_hy": rng.normal(size=(O, H)),
              "h0": rng.normal(size=H), "c0": rng.normal(size=H)}
    optional = {n: rng.normal(size=s) for n, s, on in zip(("b_ih", "b_hh", "b_y"), (4 * H, 4 * H, O), biases) if on}
    weights = [arrays.pop(n) for n in ("W_ih", "W_hh", "W_hy")]
    return LSTM(*weights, **arrays, **optional), DotNetLSTM(*weights, **arrays, **optional)


def gru_pair(biases: tuple[bool, bool, bool]) -> tuple[GRU, DotNetGRU]:
    rng = np.random.default_rng(14)
    I, H, O = 4, 3, 4
    weights = [rng.normal(size=(3 * H, I)), rng.normal(size=(3 * H, H)), rng.normal(size=(O, H))]
    h0 = rng.normal(size=H)
    optional = {n: rng.normal(size=s) for n, s, on in zip(("b_ih", "b_hh", "b_y"), (3 * H, 3 * H, O), biases) if on}
    return GRU(*weights, h0, **optional), DotNetGRU(*weights, h0, **optional)


CELL_PAIRS = {
    "lstm-all-biases": lambda: lstm_pair((True, True, True)),
    "lstm-no-biases": lambda: lstm_pair((False, False, False)),
    "lstm-recurrent-bias-only": lambda: lstm_pair((False, True, False)),
    "gru-all-biases": lambda: gru_pair((True, True, True)),
    "gru-no-biases": lambda: gru_pair((False, False, False)),
    "gru-input-and-output-bias": lambda: gru_pair((True, False, True)),
}


@pytest.mark.parametrize("name", list(CELL_PAIRS))
@pytest.mark.parametrize("writer", ["numpy", "csharp"])
def test_each_cell_from_either_writer_loads_identically_in_both_readers(tmp_path, name, writer):
    """An LSTM (or GRU) saved by either language loads in both as that cell, bit for bit; both writers write the same bytes."""
    numpy_model, net_model = CELL_PAIRS[name]()
    vocabulary, hyper = Vocabulary("abcd"), {"cell": name, "clip": 5.0}
    paths = {w: tmp_path / f"{w}.npz" for w in ("numpy", "csharp")}
    modelfile.save(paths["numpy"], numpy_model, vocabulary, hyper)
    dotnet.save(paths["csharp"], net_model, vocabulary, hyper)
    path = paths[writer]
    from_numpy = model_file_corpus.verdict(modelfile.load, path)
    from_csharp = model_file_corpus.verdict(dotnet.load_model, path)
    assert from_numpy[0] == from_csharp[0] == "accept", (from_numpy, from_csharp)
    assert from_numpy[1] == from_csharp[1]
    expected = model_file_corpus.fingerprint(modelfile.ModelFile(numpy_model, vocabulary, hyper, name.split("-")[0]))
    assert from_numpy[1] == expected
    assert type(modelfile.load(path).model) is type(numpy_model)
    assert type(dotnet.load_model(path).model) is type(net_model)
    with np.load(paths["numpy"]) as a, np.load(paths["csharp"]) as b:  # the same entries, bit for bit
        assert list(a.keys()) == list(b.keys())
        for key in a.keys():
            assert a[key].tobytes() == b[key].tobytes() and a[key].shape == b[key].shape, key


def test_the_cell_check_can_fail(tmp_path):
    """Negative control: an LSTM file whose c0 was swapped for h0 loads, and the fingerprints then differ."""
    numpy_model, _ = lstm_pair((True, True, True))
    path = tmp_path / "m.npz"
    modelfile.save(path, LSTM(numpy_model.W_ih, numpy_model.W_hh, numpy_model.W_hy, numpy_model.h0, numpy_model.h0,
                              b_ih=numpy_model.b_ih, b_hh=numpy_model.b_hh, b_y=numpy_model.b_y))
    expected = model_file_corpus.fingerprint(modelfile.ModelFile(numpy_model, None, {}, "lstm"))
    assert model_file_corpus.verdict(dotnet.load_model, path)[1] != expected
