"""The model file both languages read and write. C# twin: ``RnnPort.ModelFile``.

A ``.npz`` (NumPy's zip of ``.npy`` files, uncompressed as ``np.savez`` writes it) holding:

=================  ========  ==========  ==========================================
entry              dtype     shape       meaning
=================  ========  ==========  ==========================================
``W_xh``           ``<f8``   (H, I)      NumPy layout; C# reads it as its transpose
``W_hh``           ``<f8``   (H, H)
``W_hy``           ``<f8``   (O, H)
``h0``             ``<f8``   (H,)
``b_h``, ``b_y``   ``<f8``   (H,), (O,)  present only when the model has biases
``vocabulary``     ``<i4``   (V,)        Unicode code points, index order; V = 0 if none
``metadata``       ``|u1``   (N,)        UTF-8 JSON: format, version, activation, hyper-parameters
=================  ========  ==========  ==========================================

Loading refuses pickled (object) entries, never executing them, and bounds every size before it
allocates (see :func:`load`). Every
problem (not a zip, a missing entry, a wrong dtype or shape, a non-finite weight, bad JSON) raises
:class:`ModelFileError`, a ``ValueError``.
"""
from __future__ import annotations

import json
import math
import os
import zipfile
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnnport.charlm import Vocabulary
from rnnport.rnn import RNN

FORMAT = "rnnport-model"
VERSION = 1
_WEIGHTS = ("W_xh", "W_hh", "W_hy", "h0")
_BIASES = ("b_h", "b_y")
MAX_ARCHIVE_BYTES = 1 << 30    # 1 GiB uncompressed in all: W_hh of H = 11,585 fits
MAX_COMPRESSION_RATIO = 100    # float64 weights deflate about 1.1:1; zeros about 1000:1


class ModelFileError(ValueError):
    """The file is not a valid rnnport model file; the message says why."""


@dataclass
class ModelFile:
    """A model with its vocabulary (None when V = 0) and hyper-parameters."""

    model: RNN
    vocabulary: Vocabulary | None = None
    hyperparameters: dict[str, Any] = field(default_factory=dict)


def save(path: str | os.PathLike[str], model: RNN, vocabulary: Vocabulary | None = None,
         hyperparameters: dict[str, Any] | None = None) -> None:
    """Write ``model`` to ``path`` (NumPy appends nothing: pass the full name, e.g. ``model.npz``)."""
    metadata = {"format": FORMAT, "version": VERSION, "activation": model.activation,
                "hyperparameters": hyperparameters or {}}
    arrays = {name: getattr(model, name) for name in _WEIGHTS}
    arrays.update({name: getattr(model, name) for name in _BIASES if getattr(model, name) is not None})
    codes = [ord(c) for c in vocabulary.chars] if vocabulary is not None else []
    arrays["vocabulary"] = np.array(codes, dtype="<i4")
    arrays["metadata"] = np.frombuffer(json.dumps(metadata, sort_keys=True).encode(), dtype=np.uint8)
    with open(path, "wb") as stream:  # a file object stops np.savez from appending ".npz"
        np.savez(stream, **arrays)


def _entry(arrays: dict[str, np.ndarray], name: str, dtype: str, ndim: int) -> np.ndarray:
    if name not in arrays:
        raise ModelFileError(f"missing entry {name!r}")
    array = arrays[name]
    if array.dtype != np.dtype(dtype) or array.ndim != ndim:
        raise ModelFileError(f"entry {name!r} has dtype {array.dtype.str} and {array.ndim} dimensions, "
                             f"expected {dtype} with {ndim}")
    return array


def _read_npy(stream: Any, info: zipfile.ZipInfo) -> np.ndarray:
    """One .npy entry, its header checked against the entry's size before anything is allocated."""
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(stream)
    elif version == (2, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise ModelFileError(f"entry {info.filename!r}: unsupported .npy version {version}")
    if dtype.hasobject:
        raise ModelFileError(f"entry {info.filename!r} holds Python objects (a pickle); refused")
    count = math.prod(shape)
    body = info.file_size - stream.tell()
    if count * dtype.itemsize != body:
        raise ModelFileError(f"entry {info.filename!r} declares shape {shape} of {dtype.str} "
                             f"({count * dtype.itemsize} bytes) but holds {body} bytes")
    data = stream.read(body)
    if len(data) != body:
        raise ModelFileError(f"entry {info.filename!r} is truncated")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran_order else "C")


def _read_archive(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Every entry of the archive, with declared sizes bounded before any entry is decompressed."""
    arrays: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > MAX_ARCHIVE_BYTES:
            raise ModelFileError(f"the archive declares more than {MAX_ARCHIVE_BYTES} bytes uncompressed")
        for info in infos:
            if not info.filename.endswith(".npy") or info.filename[:-4] in arrays:
                raise ModelFileError(f"unexpected entry {info.filename!r}")
            if info.compress_type != zipfile.ZIP_STORED and info.file_size > MAX_COMPRESSION_RATIO * info.compress_size + 4096:
                raise ModelFileError(f"entry {info.filename!r} expands {info.compress_size} bytes to {info.file_size}: "
                                     "refused as a zip bomb")
            with archive.open(info) as stream:  # zipfile stops at file_size and checks the CRC
                arrays[info.filename[:-4]] = _read_npy(stream, info)
    return arrays


def load(path: str | os.PathLike[str]) -> ModelFile:
    """Read a model file written by either language.

    The archive is read with :mod:`zipfile` and each ``.npy`` header is parsed by NumPy's own
    ``np.lib.format`` functions, refusing pickled (object) entries as ``np.load(allow_pickle=False)``
    does, but checking every declared size first: an entry may not declare more bytes than it
    holds, the archive may not declare more than ``MAX_ARCHIVE_BYTES``, and a compressed entry may
    not expand more than ``MAX_COMPRESSION_RATIO`` times (float64 weights barely compress; a zip bomb
    of zeros expands about 1000 times).

    Raises
    ------
    ModelFileError
        Anything wrong with the file's contents. (A missing file raises ``FileNotFoundError``.)
    """
    try:
        arrays = _read_archive(path)
        weights = {name: _entry(arrays, name, "<f8", 1 if name == "h0" else 2) for name in _WEIGHTS}
        biases = {name: _entry(arrays, name, "<f8", 1) for name in _BIASES if name in arrays}
        codes = _entry(arrays, "vocabulary", "<i4", 1)
        raw = _entry(arrays, "metadata", "|u1", 1)
    except (zipfile.BadZipFile, EOFError, OSError, KeyError, NotImplementedError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise ModelFileError(f"cannot read {os.fspath(path)!r} as an .npz archive: {error}") from None
    except ValueError as error:  # a malformed .npy header
        if isinstance(error, ModelFileError):
            raise
        raise ModelFileError(f"cannot read {os.fspath(path)!r}: {error}") from None
    try:
        metadata = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(f"metadata is not UTF-8 JSON: {error}") from None
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT or metadata.get("version") != VERSION:
        raise ModelFileError(f"metadata does not describe an {FORMAT} version {VERSION} file")
    try:
        model = RNN(weights["W_xh"], weights["W_hh"], weights["W_hy"], weights["h0"],
                    metadata.get("activation", "tanh"), **biases)
    except (TypeError, ValueError) as error:
        raise ModelFileError(f"the arrays do not form a model: {error}") from None
    try:
        vocabulary = Vocabulary("".join(chr(c) for c in codes)) if codes.size else None
    except (ValueError, OverflowError) as error:
        raise ModelFileError(f"vocabulary holds an invalid code point: {error}") from None
    if vocabulary is not None and len(vocabulary) != model.input_size:
        raise ModelFileError(f"vocabulary has {len(vocabulary)} characters, the model takes {model.input_size} inputs")
    hyper = metadata.get("hyperparameters", {})
    return ModelFile(model, vocabulary, hyper if isinstance(hyper, dict) else {})
