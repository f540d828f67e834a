"""Both writers against both readers: a file written by either language loads in both with the same
contents, bit for bit (docs/model-file.md, section W)."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport import RNN, dotnet, modelfile
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
