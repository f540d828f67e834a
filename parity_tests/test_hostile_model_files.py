"""Hostile model files are refused by both readers alike: ModelFileError in Python, and the C#
ModelFileException arriving through the bridge as ModelFileError. Nothing is executed or inflated."""
from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np
import pytest

from rnnport import RNN, dotnet, modelfile
from rnnport.cases import make_case
from rnnport.charlm import Vocabulary
from rnnport.modelfile import ModelFileError


class Boom:
    """Unpickling this would run code; neither reader may ever do so."""

    def __reduce__(self):
        return (exec, ("raise SystemExit('pickle executed')",))


def npy(array=None, header=None, body=b"") -> bytes:
    buffer = io.BytesIO()
    if array is not None:
        np.lib.format.write_array(buffer, array, allow_pickle=True)
    else:
        np.lib.format.write_array_header_1_0(buffer, header)
        buffer.write(body)
    return buffer.getvalue()


def good_entries() -> dict[str, bytes]:
    case = make_case(4, 6, 4, 0, seed=3, nonzero_h0=True)
    model = RNN(*case.weights())
    buffer = io.BytesIO()
    modelfile.save(buffer, model, Vocabulary("abcd"))
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def archive(entries: dict[str, bytes], compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as target:
        for name, data in entries.items():
            target.writestr(name, data)
    return buffer.getvalue()


def replaced(**entries: bytes) -> bytes:
    return archive({**good_entries(), **{f"{k}.npy": v for k, v in entries.items()}})


def bomb() -> bytes:
    big = npy(header={"descr": "<f8", "fortran_order": False, "shape": (5000, 5000)}, body=bytes(200_000_000))
    return archive({**good_entries(), "W_hh.npy": big}, zipfile.ZIP_DEFLATED)


HOSTILE = {
    "truncated": lambda: archive(good_entries())[:-100],
    "wrong-zip-magic": lambda: b"PK\x05\x07" + archive(good_entries())[4:],
    "wrong-npy-magic": lambda: replaced(W_hh=b"\x93NUMPZ" + npy(np.zeros((6, 6)))[6:]),
    "pickled-object": lambda: replaced(W_hh=npy(np.array([Boom()] * 36, dtype=object).reshape(6, 6))),
    "float32": lambda: replaced(W_hh=npy(np.zeros((6, 6), dtype=np.float32))),
    "big-endian": lambda: replaced(W_hh=npy(np.zeros((6, 6), dtype=">f8"))),
    "int64-vocabulary": lambda: replaced(vocabulary=npy(np.array([97, 98, 99, 100], dtype=np.int64))),
    "wrong-shape": lambda: replaced(W_hh=npy(np.zeros((5, 5)))),
    "huge-shape": lambda: replaced(W_hh=npy(header={"descr": "<f8", "fortran_order": False, "shape": (2**31, 2**31)})),
    "shape-larger-than-body": lambda: replaced(W_hh=npy(header={"descr": "<f8", "fortran_order": False, "shape": (100_000, 100_000)}, body=bytes(288))),
    "non-finite": lambda: replaced(W_hh=npy(np.full((6, 6), np.nan))),
    "zip-bomb": bomb,
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_both_readers_refuse(tmp_path, kind):
    """Each hostile file is a ModelFileError from the NumPy reader and from the C# reader."""
    path = tmp_path / f"{kind}.npz"
    path.write_bytes(HOSTILE[kind]())
    with pytest.raises(ModelFileError):
        modelfile.load(path)
    with pytest.raises(ModelFileError):
        dotnet.load_model(path)


def test_the_good_file_loads_in_both(tmp_path):
    """The unmodified archive loads on both sides (so each refusal above is about its damage)."""
    path = tmp_path / "good.npz"
    path.write_bytes(archive(good_entries()))
    assert np.array_equal(modelfile.load(path).model.W_hh, dotnet.load_model(path).model.W_hh)
