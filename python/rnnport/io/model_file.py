"""The model file both languages read and write. C# twin: ``RnnPort.ModelFile``.

``docs/model-file.md`` is the specification; this module is its sections M, V and W (do these
arrays form a model; what a writer checks), on top of :mod:`rnnport.io.npz_archive` (F, Z, N: is this a
safe archive of ``.npy`` arrays) and :mod:`rnnport.io.model_metadata` (D: the metadata JSON).

=================  ========  ==========  ==========================================
entry              dtype     shape       meaning
=================  ========  ==========  ==========================================
``W_xh``           ``<f8``   (H, I)      NumPy layout; C# reads it as its transpose
``W_hh``           ``<f8``   (H, H)
``W_hy``           ``<f8``   (O, H)
``h0``             ``<f8``   (H,)
``b_h``, ``b_y``   ``<f8``   (H,), (O,)  optional, each on its own
``vocabulary``     ``<i4``   (V,)        Unicode scalar values, index order; V = 0 or V = I = O
``metadata``       ``|u1``   (N,)        UTF-8 JSON: format, version, activation, hyperparameters
=================  ========  ==========  ==========================================

Every reader problem, a missing file included, raises :class:`ModelFileError` (a ``ValueError``);
every writer refusal is a ``ValueError`` or ``TypeError`` raised before anything is written.
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np

from rnnport.cells.rnn import RNN
from rnnport.io import model_metadata
from rnnport.io import npz_archive
from rnnport.io.atomic import atomic_write
from rnnport.io.model_file_error import ModelFileError
from rnnport.io.model_metadata import FORMAT, VERSION  # noqa: F401  (re-exported: the public constants)
from rnnport.training.vocabulary import Vocabulary

__all__ = ["FORMAT", "VERSION", "ModelFile", "ModelFileError", "load", "save"]

_FLOATS = ("W_xh", "W_hh", "W_hy", "h0", "b_h", "b_y")
_REQUIRED = ("W_xh", "W_hh", "W_hy", "h0", "vocabulary", "metadata")
_NAMES = frozenset(f"{name}.npy" for name in (*_FLOATS, "vocabulary", "metadata"))
_DTYPES = {**{name: "<f8" for name in _FLOATS}, "vocabulary": "<i4", "metadata": "|u1"}
_MAX_CODE_POINT = 0x10FFFF


@dataclass
class ModelFile:
    """A model with its vocabulary (None when V = 0) and hyper-parameters."""

    model: RNN
    vocabulary: Vocabulary | None = None
    hyperparameters: dict[str, Any] = field(default_factory=dict)


def _refuse(rule: str, message: str) -> ModelFileError:
    return npz_archive.refuse(rule, message)


def _check_vocabulary(chars: str, inputs: int, outputs: int) -> np.ndarray:
    """Writer side of V1–V3: the (V,) ``<i4`` code points of ``chars``, or ``ValueError``."""
    if len(chars) != inputs or len(chars) != outputs:
        raise ValueError(f"vocabulary has {len(chars)} characters; a character model needs V = I = O, "
                         f"here I = {inputs}, O = {outputs}")
    seen: set[str] = set()
    for i, c in enumerate(chars):
        if 0xD800 <= ord(c) <= 0xDFFF:
            raise ValueError(f"vocabulary[{i}] is a lone surrogate U+{ord(c):04X}, not a character")
        if c in seen:
            raise ValueError(f"vocabulary[{i}] = {c!r} (U+{ord(c):04X}) appears twice")
        seen.add(c)
    return np.array([ord(c) for c in chars], dtype="<i4")


def encode(model: RNN, vocabulary: Vocabulary | None = None, hyperparameters: dict[str, Any] | None = None) -> bytes:
    """The bytes of the model file, after every writer check of the specification (W1–W4).

    Raises
    ------
    TypeError
        ``model`` is not an :class:`RNN`, or a hyper-parameter is not a JSON value.
    ValueError
        The file would break a rule of ``docs/model-file.md``; nothing has been written.
    """
    if not isinstance(model, RNN):
        raise TypeError(f"model must be an rnnport.RNN, got {type(model).__name__}")
    H, I = model.W_xh.shape
    O = model.W_hy.shape[0]
    if min(I, H, O) < 1:
        raise ValueError(f"a model file needs I, H, O ≥ 1; this model has I = {I}, H = {H}, O = {O}")
    arrays = {name: getattr(model, name) for name in _FLOATS if getattr(model, name) is not None}
    for name, array in arrays.items():  # the model class guarantees this; a file must never hold otherwise
        if not np.isfinite(array).all():
            raise ValueError(f"{name} holds a non-finite value")
    arrays["vocabulary"] = (np.zeros(0, dtype="<i4") if vocabulary is None
                            else _check_vocabulary(vocabulary.chars, I, O))
    arrays["metadata"] = np.frombuffer(model_metadata.encode(model.activation, hyperparameters or {}), dtype=np.uint8)
    total = sum(a.nbytes + 1024 for a in arrays.values())
    if total > npz_archive.MAX_ARCHIVE_BYTES:
        raise ValueError(f"the model file would be over {npz_archive.MAX_ARCHIVE_BYTES} bytes")
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def save(path: str | os.PathLike[str] | BinaryIO, model: RNN, vocabulary: Vocabulary | None = None,
         hyperparameters: dict[str, Any] | None = None) -> None:
    """Write ``model`` to ``path``, a file name (used as given, e.g. ``model.npz``) or an open binary file.

    Everything is checked (:func:`encode`) before the target is opened. A file name is replaced
    atomically (:func:`rnnport.io.atomic.atomic_write`): if writing fails, e.g. on a full disk,
    :class:`rnnport.io.atomic.AtomicWriteError` is raised and the previous file is left byte for byte as
    it was. An open binary file is written in place, not atomically.
    """
    data = encode(model, vocabulary, hyperparameters)
    if hasattr(path, "write"):  # an open binary file
        path.write(data)
        return
    with atomic_write(path) as stream:  # a failed save leaves the previous file as it was
        stream.write(data)


def _float_array(array: npz_archive.NpyArray) -> np.ndarray:
    """A fresh C-order float64 array with the entry's values, bit for bit."""
    values = np.frombuffer(array.data, dtype="<f8").reshape(array.shape, order="F" if array.fortran_order else "C")
    return np.array(values, dtype=np.float64, order="C")


def load(path: str | os.PathLike[str]) -> ModelFile:
    """Read a model file written by either language, checked by every rule of ``docs/model-file.md``.

    Raises
    ------
    ModelFileError
        Anything wrong: a missing path, not a regular file, not a safe archive, arrays that do not
        form a model, a bad vocabulary or metadata. The message ends with the rule's id, e.g. ``[Z7]``.
    """
    entries = npz_archive.read_entries(npz_archive.read_file(path), _NAMES)
    arrays: dict[str, npz_archive.NpyArray] = {}
    for entry, data in entries.items():
        name = entry[:-4]
        array = npz_archive.parse_npy(entry, data)
        if array.descr != _DTYPES[name]:
            raise _refuse("M2", f"entry {entry!r} has dtype {array.descr}, expected {_DTYPES[name]}")
        arrays[name] = array
    for name in _REQUIRED:
        if name not in arrays:
            raise _refuse("M1", f"missing entry '{name}.npy'")
    for name, array in arrays.items():
        ndim = 2 if name.startswith("W_") else 1
        if len(array.shape) != ndim:
            raise _refuse("M3", f"entry '{name}.npy' has {len(array.shape)} dimensions, expected {ndim}")
    H, I = arrays["W_xh"].shape
    O = arrays["W_hy"].shape[0]
    expected = {"W_hh": (H, H), "W_xh": (H, I), "W_hy": (O, H), "h0": (H,), "b_h": (H,), "b_y": (O,)}
    for name, shape in expected.items():
        if name in arrays and arrays[name].shape != shape:
            raise _refuse("M4", f"the arrays do not form a model: {name} has shape {arrays[name].shape}, "
                                f"expected {shape} (from W_xh {arrays['W_xh'].shape} and W_hy {arrays['W_hy'].shape})")
    if min(I, H, O) < 1:
        raise _refuse("M4", f"a model needs I, H, O ≥ 1; W_xh is {(H, I)}, W_hy {arrays['W_hy'].shape}")
    floats = {name: _float_array(arrays[name]) for name in _FLOATS if name in arrays}
    for name, values in floats.items():
        bad = np.argwhere(~np.isfinite(values))
        if bad.size:
            where = tuple(int(i) for i in bad[0])
            raise _refuse("M5", f"{name}[{', '.join(map(str, where))}] = {values[where]} is not finite")
    codes = np.frombuffer(arrays["vocabulary"].data, dtype="<i4").astype(np.int64)
    if codes.size and (codes.size != I or codes.size != O):
        raise _refuse("V1", f"vocabulary has {codes.size} characters; a character model needs V = I = O, "
                            f"here I = {I}, O = {O}")
    invalid = np.flatnonzero((codes < 0) | (codes > _MAX_CODE_POINT) | ((codes >= 0xD800) & (codes <= 0xDFFF)))
    if invalid.size:
        raise _refuse("V2", f"vocabulary[{invalid[0]}] = {codes[invalid[0]]} is not a Unicode scalar value")
    if np.unique(codes).size != codes.size:
        raise _refuse("V3", "vocabulary holds a character twice")
    metadata = model_metadata.parse(arrays["metadata"].data)
    model = RNN(floats["W_xh"], floats["W_hh"], floats["W_hy"], floats["h0"], metadata["activation"],
                b_h=floats.get("b_h"), b_y=floats.get("b_y"))
    vocabulary = Vocabulary("".join(chr(c) for c in codes)) if codes.size else None
    return ModelFile(model, vocabulary, metadata["hyperparameters"])
