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

A version 3 file holds a ``RecurrentStack`` under torch's names (:mod:`rnnport.io.model_stack`), with
``num_layers`` and ``bidirectional`` in the metadata; writers write it for a stack, version 2 for a cell.

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
from rnnport.io import model_stack
from rnnport.io.model_cells import CELLS, ENTRY_NAMES, CellFormat, cell_of
from rnnport.io import npz_archive
from rnnport.io.atomic import atomic_write
from rnnport.io.model_file_error import ModelFileError
from rnnport.io.model_metadata import FORMAT, VERSION  # noqa: F401  (re-exported: the public constants)
from rnnport.training.vocabulary import Vocabulary

__all__ = ["FORMAT", "VERSION", "ModelFile", "ModelFileError", "load", "save"]

_FLOATS = (*ENTRY_NAMES, *model_stack.TORCH_NAMES)
_NAMES = frozenset(f"{name}.npy" for name in (*_FLOATS, "vocabulary", "metadata"))
_DTYPES = {**{name: "<f8" for name in _FLOATS}, "vocabulary": "<i4", "metadata": "|u1"}
_MAX_CODE_POINT = 0x10FFFF


@dataclass
class ModelFile:
    """A model (an ``RNN``, ``LSTM``, ``GRU`` or, from a version 3 file, a ``RecurrentStack``) with its
    vocabulary (None when V = 0) and hyper-parameters."""

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

    A ``RecurrentStack`` is written as version 3 (:func:`_stack_arrays`), a cell as version 2.

    Raises
    ------
    TypeError
        ``model`` is not an ``RNN``, ``LSTM``, ``GRU`` or ``RecurrentStack``, or a hyper-parameter is not a JSON value.
    ValueError
        The file would break a rule of ``docs/model-file.md``; nothing has been written.
    """
    if _is_stack(model):
        arrays, I, O, metadata = _stack_arrays(model, hyperparameters)
        return _archive(arrays, vocabulary, I, O, metadata)
    cell = cell_of(model)
    I, H, O = model.input_size, model.hidden_size, model.output_size
    if min(I, H, O) < 1:
        raise ValueError(f"a model file needs I, H, O ≥ 1; this model has I = {I}, H = {H}, O = {O}")
    activation = model.activation if isinstance(model, RNN) else model_metadata.GATED_ACTIVATION
    return _archive(cell.arrays(model), vocabulary, I, O, model_metadata.encode(cell.name, activation, hyperparameters or {}))


def _is_stack(model: Any) -> bool:
    from rnnport.cells.stack import RecurrentStack  # imported late: the stack class imports the cells

    return type(model) is RecurrentStack


def _stack_arrays(stack: Any, hyperparameters: dict[str, Any] | None) -> tuple[dict[str, np.ndarray], int, int, bytes]:
    """W1 for a stack (I, H ≥ 1, L ≤ MAX_LAYERS): its float entries (section S), I, O and version-3 metadata."""
    I, H, O, L = stack.input_size, stack.hidden_size, stack.output_size, stack.num_layers
    if min(I, H, O) < 1:
        raise ValueError(f"a model file needs I, H, O ≥ 1; this stack has I = {I}, H = {H}, O = {O}")
    if not 1 <= L <= model_metadata.MAX_LAYERS:
        raise ValueError(f"a model file holds 1 to {model_metadata.MAX_LAYERS} layers; this stack has num_layers = {L}")
    activation = stack.nonlinearity if stack.cell == "rnn" else model_metadata.GATED_ACTIVATION
    metadata = model_metadata.encode(stack.cell, activation, hyperparameters or {}, num_layers=L,
                                     bidirectional=bool(stack.bidirectional))
    return model_stack.arrays(stack), I, O, metadata


def _archive(arrays: dict[str, np.ndarray], vocabulary: Vocabulary | None, I: int, O: int, metadata: bytes) -> bytes:
    """The archive of the float ``arrays`` (writer order), the vocabulary (W2) and the metadata bytes (W3)."""
    for name, array in arrays.items():  # the model class guarantees this; a file must never hold otherwise
        if not np.isfinite(array).all():
            raise ValueError(f"{name} holds a non-finite value")
    arrays["vocabulary"] = (np.zeros(0, dtype="<i4") if vocabulary is None
                            else _check_vocabulary(vocabulary.chars, I, O))
    arrays["metadata"] = np.frombuffer(metadata, dtype=np.uint8)
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
    if metadata["version"] == model_metadata.STACK_VERSION:
        layout = model_stack.StackLayout(metadata["cell"], metadata["num_layers"], 2 if metadata["bidirectional"] else 1)
        floats, I, O = _check_stack_arrays(layout, arrays)
    else:
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
    if metadata["version"] == model_metadata.STACK_VERSION:
        model = model_stack.build(layout, floats, metadata["activation"])
    else:
        model = cell.build(floats, metadata["activation"])
    vocabulary = Vocabulary("".join(chr(c) for c in codes)) if codes.size else None
    return ModelFile(model, vocabulary, metadata["hyperparameters"], metadata["cell"])


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
    return _finite_floats(cell.floats, arrays), I, O


def _finite_floats(names: tuple[str, ...], arrays: dict[str, npz_archive.NpyArray]) -> dict[str, np.ndarray]:
    """M5: the float arrays among ``names`` (writer order), each finite."""
    floats = {name: _float_array(arrays[name]) for name in names if name in arrays}
    for name, values in floats.items():
        bad = np.argwhere(~np.isfinite(values))
        if bad.size:
            where = tuple(int(i) for i in bad[0])
            raise _refuse("M5", f"{name}[{', '.join(map(str, where))}] = {values[where]} is not finite")
    return floats


def _check_stack_arrays(layout: model_stack.StackLayout,
                        arrays: dict[str, npz_archive.NpyArray]) -> tuple[dict[str, np.ndarray], int, int]:
    """Section S: M1, M6, M7, M3, M4, M5 for a version 3 file: its float arrays by name, I and O."""
    what = f"{layout.cell} stack, num_layers {layout.num_layers}, {'bi' if layout.directions == 2 else 'uni'}directional"
    for name in (*layout.required, "vocabulary"):
        if name not in arrays:
            raise _refuse("M1", f"missing entry '{name}.npy' ({what})")
    allowed = set(layout.floats)
    for name in arrays:
        if name not in allowed and name not in ("vocabulary", "metadata"):
            raise _refuse("M1", f"entry '{name}.npy' is not one of a {what}'s")
    present = [name for name in layout.biases if name in arrays]
    if present and len(present) != len(layout.biases):
        missing = next(name for name in layout.biases if name not in arrays)
        raise _refuse("M6", f"missing entry '{missing}.npy': a stack has every bias or none ({present[0]} is present)")
    if "b_y" in arrays and "W_hy" not in arrays:
        raise _refuse("M7", "entry 'b_y.npy' without 'W_hy.npy': an output bias needs the output layer")
    for name, array in arrays.items():
        ndim = 2 if name in allowed and layout.two_dimensional(name) else 1
        if len(array.shape) != ndim:
            raise _refuse("M3", f"entry '{name}.npy' has {len(array.shape)} dimensions, expected {ndim}")
    H, I = arrays["weight_hh_l0"].shape[1], arrays["weight_ih_l0"].shape[1]
    O = arrays["W_hy"].shape[0] if "W_hy" in arrays else layout.directions * H
    for name, shape in layout.shapes(I, H, O).items():
        if name in arrays and arrays[name].shape != shape:
            raise _refuse("M4", f"the arrays do not form a model: {name} has shape {arrays[name].shape}, expected {shape} "
                                f"(I, H, O = {I}, {H}, {O} from weight_ih_l0, weight_hh_l0 and "
                                f"{'W_hy' if 'W_hy' in arrays else 'D·H'})")
    if min(I, H, O) < 1:
        raise _refuse("M4", f"a model needs I, H, O ≥ 1; here I, H, O = {I}, {H}, {O}")
    return _finite_floats(layout.floats, arrays), I, O
