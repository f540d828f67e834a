"""The model file both languages read and write. C# twin: ``RnnPort.ModelFile``.

``docs/model-file.md`` is the specification; this module is its sections M, V and W (do these
arrays form a model; what a writer checks), on top of :mod:`rnnport.io.npz_archive` (F, Z, N: is this a
safe archive of ``.npy`` arrays) and :mod:`rnnport.io.model_metadata` (D: the metadata JSON).

=================  ========  ==========  ==========================================
entry              dtype     shape       meaning
=================  ========  ==========  ==========================================
weights, ``h0``,   ``<f8``   per cell    the cell's arrays in NumPy layout (:mod:`rnnport.io.model_cells`:
biases, ``c0``                           RNN ``W_xh``…, LSTM and GRU ``W_ih``…); C# reads each as its transpose
``vocabulary``     ``<i4``   (V,)        Unicode scalar values, index order; V = 0 or V = I = O
``metadata``       ``|u1``   (N,)        UTF-8 JSON: format, version, cell, activation, hyperparameters
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
from rnnport.io.model_cells import CELLS, ENTRY_NAMES, CellFormat, cell_of
from rnnport.io import npz_archive
from rnnport.io.atomic import atomic_write
from rnnport.io.model_file_error import ModelFileError
from rnnport.io.model_metadata import FORMAT, VERSION  # noqa: F401  (re-exported: the public constants)
from rnnport.training.vocabulary import Vocabulary

__all__ = ["FORMAT", "VERSION", "ModelFile", "ModelFileError", "load", "save"]

_NAMES = frozenset(f"{name}.npy" for name in (*ENTRY_NAMES, "vocabulary", "metadata"))
_DTYPES = {**{name: "<f8" for name in ENTRY_NAMES}, "vocabulary": "<i4", "metadata": "|u1"}
_MAX_CODE_POINT = 0x10FFFF


@dataclass
class ModelFile:
    """A model (an ``RNN``, ``LSTM`` or ``GRU``) with its vocabulary (None when V = 0) and hyper-parameters."""

    model: Any
    vocabulary: Vocabulary | None = None
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    cell: str = "rnn"  #: the metadata's ``cell``: "rnn", "lstm" or "gru"


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


def encode(model: Any, vocabulary: Vocabulary | None = None, hyperparameters: dict[str, Any] | None = None) -> bytes:
    """The bytes of the model file, after every writer check of the specification (W1–W4).

    Raises
    ------
    TypeError
        ``model`` is not an ``RNN``, ``LSTM`` or ``GRU``, or a hyper-parameter is not a JSON value.
    ValueError
        The file would break a rule of ``docs/model-file.md``; nothing has been written.
    """
    cell = cell_of(model)
    I, H, O = model.input_size, model.hidden_size, model.output_size
    if min(I, H, O) < 1:
        raise ValueError(f"a model file needs I, H, O ≥ 1; this model has I = {I}, H = {H}, O = {O}")
    arrays = cell.arrays(model)
    for name, array in arrays.items():  # the model class guarantees this; a file must never hold otherwise
        if not np.isfinite(array).all():
            raise ValueError(f"{name} holds a non-finite value")
    arrays["vocabulary"] = (np.zeros(0, dtype="<i4") if vocabulary is None
                            else _check_vocabulary(vocabulary.chars, I, O))
    activation = model.activation if isinstance(model, RNN) else model_metadata.GATED_ACTIVATION
    arrays["metadata"] = np.frombuffer(model_metadata.encode(cell.name, activation, hyperparameters or {}), dtype=np.uint8)
    total = sum(a.nbytes + 1024 for a in arrays.values())
    if total > npz_archive.MAX_ARCHIVE_BYTES:
        raise ValueError(f"the model file would be over {npz_archive.MAX_ARCHIVE_BYTES} bytes")
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def save(path: str | os.PathLike[str] | BinaryIO, model: Any, vocabulary: Vocabulary | None = None,
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
        Rule order: F, Z, N and M2; M1 for ``metadata``; D (which names the cell); M1, M3–M5 for the
        cell's arrays; V.
    """
    entries = npz_archive.read_entries(npz_archive.read_file(path), _NAMES)
    arrays: dict[str, npz_archive.NpyArray] = {}
    for entry, data in entries.items():
        name = entry[:-4]
        array = npz_archive.parse_npy(entry, data)
        if array.descr != _DTYPES[name]:
            raise _refuse("M2", f"entry {entry!r} has dtype {array.descr}, expected {_DTYPES[name]}")
        arrays[name] = array
    if "metadata" not in arrays:
        raise _refuse("M1", "missing entry 'metadata.npy'")
    metadata = model_metadata.parse(arrays["metadata"].data)
    cell = CELLS[metadata["cell"]]
    floats, I, O = _check_arrays(cell, arrays)
    codes = np.frombuffer(arrays["vocabulary"].data, dtype="<i4").astype(np.int64)
    if codes.size and (codes.size != I or codes.size != O):
        raise _refuse("V1", f"vocabulary has {codes.size} characters; a character model needs V = I = O, "
                            f"here I = {I}, O = {O}")
    invalid = np.flatnonzero((codes < 0) | (codes > _MAX_CODE_POINT) | ((codes >= 0xD800) & (codes <= 0xDFFF)))
    if invalid.size:
        raise _refuse("V2", f"vocabulary[{invalid[0]}] = {codes[invalid[0]]} is not a Unicode scalar value")
    if np.unique(codes).size != codes.size:
        raise _refuse("V3", "vocabulary holds a character twice")
    model = cell.build(floats, metadata["activation"])
    vocabulary = Vocabulary("".join(chr(c) for c in codes)) if codes.size else None
    return ModelFile(model, vocabulary, metadata["hyperparameters"], cell.name)


def _check_arrays(cell: CellFormat, arrays: dict[str, npz_archive.NpyArray]) -> tuple[dict[str, np.ndarray], int, int]:
    """M1, M3, M4, M5 for ``cell``: its float arrays by name, I and O."""
    for name in (*cell.required, "vocabulary"):
        if name not in arrays:
            raise _refuse("M1", f"missing entry '{name}.npy' (cell {cell.name})")
    for name in arrays:
        if name not in cell.floats and name not in ("vocabulary", "metadata"):
            raise _refuse("M1", f"entry '{name}.npy' is not one of cell {cell.name}'s")
    for name, array in arrays.items():
        ndim = 2 if name.startswith("W_") else 1
        if len(array.shape) != ndim:
            raise _refuse("M3", f"entry '{name}.npy' has {len(array.shape)} dimensions, expected {ndim}")
    H, I, O = arrays["W_hh"].shape[1], arrays[cell.input_weights].shape[1], arrays["W_hy"].shape[0]
    for name, shape in cell.shapes(I, H, O).items():
        if name in arrays and arrays[name].shape != shape:
            raise _refuse("M4", f"the arrays do not form a model: {name} has shape {arrays[name].shape}, expected {shape} "
                                f"(I, H, O = {I}, {H}, {O} from {cell.input_weights}, W_hh and W_hy)")
    if min(I, H, O) < 1:
        raise _refuse("M4", f"a model needs I, H, O ≥ 1; here I, H, O = {I}, {H}, {O}")
    floats = {name: _float_array(arrays[name]) for name in cell.floats if name in arrays}
    for name, values in floats.items():
        bad = np.argwhere(~np.isfinite(values))
        if bad.size:
            where = tuple(int(i) for i in bad[0])
            raise _refuse("M5", f"{name}[{', '.join(map(str, where))}] = {values[where]} is not finite")
    return floats, I, O
