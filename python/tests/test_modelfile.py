"""The model file: round trips, and every kind of broken file refused with ModelFileError."""
from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from rnnport import RNN, modelfile
from rnnport.charlm import Vocabulary
from rnnport.cases import make_case
from rnnport.modelfile import ModelFileError


@pytest.fixture
def saved(tmp_path):
    """A char model (V = 4, H = 6) with biases, saved to model.npz."""
    case = make_case(4, 6, 4, 5, seed=1, nonzero_h0=True)
    model = RNN(*case.weights(), b_h=np.full(6, 0.1), b_y=np.full(4, -0.1))
    path = tmp_path / "model.npz"
    modelfile.save(path, model, Vocabulary("ab\né"), {"hidden_size": 6})
    return path, model, case.xs


def test_round_trip_predicts_identically(saved):
    """Every array, the vocabulary and the hyper-parameters survive; outputs are bit-identical."""
    path, model, xs = saved
    loaded = modelfile.load(path)
    assert loaded.vocabulary == Vocabulary("ab\né") and loaded.hyperparameters == {"hidden_size": 6}
    np.testing.assert_array_equal(loaded.model.forward(xs)[0], model.forward(xs)[0])


def test_file_is_plain_npz_without_pickles(saved):
    """NumPy alone reads it with allow_pickle=False; weights are float64 in NumPy layout."""
    path, model, _ = saved
    with np.load(path, allow_pickle=False) as archive:
        assert archive["W_xh"].shape == (6, 4) and archive["W_xh"].dtype == np.dtype("<f8")
        assert json.loads(archive["metadata"].tobytes())["format"] == "rnnport-model"


def rewrite(path, replace: dict, drop: tuple = ()):
    """Rewrite the archive with some entries replaced (raw .npy bytes or arrays) or dropped."""
    with zipfile.ZipFile(path) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    for name in drop:
        del entries[name]
    for name, value in replace.items():
        if isinstance(value, np.ndarray):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, value, allow_pickle=True)
            value = buffer.getvalue()
        entries[name] = value
    with zipfile.ZipFile(path, "w") as target:
        for name, data in entries.items():
            target.writestr(name, data)


@pytest.mark.parametrize("damage, message", [
    (lambda p: p.write_bytes(p.read_bytes()[:-40]), "cannot read"),
    (lambda p: p.write_bytes(b"not a zip at all"), "cannot read"),
    (lambda p: rewrite(p, {}, drop=("W_hh.npy",)), "missing entry 'W_hh'"),
    (lambda p: rewrite(p, {"W_hh.npy": np.zeros((6, 6), dtype=np.float32)}), "dtype <f4"),
    (lambda p: rewrite(p, {"W_hh.npy": np.zeros((5, 5))}), "the arrays do not form a model"),
    (lambda p: rewrite(p, {"W_hh.npy": np.full((6, 6), np.nan)}), "must be finite"),
    (lambda p: rewrite(p, {"W_hh.npy": np.array([None] * 36, dtype=object).reshape(6, 6)}), "a pickle"),
    (lambda p: rewrite(p, {"metadata.npy": np.frombuffer(b"{not json", dtype=np.uint8)}), "not UTF-8 JSON"),
    (lambda p: rewrite(p, {"metadata.npy": np.frombuffer(b'{"format": "other"}', dtype=np.uint8)}), "does not describe"),
    (lambda p: rewrite(p, {"vocabulary.npy": np.array([97, 98], dtype="<i4")}), "vocabulary has 2 characters"),
])
def test_broken_files_are_refused(saved, damage, message):
    """Truncated, foreign, incomplete, mistyped, misshapen, pickled and inconsistent files raise ModelFileError."""
    path, _, _ = saved
    damage(path)
    with pytest.raises(ModelFileError, match=message):
        modelfile.load(path)


def test_missing_file_is_file_not_found(tmp_path):
    """A path that does not exist is FileNotFoundError, not ModelFileError."""
    with pytest.raises(FileNotFoundError):
        modelfile.load(tmp_path / "nope.npz")


def npy_header(shape, descr="<f8") -> bytes:
    """A version-1.0 .npy preamble declaring ``shape``, padded to 64 bytes as NumPy writes it."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


@pytest.mark.parametrize("damage, message", [
    (lambda p: rewrite(p, {"W_hh.npy": npy_header((2**31, 2**31)) + bytes(8)}), "declares shape"),
    (lambda p: rewrite(p, {"W_xh.npy": np.zeros((0, 4)), "W_hh.npy": np.zeros((0, 0)), "W_hy.npy": np.zeros((4, 0)),
                           "h0.npy": np.zeros(0), "b_h.npy": np.zeros(0)}), "I, H, O ≥ 1"),
    (lambda p: rewrite(p, {"W_hh.npy": npy_header((100_000, 100_000)) + bytes(288)}), "declares shape"),
    (lambda p: rewrite(p, {"W_hh.npy": b"\x93NUMPZ" + bytes(100)}), "cannot read"),
    (lambda p: rewrite(p, {"W_hh.npy": np.zeros((6, 6), dtype=">f8")}), "dtype >f8"),
    (lambda p: rewrite(p, {"W_hh.npy": np.zeros((6, 6), dtype="<i8")}), "dtype <i8"),
    (lambda p: rewrite(p, {"extra.txt": b"hello"}), "unexpected entry 'extra.txt'"),
])
def test_hostile_files_are_refused_before_allocating(saved, damage, message):
    """Huge declared shapes, foreign magic, foreign dtypes and stray entries: ModelFileError."""
    path, _, _ = saved
    damage(path)
    with pytest.raises(ModelFileError, match=message):
        modelfile.load(path)


def test_zip_bomb_is_refused_without_expanding(tmp_path):
    """A deflated 200 MB entry of zeros (about 200 KB on disk) is refused from its declared sizes."""
    import tracemalloc

    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("W_hh.npy", "w", force_zip64=True) as entry:
            entry.write(npy_header((5000, 5000)))
            chunk = bytes(1 << 20)
            for _ in range(200):
                entry.write(chunk)
    assert path.stat().st_size < 1_000_000
    tracemalloc.start()
    with pytest.raises(ModelFileError, match="zip bomb"):
        modelfile.load(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 * 1024 * 1024
