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
from typing import Any, BinaryIO

import numpy as np

from rnnport.atomic import atomic_write
from rnnport.charlm import Vocabulary
from rnnport.rnn import RNN

FORMAT = "rnnport-model"
VERSION = 1
_WEIGHTS = ("W_xh", "W_hh", "W_hy", "h0")
_BIASES = ("b_h", "b_y")
# Size rules, the same as ModelFile.cs, all checked from the zip directory before an entry is inflated:
MAX_ELEMENTS = 1 << 28            # per array (2 GiB of float64)
MAX_DEFLATE_RATIO = 1100          # deflate cannot expand more than ~1032:1; a larger claim is a lie
MAX_COMPRESSION_RATIO = 64        # for entries over 1 MiB: trained float64 weights deflate ~1.1:1,
COMPRESSION_CHECKED_ABOVE = 1 << 20  # a zip bomb of zeros ~1000:1 (small entries may be all zeros)


class ModelFileError(ValueError):
    """The file is not a valid rnnport model file; the message says why."""


@dataclass
class ModelFile:
    """A model with its vocabulary (None when V = 0) and hyper-parameters."""

    model: RNN
    vocabulary: Vocabulary | None = None
    hyperparameters: dict[str, Any] = field(default_factory=dict)


def save(path: str | os.PathLike[str] | BinaryIO, model: RNN, vocabulary: Vocabulary | None = None,
         hyperparameters: dict[str, Any] | None = None) -> None:
    """Write ``model`` to ``path``, a file name (used as given, e.g. ``model.npz``) or an open binary file.

    A file name is replaced atomically (:func:`rnnport.atomic.atomic_write`): if writing fails, e.g.
    on a full disk, :class:`rnnport.atomic.AtomicWriteError` is raised and the previous file is left
    byte for byte as it was. An open binary file is written in place.
    """
    metadata = {"format": FORMAT, "version": VERSION, "activation": model.activation,
                "hyperparameters": hyperparameters or {}}
    arrays = {name: getattr(model, name) for name in _WEIGHTS}
    arrays.update({name: getattr(model, name) for name in _BIASES if getattr(model, name) is not None})
    codes = [ord(c) for c in vocabulary.chars] if vocabulary is not None else []
    arrays["vocabulary"] = np.array(codes, dtype="<i4")
    arrays["metadata"] = np.frombuffer(json.dumps(metadata, sort_keys=True).encode(), dtype=np.uint8)
    if hasattr(path, "write"):  # an open binary file: written in place, not atomically
        _write_archive(path, arrays)
        return
    with atomic_write(path) as stream:  # a failed save leaves the previous file as it was
        _write_archive(stream, arrays)


def _write_archive(stream: BinaryIO, arrays: dict[str, np.ndarray]) -> None:
    """``np.savez(stream, **arrays)``, but closing its zip on failure: NumPy leaves that to the
    garbage collector, which then writes to a closed file ("Exception ignored in ZipFile.__del__")."""
    with zipfile.ZipFile(stream, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            with archive.open(name + ".npy", "w", force_zip64=True) as entry:
                np.lib.format.write_array(entry, np.asanyarray(array), allow_pickle=False)


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
    if count > MAX_ELEMENTS:
        raise ModelFileError(f"entry {info.filename!r} declares shape {shape}, more than {MAX_ELEMENTS} elements")
    body = info.file_size - stream.tell()
    if count * dtype.itemsize != body:
        raise ModelFileError(f"entry {info.filename!r} declares shape {shape} of {dtype.str} "
                             f"({count * dtype.itemsize} bytes) but holds {body} bytes")
    data = stream.read(body)
    if len(data) != body:
        raise ModelFileError(f"entry {info.filename!r} is truncated")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran_order else "C")


def _check_sizes(info: zipfile.ZipInfo) -> None:
    """Refuse an entry whose directory sizes are implausible, before anything is inflated."""
    length, stored = info.file_size, info.compress_size
    if length > MAX_ELEMENTS * 8 + 65_536:
        raise ModelFileError(f"entry {info.filename!r} is {length} bytes uncompressed, more than accepted")
    if length > stored * MAX_DEFLATE_RATIO + 4096:
        raise ModelFileError(f"entry {info.filename!r} claims {length} bytes from {stored} stored bytes, "
                             "an impossible compression ratio")
    if length > COMPRESSION_CHECKED_ABOVE and length > stored * MAX_COMPRESSION_RATIO:
        raise ModelFileError(f"entry {info.filename!r} inflates {stored} stored bytes to {length}: "
                             f"refused as a zip bomb (over {MAX_COMPRESSION_RATIO}:1)")
    if stored > length + length // 4 + 1024:  # deflate grows incompressible data by ≤ 12.5%
        raise ModelFileError(f"entry {info.filename!r} stores {stored} bytes, more than its declared "
                             f"{length} bytes can need: the sizes are false")


def _read_archive(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Every entry of the archive, each one's declared sizes checked before it is decompressed."""
    arrays: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            name = info.filename[:-4]
            if not info.filename.endswith(".npy") or name in arrays:
                raise ModelFileError(f"unexpected entry {info.filename!r}")
            _check_sizes(info)
            with archive.open(info) as stream:  # zipfile stops at file_size and checks the CRC
                arrays[name] = _read_npy(stream, info)
    return arrays


def load(path: str | os.PathLike[str]) -> ModelFile:
    """Read a model file written by either language.

    The archive is read with :mod:`zipfile` and each ``.npy`` header is parsed by NumPy's own
    ``np.lib.format`` functions, refusing pickled (object) entries as ``np.load(allow_pickle=False)``
    does, but checking every declared size first, by the same rules as the C# reader: an array may
    not declare more elements than ``MAX_ELEMENTS`` nor a shape its bytes do not hold, and an entry
    over 1 MiB may not claim more than ``MAX_COMPRESSION_RATIO``:1 (float64 weights barely compress;
    a zip bomb of zeros expands about 1000 times). Repeated entries and empty dimensions are refused.

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
    except (zipfile.BadZipFile, EOFError, OSError, KeyError, NotImplementedError, RuntimeError) as error:
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
    if 0 in weights["W_xh"].shape or 0 in weights["W_hy"].shape:
        raise ModelFileError(f"a model needs I, H, O ≥ 1; W_xh is {weights['W_xh'].shape}, W_hy {weights['W_hy'].shape}")
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
