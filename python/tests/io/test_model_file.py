"""The model file's writer and round trips. Every reader rule is checked file by file against the
conformance corpus (test_model_file_corpus.py); here: what ``save`` writes, and what it refuses
to write (rules W1–W4 of docs/model-file.md) before touching the target."""
from __future__ import annotations

import json
import math
import tracemalloc
import zipfile

import numpy as np
import pytest

from rnnport import RNN, modelfile
from rnnport.cells.gru import GRU
from rnnport.cells.lstm import LSTM
from rnnport.io.model_file import ModelFileError
from rnnport.training.vocabulary import Vocabulary
from rnnport.verify.cases import make_case


@pytest.fixture
def model() -> RNN:
    """I = O = 4, H = 6, with biases and a non-zero h0."""
    case = make_case(4, 6, 4, 5, seed=1, nonzero_h0=True)
    return RNN(*case.weights(), b_h=np.full(6, 0.1), b_y=np.full(4, -0.1))


def test_round_trip_predicts_identically(model, tmp_path):
    """Every array, the vocabulary and the hyper-parameters survive; outputs are bit-identical."""
    path = tmp_path / "model.npz"
    hyper = {"hidden_size": 6, "clip": 5.0, "nested": {"list": [1, 2.5, None, True, "é"]}}
    modelfile.save(path, model, Vocabulary("ab\né"), hyper)
    loaded = modelfile.load(path)
    assert loaded.vocabulary == Vocabulary("ab\né") and loaded.hyperparameters == hyper
    xs = make_case(4, 6, 4, 5, seed=2).xs
    np.testing.assert_array_equal(loaded.model.forward(xs)[0], model.forward(xs)[0])


def test_file_is_plain_npz_without_pickles(model, tmp_path):
    """NumPy alone reads it with allow_pickle=False; weights are float64 in NumPy layout; entries stored."""
    path = tmp_path / "model.npz"
    modelfile.save(path, model)
    with np.load(path, allow_pickle=False) as archive:
        assert archive["W_xh"].shape == (6, 4) and archive["W_xh"].dtype == np.dtype("<f8")
        assert json.loads(archive["metadata"].tobytes())["format"] == "rnnport-model"
    with zipfile.ZipFile(path) as archive:
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}


def test_save_to_an_open_file(model, tmp_path):
    """An open binary file receives the same bytes as a path."""
    with open(tmp_path / "a.npz", "wb") as stream:
        modelfile.save(stream, model)
    modelfile.save(tmp_path / "b.npz", model)
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_missing_file_is_a_model_file_error(tmp_path):
    """A path that does not exist is the model-file error too (F1), one line."""
    with pytest.raises(ModelFileError, match=r"no such file|No such file.*\[F1\]"):
        modelfile.load(tmp_path / "nope.npz")


def test_zip_bomb_is_refused_without_expanding(tmp_path):
    """A deflated 200 MB entry of zeros (about 200 KB on disk) is refused from its declared sizes (Z7),
    allocating next to nothing."""
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("W_hh.npy", "w", force_zip64=True) as entry:
            entry.write(b"\x93NUMPY\x01\x00" + b"v\x00" + b"{'descr': '<f8', 'fortran_order': False, 'shape': (5000, 5000), }".ljust(117) + b"\n")
            chunk = bytes(1 << 20)
            for _ in range(200):
                entry.write(chunk)
    assert path.stat().st_size < 1_000_000
    tracemalloc.start()
    with pytest.raises(ModelFileError, match=r"zip bomb.*\[Z7\]"):
        modelfile.load(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 * 1024 * 1024


def unchanged_after(path, call) -> None:
    """``call`` raises; the file at ``path`` keeps its bytes (nothing was opened for writing)."""
    before = path.read_bytes()
    call()
    assert path.read_bytes() == before


@pytest.mark.parametrize("vocabulary, error", [
    (Vocabulary("abc"), "V = I = O"),                # W2: size ≠ I
    (Vocabulary("abcde"), "V = I = O"),
    (Vocabulary("aabc"), "appears twice"),            # "aab"-like repeats
    (Vocabulary("ab\ud800c"), "lone surrogate"),     # a lone surrogate
    (Vocabulary("ab\udfffc"), "lone surrogate"),
])
def test_save_refuses_a_vocabulary_the_readers_refuse(model, tmp_path, vocabulary, error):
    """W2: ValueError before the target is touched."""
    path = tmp_path / "model.npz"
    path.write_bytes(b"previous")
    unchanged_after(path, lambda: _raises(ValueError, error, modelfile.save, path, model, vocabulary))


def _raises(kind, error, function, *args) -> None:
    with pytest.raises(kind, match=error) as caught:
        function(*args)
    assert not isinstance(caught.value, ModelFileError), "a write-side refusal is an argument error"


def test_save_refuses_vocabulary_when_outputs_differ(tmp_path):
    """W2: V = I but O ≠ I."""
    case = make_case(3, 5, 2, 1, seed=0)
    _raises(ValueError, "V = I = O", modelfile.save, tmp_path / "m.npz", case.numpy_model(), Vocabulary("abc"))
    assert not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize("hyper, kind, error", [
    ({"clip": math.inf}, ValueError, "not finite"),            # train --clip inf
    ({"clip": -math.inf}, ValueError, "not finite"),
    ({"lr": math.nan}, ValueError, "not finite"),
    ({"deep": {"x": [math.nan]}}, ValueError, "not finite"),
    ({"big": 10 ** 400}, ValueError, "too large"),
    ({"note": "\ud800"}, ValueError, "lone surrogate"),
    ({"\udc00": 1}, ValueError, "lone surrogate"),
    ({1: "a"}, TypeError, "keys must be str"),
    ({"a": np.array([1.0])}, TypeError, "JSON values"),
    ({"a": object()}, TypeError, "JSON values"),
    ({"a": json.loads("[" * 31 + "1" + "]" * 31)}, ValueError, "deeper"),  # depth 33
    ({"a": "x" * (1 << 20)}, ValueError, "invalid metadata"),   # over MAX_METADATA_BYTES
])
def test_save_refuses_hyperparameters_the_readers_refuse(model, tmp_path, hyper, kind, error):
    """W3: non-finite numbers, lone surrogates, non-JSON values, too deep, too large; nothing written."""
    path = tmp_path / "model.npz"
    path.write_bytes(b"previous")
    before = path.read_bytes()
    _raises(kind, error, modelfile.save, path, model, None, hyper)
    assert path.read_bytes() == before


def test_save_accepts_the_deepest_allowed_hyperparameters(model, tmp_path):
    """The limit is MAX_JSON_DEPTH counting the metadata object: 30 nested lists inside hyperparameters load."""
    hyper = {"a": json.loads("[" * 30 + "1" + "]" * 30)}
    modelfile.save(tmp_path / "m.npz", model, None, hyper)
    assert modelfile.load(tmp_path / "m.npz").hyperparameters == hyper


def test_save_refuses_an_empty_model(tmp_path):
    """W1: H = 0 (and so no model at all) is a ValueError, not a file."""
    empty = RNN(np.zeros((0, 4)), np.zeros((0, 0)), np.zeros((4, 0)))
    _raises(ValueError, "I, H, O ≥ 1", modelfile.save, tmp_path / "m.npz", empty)
    assert not (tmp_path / "m.npz").exists()


def test_save_refuses_what_is_not_a_model(tmp_path):
    """W4: a TypeError for an argument of the wrong type."""
    _raises(TypeError, "rnnport.RNN, rnnport.LSTM", modelfile.save, tmp_path / "m.npz", "model")


def test_every_write_refusal_is_checked_by_the_reader_too(model):
    """Negative control for W3: the metadata the writer would refuse is refused by the reader's check."""
    raw = json.dumps({"activation": "tanh", "format": "rnnport-model", "hyperparameters": {"clip": math.inf},
                      "version": 1}).encode()
    with pytest.raises(ModelFileError, match=r"\[D3\]"):
        from rnnport.io import model_metadata
        model_metadata.parse(raw)


def _lstm(biases: bool) -> LSTM:
    rng = np.random.default_rng(5)
    H = 3
    extra = dict(b_ih=rng.normal(size=4 * H), b_hh=rng.normal(size=4 * H), b_y=rng.normal(size=4)) if biases else {}
    return LSTM(rng.normal(size=(4 * H, 4)), rng.normal(size=(4 * H, H)), rng.normal(size=(4, H)),
                rng.normal(size=H), rng.normal(size=H), **extra)


@pytest.mark.parametrize("biases", [True, False])
def test_an_lstm_round_trips_as_an_lstm(tmp_path, biases):
    """The cell is stored (version 2, cell 'lstm'); load returns an LSTM with every array, c0 included, bit for bit."""
    model = _lstm(biases)
    path = tmp_path / "lstm.npz"
    modelfile.save(path, model, Vocabulary("abcd"), {"cell": "lstm"})
    loaded = modelfile.load(path)
    assert type(loaded.model) is LSTM and loaded.cell == "lstm"
    with np.load(path) as archive:
        metadata = json.loads(archive["metadata"].tobytes())
        assert (metadata["version"], metadata["cell"], metadata["activation"]) == (2, "lstm", "tanh")
        expected = ["W_ih", "W_hh", "W_hy", "h0", "c0"] + (["b_ih", "b_hh", "b_y"] if biases else [])
        assert list(archive.keys()) == expected + ["vocabulary", "metadata"]
    for name in ("W_ih", "W_hh", "W_hy", "h0", "c0", "b_ih", "b_hh", "b_y"):
        before, after = getattr(model, name), getattr(loaded.model, name)
        assert (before is None and after is None) or before.tobytes() == after.tobytes(), name
    xs = np.random.default_rng(6).normal(size=(7, 4))
    assert loaded.model.forward(xs)[0].tobytes() == model.forward(xs)[0].tobytes()


def test_an_rnn_is_written_as_version_2_and_a_version_1_file_still_reads(model, tmp_path):
    """Writers name the cell; a file without it (version 1) is an RNN."""
    path = tmp_path / "rnn.npz"
    modelfile.save(path, model)
    with np.load(path) as archive:
        arrays = {k: archive[k] for k in archive.keys()}
    assert json.loads(arrays["metadata"].tobytes())["cell"] == "rnn"
    v1 = json.dumps({"activation": "tanh", "format": "rnnport-model", "hyperparameters": {}, "version": 1}).encode()
    np.savez(tmp_path / "v1.npz", **{**arrays, "metadata": np.frombuffer(v1, dtype=np.uint8)})
    loaded = modelfile.load(tmp_path / "v1.npz")
    assert type(loaded.model) is RNN and loaded.cell == "rnn"
    assert loaded.model.W_xh.tobytes() == model.W_xh.tobytes()


def test_save_refuses_an_empty_lstm(tmp_path):
    """W1 for a gated cell: H = 0 is refused before anything is written."""
    empty = LSTM(np.zeros((0, 4)), np.zeros((0, 0)), np.zeros((4, 0)))
    _raises(ValueError, "I, H, O", modelfile.save, tmp_path / "m.npz", empty)
    assert not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize("biases", [True, False])
def test_a_gru_round_trips_as_a_gru(tmp_path, biases):
    """Cell 'gru': W_ih (3H, I), W_hh (3H, H), no c0; load returns a GRU, bit for bit."""
    rng = np.random.default_rng(8)
    H = 3
    extra = dict(b_ih=rng.normal(size=3 * H), b_hh=rng.normal(size=3 * H), b_y=rng.normal(size=4)) if biases else {}
    model = GRU(rng.normal(size=(3 * H, 4)), rng.normal(size=(3 * H, H)), rng.normal(size=(4, H)), rng.normal(size=H), **extra)
    path = tmp_path / "gru.npz"
    modelfile.save(path, model)
    loaded = modelfile.load(path)
    assert type(loaded.model) is GRU and loaded.cell == "gru"
    with np.load(path) as archive:
        assert "c0" not in archive.keys() and json.loads(archive["metadata"].tobytes())["cell"] == "gru"
    xs = rng.normal(size=(7, 4))
    assert loaded.model.forward(xs)[0].tobytes() == model.forward(xs)[0].tobytes()
